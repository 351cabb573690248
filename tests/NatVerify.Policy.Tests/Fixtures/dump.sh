#!/usr/bin/env bash
# Regenerates the policy test fixtures: loads every src/*.rules into real netfilter in a fresh private network
# namespace (one per ruleset, so no table or policy of another ruleset is left over) with iptables-restore and dumps
# it back with iptables-save, so the tests parse genuine dumps, not hand-typed text.
# Needs root and iptables (nf_tables or legacy). Usage: tests/NatVerify.Policy.Tests/Fixtures/dump.sh [NAME...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ns="nvpol-fixtures-$$"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
mkdir -p "$here/dumps"
if [ $# -gt 0 ]; then names=("$@"); else names=(); for src in "$here"/src/*.rules; do names+=("$(basename "$src" .rules)"); done; fi
for name in "${names[@]}"; do
  ip netns add "$ns"
  ip netns exec "$ns" iptables-restore < "$here/src/$name.rules"
  ip netns exec "$ns" iptables-save > "$here/dumps/$name.v4"
  ip netns del "$ns"
done
echo "dumped ${#names[@]} rulesets to $here/dumps"
