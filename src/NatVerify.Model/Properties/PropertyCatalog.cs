using System.Runtime.CompilerServices;
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
public sealed class PropertyCatalog
{
    private readonly NatSemantics _semantics;

    // Per-actor facts that never change during a run, read by the checks of every stored state.
    private readonly bool[] _isFlow;
    private readonly ConntrackTuple[] _originals;
    private readonly LinkedNodes _linked;

    /// <summary>The properties of states of <paramref name="semantics"/>.</summary>
    public PropertyCatalog(NatSemantics semantics)
    {
        _semantics = semantics;
        var actors = semantics.Scenario.Actors;
        _isFlow = [.. actors.Select(a => a is FlowActor)];
        _originals = [.. Enumerable.Range(0, actors.Count).Select(semantics.Original)];
        _linked = new LinkedNodes(_originals);
    }

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

    private string Name(int actor) => _semantics.Scenario.Actors[actor].Name;

    /// <summary>The properties whose full check a state needs (<see cref="SuspectsOf"/>).</summary>
    [Flags]
    private enum Suspect
    {
        None = 0,
        Collision = 1,
        Identity = 2,
        Scope = 4,
        Unexplained = 8,
        Avoidable = 16,
    }

    /// <summary>The last state this thread screened, and for which catalog.</summary>
    private sealed class Screen
    {
        public PropertyCatalog? Owner;
        public NatState? State;
        public Suspect Found;
    }

    // A search checks every property of a stored state one after the other: the first check screens the state for all of
    // them in one pass over the slots, and the others read its answer. NatState is immutable and the reference held
    // here keeps it alive, so the same reference is the same state.
    [ThreadStatic]
    private static Screen? t_screen;

    /// <summary>
    /// The properties that may fail in <paramref name="state"/>: a property whose bit is clear holds; one whose bit is set
    /// is checked in full (the linked-node collision is exact; for the per-slot properties the bit is the full check's own
    /// fast test of each slot, so the full check decides and words the message, as it always did).
    /// </summary>
    private Suspect SuspectsOf(NatState state)
    {
        var screen = t_screen ??= new Screen();
        if (ReferenceEquals(screen.State, state) && ReferenceEquals(screen.Owner, this))
        {
            return screen.Found;
        }

        var found = Scan(state);
        screen.Owner = this;
        screen.State = state;
        screen.Found = found;
        return found;
    }

    private Suspect Scan(NatState state)
    {
        const CtStatus freeNullBinding = CtStatus.SrcNullBinding | CtStatus.SrcProbeFree;
        var found = Suspect.None;
        var slots = state.Slots;
        for (var i = 0; i < slots.Length; i++)
        {
            ref readonly var s = ref slots[i];
            if (s.Phase == Phase.Dropped)
            {
                found |= UnexplainedDrop(s) ? Suspect.Unexplained : Suspect.None;
                found |= AvoidableDrop(s, slots.Length) ? Suspect.Avoidable : Suspect.None;
            }

            var status = s.Status;
            if ((status & (CtStatus.DstNullBinding | CtStatus.SrcNullBinding)) == 0)
            {
                continue;
            }

            // Both checks of a SRC null binding ask whether it kept the tuple: asked once here.
            var srcKept = SrcKept(s);
            if ((status & freeNullBinding) == freeNullBinding && !srcKept)
            {
                found |= Suspect.Identity;
            }

            if (_isFlow[i] && ScopeNeedsFullCheck(i, s, srcKept))
            {
                found |= Suspect.Scope;
            }
        }

        return _linked.Collides(state) ? found | Suspect.Collision : found;
    }

    // Each check is a hot loop that only tests; the messages are built by separate methods that are never inlined, so
    // the loops do not pay for the string builders' locals (zeroed on every call) when the property holds.
    private string? LinkedTupleUniqueness(NatState state) => (SuspectsOf(state) & Suspect.Collision) != 0 ? UniquenessMessage(state) : null;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private string UniquenessMessage(NatState state)
    {
        var (a, b) = _linked.FirstCollision(state) ?? throw new InvalidOperationException("no colliding nodes");
        return $"{Dir(a.IsReply)} tuple of {Name(a.Actor)} equals {Dir(b.IsReply)} tuple of {Name(b.Actor)}: {a.Tuple}";

        static string Dir(bool reply) => reply ? "reply" : "original";
    }

