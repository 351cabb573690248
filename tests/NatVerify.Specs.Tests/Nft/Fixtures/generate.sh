#!/usr/bin/env bash
# Regenerates the nft dump fixtures: loads each source into real netfilter in a private network namespace
# (nvn-gen-PID, deleted on exit) and keeps what `nft list ruleset` and `nft -j list ruleset` print.
# Needs root, nft (scripts/setup.sh installs nftables) and python3 (kube-proxy generator).
set -euo pipefail
cd "$(dirname "$0")"
ns="nvn-gen-$$"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
python3 kube-proxy-nft.py 7 12 > kube-proxy-node.nft
for src in kube-proxy-node fw4-router firewalld-host; do
  ip netns add "$ns"
  ip netns exec "$ns" nft -f "$src.nft"
  ip netns exec "$ns" nft list ruleset > "$src.dump.nft"
  ip netns exec "$ns" nft -j list ruleset > "$src.dump.json"
  ip netns del "$ns"
done
