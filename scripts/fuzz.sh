#!/usr/bin/env bash
# Mutation fuzzing of every parser of untrusted input (specs, iptables-save, nft text and JSON, traces, ip -j addr,
# ss, policy contexts); see docs/security.md. Deterministic: the same --seed and --count run the same inputs.
#   scripts/fuzz.sh [--seed N] [--count M] [--per-input SECONDS] [--out DIR]
# Default: a seed from the clock (printed), 100000 inputs, 10 s per input, findings into fuzz-findings/.
# Exit 0 when every input parsed or ended in a located error, 1 on findings, 2 on bad arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
args=("$@")
has_out=0
for a in "${args[@]}"; do [[ "$a" == "--out" ]] && has_out=1; done
[[ $has_out == 1 ]] || args+=(--out fuzz-findings)
dotnet build tests/NatVerify.Fuzz.Tests -c Release -v quiet -nologo >/dev/null
exec dotnet exec tests/NatVerify.Fuzz.Tests/bin/Release/net10.0/NatVerify.Fuzz.Tests.dll fuzz "${args[@]}"
