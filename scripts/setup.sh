#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine of this project's kind (root, apt):
# the netfilter tools the kernel-oracle tests drive. Idempotent and quick when everything is present.
set -euo pipefail

need=()
command -v iptables-restore >/dev/null 2>&1 || need+=(iptables)
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v conntrack >/dev/null 2>&1 || need+=(conntrack)
# Trace renderings and exported kernel scripts (tests/NatVerify.Traces.Tests): a headless browser for the HTML
# report, tshark to read the pcap back, socat to drive flows from the exported scripts.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v sysctl >/dev/null 2>&1 || need+=(procps)
# Z3 for 'natverify prove' (src/NatVerify.Smt): the build compiles its shim with gcc against libz3's headers,
# and the shim loads Debian's libz3.so.4 (which needs libgomp1) at run time.
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
[ -f /usr/include/z3.h ] || need+=(libz3-dev)
dpkg -s libz3-4 >/dev/null 2>&1 || need+=(libz3-4)
dpkg -s libgomp1 >/dev/null 2>&1 || need+=(libgomp1)
# Redis membership for the end-to-end cluster test (tests/NatVerify.Cluster.Tests, three natverify worker processes);
# the test starts its own redis-server on a free port in its temp directory, never the system service.
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# Coverage-guided fuzzing of the parsers (scripts/afl-fuzz.sh, the last step of scripts/test.sh).
command -v afl-fuzz >/dev/null 2>&1 || need+=(afl++)
# SPIN for the reference model's Promela tests (tests/NatVerify.Reference.Tests, Long trait) and scripts/compare-spin.sh.
command -v spin >/dev/null 2>&1 || need+=(spin)

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
