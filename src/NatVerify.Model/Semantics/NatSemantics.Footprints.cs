using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Semantics;

/// <summary>The kinds of state a step can read or write, for partial-order reduction (docs/performance.md).</summary>
public enum LocationKind
{
    /// <summary>Anything at all (a step whose effects the footprints do not describe precisely).</summary>
    Everything,

    /// <summary>One actor's own slot (dimension 0: the actor).</summary>
    Slot,

    /// <summary>
    /// Linked tuple nodes of the confirmed table with tuples in a box: whether such a node is linked, by whom, and that
    /// entry's fields (<c>nf_conntrack_tuple_taken</c>, lookups and confirm's bucket scans read them; confirm and
    /// <c>conntrack -I</c> write them).
    /// </summary>
    Node,

    /// <summary>
    /// Only whether a linked node in the box is expired (a probe whose answer does not matter, except that it collects
    /// expired entries it meets); changed by timeouts and unlinks.
    /// </summary>
    NodeExpiry,

    /// <summary>The <c>nf_nat_bysource</c> entries of one original source (protocol, address, port).</summary>
    BySource,

    /// <summary>The model's bysource insertion counter (<see cref="Slot.BySourceOrder"/> is one past the largest in the state).</summary>
    BySourceCounter,

    /// <summary>Whether entries (dimension 0: actor range) are linked and unexpired: the ghost <see cref="Slot.LinkedAtSrcProbe"/> reads it.</summary>
    EntryLinks,
}

/// <summary>
/// A box of model locations: a kind, a protocol and four closed intervals (source address, destination address, source
/// port, destination port, in tuple order). Ports are <see cref="Port.Raw"/> values, so a fresh port is a point above
/// 65535 and a concrete port never overlaps a fresh one. Boxes of different kinds or protocols never overlap.
/// </summary>
/// <param name="Kind">What is read or written.</param>
/// <param name="Protocol">The protocol number (nodes and bysource), else 0.</param>
/// <param name="SrcIpLo">Source address (or actor for slots and entry links), low.</param>
/// <param name="SrcIpHi">Source address, high.</param>
/// <param name="DstIpLo">Destination address, low.</param>
/// <param name="DstIpHi">Destination address, high.</param>
/// <param name="SrcPortLo">Source port, low.</param>
/// <param name="SrcPortHi">Source port, high.</param>
/// <param name="DstPortLo">Destination port, low.</param>
/// <param name="DstPortHi">Destination port, high.</param>
public readonly record struct Location(
    LocationKind Kind, int Protocol, long SrcIpLo, long SrcIpHi, long DstIpLo, long DstIpHi, long SrcPortLo, long SrcPortHi, long DstPortLo, long DstPortHi);

/// <summary>Receives the locations a step (or a process's future) reads and writes.</summary>
public interface IFootprintSink
{
    /// <summary>A box whose contents may change whether the steps are enabled, which exist, or what they do.</summary>
    void Read(in Location location);

    /// <summary>A box the steps may change.</summary>
    void Write(in Location location);
}

/// <summary>
/// Footprints: what each step reads and writes, derived from the step definitions of this class (the probes
/// <c>get_unique_tuple</c> and <c>nf_nat_l4proto_unique_tuple</c> make, the nodes confirm and <c>conntrack -I</c> scan
/// and link, the bysource entries and the ghost facts), and what an actor may still touch. Partial-order reduction
/// (NatVerify.Verification's <c>ConntrackSystem</c>, the engine's <c>IStepFootprints</c>) needs both; they must
/// over-approximate. <c>FootprintTests</c> checks on every reachable state of the shipped specs that steps whose
/// footprints do not conflict commute.
/// </summary>
public sealed partial class NatSemantics
{
    private const long MaxIp = uint.MaxValue;
    private const long MaxRaw = int.MaxValue;

    private FootprintFacts? _facts;

