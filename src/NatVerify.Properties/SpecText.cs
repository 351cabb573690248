using System.Globalization;
using System.Text;
using NatVerify.Model;
using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;

namespace NatVerify.Properties;

/// <summary>
/// Writes a <see cref="ScenarioCase"/> as a scenario spec (the YAML format of <c>SpecLoader</c>), so a shrunk
/// counterexample can be read, checked exhaustively with <c>natverify check</c> and replayed with
/// <c>natverify props FILE --replay SCHEDULE</c>.
/// </summary>
public static class SpecText
{
    /// <summary>The spec text of a case.</summary>
    /// <param name="scenario">The case.</param>
    /// <param name="name">The spec name (<c>[a-z0-9-]+</c>).</param>
    /// <param name="description">Free text; may span lines.</param>
    /// <param name="profile">The kernel profile to record.</param>
    /// <returns>YAML text.</returns>
    public static string Write(ScenarioCase scenario, string name, string description, KernelProfile profile)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(profile);
        var y = new StringBuilder();
        y.Append("name: ").Append(name).Append('\n');
        y.Append("description: |\n");
        foreach (var line in description.Split('\n'))
        {
            y.Append("  ").Append(line.TrimEnd()).Append('\n');
        }

        y.Append("profile: ").Append(profile.Name).Append('\n');
        if (scenario.Interfaces.Count > 0)
        {
            y.Append("interfaces:\n");
            foreach (var (iface, address) in scenario.Interfaces.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                y.Append("  ").Append(iface).Append(": ").Append(address).Append('\n');
            }
        }

        var rulesetText = scenario.RulesetText;
        if (rulesetText.Length > 0)
        {
            y.Append("ruleset: |\n");
            foreach (var line in rulesetText.TrimEnd('\n').Split('\n'))
            {
                y.Append("  ").Append(line.TrimEnd()).Append('\n');
            }
        }

        y.Append("actors:\n");
        foreach (var actor in scenario.Actors)
        {
            y.Append("  - name: ").Append(actor.Name).Append('\n');
            switch (actor)
            {
                case FlowActor f:
                    WriteFlow(y, f);
                    break;
                case CtnetlinkInsert c:
                    y.Append("    conntrack: ").Append(c.Command).Append('\n');
                    break;
                case CtnetlinkDelete d:
                    y.Append("    conntrack: ").Append(d.Command).Append('\n');
                    break;
                case EntryTimeout t:
                    y.Append("    timeout: ").Append(t.Target).Append('\n');
                    break;
                default:
                    throw new ArgumentException($"no spec text for actor {actor}", nameof(scenario));
            }
        }

        return y.ToString();
    }

    private static void WriteFlow(StringBuilder y, FlowActor f)
    {
        var t = f.Original;
        if (t.Protocol == L4Protocol.Icmp)
        {
            y.Append("    flow: ").Append(t.SrcIp).Append(" -> ").Append(t.DstIp).Append('\n');
            y.Append("    proto: icmp\n");
            y.Append("    icmp-id: ").Append(t.SrcPort.Raw.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        else
        {
            y.Append("    flow: ").Append(t.SrcIp).Append(':').Append(t.SrcPort.Raw.ToString(CultureInfo.InvariantCulture))
                .Append(" -> ").Append(t.DstIp).Append(':').Append(t.DstPort.Raw.ToString(CultureInfo.InvariantCulture)).Append('\n');
            if (t.Protocol != L4Protocol.Tcp)
            {
                y.Append("    proto: ").Append(t.Protocol.Name()).Append('\n');
            }
        }

        if (f.Mark != 0)
        {
            y.Append("    mark: 0x").Append(f.Mark.ToString("x", CultureInfo.InvariantCulture)).Append('\n');
        }

        if (f.Path != PacketPath.LocalOut)
        {
            y.Append("    path: ").Append(f.Path == PacketPath.Forward ? "forward" : "local-in").Append('\n');
        }

        if (f.InInterface is { } i)
        {
            y.Append("    in: ").Append(i).Append('\n');
        }

        if (f.OutInterface is { } o)
        {
            y.Append("    out: ").Append(o).Append('\n');
        }
    }
}
