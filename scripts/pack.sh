#!/usr/bin/env bash
# Packs the natverify CLI as a .NET tool: ReadyToRun images for linux-x64, the seed specs embedded, the Z3 shim
# (built by gcc from src/NatVerify.Smt/native) beside the assembly. Output: artifacts/nupkg/natverify.VERSION.nupkg.
#   scripts/pack.sh [OUTDIR]
# Install it:  dotnet tool install --global natverify --add-source OUTDIR   (or --tool-path DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-artifacts/nupkg}"
mkdir -p "$out"
dotnet pack src/NatVerify.Cli/NatVerify.Cli.csproj -c Release -o "$out" \
  -r linux-x64 -p:SelfContained=false -p:PublishReadyToRun=true -nologo
ls -1 "$out"/natverify*.nupkg