    private string? NullBindingIdentityWhenFree(NatState state) =>
        (SuspectsOf(state) & Suspect.Identity) != 0 ? NullBindingIdentityWhenFreeInFull(state) : null;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private string? NullBindingIdentityWhenFreeInFull(NatState state)
    {
        const CtStatus freeNullBinding = CtStatus.SrcNullBinding | CtStatus.SrcProbeFree;
        var slots = state.Slots;
        for (var i = 0; i < slots.Length; i++)
        {
            ref readonly var s = ref slots[i];
            if ((s.Status & freeNullBinding) == freeNullBinding && !TupleEquality.InverseIs(s.Reply, s.PreSrc))
            {
                return IdentityMessage(i, s);
            }
        }

        return null;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private string IdentityMessage(int i, in Slot s) =>
        $"{Name(i)}: the SRC null binding changed {s.PreSrc} to {s.Reply.Invert()} although its reply tuple was free when it probed";

    private string? NullBindingScope(NatState state) => (SuspectsOf(state) & Suspect.Scope) != 0 ? NullBindingScopeInFull(state) : null;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private string? NullBindingScopeInFull(NatState state)
    {
        var slots = state.Slots;
        for (var i = 0; i < slots.Length; i++)
        {
            ref readonly var s = ref slots[i];

            // Both parts of the property are about a null binding: without one the slot holds vacuously.
            if ((s.Status & (CtStatus.DstNullBinding | CtStatus.SrcNullBinding)) == 0 || !_isFlow[i])
            {
                continue;
            }

            if (ScopeNeedsFullCheck(i, s, SrcKept(s)) && NullBindingScope(i, s) is { } message)
            {
                return message;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether a flow's slot with a null binding fails the fast tests of null-binding-scope: a DST null binding that left
    /// the tuple as it was is allowed whatever the protocol, and a SRC null binding that kept its tuple, or moved only its
    /// source port within the port's class, is allowed; only a slot failing one of these tests needs the full check.
    /// </summary>
    /// <remarks><paramref name="srcKept"/> is <see cref="SrcKept"/> of the slot, which the screen also needs.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool ScopeNeedsFullCheck(int i, in Slot s, bool srcKept)
    {
        ref readonly var orig = ref _originals[i];
        return (s.Has(CtStatus.DstNullBinding) && !(s.Phase == Phase.DstDone ? TupleEquality.InverseIs(s.Reply, orig) : TupleEquality.Same(s.PreSrc, orig)))
            || (!srcKept && s.Phase != Phase.DstDone && !SourcePortMovedInClass(s));
    }

    /// <summary>Whether a slot has no SRC null binding, or one that kept its tuple.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SrcKept(in Slot s) => !s.Has(CtStatus.SrcNullBinding) || TupleEquality.InverseIs(s.Reply, s.PreSrc);

    /// <summary>
    /// True when a SRC null binding of a protocol with ports changed nothing but the source port, to a port of the original
    /// port's class: what the full check (<see cref="NullBindingScope(int, in Slot)"/>) accepts for the SRC part. Every
    /// state where a client's port was taken moves that port, so this is the common case of the property's slow path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool SourcePortMovedInClass(in Slot s)
    {
        // The reply is the inverse of the tuple after the SRC manip: its destination is the new source.
        var before = s.PreSrc;
        var reply = s.Reply;
        if (reply.Protocol == L4Protocol.Icmp || reply.Protocol != before.Protocol || reply.DstIp.Value != before.SrcIp.Value
            || reply.SrcIp.Value != before.DstIp.Value || reply.SrcPort.Raw != before.DstPort.Raw)
        {
            return false;
        }

        var ports = _semantics.Ports;
        var cls = PortUniverse.KernelPortClass(ports.LowerBound(before.SrcPort));
        return ports.InRange(reply.DstPort, cls.Min, cls.Max);
    }

    /// <summary>null-binding-scope of one flow's slot.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private string? NullBindingScope(int i, in Slot s)
    {
        var orig = _originals[i];
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
                var cls = _semantics.Ports.ClassOf(before.SrcPort);
                if (!_semantics.Ports.InRange(after.SrcPort, cls.Min, cls.Max))
                {
                    return $"{Name(i)}: the SRC null binding moved source port {before.SrcPort} to {_semantics.Ports.Describe(after.SrcPort)}, outside its class {cls}";
                }
            }
        }

        return null;
    }

    private string? DropExplained(NatState state) => (SuspectsOf(state) & Suspect.Unexplained) != 0 ? FirstUnexplainedDrop(state) : null;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private string? FirstUnexplainedDrop(NatState state)
    {
        var slots = state.Slots;
        for (var i = 0; i < slots.Length; i++)
        {
            if (UnexplainedDrop(slots[i]))
            {
                return UnexplainedDropMessage(i);
            }
        }

        return null;
    }

    private static bool UnexplainedDrop(in Slot s) => s.Phase == Phase.Dropped && s.Partner < 0 && !s.Has(CtStatus.DroppedByTarget);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private string UnexplainedDropMessage(int i) => $"{Name(i)}: dropped without a clash at confirm";

    private string? NoAvoidableDrop(NatState state) => (SuspectsOf(state) & Suspect.Avoidable) != 0 ? FirstAvoidableDrop(state) : null;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private string? FirstAvoidableDrop(NatState state)
    {
        var slots = state.Slots;
        for (var i = 0; i < slots.Length; i++)
        {
            if (AvoidableDrop(slots[i], slots.Length))
            {
                return AvoidableDropMessage(i, slots[i].Partner);
            }
        }

        return null;
    }

    private static bool AvoidableDrop(in Slot s, int actors) =>
        s.Phase == Phase.Dropped && s.Partner >= 0 && s.Partner < actors && s.Has(CtStatus.ClashOnReply) && s.Has(CtStatus.SrcNatDone)
        && !s.Has(CtStatus.SrcFixedPort) && !s.Has(CtStatus.SrcSearchFailed)
        && ActorSets.Contains(s.LinkedAtSrcProbe, s.Partner, actors);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private string AvoidableDropMessage(int i, int partner) =>
        $"{Name(i)}: dropped at confirm because its reply tuple clashed with {Name(partner)}, whose entry was already confirmed when {Name(i)}'s SRC NAT probed and its port class still had free ports";

    // A misrouted reply is a collision: the common state has none, and the uniqueness check of the same state has
    // usually just found that out (the scan is shared).
    private string? ReplyRouting(NatState state) => (SuspectsOf(state) & Suspect.Collision) != 0 ? ReplyRoutingMessage(state) : null;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private string? ReplyRoutingMessage(NatState state)
    {
        if (_linked.FirstMisroutedReply(state) is not { } pair)
        {
            return null;
        }

        var (reply, other) = pair;
        return $"a reply packet {reply.Tuple} of {Name(reply.Actor)} would be looked up as {(other.IsReply ? "a reply" : "an original")} of {Name(other.Actor)}";
    }
}
