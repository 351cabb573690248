#!/usr/bin/env bash
# Cold start of the seed check: CPU time (user+sys) of `natverify check` as a plain framework-dependent Release build
# with the runtime's default tiering (the build before issue 17: JIT of everything, tiered PGO on) against the packed
# tool (ReadyToRun linux-x64 images, as scripts/pack.sh builds it; tiered PGO on in both since wave 9).
#   scripts/bench-startup.sh [RUNS]     (default 15; prints the median of each and the ratio)
# Each run is a fresh process, so every run is a cold start of the runtime (the page cache is warm: the numbers are
# CPU time, not disk). The machine is shared and noisy: compare medians, and quote one run's ratio.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-15}"
work="$(mktemp -d /tmp/natverify-bench-XXXXXX)"
trap 'rm -rf "$work"' EXIT

echo "building the baseline (Release, JIT only, TieredPGO on) ..." >&2
dotnet publish "$root/src/NatVerify.Cli/NatVerify.Cli.csproj" -c Release -o "$work/jit" --artifacts-path "$work/build-jit" \
  -p:PublishReadyToRun=false -p:TieredPGO=true -nologo -v q 1>&2
echo "building the tool as packed (ReadyToRun linux-x64) ..." >&2
dotnet publish "$root/src/NatVerify.Cli/NatVerify.Cli.csproj" -c Release -o "$work/r2r" --artifacts-path "$work/build-r2r" \
  -r linux-x64 -p:SelfContained=false -p:PublishReadyToRun=true -nologo -v q 1>&2

measure() { # prints the median CPU seconds of $runs cold checks of $1
  local exe="$1" i t times=()
  "$exe" check >/dev/null # warms the page cache only
  for ((i = 0; i < runs; i++)); do
    t=$( { /usr/bin/time -f "%U %S" "$exe" check >/dev/null; } 2>&1 | tail -n 1 | awk '{ printf "%.3f", $1 + $2 }')
    times+=("$t")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

jit=$(measure "$work/jit/natverify")
r2r=$(measure "$work/r2r/natverify")
echo "cold seed check, median CPU seconds (user+sys) over $runs runs:"
echo "  baseline (JIT, TieredPGO on):     $jit"
echo "  packed tool (R2R):                $r2r"
awk -v a="$jit" -v b="$r2r" 'BEGIN { printf "  ratio: %.2fx less CPU time\n", a / b }'
