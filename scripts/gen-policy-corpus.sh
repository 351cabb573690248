#!/usr/bin/env bash
# Regenerates the dumps of specs/policies/: each source (source.rules: iptables-restore input; source.nft: nft -f
# input) is loaded into real netfilter in a private network namespace and dumped with the real tools, so every
# ruleset the corpus tests read is a genuine dump, never hand-typed:
#   source.rules -> ruleset.iptables-save   (iptables-save)
#   source.nft   -> ruleset.nft             (nft list ruleset)  and  ruleset.nft.json (nft -j list ruleset)
# The kube-proxy sources are written by scripts/gen-kube-proxy.py first. --bench N also writes the N-service-port
# kube-proxy variants into $BENCH_DIR (default /tmp/nvq-bench; not committed: they are large).
# Needs root (netns). Namespaces are named nvq-corpus-$$ and deleted on exit; nothing is routed anywhere.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus="$root/specs/policies"
ns="nvq-corpus-$$"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
bench=0
[[ "${1:-}" == --bench ]] && bench="${2:?--bench N}"

python3 "$root/scripts/gen-kube-proxy.py" iptables > "$corpus/kube-proxy-iptables/source.rules"
python3 "$root/scripts/gen-kube-proxy.py" nft > "$corpus/kube-proxy-nftables/source.nft"

fresh_ns() {
    ip netns del "$ns" 2>/dev/null || true
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # Interfaces the sources name (oifname/iifname), so nothing about them is left to chance.
    for pair in "lan0 lan0p" "wan0 wan0p" "docker0 docker0p"; do
        set -- $pair
        ip -n "$ns" link add "$1" type veth peer name "$2"
    done
}

# Strips the lines that change at every run (timestamps, packet counters), keeping line numbers stable.
iptables_dump() { ip netns exec "$ns" iptables-save -t nat | sed -E 's/^(# (Generated|Completed) by iptables-save v[0-9.]+).*/\1/'; }

load() { # dir -> dumps
    local dir="$1"
    fresh_ns
    if [[ -f "$dir/source.rules" ]]; then
        ip netns exec "$ns" iptables-restore < "$dir/source.rules"
        iptables_dump > "$dir/ruleset.iptables-save"
    fi
    if [[ -f "$dir/source.nft" ]]; then
        ip netns exec "$ns" nft -f "$dir/source.nft"
        ip netns exec "$ns" nft list ruleset > "$dir/ruleset.nft"
        ip netns exec "$ns" nft -j list ruleset | python3 -c 'import json,sys; d=json.load(sys.stdin); [i.get("metainfo",{}).pop("version",None) for i in d["nftables"]]; json.dump(d,sys.stdout,indent=1); print()' > "$dir/ruleset.nft.json"
    fi
}

for dir in "$corpus"/*/; do
    load "${dir%/}"
    echo "generated ${dir%/}"
done

if (( bench > 0 )); then
    out="${BENCH_DIR:-/tmp/nvq-bench}"
    mkdir -p "$out/iptables" "$out/nft"
    python3 "$root/scripts/gen-kube-proxy.py" iptables --services "$bench" > "$out/iptables/source.rules"
    python3 "$root/scripts/gen-kube-proxy.py" nft --services "$bench" > "$out/nft/source.nft"
    load "$out/iptables"
    load "$out/nft"
    echo "benchmark rulesets in $out: $(grep -c '^-A' "$out/iptables/ruleset.iptables-save") iptables rules"
fi
