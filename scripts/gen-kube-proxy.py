#!/usr/bin/env python3
"""Writes a kube-proxy-style NAT ruleset source (iptables-restore or nft -f input) for the policy corpus.

Follows kube-proxy's documented chain layout (pkg/proxy/iptables/proxier.go, pkg/proxy/nftables/proxier.go):
KUBE-SERVICES dispatches on ClusterIP:port to KUBE-SVC-<hash>, which marks off-cluster sources for masquerade
(KUBE-MARK-MASQ) and picks an endpoint KUBE-SEP-<hash> with 'statistic --mode random' (probability 1/(n-i)), each
endpoint DNATs; KUBE-POSTROUTING masquerades marked packets with --random-fully. The nft layout uses the
services map and 'numgen random mod N vmap'. Deterministic: the services are a function of --services only.

usage: gen-kube-proxy.py iptables|nft [--services N]
"""
import base64, hashlib, sys

def h(prefix, s):
    return prefix + base64.b32encode(hashlib.sha256(s.encode()).digest()).decode()[:16]

def services(n):
    # The small corpus: DNS over UDP with two endpoints, two services sharing one endpoint, a 3-endpoint TCP service.
    base = [
        ("kube-system/kube-dns:dns", "10.96.0.10", "udp", 53, [("10.244.1.5", 53), ("10.244.2.6", 53)]),
        ("kube-system/kube-dns:dns-tcp", "10.96.0.10", "tcp", 53, [("10.244.1.5", 53), ("10.244.2.6", 53)]),
        ("default/web:http", "10.96.0.20", "tcp", 80, [("10.244.1.7", 8080)]),
        ("default/web-alias:http", "10.96.0.21", "tcp", 80, [("10.244.1.7", 8080)]),
        ("default/api:https", "10.96.0.30", "tcp", 443, [("10.244.1.8", 8443), ("10.244.2.8", 8443), ("10.244.3.8", 8443)]),
    ]
    out = list(base)
    i = 0
    while len(out) < n:
        ip = f"10.97.{i // 250}.{i % 250 + 1}"
        eps = [(f"10.245.{(i * 3 + k) // 250}.{(i * 3 + k) % 250 + 1}", 8000 + (i % 7)) for k in range(1 + (i % 3 == 0))]
        out.append((f"ns{i % 40}/svc{i}:p", ip, "tcp" if i % 5 else "udp", 80 + (i % 3), eps))
        i += 1
    return out[:n] if n >= len(base) else base

def iptables(svcs):
    o = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]",
         ":KUBE-MARK-MASQ - [0:0]", ":KUBE-NODEPORTS - [0:0]", ":KUBE-POSTROUTING - [0:0]", ":KUBE-SERVICES - [0:0]"]
    chains, rules = [], []
    for name, ip, proto, port, eps in svcs:
        svc = h("KUBE-SVC-", name + proto)
        chains.append(f":{svc} - [0:0]")
        rules.append(f'-A KUBE-SERVICES -d {ip}/32 -p {proto} -m comment --comment "{name} cluster IP" -m {proto} --dport {port} -j {svc}')
        rules.append(f'-A {svc} ! -s 10.244.0.0/16 -d {ip}/32 -p {proto} -m comment --comment "{name} cluster IP" -m {proto} --dport {port} -j KUBE-MARK-MASQ')
        for k, (eip, eport) in enumerate(eps):
            sep = h("KUBE-SEP-", name + proto + eip + str(eport))
            chains.append(f":{sep} - [0:0]")
            left = len(eps) - k
            stat = f" -m statistic --mode random --probability {1.0 / left:.11f}" if left > 1 else ""
            rules.append(f'-A {svc} -m comment --comment "{name} -> {eip}:{eport}"{stat} -j {sep}')
            rules.append(f'-A {sep} -s {eip}/32 -m comment --comment "{name}" -j KUBE-MARK-MASQ')
            rules.append(f'-A {sep} -p {proto} -m comment --comment "{name}" -m {proto} -j DNAT --to-destination {eip}:{eport}')
    o += chains
    o += ['-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
          '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
          '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
          '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
          '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
          '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
          '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully']
    o += rules
    o += ['-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS', "COMMIT"]
    return "\n".join(o) + "\n"

def nft(svcs):
    o = ["table ip kube-proxy {",
         "\tchain mark-for-masquerade {", "\t\tmeta mark set meta mark | 0x00004000", "\t}",
         "\tchain masquerading {", "\t\tmeta mark & 0x00004000 == 0x00000000 return",
         "\t\tmeta mark set meta mark ^ 0x00004000", "\t\tmasquerade fully-random", "\t}",
         "\tchain nat-prerouting {", "\t\ttype nat hook prerouting priority dstnat; policy accept;", "\t\tjump services", "\t}",
         "\tchain nat-output {", "\t\ttype nat hook output priority -100; policy accept;", "\t\tjump services", "\t}",
         "\tchain nat-postrouting {", "\t\ttype nat hook postrouting priority srcnat; policy accept;", "\t\tjump masquerading", "\t}"]
    dispatch = []
    for name, ip, proto, port, eps in svcs:
        svc = "service-" + h("", name + proto)[:8] + "-" + name.replace("/", "-").replace(":", "-")
        seps = []
        for k, (eip, eport) in enumerate(eps):
            sep = "endpoint-" + h("", name + proto + eip + str(eport))[:8] + "-" + eip.replace(".", "-")
            seps.append(sep)
            o += [f"\tchain {sep} {{", f"\t\tip saddr {eip} jump mark-for-masquerade",
                  f"\t\tmeta l4proto {proto} dnat to {eip}:{eport}", "\t}"]
        o += [f"\tchain {svc} {{", f"\t\tip daddr {ip} {proto} dport {port} ip saddr != 10.244.0.0/16 jump mark-for-masquerade"]
        if len(seps) == 1:
            o.append(f"\t\tgoto {seps[0]}")
        else:
            o.append("\t\tnumgen random mod %d vmap { %s }" % (len(seps), ", ".join(f"{k} : goto {s}" for k, s in enumerate(seps))))
        o.append("\t}")
        dispatch.append(f"\t\tip daddr {ip} {proto} dport {port} goto {svc}")
    o += ["\tchain services {"] + dispatch + ["\t}", "}"]
    return "\n".join(o) + "\n"

if __name__ == "__main__":
    mode = sys.argv[1]
    n = int(sys.argv[sys.argv.index("--services") + 1]) if "--services" in sys.argv else 5
    sys.stdout.write((iptables if mode == "iptables" else nft)(services(n)))
