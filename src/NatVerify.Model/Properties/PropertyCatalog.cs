using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Properties;

/// <summary>
/// The state properties of docs/properties.md. Each check reads the state (and the ghost facts recorded in it)
/// with the real kernel's definitions and returns null when the property holds, else a message.
/// </summary>
public sealed class PropertyCatalog(NatSemantics semantics)
{
    /// <summary>Checks one property by id.</summary>
    public string? Check(string id, NatState state) => id switch
    {
        PropertyIds.LinkedTupleUniqueness => LinkedTupleUniqueness(state),
        PropertyIds.NullBindingIdentityWhenFree => NullBindingIdentityWhenFree(state),
        PropertyIds.NullBindingScope => NullBindingScope(state),
        PropertyIds.DropExplained => DropExplained(state),
        PropertyIds.NoAvoidableDrop => NoAvoidableDrop(state),
        PropertyIds.ReplyRouting => ReplyRouting(state),
        _ => throw new ArgumentException($"unknown property '{id}'", nameof(id)),
    };

    /// <summary>
    /// The check of one property as a delegate, the id resolved once (<see cref="Check"/> matches the id's string on
    /// every call, and a search checks every stored state).
    /// </summary>
    public Func<NatState, string?> Checker(string id) => id switch
    {
        PropertyIds.LinkedTupleUniqueness => LinkedTupleUniqueness,
        PropertyIds.NullBindingIdentityWhenFree => NullBindingIdentityWhenFree,
        PropertyIds.NullBindingScope => NullBindingScope,
        PropertyIds.DropExplained => DropExplained,
        PropertyIds.NoAvoidableDrop => NoAvoidableDrop,
        PropertyIds.ReplyRouting => ReplyRouting,
        _ => throw new ArgumentException($"unknown property '{id}'", nameof(id)),
    };

    private string Name(int actor) => semantics.Scenario.Actors[actor].Name;

    private string? LinkedTupleUniqueness(NatState state)
    {
        // Checked in every stored state: the linked nodes go into a stack buffer, not a list.
        Span<Node> nodes = stackalloc Node[2 * state.Count];
        nodes = nodes[..FillLinkedNodes(state, nodes)];
        for (var a = 0; a < nodes.Length; a++)
        {
            for (var b = a + 1; b < nodes.Length; b++)
            {
                // A self-connection (A:p -> A:p) is its own inverse: the kernel links both of its equal nodes,
                // since confirm only compares against other entries. Uniqueness is about different entries.
                if (nodes[a].Tuple == nodes[b].Tuple && nodes[a].Actor != nodes[b].Actor)
                {
                    return $"{Dir(nodes[a].IsReply)} tuple of {Name(nodes[a].Actor)} equals {Dir(nodes[b].IsReply)} tuple of {Name(nodes[b].Actor)}: {nodes[a].Tuple}";
                }
            }
        }

        return null;

        static string Dir(bool reply) => reply ? "reply" : "original";
    }

    /// <summary>Writes <see cref="NatSemantics.LinkedNodes"/> of the state, in the same order; returns how many.</summary>
    private int FillLinkedNodes(NatState state, Span<Node> nodes)
    {
        var count = 0;
        for (var j = 0; j < state.Count; j++)
        {
            var s = state[j];
            if (!s.Linked)
            {
                continue;
            }

            if (s.OriginalLinked)
            {
                nodes[count++] = new Node(semantics.Original(j), j, false);
            }

            nodes[count++] = new Node(s.Reply, j, true);
        }

        return count;
    }

    private string? NullBindingIdentityWhenFree(NatState state)
    {
        for (var i = 0; i < state.Count; i++)
        {
            var s = state[i];
            if (s.Has(CtStatus.SrcNullBinding) && s.Has(CtStatus.SrcProbeFree) && s.Reply.Invert() != s.PreSrc)
            {
                return $"{Name(i)}: the SRC null binding changed {s.PreSrc} to {s.Reply.Invert()} although its reply tuple was free when it probed";
            }
        }

        return null;
    }

    private string? NullBindingScope(NatState state)
    {
        for (var i = 0; i < state.Count; i++)
        {
            var s = state[i];
            if (semantics.Scenario.Actors[i] is not FlowActor)
            {
                continue;
            }

            var orig = semantics.Original(i);
            if (s.Has(CtStatus.DstNullBinding))
            {
                var afterDst = s.Phase == Phase.DstDone ? s.Reply.Invert() : s.PreSrc;
                var allowed = orig.Protocol == L4Protocol.Icmp ? afterDst with { SrcPort = orig.SrcPort } : afterDst;
                if (allowed != orig)
                {
                    return $"{Name(i)}: the DST null binding changed {orig} to {afterDst}; it may never change an address or a port";
                }
            }

            if (s.Has(CtStatus.SrcNullBinding) && s.Phase != Phase.DstDone)
            {
                var before = s.PreSrc;
                var after = s.Reply.Invert();
                if (after with { SrcPort = before.SrcPort } != before)
                {
                    return $"{Name(i)}: the SRC null binding changed {before} to {after}; only the source port may change";
                }

                if (orig.Protocol != L4Protocol.Icmp && after.SrcPort != before.SrcPort)
                {
                    var cls = semantics.Ports.ClassOf(before.SrcPort);
                    if (!semantics.Ports.InRange(after.SrcPort, cls.Min, cls.Max))
                    {
                        return $"{Name(i)}: the SRC null binding moved source port {before.SrcPort} to {semantics.Ports.Describe(after.SrcPort)}, outside its class {cls}";
                    }
                }
            }
        }

        return null;
    }

    private string? DropExplained(NatState state)
    {
        for (var i = 0; i < state.Count; i++)
        {
            var s = state[i];
            if (s.Phase == Phase.Dropped && s.Partner < 0 && !s.Has(CtStatus.DroppedByTarget))
            {
                return $"{Name(i)}: dropped without a clash at confirm";
            }
        }

        return null;
    }

    private string? NoAvoidableDrop(NatState state)
    {
        for (var i = 0; i < state.Count; i++)
        {
            var s = state[i];
            if (s.Phase == Phase.Dropped && s.Partner >= 0 && s.Partner < state.Count && s.Has(CtStatus.ClashOnReply) && s.Has(CtStatus.SrcNatDone)
                && !s.Has(CtStatus.SrcFixedPort) && !s.Has(CtStatus.SrcSearchFailed)
                && ActorSets.Contains(s.LinkedAtSrcProbe, s.Partner, state.Count))
            {
                return $"{Name(i)}: dropped at confirm because its reply tuple clashed with {Name(s.Partner)}, whose entry was already confirmed when {Name(i)}'s SRC NAT probed and its port class still had free ports";
            }
        }

        return null;
    }

    private string? ReplyRouting(NatState state)
    {
        Span<Node> nodes = stackalloc Node[2 * state.Count];
        nodes = nodes[..FillLinkedNodes(state, nodes)];
        foreach (var (tuple, actor, isReply) in nodes)
        {
            if (!isReply)
            {
                continue;
            }

            foreach (var other in nodes)
            {
                if (other.Tuple == tuple && other.Actor != actor)
                {
                    return $"a reply packet {tuple} of {Name(actor)} would be looked up as {(other.IsReply ? "a reply" : "an original")} of {Name(other.Actor)}";
                }
            }
        }

        return null;
    }

    private readonly record struct Node(ConntrackTuple Tuple, int Actor, bool IsReply);
}
