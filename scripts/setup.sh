#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine of this project's kind (root, apt):
# the netfilter tools the kernel-oracle tests drive. Idempotent and quick when everything is present.
set -euo pipefail

need=()
command -v iptables-restore >/dev/null 2>&1 || need+=(iptables)
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v conntrack >/dev/null 2>&1 || need+=(conntrack)
command -v ip >/dev/null 2>&1 || need+=(iproute2)

if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing ${need[*]} and not root; the tests that need them will report themselves as skipped" >&2
    exit 0
  fi
  echo "setup: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
