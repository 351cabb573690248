using System.Globalization;
using System.Text;

namespace NatVerify.Smt.Tests;

/// <summary>
/// Small random specs inside the BMC subset: 2-3 actors (TCP/UDP flows on every path, ctnetlink inserts) over a
/// few addresses and ports that often collide, optional SNAT/DNAT rules, order constraints and a random profile.
/// Deterministic for a seed.
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
            sb.AppendLine("  *filter");
            sb.AppendLine("  :OUTPUT ACCEPT [0:0]");
            sb.AppendLine("  -A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
            sb.AppendLine("  COMMIT");
            sb.AppendLine("  *nat");
            foreach (var c in new[] { "PREROUTING", "INPUT", "OUTPUT", "POSTROUTING" })
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"  :{c} ACCEPT [0:0]");
            }

            if (r.Next(3) > 0)
            {
                var proto = r.Next(2) == 0 ? "tcp" : "udp";
                var to = r.Next(3) == 0 ? Pick(Addresses) : $"{Pick(Addresses)}:{Port()}";
                sb.AppendLine(CultureInfo.InvariantCulture, $"  -A POSTROUTING -p {proto} -m mark --mark 0x64 -j SNAT --to-source {to}");
            }

            if (r.Next(3) == 0)
            {
                var proto = r.Next(2) == 0 ? "tcp" : "udp";
                sb.AppendLine(CultureInfo.InvariantCulture, $"  -A OUTPUT -p {proto} -d {Pick(Addresses)} -j DNAT --to-destination {Pick(Addresses)}:{Port()}");
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
            sb.AppendLine(CultureInfo.InvariantCulture, $"    flow: {Pick(Addresses)}:{Port()} -> {Pick(Addresses)}:{Port()}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    proto: {(r.Next(2) == 0 ? "tcp" : "udp")}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    mark: {(r.Next(2) == 0 ? "0x64" : "0xc8")}");
            var path = r.Next(3);
            sb.AppendLine(path switch
            {
                0 => "    path: local-out",
                1 => "    path: forward\n    in: veth1\n    out: veth0",
                _ => "    path: local-in\n    in: veth0",
            });
        }

        if (r.Next(3) == 0)
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
}