    /// <summary>
    /// Writes what <paramref name="step"/>, enabled in <paramref name="state"/>, reads and writes. Under the mutants that
    /// make unconfirmed or confirmed entries change in ways the boxes do not describe, every step touches everything.
    /// </summary>
    /// <remarks>
    /// With <paramref name="ghostQuotient"/> the caller identifies states by <see cref="ObservableGhosts"/>: the SRC
    /// manip's bookkeeping then touches only its own source's bysource entries (the nodes its ghost mask depends on are
    /// among those it probes), not the global insertion counter and every entry's link state.
    /// </remarks>
    public void StepFootprint(NatState state, NatStep step, IFootprintSink sink, bool ghostQuotient = false)
    {
        var facts = Facts();
        if (facts.Opaque)
        {
            Everything(sink);
            return;
        }

        switch (step)
        {
            case ConntrackIn c:
                ConntrackInFootprint(c.Actor, facts, sink);
                break;
            case NatSetup n:
                NatSetupFootprint(state, n.Actor, n.Hook, n.Decision is NatDecision.Rule or NatDecision.NullBinding ? n.Range : null,
                    n.Decision == NatDecision.NullBinding, n.Before, facts, ghostQuotient, sink);
                break;
            case Confirm c:
                ConfirmStepFootprint(state, c.Actor, c.Result, sink);
                break;
            case CtnetlinkInsertStep i:
                InsertFootprint(state, i.Actor, sink);
                break;
            case RetransmitStep r:
                RetransmitFootprint(r.Actor, sink);
                break;
            default:
                // conntrack -D, timeouts, TCP closes and the GC worker unlink or change confirmed entries anywhere.
                Everything(sink);
                break;
        }
    }

    /// <summary>
    /// Writes everything actor (or GC worker) <paramref name="process"/> may read or write from <paramref name="state"/>
    /// on: processes 0..Count-1 are the actors, Count + j the GC worker collecting actor j's expired entry.
    /// </summary>
    public void FutureFootprint(NatState state, int process, IFootprintSink sink, bool ghostQuotient = false)
    {
        var facts = Facts();
        var count = Scenario.Actors.Count;
        if (process >= count)
        {
            var target = process - count;
            if (facts.TimedOut[target] && !state[target].Has(CtStatus.Removed))
            {
                Everything(sink);
            }

            return;
        }

        var i = process;
        if (state[i].Terminal)
        {
            return;
        }

        if (facts.Opaque)
        {
            Everything(sink);
            return;
        }

        switch (Scenario.Actors[i])
        {
            case FlowActor flow:
                FlowFuture(state, i, flow, facts, ghostQuotient, sink);
                break;
            case CtnetlinkInsert insert:
                OwnSlot(i, sink);
                LinkNode(PointBox(insert.Original), sink);
                LinkNode(PointBox(insert.Reply), sink);
                Link(i, sink);
                break;
            default:
                Everything(sink);
                break;
        }
    }

    /// <summary>
    /// True only when <see cref="FutureFootprint"/> writes the same locations for <paramref name="process"/> in both
    /// states. It reads nothing but the scenario's facts and the slot of the actor (or, for a GC worker, of its target),
    /// and of that slot only the phase, the attempt count, the status bits and the reply tuple, so those suffice (cheaper
    /// than the whole slot). Lets the search keep a future footprint from one state to the next.
    /// </summary>
    public bool SameFuture(NatState previous, NatState state, int process)
    {
        var count = Scenario.Actors.Count;
        var i = process >= count ? process - count : process;
        ref readonly var a = ref previous.Slots[i];
        ref readonly var b = ref state.Slots[i];
        return a.Phase == b.Phase && a.Attempt == b.Attempt && a.Status == b.Status && SameTuple(a.Reply, b.Reply);
    }

    private static bool SameTuple(in ConntrackTuple a, in ConntrackTuple b) =>
        a.SrcIp.Value == b.SrcIp.Value && a.DstIp.Value == b.DstIp.Value && a.SrcPort.Raw == b.SrcPort.Raw
        && a.DstPort.Raw == b.DstPort.Raw && a.Protocol == b.Protocol;

    /// <summary>
    /// True when the step may turn a state that violates a property of the catalogue into one that satisfies it: it
    /// unlinks entries (a lookup or probe collecting expired entries or killing a closed one, <c>conntrack -D</c>, the GC
    /// worker) or resets a slot (a retransmission). Linking, NAT choices of unconfirmed entries, confirm's verdicts,
    /// timeouts and TCP closes only add facts the properties read, or change none.
    /// </summary>
    public bool MayRepair(NatStep step) => step switch
    {
        ConntrackIn or NatSetup => step.Collected.Count > 0,
        Confirm or CtnetlinkInsertStep or TimeoutStep or CloseStep => false,
        _ => true,
    };

