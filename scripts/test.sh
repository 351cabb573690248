#!/usr/bin/env bash
# The whole test suite: set-up, then every test project of NatVerify.sln.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dotnet test NatVerify.sln "$@"
