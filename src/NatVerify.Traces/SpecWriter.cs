using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;
using NatVerify.Specs;

namespace NatVerify.Traces;

/// <summary>
/// Writes a <see cref="SpecDraft"/> as spec YAML (the format at the top of <c>SpecLoader.cs</c>) that
/// <c>SpecLoader.Parse</c> reads back to the same scenario. Output depends only on the draft: the same draft gives
/// the same bytes.
/// </summary>
public static partial class SpecWriter
{
    /// <summary>The YAML text of a draft.</summary>
    public static string Write(SpecDraft draft)
    {
        var sb = new StringBuilder();
        sb.Append("name: ").Append(Scalar(draft.Name)).Append('\n');
        Block(sb, "description", draft.Description.Length == 0 ? [draft.Name] : draft.Description.Split('\n'));
        sb.Append("profile: ").Append(Scalar(draft.Profile.Name)).Append('\n');
        if (draft.Tags.Count > 0)
        {
            sb.Append("tags: ").Append(FlowList(draft.Tags)).Append('\n');
        }

        if (draft.AddressLists.Count > 0)
        {
            sb.Append("interfaces:\n");
            foreach (var i in draft.AddressLists)
            {
                sb.Append("  ").Append(Scalar(i.Name)).Append(": [")
                    .Append(string.Join(", ", i.Addresses.Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Address}/{a.PrefixLength}")))).Append("]\n");
            }
        }
        else if (draft.Interfaces.Count > 0)
        {
            sb.Append("interfaces:\n");
            foreach (var (name, address) in draft.Interfaces)
            {
                sb.Append("  ").Append(Scalar(name)).Append(": ").Append(address).Append('\n');
            }
        }

        if (draft.RulesetLines.Count > 0)
        {
            Block(sb, "ruleset", draft.RulesetLines);
        }

        sb.Append("actors:\n");
        foreach (var actor in draft.Actors)
        {
            WriteActor(sb, actor);
        }

        if (draft.Pools.Count > 0)
        {
            sb.Append("pools:\n");
            foreach (var pool in draft.Pools)
            {
                sb.Append("  - name: ").Append(Scalar(pool.Name)).Append('\n');
                sb.Append("    proto: ").Append(pool.Protocol.Name()).Append('\n');
                sb.Append("    source: ").Append(Scalar(string.Create(CultureInfo.InvariantCulture, $"{pool.Address}:{pool.Ports.Min}-{pool.Ports.Max}"))).Append('\n');
                sb.Append("    destination: ").Append(Scalar(string.Create(CultureInfo.InvariantCulture, $"{pool.Destination}:{pool.DestinationPort}"))).Append('\n');
                sb.Append("    entries: ").Append(pool.Entries.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        if (draft.Sequential)
        {
            sb.Append("schedule: sequential\n");
        }

        if (draft.Constraints.Count > 0)
        {
            sb.Append("order:\n");
            foreach (var c in draft.Constraints)
            {
                sb.Append("  - ").Append(Scalar(c.Text)).Append('\n');
            }
        }

        sb.Append("properties: ").Append(FlowList(draft.Properties)).Append('\n');
        WriteExpect(sb, draft.Expect);
        return sb.ToString();
    }

    private static void WriteActor(StringBuilder sb, Actor actor)
    {
        sb.Append("  - name: ").Append(Scalar(actor.Name)).Append('\n');
        switch (actor)
        {
            case FlowActor f:
                var o = f.Original;
                if (o.Protocol == L4Protocol.Icmp)
                {
                    sb.Append("    flow: ").Append(Scalar($"{o.SrcIp} -> {o.DstIp}")).Append('\n');
                    sb.Append("    proto: icmp\n");
                    sb.Append("    icmp-id: ").Append(o.SrcPort.Raw.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }
                else if (o.Protocol.IsPortless())
                {
                    sb.Append("    flow: ").Append(Scalar($"{o.SrcIp} -> {o.DstIp}")).Append('\n');
                    sb.Append("    proto: ").Append(o.Protocol.Name()).Append('\n');
                }
                else
                {
                    sb.Append("    flow: ").Append(Scalar($"{o.SrcIp}:{o.SrcPort.Raw} -> {o.DstIp}:{o.DstPort.Raw}")).Append('\n');
                    if (o.Protocol != L4Protocol.Tcp)
                    {
                        sb.Append("    proto: ").Append(o.Protocol.Name()).Append('\n');
                    }
                }

                if (f.Mark != 0)
                {
                    sb.Append("    mark: ").Append(string.Create(CultureInfo.InvariantCulture, $"0x{f.Mark:x}")).Append('\n');
                }

                if (f.Path != PacketPath.LocalOut)
                {
                    sb.Append("    path: ").Append(f.Path == PacketPath.Forward ? "forward" : "local-in").Append('\n');
                }

                if (f.Retries != 0)
                {
                    sb.Append("    retries: ").Append(f.Retries.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }

                if (f.InInterface is { } i)
                {
                    sb.Append("    in: ").Append(Scalar(i)).Append('\n');
                }

                if (f.OutInterface is { } ou)
                {
                    sb.Append("    out: ").Append(Scalar(ou)).Append('\n');
                }

                break;
            case CtnetlinkInsert c:
                sb.Append("    conntrack: ").Append(Scalar(c.Command)).Append('\n');
                break;
            case CtnetlinkDelete d:
                sb.Append("    conntrack: ").Append(Scalar(d.Command)).Append('\n');
                break;
            case EntryTimeout t:
                sb.Append("    timeout: ").Append(Scalar(t.Target)).Append('\n');
                break;
            case ConnectionClose c:
                sb.Append("    close: ").Append(Scalar(c.Target)).Append('\n');
                sb.Append("    how: ").Append(c.How == CloseKind.Fin ? "fin" : "rst").Append('\n');
                break;
            default:
                throw new ArgumentException($"unknown actor type {actor.GetType().Name}", nameof(actor));
        }
    }

    private static void WriteExpect(StringBuilder sb, SpecExpectation e)
    {
        if (e.Verdict is null && e.Outcomes.Count == 0 && e.Combinations is null && e.Mutants.Count == 0)
        {
            return;
        }

        sb.Append("expect:\n");
        if (e.Verdict is { } v)
        {
            sb.Append("  verdict: ").Append(v.ToString().ToLowerInvariant()).Append('\n');
        }

        if (e.ViolatedProperty is { } p)
        {
            sb.Append("  violated: ").Append(Scalar(p)).Append('\n');
        }

        if (e.Outcomes.Count > 0)
        {
            sb.Append("  outcomes:\n");
            foreach (var (actor, patterns) in e.Outcomes)
            {
                sb.Append("    ").Append(Scalar(actor)).Append(": ").Append(FlowList(patterns)).Append('\n');
            }
        }

        if (e.Combinations is { Count: > 0 } combos)
        {
            sb.Append("  combinations:\n");
            foreach (var combo in combos)
            {
                sb.Append("    - { ").Append(string.Join(", ", combo.Select(kv => $"{FlowScalar(kv.Key)}: {FlowScalar(kv.Value)}"))).Append(" }\n");
            }
        }

        if (e.Mutants.Count > 0)
        {
            sb.Append("  mutants:\n");
            foreach (var (mutant, property) in e.Mutants)
            {
                sb.Append("    ").Append(Scalar(mutant)).Append(": ").Append(Scalar(property)).Append('\n');
            }
        }
    }

    /// <summary>A literal block scalar; an indentation indicator keeps lines that start with a space intact.</summary>
    private static void Block(StringBuilder sb, string key, IReadOnlyList<string> lines)
    {
        var firstNonEmpty = lines.FirstOrDefault(l => l.Trim().Length > 0) ?? string.Empty;
        sb.Append(key).Append(firstNonEmpty.StartsWith(' ') ? ": |2\n" : ": |\n");
        foreach (var line in lines)
        {
            sb.Append(line.Length == 0 ? string.Empty : "  " + line).Append('\n');
        }
    }

    private static string FlowList(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(FlowScalar)) + "]";

    /// <summary>A scalar inside a flow collection: plain only for simple words, since flow context gives more characters meaning.</summary>
    private static string FlowScalar(string value) =>
        FlowSafe().IsMatch(value) && value is not ("true" or "false" or "null" or "yes" or "no") ? value : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A plain scalar when that is unambiguous in every context we write, else a single-quoted one.</summary>
    private static string Scalar(string value) =>
        PlainSafe().IsMatch(value) && !value.Contains(": ", StringComparison.Ordinal) && !value.Contains(" #", StringComparison.Ordinal)
            && value is not ("true" or "false" or "null" or "yes" or "no" or "~")
            ? value
            : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"^[A-Za-z0-9_./][A-Za-z0-9_./:<> -]*$")]
    private static partial Regex PlainSafe();

    [GeneratedRegex(@"^[A-Za-z0-9_./][A-Za-z0-9_./-]*$")]
    private static partial Regex FlowSafe();
}
