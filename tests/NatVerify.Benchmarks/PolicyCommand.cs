using System.Diagnostics;
using System.Globalization;
using System.Text;
using NatVerify.Policy;
using NatVerify.Specs;

namespace NatVerify.Benchmarks;

/// <summary>
/// <c>natverify-bench policy</c>: times <see cref="PolicyAnalyzer.Analyze"/> on a kube-proxy iptables-mode nat table
/// laid out as kube-proxy writes it (KUBE-SERVICES → KUBE-SVC-* with <c>statistic</c> probabilities → KUBE-SEP-* with
/// the hairpin jump and the DNAT; KUBE-NODEPORTS; KUBE-POSTROUTING). The MARK rules of KUBE-MARK-MASQ are left out
/// while the iptables-save parser does not read the MARK target (the chain stays, empty, so the jumps are walked).
/// </summary>
public static class PolicyCommand
{
    public static int Run(string[] args)
    {
        var services = 1000;
        string? write = null;
        string? read = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--services" when i + 1 < args.Length:
                    services = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--write" when i + 1 < args.Length:
                    write = args[++i];
                    break;
                case "--read" when i + 1 < args.Length:
                    read = args[++i];
                    break;
                default:
                    throw new UsageException($"unknown policy argument '{args[i]}'");
            }
        }

        var text = read is null ? Generate(services) : File.ReadAllText(read);
        if (write is not null)
        {
            File.WriteAllText(write, text);
            return 0;
        }

        var total = Stopwatch.StartNew();
        // --read takes any of the three notations (detected from the content, as natverify policy does).
        var (ruleset, format) = read is null
            ? (IptablesSaveParser.Parse(text, "generated.v4"), "iptables-save")
            : NatVerify.Policy.Inputs.RulesetLoader.Load(read, null);
        var parsed = total.Elapsed.TotalSeconds;
        var report = PolicyAnalyzer.Analyze(ruleset, read ?? "generated.v4", format, new HostContext([], [], null, []), new PolicyOptions());
        var seconds = total.Elapsed.TotalSeconds;
        var rules = ruleset.Tables.Sum(t => t.Chains.Values.Sum(c => c.Rules.Count));
        var byClass = string.Join(", ", report.Findings.GroupBy(f => f.Class.Name()).Select(g => $"\"{g.Key}\": {g.Count()}"));
        Console.WriteLine(FormattableString.Invariant(
            $"{{\"services\": {services}, \"rules\": {rules}, \"parseSeconds\": {parsed:0.000}, \"totalSeconds\": {seconds:0.000}, \"inconclusive\": {(report.Inconclusive is null ? "null" : "\"" + report.Inconclusive + "\"")}, \"findings\": {{{byClass}}}}}"));
        return 0;
    }

    /// <summary>The dump: service i has 1 or 2 endpoints (every 10th is UDP with two: a DNS-like service), every 4th a NodePort.</summary>
    public static string Generate(int services)
    {
        var chains = new StringBuilder();
        var rules = new StringBuilder();
        chains.Append("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
        chains.Append(":KUBE-MARK-MASQ - [0:0]\n:KUBE-NODEPORTS - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-SERVICES - [0:0]\n");
        rules.Append("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
        rules.Append("-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
        rules.Append("-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n");
        rules.Append("-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN\n");
        rules.Append("-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully\n");
        var nodePorts = new StringBuilder();
        for (var i = 0; i < services; i++)
        {
            var udp = i % 10 == 0;
            var proto = udp ? "udp" : "tcp";
            var endpoints = udp || i % 3 == 0 ? 2 : 1;
            var vip = $"10.96.{i / 250}.{(i % 250) + 1}";
            var port = udp ? 53 : 80 + (i % 7);
            var svc = $"KUBE-SVC-{i:D6}";
            chains.Append(':').Append(svc).Append(" - [0:0]\n");
            rules.Append($"-A KUBE-SERVICES -d {vip}/32 -p {proto} -m comment --comment \"ns/svc{i}:p cluster IP\" -m {proto} --dport {port} -j {svc}\n");
            if (i % 4 == 1)
            {
                nodePorts.Append($"-A KUBE-NODEPORTS -p {proto} -m comment --comment \"ns/svc{i}:p\" -m {proto} --dport {30000 + i} -j {svc}\n");
            }

            rules.Append($"-A {svc} ! -s 10.244.0.0/16 -d {vip}/32 -p {proto} -m {proto} --dport {port} -j KUBE-MARK-MASQ\n");
            for (var e = 0; e < endpoints; e++)
            {
                var sep = $"KUBE-SEP-{i:D6}{e}";
                var pod = $"10.244.{(i * 2 + e) / 250}.{((i * 2 + e) % 250) + 1}";
                chains.Append(':').Append(sep).Append(" - [0:0]\n");
                var probability = endpoints - e > 1 ? $"-m statistic --mode random --probability {1.0 / (endpoints - e):0.00000000000} " : string.Empty;
                rules.Append($"-A {svc} {probability}-j {sep}\n");
                rules.Append($"-A {sep} -s {pod}/32 -j KUBE-MARK-MASQ\n");
                rules.Append($"-A {sep} -p {proto} -m {proto} -j DNAT --to-destination {pod}:{8000 + (i % 50)}\n");
            }
        }

        rules.Append(nodePorts);
        rules.Append("-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports\" -j KUBE-NODEPORTS\n");
        return chains.ToString() + rules + "COMMIT\n";
    }
}
