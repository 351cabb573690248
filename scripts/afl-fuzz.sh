#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers of untrusted input with AFL++ and SharpFuzz (docs/security.md, "Fuzzing"):
# specs, iptables-save, nft text, nft JSON, traces with their embedded spec, conntrack: arguments, ip -j addr, ss and
# policy contexts. One afl-fuzz instance; the first byte of each input selects the parser (AflHarness.cs).
#   scripts/afl-fuzz.sh [--seconds N] [--out DIR] [--config Debug|Release] [--timeout-ms T] [--resume] [--canary]
# Default: 60 s (the CI minute of scripts/test.sh), out fuzz-findings/afl, the Debug build that the test run already
# made, 5000 ms per input before afl-fuzz calls it a hang. The long run is the same with more seconds, e.g.
#   scripts/afl-fuzz.sh --seconds 28800 --config Release        (and --resume to continue a stopped run)
# --canary plants a bug in the harness (any text with a NUL character is a crash) to show that a crash fails the run.
# Exit 0 when afl-fuzz found no crash and no hang, 1 when it did (the inputs are listed and replayed), 2 on bad
# arguments, 3 when afl-fuzz could not run at all (the reason is printed).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=60 out=fuzz-findings/afl config=Debug timeout_ms=5000 resume=0 canary=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "afl-fuzz.sh: --seconds needs a positive number" >&2; exit 2; }; seconds=$2; shift 2 ;;
    --out) [[ -n "${2:-}" ]] || { echo "afl-fuzz.sh: --out needs a directory" >&2; exit 2; }; out=$2; shift 2 ;;
    --config) [[ "${2:-}" == Debug || "${2:-}" == Release ]] || { echo "afl-fuzz.sh: --config is Debug or Release" >&2; exit 2; }; config=$2; shift 2 ;;
    --timeout-ms) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "afl-fuzz.sh: --timeout-ms needs a positive number" >&2; exit 2; }; timeout_ms=$2; shift 2 ;;
    --resume) resume=1; shift ;;
    --canary) canary=(--canary); shift ;;
    *) echo "afl-fuzz.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "afl-fuzz.sh: afl-fuzz is not installed (scripts/setup.sh installs the Debian package afl++ as root)" >&2
  exit 3
fi
# afl-fuzz refuses to start when cores are piped to a program, since crashes would then be slow to report. The
# harness reports a .NET exception through its fork server, not as a core dump, so that check does not apply; the
# host's core_pattern is left as it is.
if [[ "$(cat /proc/sys/kernel/core_pattern 2>/dev/null)" == \|* ]]; then
  export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
bin="$out/bin"

dotnet tool restore >/dev/null
# Quiet when it builds; the compiler's errors when it does not (set -e alone would end the script without a word).
if ! build_log=$(dotnet build tests/NatVerify.Fuzz.Tests -c "$config" -v quiet -nologo 2>&1); then
  printf '%s\n' "$build_log" | grep -E 'error|Error' >&2 || printf '%s\n' "$build_log" >&2
  echo "afl-fuzz.sh: the harness did not build" >&2
  exit 1
fi
# Instrument a copy: the ordinary build output must stay uninstrumented (its coverage calls would write through a
# null map outside afl-fuzz).
rm -rf "$bin"
cp -r "tests/NatVerify.Fuzz.Tests/bin/$config/net10.0" "$bin"
for assembly in NatVerify.Specs NatVerify.Traces NatVerify.Policy; do
  dotnet sharpfuzz "$bin/$assembly.dll" >/dev/null
done

findings="$out/findings"
if [[ $resume == 1 && -d "$findings/default/queue" ]]; then
  input=-
else
  rm -rf "$findings" "$out/seeds"
  # From the uninstrumented build: recording the seed traces runs instrumented code outside afl-fuzz.
  dotnet "tests/NatVerify.Fuzz.Tests/bin/$config/net10.0/NatVerify.Fuzz.Tests.dll" afl-seeds "$out/seeds"
  input="$out/seeds"
fi

# AFL_SKIP_BIN_CHECK: the target is 'dotnet', which carries no AFL instrumentation itself (the coverage comes from the
# SharpFuzz-instrumented assemblies). AFL_NO_AFFINITY: the machine is shared; no core is reserved. AFL_SKIP_CPUFREQ:
# CPU frequency scaling, when there is any, is not ours to change. AFL_FAST_CAL: calibrate each seed in fewer runs (the
# harness is deterministic).
echo "afl-fuzz.sh: fuzzing for $seconds s ($config build, $timeout_ms ms per input), findings in $findings"
set +e
AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_FAST_CAL=1 AFL_NO_UI=1 AFL_QUIET=1 \
  afl-fuzz -i "$input" -o "$findings" -V "$seconds" -t "$timeout_ms" -m none -- dotnet "$bin/NatVerify.Fuzz.Tests.dll" afl "${canary[@]}" \
  >"$out/afl-fuzz.log" 2>&1
status=$?
set -e
stats="$findings/default/fuzzer_stats"
if [[ ! -f "$stats" ]]; then
  echo "afl-fuzz.sh: afl-fuzz did not start (exit $status); the end of $out/afl-fuzz.log:" >&2
  tail -n 25 "$out/afl-fuzz.log" >&2
  exit 3
fi
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|edges_found|bitmap_cvg|saved_crashes|saved_hangs) ' "$stats" | sed 's/^/afl-fuzz.sh: /'

mapfile -t found < <(find "$findings/default/crashes" "$findings/default/hangs" -type f -name 'id:*' 2>/dev/null | sort)
if [[ ${#found[@]} -eq 0 ]]; then
  if [[ $status -ne 0 ]]; then
    echo "afl-fuzz.sh: afl-fuzz exited $status without a finding; the end of $out/afl-fuzz.log:" >&2
    tail -n 25 "$out/afl-fuzz.log" >&2
    exit 3
  fi
  echo "afl-fuzz.sh: no crash and no hang"
  exit 0
fi

echo "afl-fuzz.sh: ${#found[@]} finding(s); each file is one AFL input (byte 1 selects the parser, AflHarness.Targets):" >&2
printf '  %s\n' "${found[@]}" >&2
echo "afl-fuzz.sh: replayed in-process (a hang here is bounded at 20 s):" >&2
dotnet "tests/NatVerify.Fuzz.Tests/bin/$config/net10.0/NatVerify.Fuzz.Tests.dll" afl-replay "${found[@]}" >&2 || true
echo "afl-fuzz.sh: to keep one as a regression test, copy it into tests/NatVerify.Fuzz.Tests/AflRegressions/ (docs/security.md)" >&2
exit 1