    /// <summary>
    /// <c>nf_nat_setup_info</c> at <paramref name="hook"/> from <paramref name="before"/>: the flow's own slot and, when a
    /// range is set up (a rule's or the null binding; none when the nat chain dropped the packet), the probes of
    /// <c>get_unique_tuple</c> and the SRC manip's bookkeeping.
    /// </summary>
    private void NatSetupFootprint(NatState state, int actor, NatHook hook, NatRange? range, bool nullBinding, ConntrackTuple before, FootprintFacts facts, bool ghostQuotient, IFootprintSink sink)
    {
        OwnSlot(actor, sink);
        if (range is null)
        {
            return;
        }

        var manip = hook.Manip();
        ProbeFootprint(state, actor, manip, PointBox(before), before, range, nullBinding, ghostQuotient, sink);
        if (manip == ManipType.Src)
        {
            SrcGhostFootprint(actor, ghostQuotient, sink);
            if (!ghostQuotient)
            {
                // SrcProbeFree is recorded for every SRC manip: whether the current tuple's inverse is free.
                sink.Read(PointBox(before.Invert()).ToLocation(LocationKind.Node));
            }
        }

        if (facts.Kills)
        {
            Everything(sink);
        }
    }

    /// <summary>Confirm with its result: a drop or merge leaves the flow's bysource entry.</summary>
    private void ConfirmStepFootprint(NatState state, int actor, ConfirmResult result, IFootprintSink sink) =>
        ConfirmFootprint(actor, PointBox(state[actor].Reply), result is ConfirmResult.Dropped or ConfirmResult.Merged, sink);

    /// <summary><c>nf_conntrack_hash_check_insert</c>: scans and links both nodes of the inserted entry.</summary>
    private void InsertFootprint(NatState state, int actor, IFootprintSink sink)
    {
        OwnSlot(actor, sink);
        LinkNode(PointBox(_originals[actor]), sink);
        LinkNode(PointBox(state[actor].Reply), sink);
        Link(actor, sink);
    }

    /// <summary>A retransmission resets the flow's slot and forgets its bysource entry.</summary>
    private void RetransmitFootprint(int actor, IFootprintSink sink)
    {
        OwnSlot(actor, sink);
        sink.Write(BySourceOf(_originals[actor]));
    }

    private void FlowFuture(NatState state, int i, FlowActor flow, FootprintFacts facts, bool ghostQuotient, IFootprintSink sink)
    {
        var slot = state[i];
        var phase = slot.Phase;
        if (phase == Phase.Retrying || flow.Retries > slot.Attempt)
        {
            // A retransmission may start the flow over from nf_conntrack_in.
            sink.Write(BySourceOf(_originals[i]));
            phase = Phase.NotStarted;
        }

        var orig = _originals[i];
        var afterDst = facts.AfterDst[i];
        var final = facts.Final[i];
        if (phase == Phase.NotStarted)
        {
            ConntrackInFootprint(i, facts, sink);
        }

        if (phase is Phase.NotStarted or Phase.Created)
        {
            NatFuture(i, ManipType.Dst, afterDst, facts, sink);
        }

        if (phase is Phase.NotStarted or Phase.Created or Phase.DstDone)
        {
            var box = phase == Phase.DstDone ? PointBox(slot.Reply.Invert()) : afterDst;
            NatFuture(i, ManipType.Src, box.WithSource(final), facts, sink);
            SrcGhostFootprint(i, ghostQuotient, sink);
        }

        var reply = phase == Phase.SrcDone ? PointBox(slot.Reply) : final.Invert();
        ConfirmFootprint(i, reply, bySource: true, sink);
    }

