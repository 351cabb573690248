using System.Globalization;
using System.Text;

namespace NatVerify.Smt.Tests;

/// <summary>
/// Small random specs inside the BMC subset: 2-3 actors (TCP/UDP/ICMP flows on every path, ctnetlink inserts) over a
/// few addresses and ports (ICMP ids) that often collide; optional SNAT (one address, address:port, a two-port range,
/// a two-address range), DNAT (address:port, a two-port range without --random, or a two-address range), MASQUERADE
/// (with or without --to-ports) and
/// REDIRECT (LOCAL_OUT to loopback, PRE_ROUTING to the in interface); one time in three a rule of another table (a mangle
/// MARK selected by multiport or addrtype, a raw notrack by mark or iprange, a filter DROP by mark, a FORWARD DROP
/// policy with a multiport ACCEPT); order constraints and a random profile. The slot state too: GRE flows (no key), SYN
/// retransmissions (<c>retries: 1</c>), a TCP close (FIN or RST) followed by a flow that reuses the closed tuple or its
/// SNAT port (reopening SYN, <c>nf_nat_used_tuple_harder</c>), and a <c>conntrack -D</c> by original source or reply
/// port. Deterministic for a seed.
/// </summary>
internal static class SpecGenerator
{
    private static readonly string[] Addresses = ["198.51.100.1", "198.51.100.2", "198.51.100.3"];
    private static readonly int[] Ports = [12345, 54321, 80, 1000];
    private static readonly string[] Profiles = ["linux-6.12", "linux-5.15", "linux-4.19"];
    private static readonly string[] Milestones = ["start", "dst-nat", "src-nat", "confirm"];

