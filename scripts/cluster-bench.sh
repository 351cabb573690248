#!/usr/bin/env bash
# Measures 'natverify check --cluster' with 1, 2 and 3 worker silos on this machine (localhost clustering), against
# the single-machine check of the same spec. Usage: scripts/cluster-bench.sh [SPEC] [PARTITIONS] [NATVERIFY]
# Prints one line per run; the numbers go into docs/distributed.md. Ports 2161x/3161x must be free.
set -euo pipefail
spec=${1:-tests/NatVerify.Cluster.Tests/Data/dns-four-queries.yaml}
partitions=${2:-6}
nv=${3:-src/NatVerify.Cli/bin/Debug/net10.0/natverify}
dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

/usr/bin/time -f "single machine: %e s wall, %U s user, %M KiB max RSS" "$nv" check "$spec" > "$dir/single.out" 2> "$dir/single.time" || true
grep '^Statistics' "$dir/single.out"
tail -1 "$dir/single.time"

for silos in 1 2 3; do
  cfg="membership=localhost;primary-port=21611;gateway-port=31611;partitions=$partitions"
  pids=()
  for i in $(seq 0 $((silos - 1))); do
    "$nv" worker --cluster "$cfg" --silo-port $((21611 + i)) --gateway-port $((31611 + i)) > "$dir/w$i.out" 2> "$dir/w$i.err" &
    pids+=($!)
    for _ in $(seq 1 100); do grep -q 'worker ready' "$dir/w$i.out" && break; sleep 0.2; done
  done
  sleep 2
  /usr/bin/time -f "$silos silo(s): %e s wall (coordinator: %U s user, %M KiB max RSS)" "$nv" check "$spec" --cluster "$cfg" > "$dir/c$silos.out" 2> "$dir/c$silos.time" || true
  grep -E '^(Cluster|Statistics)' "$dir/c$silos.out"
  tail -1 "$dir/c$silos.time"
  for p in "${pids[@]}"; do
    echo "  worker $p: $(ps -o rss=,cputime= -p "$p" | awk '{print $1 " KiB RSS, cpu " $2}')"
  done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
done