    private void NatFuture(int i, ManipType manip, TupleBox box, FootprintFacts facts, IFootprintSink sink)
    {
        OwnSlot(i, sink);

        // A DST manip searches only with a port range (or for ICMP ids); otherwise its probe only collects expired entries.
        var dstSearches = facts.DstSearches || box.IsIcmpOrPortless || Mutant == KernelMutant.DstNullBindingChangesPort;
        ProbeBox(manip, box, onlyExpiry: manip == ManipType.Dst && !dstSearches, sink);
        if (facts.Kills)
        {
            Everything(sink);
        }
    }

    private void ConntrackInFootprint(int i, FootprintFacts facts, IFootprintSink sink)
    {
        OwnSlot(i, sink);
        sink.Read(PointBox(_originals[i]).ToLocation(LocationKind.Node));
        if (facts.Kills)
        {
            Everything(sink);
        }
    }

    /// <summary>
    /// The probes of <c>get_unique_tuple</c> for one range: every tuple the manip may try (the current one, a bysource
    /// mapping, every candidate of the search), as a box of original-direction tuples; the probes read the nodes of
    /// their inverses (<c>nf_conntrack_tuple_taken</c>) and, for <c>nf_nat_used_tuple_new</c>, of the tuples themselves.
    /// </summary>
    private void ProbeFootprint(NatState state, int i, ManipType manip, TupleBox box, ConntrackTuple curr, NatRange range, bool nullBinding, bool ghostQuotient, IFootprintSink sink)
    {
        var t = curr;
        var icmpOrPortless = box.IsIcmpOrPortless;
        if (manip == ManipType.Src)
        {
            // The steps of get_unique_tuple in order; a probe whose answer ends the search (a free tuple) is the last read,
            // since no other process can change that answer without writing the node it read.
            if (!range.RandomAll)
            {
                if (InRange(t, range))
                {
                    sink.Read(PointBox(t).ToLocation(LocationKind.Node));
                    sink.Read(PointBox(t.Invert()).ToLocation(LocationKind.Node));
                    // Only the answer matters here: no probe list, no collected entries (the footprint allocates nothing).
                    if (!(Profile.UsedTupleNew ? UsedNew(state.Slots, t, i, null, null) : Used(state.Slots, t, i, null, null)))
                    {
                        return;
                    }
                }
                else
                {
                    sink.Read(BySourceOf(t));
                    if (FindAppropriateSrc(state.Slots, t, range) is { } reuse)
                    {
                        sink.Read(PointBox(reuse.Invert()).ToLocation(LocationKind.Node));
                        if (!Used(state.Slots, reuse, i, null, null))
                        {
                            return;
                        }
                    }
                }
            }

            foreach (var address in BestAddresses(t, range, manip))
            {
                var c = t with { SrcIp = address };
                var single = range.ProtoSpecified && range.MinProto == range.MaxProto;
                if (!range.RandomAll && single && (icmpOrPortless || Ports.InRange(c.SrcPort, range.MinProto, range.MaxProto)))
                {
                    // A single-port range the tuple already matches is accepted without a probe.
                    continue;
                }

                if (single && ghostQuotient && !icmpOrPortless)
                {
                    // The search has one candidate: free or not, the tuple is the same, and the failed-search mark of a
                    // fixed-port manip is not observed (ObservableGhosts); the probe only collects expired entries.
                    sink.Read(PointBox(c.Invert()).ToLocation(LocationKind.NodeExpiry));
                    sink.Read(PointBox(WithKey(c, manip, Port.Of(range.MinProto)).Invert()).ToLocation(LocationKind.NodeExpiry));
                    continue;
                }

                var ports = icmpOrPortless ? PortSet.All : PortSet.Point(c.SrcPort).Union(range.ProtoSpecified
                    ? RangeSet(Math.Min(range.MinProto, range.MaxProto), Math.Max(range.MinProto, range.MaxProto))
                    : RangeSet(Ports.ClassOf(c.SrcPort).Min, Ports.ClassOf(c.SrcPort).Max));
                ProbeBox(manip, box with { SrcIps = IpSet.Point(address), SrcPorts = ports }, onlyExpiry: false, sink);
            }

            return;
        }

        // DST: without a port range (and not ICMP, which searches ids) the port never changes and the tuple is kept
        // whether or not it is taken, so the probe only collects expired entries.
        var searches = range.ProtoSpecified || icmpOrPortless || (nullBinding && Mutant == KernelMutant.DstNullBindingChangesPort);
        var dstIps = IpSet.Point(t.DstIp);
        if (range.MapIps)
        {
            dstIps = dstIps.Union(new IpSet(range.MinAddr.Value, range.MaxAddr.Value));
        }

        var dstPorts = !searches ? PortSet.Point(t.DstPort)
            : icmpOrPortless ? PortSet.All
            : range.ProtoSpecified ? PortSet.Point(t.DstPort).Union(RangeSet(Math.Min(range.MinProto, range.MaxProto), Math.Max(range.MinProto, range.MaxProto)))
            : PortSet.Point(t.DstPort).Union(RangeSet(Ports.ClassOf(t.DstPort).Min, Ports.ClassOf(t.DstPort).Max));
        ProbeBox(manip, box with { DstIps = dstIps, DstPorts = dstPorts }, onlyExpiry: !searches, sink);
    }

