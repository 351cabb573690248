#!/usr/bin/env bash
# Packs the natverify CLI as a .NET tool: ReadyToRun images for linux-x64 (start-up without JIT of the product code),
# the seed specs embedded, the Z3 shim (built by gcc from src/NatVerify.Smt/native) beside the assembly.
#   scripts/pack.sh [OUTDIR]          (default artifacts/nupkg; prints the .nupkg path)
# Install:  dotnet tool install --global natverify --add-source OUTDIR
#      or:  dotnet tool install natverify --tool-path DIR --add-source OUTDIR
# The build goes to its own artifacts directory, so packing never rewrites the src/*/obj of a developer build or a
# test run going on at the same time.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-$root/artifacts/nupkg}" && cd "${1:-$root/artifacts/nupkg}" && pwd)"
build="${NATVERIFY_PACK_BUILD:-$root/artifacts/pack-build}"
dotnet pack "$root/src/NatVerify.Cli/NatVerify.Cli.csproj" -c Release -o "$out" --artifacts-path "$build" \
  -r linux-x64 -p:SelfContained=false -p:PublishReadyToRun=true -nologo -v q 1>&2
ls -1t "$out"/natverify.*.nupkg | head -n 1