    public static string Generate(int seed)
    {
        var r = new Random(seed);
        string Pick(string[] items) => items[r.Next(items.Length)];
        string Port() => Ports[r.Next(Ports.Length)].ToString(CultureInfo.InvariantCulture);
        string PortRange()
        {
            var lo = Ports[r.Next(Ports.Length)];
            return string.Create(CultureInfo.InvariantCulture, $"{lo}-{lo + 1}");
        }

        string AddressRange() => r.Next(2) == 0 ? "198.51.100.1-198.51.100.2" : "198.51.100.2-198.51.100.3";
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"name: gen-{seed}");
        sb.AppendLine("description: generated for the BMC agreement test");
        sb.AppendLine(CultureInfo.InvariantCulture, $"profile: {Pick(Profiles)}");
        sb.AppendLine("interfaces:");
        sb.AppendLine("  veth0: 198.51.100.1");
        sb.AppendLine("  veth1: 198.51.100.3");
        if (r.Next(6) > 0)
        {
            sb.AppendLine("ruleset: |");
            // A nat table without NAT rules activates no conntrack (nf_ct_netns_get); the stateful filter rule does,
            // as on hosts with a firewall, so null bindings stay in play.
            // One time in three a rule of another table (issue 13): the hook pipeline, marks set before the nat table
            // reads them, notrack before nf_conntrack_in, a DROP after the entry exists, match terms.
            var other = r.Next(3) == 0 ? r.Next(4) : -1;
            if (other == 1)
            {
                sb.AppendLine("  *mangle");
                sb.AppendLine("  :PREROUTING ACCEPT [0:0]");
                sb.AppendLine("  :OUTPUT ACCEPT [0:0]");
                sb.AppendLine(CultureInfo.InvariantCulture, $"  -A OUTPUT -p tcp -m multiport --dports {Port()},{Port()} -j MARK --set-xmark 0x64/0xffffffff");
                sb.AppendLine("  -A PREROUTING -m addrtype --src-type LOCAL -j MARK --set-xmark 0xc8/0xffffffff");
                sb.AppendLine("  COMMIT");
            }
            else if (other == 2)
            {
                sb.AppendLine("  *raw");
                sb.AppendLine("  :PREROUTING ACCEPT [0:0]");
                sb.AppendLine("  :OUTPUT ACCEPT [0:0]");
                sb.AppendLine("  -A OUTPUT -m mark --mark 0xc8 -j CT --notrack");
                sb.AppendLine("  -A PREROUTING -m iprange --src-range 198.51.100.2-198.51.100.3 -j CT --notrack");
                sb.AppendLine("  COMMIT");
            }

            sb.AppendLine("  *filter");
            sb.AppendLine(other == 3 ? "  :FORWARD DROP [0:0]" : "  :FORWARD ACCEPT [0:0]");
            sb.AppendLine("  :OUTPUT ACCEPT [0:0]");
            sb.AppendLine("  -A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
            if (other == 0)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"  -A OUTPUT -p {Proto(r)} -m mark --mark 0xc8 -j DROP");
            }
            else if (other == 3)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"  -A FORWARD -p tcp -m multiport --dports {Port()},{Port()} -j ACCEPT");
            }

            sb.AppendLine("  COMMIT");
            sb.AppendLine("  *nat");
            foreach (var c in new[] { "PREROUTING", "INPUT", "OUTPUT", "POSTROUTING" })
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"  :{c} ACCEPT [0:0]");
            }

            if (r.Next(3) > 0)
            {
                var proto = Proto(r);
                var to = r.Next(5) switch
                {
                    0 => Pick(Addresses),
                    1 => $"{Pick(Addresses)}:{PortRange()}",
                    2 => $"{AddressRange()}",
                    _ => $"{Pick(Addresses)}:{Port()}",
                };
                // Without a port an SNAT rule needs no protocol, and then it maps GRE flows too.
                var match = !to.Contains(':', StringComparison.Ordinal) && r.Next(3) == 0 ? string.Empty : $"-p {proto} ";
                sb.AppendLine(CultureInfo.InvariantCulture, $"  -A POSTROUTING {match}-m mark --mark 0x64 -j SNAT --to-source {to}");
            }

            if (r.Next(3) == 0)
            {
                // Only flows that leave through veth0 (which has an address): others never reach the target.
                // --to-ports needs a protocol with ports (iptables' MASQUERADE refuses it for -p icmp).
                var ports = r.Next(2) == 0 ? string.Empty : $" --to-ports {PortRange()}";
                var proto = ports.Length == 0 ? Proto(r) : r.Next(2) == 0 ? "tcp" : "udp";
                sb.AppendLine(CultureInfo.InvariantCulture, $"  -A POSTROUTING -p {proto} -o veth0 -j MASQUERADE{ports}");
            }

            if (r.Next(3) == 0)
            {
                // A port range without --random: 6.x searches it from its first port (the lowest free one wins).
                var proto = Proto(r);
                var to = r.Next(3) switch
                {
                    0 => AddressRange(),
                    1 => $"{Pick(Addresses)}:{PortRange()}",
                    _ => $"{Pick(Addresses)}:{Port()}",
                };
                sb.AppendLine(CultureInfo.InvariantCulture, $"  -A OUTPUT -p {proto} -d {Pick(Addresses)} -j DNAT --to-destination {to}");
            }

            if (r.Next(4) == 0)
            {
                var proto = r.Next(2) == 0 ? "tcp" : "udp";
                sb.AppendLine(r.Next(2) == 0
                    ? $"  -A OUTPUT -p {proto} -d {Pick(Addresses)} -j REDIRECT --to-ports {Port()}"
                    : $"  -A PREROUTING -p {proto} -i veth1 -j REDIRECT" + (r.Next(2) == 0 ? string.Empty : $" --to-ports {Port()}"));
            }

            if (r.Next(4) == 0)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"  -A PREROUTING -p tcp --dport {Port()} -j DNAT --to-destination {Pick(Addresses)}");
            }

            sb.AppendLine("  COMMIT");
        }

        sb.AppendLine("actors:");
        var actors = r.Next(2, 4);
        var flows = new List<string>();
        var tcpFlows = new List<(string Name, string Src, string Sport, string Dst, string Dport)>();
        (string Src, string Sport, string Dst, string Dport, string Proto)? previous = null;
        for (var i = 0; i < actors; i++)
        {
            var name = $"a{i}";
            if (i > 0 && r.Next(4) == 0)
            {
                var proto = r.Next(2) == 0 ? "tcp" : "udp";
                sb.AppendLine(CultureInfo.InvariantCulture, $"  - name: {name}");
                sb.AppendLine(CultureInfo.InvariantCulture, $"    conntrack: -I -p {proto} -s {Pick(Addresses)} -d {Pick(Addresses)} --sport {Port()} --dport {Port()}");
                continue;
            }

            flows.Add(name);
            sb.AppendLine(CultureInfo.InvariantCulture, $"  - name: {name}");

            // Three in four later flows race the previous one: same protocol, destination and (mostly) source port, any
            // source address, so that after SNAT, MASQUERADE or as a thief their tuples collide and the interleavings
            // lead to different outcomes.
            var racing = previous is not null && r.Next(4) > 0;
            if (racing && previous is { } prev)
            {
                // Half the time the very same tuple (a confirm-time clash or a join), else a thief from another address.
                var identical = r.Next(2) == 0;
                var sport = identical || r.Next(4) > 0 ? prev.Sport : Port();
                Flow(sb, identical ? prev.Src : Pick(Addresses), sport, prev.Dst, prev.Dport, prev.Proto);
            }
            else
            {
                previous = (Pick(Addresses), Port(), Pick(Addresses), Port(), r.Next(8) == 0 ? "gre" : Proto(r));
                Flow(sb, previous.Value.Src, previous.Value.Sport, previous.Value.Dst, previous.Value.Dport, previous.Value.Proto);
            }

            if (previous is { Proto: "tcp" } last)
            {
                tcpFlows.Add((name, last.Src, last.Sport, last.Dst, last.Dport));
                if (r.Next(8) == 0)
                {
                    sb.AppendLine("    retries: 1");
                }
            }

            sb.AppendLine(CultureInfo.InvariantCulture, $"    mark: {(racing || r.Next(2) == 0 ? "0x64" : "0xc8")}");
            var path = r.Next(3);
            sb.AppendLine(path switch
            {
                0 => "    path: local-out",
                1 => "    path: forward\n    in: veth1\n    out: veth0",
                _ => "    path: local-in\n    in: veth0",
            });
        }

        if (tcpFlows.Count > 0 && r.Next(4) == 0)
        {
            // A close, then a SYN on the same tuple (reopening) or from another port of the same source (a SNAT onto the
            // closed entry's port may evict it).
            var target = tcpFlows[r.Next(tcpFlows.Count)];
            sb.AppendLine("  - name: closes");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    close: {target.Name}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    how: {(r.Next(2) == 0 ? "fin" : "rst")}");
            if (r.Next(3) > 0)
            {
                sb.AppendLine("  - name: again");
                Flow(sb, target.Src, r.Next(2) == 0 ? target.Sport : Port(), target.Dst, target.Dport, "tcp");
                sb.AppendLine("    mark: 0x64");
            }
        }

        if (r.Next(6) == 0)
        {
            sb.AppendLine("  - name: delete");
            sb.AppendLine(r.Next(2) == 0
                ? $"    conntrack: -D --orig-src {Pick(Addresses)}"
                : $"    conntrack: -D -p {(r.Next(2) == 0 ? "tcp" : "udp")} --reply-port-dst {Port()}");
        }

        if (r.Next(6) == 0)
        {
            sb.AppendLine("schedule: sequential");
        }
        else if (flows.Count >= 2 && r.Next(2) == 0)
        {
            sb.AppendLine("order:");
            sb.AppendLine(CultureInfo.InvariantCulture, $"  - {flows[0]}.{Pick(Milestones)} < {flows[1]}.{Pick(Milestones)}");
        }

        return sb.ToString();
    }

    /// <summary>TCP or UDP, and one time in five ICMP echo (the echo id is the port of the SRC and DST manips).</summary>
    private static string Proto(Random r) => r.Next(5) == 0 ? "icmp" : r.Next(2) == 0 ? "tcp" : "udp";

    private static void Flow(StringBuilder sb, string src, string sport, string dst, string dport, string proto)
    {
        if (proto == "gre")
        {
            // GRE version 0 is keyed by addresses only.
            sb.AppendLine(CultureInfo.InvariantCulture, $"    flow: {src} -> {dst}");
            sb.AppendLine("    proto: gre");
            return;
        }

        if (proto == "icmp")
        {
            // An ICMP flow has no ports: the source port stands for the echo id.
            sb.AppendLine(CultureInfo.InvariantCulture, $"    flow: {src} -> {dst}");
            sb.AppendLine("    proto: icmp");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    icmp-id: {sport}");
            return;
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"    flow: {src}:{sport} -> {dst}:{dport}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"    proto: {proto}");
    }
}