    private static void ProbeBox(ManipType manip, TupleBox box, bool onlyExpiry, IFootprintSink sink)
    {
        if (onlyExpiry)
        {
            sink.Read(box.Invert().ToLocation(LocationKind.NodeExpiry));
            return;
        }

        sink.Read(box.Invert().ToLocation(LocationKind.Node));
        sink.Read(box.ToLocation(LocationKind.Node));
    }

    /// <summary>The SRC manip's bookkeeping: the bysource entry and counter, and the linked entries the ghost records.</summary>
    private void SrcGhostFootprint(int i, bool ghostQuotient, IFootprintSink sink)
    {
        var bySource = BySourceOf(_originals[i]);
        sink.Read(bySource);
        sink.Write(bySource);
        if (ghostQuotient)
        {
            return;
        }

        var counter = new Location(LocationKind.BySourceCounter, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        sink.Read(counter);
        sink.Write(counter);
        sink.Read(new Location(LocationKind.EntryLinks, 0, 0, Scenario.Actors.Count - 1, 0, 0, 0, 0, 0, 0));
    }

    /// <summary><c>__nf_conntrack_confirm</c>: scans and links the original and reply nodes; a drop or merge leaves bysource.</summary>
    private void ConfirmFootprint(int i, TupleBox reply, bool bySource, IFootprintSink sink)
    {
        OwnSlot(i, sink);
        LinkNode(PointBox(_originals[i]), sink);
        LinkNode(reply, sink);
        Link(i, sink);
        if (bySource)
        {
            sink.Write(BySourceOf(_originals[i]));
        }
    }

    private static void LinkNode(TupleBox box, IFootprintSink sink)
    {
        var node = box.ToLocation(LocationKind.Node);
        sink.Read(node);
        sink.Write(node);
    }

    private static void Link(int i, IFootprintSink sink) =>
        sink.Write(new Location(LocationKind.EntryLinks, 0, i, i, 0, 0, 0, 0, 0, 0));

    private static void OwnSlot(int i, IFootprintSink sink)
    {
        var slot = new Location(LocationKind.Slot, 0, i, i, 0, 0, 0, 0, 0, 0);
        sink.Read(slot);
        sink.Write(slot);
    }

    private static void Everything(IFootprintSink sink)
    {
        var all = new Location(LocationKind.Everything, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        sink.Read(all);
        sink.Write(all);
    }

    private static Location BySourceOf(ConntrackTuple t) =>
        new(LocationKind.BySource, (int)t.Protocol, t.SrcIp.Value, t.SrcIp.Value, 0, 0, t.SrcPort.Raw, t.SrcPort.Raw, 0, 0);

    private static TupleBox PointBox(ConntrackTuple t) =>
        new((int)t.Protocol, IpSet.Point(t.SrcIp), PortSet.Point(t.SrcPort), IpSet.Point(t.DstIp), PortSet.Point(t.DstPort));

    /// <summary>Ports lo..hi: the concrete ones and every fresh port of the atoms inside.</summary>
    private PortSet RangeSet(int lo, int hi)
    {
        long freshLo = long.MaxValue, freshHi = long.MinValue;
        foreach (var atom in Ports.AtomsIn(lo, hi))
        {
            freshLo = Math.Min(freshLo, Port.Fresh(atom, 1).Raw);
            freshHi = Math.Max(freshHi, Port.Fresh(atom, Port.MaxFreshIndex).Raw);
        }

        return new PortSet(lo, hi, freshLo, freshHi);
    }

    private FootprintFacts Facts() => _facts ??= new FootprintFacts(this);

    /// <summary>Per scenario, once: what can happen at all, and the boxes of the tuples each flow can reach.</summary>
    private sealed class FootprintFacts
    {
        public FootprintFacts(NatSemantics semantics)
        {
            var scenario = semantics.Scenario;
            var count = scenario.Actors.Count;
            // Pools: whether a fresh port is a pool's depends on the ports other flows' private entries hold towards the
            // pool's destination (NatSemantics.Pools.cs), a read the boxes do not describe.
            Opaque = semantics.Mutant is KernelMutant.ProbeSeesUnconfirmed or KernelMutant.InitConntrackLinksEntry
                or KernelMutant.NatAltersConfirmedReply or KernelMutant.CtDeleteLeavesReplyNode
                || scenario.Pools.Count > 0;

            // Expired and closed TCP entries are what lookups and probes unlink (collection, reopening SYNs, used_tuple_harder).
            Kills = scenario.Actors.Any(a => a is EntryTimeout or ConnectionClose);
            TimedOut = new bool[count];
            foreach (var timeout in scenario.Actors.OfType<EntryTimeout>())
            {
                TimedOut[scenario.IndexOf(timeout.Target)] = true;
            }

            // Every address and port a NAT target of the ruleset can map to (hulls; interface addresses, NETMAP and
            // MASQUERADE/REDIRECT addresses widen to every address).
            var srcIps = IpSet.Empty;
            var dstIps = IpSet.Empty;
            var srcPorts = PortSet.Empty;
            var dstPorts = PortSet.Empty;
            var ranges = new List<NatRange>();
            foreach (var rule in scenario.Ruleset.Tables.SelectMany(t => t.Chains.Values).SelectMany(c => c.Rules))
            {
                switch (rule.Target)
                {
                    case SnatTarget s:
                        ranges.Add(s.Range);
                        srcIps = srcIps.Union(s.Range.MapIps ? new IpSet(s.Range.MinAddr.Value, s.Range.MaxAddr.Value) : IpSet.All);
                        break;
                    case DnatTarget d:
                        ranges.Add(d.Range);
                        dstIps = dstIps.Union(d.Range.MapIps ? new IpSet(d.Range.MinAddr.Value, d.Range.MaxAddr.Value) : IpSet.All);
                        dstPorts = dstPorts.Union(d.Range.ProtoSpecified
                            ? semantics.RangeSet(Math.Min(d.Range.MinProto, d.Range.MaxProto), Math.Max(d.Range.MinProto, d.Range.MaxProto))
                            : PortSet.Empty);
                        break;
                    case MasqueradeTarget:
                        ranges.Add(NatRange.NullBinding(default));
                        srcIps = IpSet.All;
                        break;
                    case RedirectTarget:
                    case NetmapTarget:
                        ranges.Add(NatRange.NullBinding(default));
                        srcIps = IpSet.All;
                        dstIps = IpSet.All;
                        dstPorts = PortSet.All;
                        break;
                }
            }

            NatRanges = ranges;
            DstSearches = scenario.Ruleset.Tables.SelectMany(t => t.Chains.Values).SelectMany(c => c.Rules)
                .Any(r => r.Target is DnatTarget { Range.ProtoSpecified: true } or RedirectTarget or NetmapTarget);
            AfterDst = new TupleBox[count];
            Final = new TupleBox[count];
            for (var i = 0; i < count; i++)
            {
                var orig = semantics._originals[i];
                var box = PointBox(orig);
                if (box.IsIcmpOrPortless)
                {
                    AfterDst[i] = box with { SrcPorts = PortSet.All, DstIps = box.DstIps.Union(dstIps), DstPorts = PortSet.All };
                    Final[i] = AfterDst[i] with { SrcIps = box.SrcIps.Union(srcIps) };
                    continue;
                }

                var dst = box.DstPorts.Union(dstPorts);
                if (semantics.Mutant == KernelMutant.DstNullBindingChangesPort)
                {
                    var cls = semantics.Ports.ClassOf(orig.DstPort);
                    dst = dst.Union(semantics.RangeSet(cls.Min, cls.Max));
                }

                AfterDst[i] = box with { DstIps = box.DstIps.Union(dstIps), DstPorts = dst };

                // A SRC manip can search the source port's class or any range of the ruleset, or take another entry's mapping.
                var srcClass = semantics.Ports.ClassOf(orig.SrcPort);
                var src = box.SrcPorts.Union(semantics.RangeSet(srcClass.Min, srcClass.Max));
                foreach (var r in ranges.Where(r => r.ProtoSpecified))
                {
                    src = src.Union(semantics.RangeSet(Math.Min(r.MinProto, r.MaxProto), Math.Max(r.MinProto, r.MaxProto)));
                }

                if (ranges.Count > 0)
                {
                    src = PortSet.All;
                }

                Final[i] = AfterDst[i] with { SrcIps = box.SrcIps.Union(srcIps), SrcPorts = src };
            }
        }

        public bool Opaque { get; }

        public bool Kills { get; }

        public bool[] TimedOut { get; }

        public IReadOnlyList<NatRange> NatRanges { get; }

        /// <summary>True when some DST manip of the ruleset searches ports (a DNAT port range, REDIRECT, NETMAP).</summary>
        public bool DstSearches { get; }

        public TupleBox[] AfterDst { get; }

        public TupleBox[] Final { get; }
    }

    private readonly record struct IpSet(long Lo, long Hi)
    {
        public static IpSet Empty => new(long.MaxValue, long.MinValue);

        public static IpSet All => new(0, MaxIp);

        public static IpSet Point(Ipv4 ip) => new(ip.Value, ip.Value);

        public IpSet Union(IpSet other) => new(Math.Min(Lo, other.Lo), Math.Max(Hi, other.Hi));
    }

    /// <summary>A set of port values: an interval of concrete ports and an interval of fresh ones (either may be empty).</summary>
    private readonly record struct PortSet(long Lo, long Hi, long FreshLo, long FreshHi)
    {
        public static PortSet Empty => new(long.MaxValue, long.MinValue, long.MaxValue, long.MinValue);

        public static PortSet All => new(0, 65535, 65536, MaxRaw);

        public static PortSet Point(Port p) => p.IsFresh ? new(long.MaxValue, long.MinValue, p.Raw, p.Raw) : new(p.Raw, p.Raw, long.MaxValue, long.MinValue);

        public PortSet Union(PortSet o) => new(Math.Min(Lo, o.Lo), Math.Max(Hi, o.Hi), Math.Min(FreshLo, o.FreshLo), Math.Max(FreshHi, o.FreshHi));

        /// <summary>The hull of both intervals, as one (the region types have one interval per dimension).</summary>
        public (long Lo, long Hi) Hull => (Math.Min(Lo, FreshLo), Math.Max(Hi, FreshHi));
    }

    /// <summary>A box of tuples: protocol and a set per field.</summary>
    private readonly record struct TupleBox(int Protocol, IpSet SrcIps, PortSet SrcPorts, IpSet DstIps, PortSet DstPorts)
    {
        public bool IsIcmpOrPortless => ((L4Protocol)Protocol).IsPortless() || (L4Protocol)Protocol == L4Protocol.Icmp;

        public TupleBox Invert() => IsIcmpOrPortless
            ? new(Protocol, DstIps, PortSet.All, SrcIps, PortSet.All)
            : new(Protocol, DstIps, DstPorts, SrcIps, SrcPorts);

        public TupleBox WithSource(TupleBox other) => this with { SrcIps = other.SrcIps, SrcPorts = other.SrcPorts };

        public Location ToLocation(LocationKind kind)
        {
            var (sLo, sHi) = SrcPorts.Hull;
            var (dLo, dHi) = DstPorts.Hull;
            return new Location(kind, Protocol, SrcIps.Lo, SrcIps.Hi, DstIps.Lo, DstIps.Hi, sLo, sHi, dLo, dHi);
        }
    }
}
