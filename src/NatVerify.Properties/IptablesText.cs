using System.Globalization;
using System.Text;
using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;

namespace NatVerify.Properties;

/// <summary>Writes generated rules as iptables-save text, the form the spec parser reads and users paste.</summary>
public static class IptablesText
{
    /// <summary>A whole nat table with the four built-in chains and the rules in order.</summary>
    /// <param name="rules">The rules.</param>
    /// <returns>iptables-save text ending in COMMIT and a newline.</returns>
    public static string Ruleset(IEnumerable<GeneratedRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var text = new StringBuilder();
        text.Append("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
        foreach (var rule in rules)
        {
            text.Append(Rule(rule)).Append('\n');
        }

        text.Append("COMMIT\n");
        return text.ToString();
    }

    /// <summary>One rule as <c>-A CHAIN matches -j TARGET options</c>.</summary>
    /// <param name="rule">The rule.</param>
    /// <returns>The line, without a newline.</returns>
    public static string Rule(GeneratedRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var parts = new List<string> { "-A", rule.Chain };
        var m = rule.Match;
        if (m.Source is { } s)
        {
            parts.AddRange(Negate(s.Negated, "-s", Cidr(s.Value)));
        }

        if (m.Destination is { } d)
        {
            parts.AddRange(Negate(d.Negated, "-d", Cidr(d.Value)));
        }

        if (m.InInterface is { } i)
        {
            parts.AddRange(Negate(i.Negated, "-i", i.Value));
        }

        if (m.OutInterface is { } o)
        {
            parts.AddRange(Negate(o.Negated, "-o", o.Value));
        }

        if (m.Protocol is { } p)
        {
            parts.AddRange(Negate(p.Negated, "-p", p.Value.Name()));
        }

        if (m.SourcePort is not null || m.DestinationPort is not null)
        {
            parts.Add("-m");
            parts.Add(m.Protocol!.Value.Value.Name());
            if (m.SourcePort is { } sp)
            {
                parts.AddRange(Negate(sp.Negated, "--sport", MatchPorts(sp.Value)));
            }

            if (m.DestinationPort is { } dp)
            {
                parts.AddRange(Negate(dp.Negated, "--dport", MatchPorts(dp.Value)));
            }
        }

        if (m.Mark is { } mark)
        {
            parts.Add("-m");
            parts.Add("mark");
            parts.AddRange(Negate(mark.Negated, "--mark", mark.Value.ToString()));
        }

        parts.AddRange(Target(rule.Target));
        return string.Join(' ', parts);
    }

    private static IEnumerable<string> Target(RuleTarget target)
    {
        switch (target)
        {
            case SnatTarget snat:
                return ["-j", "SNAT", "--to-source", Range(snat.Range), .. Flags(snat.Range.Flags)];
            case DnatTarget dnat:
                return ["-j", "DNAT", "--to-destination", Range(dnat.Range), .. Flags(dnat.Range.Flags)];
            case MasqueradeTarget masquerade:
                return ["-j", "MASQUERADE", .. ToPorts(masquerade.Ports), .. Flags(masquerade.Flags)];
            case RedirectTarget redirect:
                return ["-j", "REDIRECT", .. ToPorts(redirect.Ports), .. Flags(redirect.Flags)];
            case AcceptTarget:
                return ["-j", "ACCEPT"];
            case ReturnTarget:
                return ["-j", "RETURN"];
            case JumpTarget jump:
                return [jump.IsGoto ? "-g" : "-j", jump.Chain];
            default:
                throw new ArgumentException($"no iptables text for target {target}", nameof(target));
        }
    }

    private static IEnumerable<string> ToPorts(PortRange? ports) =>
        ports is { } p ? ["--to-ports", p.Min == p.Max ? Number(p.Min) : $"{Number(p.Min)}-{Number(p.Max)}"] : [];

    private static IEnumerable<string> Flags(NatRangeFlags flags)
    {
        if ((flags & NatRangeFlags.ProtoRandom) != 0)
        {
            yield return "--random";
        }

        if ((flags & NatRangeFlags.ProtoRandomFully) != 0)
        {
            yield return "--random-fully";
        }

        if ((flags & NatRangeFlags.Persistent) != 0)
        {
            yield return "--persistent";
        }
    }

    private static string Range(NatRange range)
    {
        var text = range.MapIps
            ? (range.MinAddr == range.MaxAddr ? range.MinAddr.ToString() : $"{range.MinAddr}-{range.MaxAddr}")
            : string.Empty;
        if (range.ProtoSpecified)
        {
            text += range.MinProto == range.MaxProto
                ? $":{Number(range.MinProto)}"
                : $":{Number(range.MinProto)}-{Number(range.MaxProto)}";
        }

        return text;
    }

    private static string MatchPorts(PortRange range) =>
        range.Min == range.Max ? Number(range.Min) : $"{Number(range.Min)}:{Number(range.Max)}";

    private static string Cidr(Cidr cidr) => $"{cidr.Network}/{cidr.PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static IEnumerable<string> Negate(bool negated, string option, string value) =>
        negated ? ["!", option, value] : [option, value];
}
