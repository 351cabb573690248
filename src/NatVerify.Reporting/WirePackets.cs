using NatVerify.Checker;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;

namespace NatVerify.Reporting;

/// <summary>
/// The packets a trace puts on the wire: every flow's first packet as sent (original tuple, at its conntrack step),
/// and the same packet after NAT as it leaves (at its confirm, or at once when it joined an existing entry). A packet
/// dropped at confirm or by a NAT target never leaves. ctnetlink events, timeouts and GC send nothing.
/// </summary>
public static class WirePackets
{
    /// <summary>The packets, in step order.</summary>
    public static IReadOnlyList<WirePacket> Of(NatSemantics semantics, Trace<NatState, NatStep> trace)
    {
        var ports = new PortConcretizer(semantics);
        var packets = new List<WirePacket>();
        for (var n = 0; n < trace.Steps.Count; n++)
        {
            var (step, next) = (trace.Steps[n].Action, trace.Steps[n].Next);
            var number = n + 1;
            if (step.Actor >= 0 && semantics.Scenario.Actors[step.Actor] is FlowActor flow)
            {
                var where = flow.Path == PacketPath.LocalOut ? "as sent by the local socket" : $"as received on {flow.InInterface ?? "its input interface"}";
                var leaves = flow.Path == PacketPath.LocalIn ? "as delivered to the local socket" : $"as it leaves on {flow.OutInterface ?? "its output interface"}";
                switch (step)
                {
                    case ConntrackIn c:
                        packets.Add(new WirePacket(number, false, flow.Name, ports.Concrete(flow.Original), $"step {number}: {flow.Name}'s first packet {where}, before NAT (original tuple)"));
                        if (c.JoinedEntry >= 0)
                        {
                            var entry = next[c.JoinedEntry];
                            var isOriginal = semantics.Original(c.JoinedEntry) == flow.Original;
                            var after = isOriginal ? entry.Reply.Invert() : semantics.Original(c.JoinedEntry).Invert();
                            packets.Add(new WirePacket(number, true, flow.Name, ports.Concrete(after), $"step {number}: {flow.Name}'s packet {leaves}, translated by the existing entry of {semantics.Scenario.Actors[c.JoinedEntry].Name}"));
                        }

                        break;
                    case Confirm { Result: not ConfirmResult.Dropped }:
                        var tuple = next[step.Actor].Reply.Invert();
                        var changed = tuple == flow.Original ? "headers unchanged by NAT" : "headers after NAT";
                        packets.Add(new WirePacket(number, true, flow.Name, ports.Concrete(tuple), $"step {number}: {flow.Name}'s first packet {leaves}, {changed}"));
                        break;
                }
            }

        }

        return packets;
    }
}
