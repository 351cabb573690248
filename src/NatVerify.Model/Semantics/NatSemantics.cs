using System.Diagnostics;
using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Semantics;

/// <summary>
/// The transition relation of one scenario under one kernel profile (and optional mutant): which atomic
/// steps are enabled in a state and the states they lead to. Pure: no I/O, no clock, no randomness; every
/// random choice of the kernel becomes a set of successors.
/// </summary>
public sealed partial class NatSemantics
{
    /// <summary>
    /// Most actors a scenario may have. Up to <see cref="ActorSets.InlineActors"/> the ghost actor sets are inline bit
    /// masks; above, interned (<see cref="ActorSets"/>). The bound keeps the per-state work (every successor scans
    /// every slot, the canonical encoding is 62 bytes a slot) and the stack buffers sized by the actor count (the
    /// encoder's 62 KiB, the canonicalizer's 64 KiB) within reach; docs/performance.md, "More than 64 actors".
    /// </summary>
    public const int MaxActors = 1024;

    private readonly ConntrackTuple[] _originals;
    private readonly (int Before, Milestone BeforeAt, Milestone AfterAt)[][] _constraints;

    // Per flow, made once: the hook entries its first packet meets and the index of nf_conntrack_in among them (-1: none).
    private readonly Stage[][] _flowStages;

    // The actors as an array: every expansion dispatches on each actor's type (the scenario's list is an interface).
    private readonly Actor[] _actors;
    private readonly int[] _conntrackStage;

    // Per actor and NAT hook (DST, SRC): the last nat-chain traversal (NatSemantics.Nat.cs, NatMemo), the index of the NAT
    // core among the flow's stages (-1: none), and the null binding's range last used.
    private readonly NatMemo?[] _natMemo;
    private readonly int[] _natStageAt;
    private readonly NatRange?[] _nullBindingAt;

    // The null binding's range of every address of the actors' tuples, made once (read-only after construction).
    private readonly Dictionary<Ipv4, NatRange> _nullBindings = [];

    // The port search's order of candidates (by lowest port number), made once: a lambda over Ports allocates per use.
    private readonly Comparison<Port> _byLowerBound;

    /// <summary>Builds the semantics; throws <see cref="ArgumentException"/> for scenarios the model cannot represent.</summary>
    public NatSemantics(ScenarioModel scenario, KernelProfile profile, KernelMutant mutant = KernelMutant.None)
    {
        if (scenario.Actors.Count > MaxActors)
        {
            throw new ArgumentException($"at most {MaxActors} actors are supported, the scenario has {scenario.Actors.Count}");
        }

        Scenario = scenario;
        Profile = profile;
        Mutant = mutant;
        Ports = PortUniverse.Create(scenario.NamedPorts(), scenario.Ruleset.PortRanges(), scenario.Pools.Select(p => p.Ports));
        _pools = PoolsOf(scenario, Ports);
        _byLowerBound = (x, y) => Ports.LowerBound(x).CompareTo(Ports.LowerBound(y));
        _originals = new ConntrackTuple[scenario.Actors.Count];
        var slots = new Slot[scenario.Actors.Count];
        for (var i = 0; i < slots.Length; i++)
        {
            var (orig, reply) = scenario.Actors[i] switch
            {
                FlowActor f => (f.Original, f.Original.Invert()),
                CtnetlinkInsert c => (c.Original, c.Reply),
                _ => (default, default),
            };
            _originals[i] = orig;
            slots[i] = new Slot(Phase.NotStarted, reply, CtStatus.None, orig, -1, 0, 0);
            foreach (var address in (ReadOnlySpan<Ipv4>)[orig.SrcIp, orig.DstIp, reply.SrcIp, reply.DstIp])
            {
                _nullBindings.TryAdd(address, NatRange.NullBinding(address));
            }
        }

        Initial = new NatState(slots);
        IndexRules();
        _constraints = new (int, Milestone, Milestone)[slots.Length][];
        for (var i = 0; i < slots.Length; i++)
        {
            var list = new List<(int, Milestone, Milestone)>();
            foreach (var c in scenario.Constraints)
            {
                if (c.After == scenario.Actors[i].Name)
                {
                    list.Add((scenario.IndexOf(c.Before), c.BeforeAt, c.AfterAt));
                }
            }

            _constraints[i] = [.. list];
        }

        _actors = [.. scenario.Actors];
        _flowStages = new Stage[slots.Length][];
        _conntrackStage = new int[slots.Length];
        _natMemo = new NatMemo?[2 * slots.Length];
        _natStageAt = new int[2 * slots.Length];
        _nullBindingAt = new NatRange?[2 * slots.Length];
        for (var i = 0; i < slots.Length; i++)
        {
            _flowStages[i] = scenario.Actors[i] is FlowActor f ? Pipeline(f.Path) : [];
            _conntrackStage[i] = Array.FindIndex(_flowStages[i], s => s.Kind == StageKind.Conntrack);
            if (scenario.Actors[i] is FlowActor flow)
            {
                _natStageAt[2 * i] = NatStage(_flowStages[i], ToNetfilter(NatHookAt(flow, Phase.Created)));
                _natStageAt[(2 * i) + 1] = NatStage(_flowStages[i], ToNetfilter(NatHookAt(flow, Phase.DstDone)));
            }
        }
    }

    /// <summary>The scenario.</summary>
    public ScenarioModel Scenario { get; }

    /// <summary>The kernel profile.</summary>
    public KernelProfile Profile { get; }

    /// <summary>The mutant (None for the real kernel).</summary>
    public KernelMutant Mutant { get; }

    /// <summary>The port vocabulary of the scenario.</summary>
    public PortUniverse Ports { get; }

    /// <summary>The initial state: nothing has happened.</summary>
    public NatState Initial { get; }

    /// <summary>An actor's original tuple (flows and inserts; default for other actors).</summary>
    public ConntrackTuple Original(int actor) => _originals[actor];

    /// <summary>Appends every enabled step and its successor state, in a deterministic order.</summary>
    public void Successors(NatState state, List<(NatStep Step, NatState Next)> sink) => Successors(state, sink, diagnostics: true);

    /// <summary>
    /// Appends every enabled step and its successor state, in a deterministic order. Without
    /// <paramref name="diagnostics"/> the steps of <c>nf_conntrack_in</c>, the NAT hooks and confirm carry no
    /// <see cref="NatStep.Probes"/> (the search's hot path: the NAT port search then builds no probe list and formats no
    /// note; nothing but a trace reads them, and a trace is rebuilt with them); the successors, their order and every
    /// other field of the steps are the same (<c>LeanSuccessorsTests</c>).
    /// </summary>
    public void Successors(NatState state, List<(NatStep Step, NatState Next)> sink, bool diagnostics) =>
        Successors(state, sink, diagnostics ? StepDetail.Full : StepDetail.Lean);

    /// <summary>
    /// Appends every enabled step and its successor state, in a deterministic order, with the steps built to
    /// <paramref name="detail"/> (null steps for <see cref="StepDetail.None"/>); the successor states and their order are
    /// the same whatever the detail (<c>LeanSuccessorsTests</c>, <c>UnlabelledSuccessorsTests</c>).
    /// </summary>
    public void Successors(NatState state, List<(NatStep Step, NatState Next)> sink, StepDetail detail)
    {
        // Process by process (NatSemantics.Processes.cs): the actors in order, then the GC worker of each entry. One
        // scratch for the whole expansion: renting it is a thread-static access, and returning it clears every buffer.
        var scratch = SuccessorScratch.Rent();
        for (var i = 0; i < state.Count; i++)
        {
            ActorSuccessors(state, i, sink, detail, scratch);
        }

        SuccessorScratch.Return(scratch);

        var labels = detail != StepDetail.None;
        for (var j = 0; j < state.Count; j++)
        {
            GcSuccessor(state, j, sink, labels);
        }
    }

    private void ActorSuccessors(NatState state, int i, List<(NatStep Step, NatState Next)> sink, StepDetail detail, SuccessorScratch scratch)
    {
        if (state.Slots[i].Terminal || !Enabled(state, i))
        {
            return;
        }

        var labels = detail != StepDetail.None;
        switch (_actors[i])
        {
            case FlowActor flow:
                FlowSuccessors(state, i, flow, sink, detail, scratch);
                break;
            case CtnetlinkInsert:
                sink.Add(InsertStep(state, i, labels));
                break;
            case CtnetlinkDelete delete:
                sink.Add(DeleteStep(state, i, delete, labels));
                break;
            case EntryTimeout timeout:
                TimeoutSuccessor(state, i, timeout, sink, labels);
                break;
            case ConnectionClose close:
                CloseSuccessor(state, i, close, sink, labels);
                break;
        }
    }

    /// <summary>Whether the GC worker has actor <paramref name="j"/>'s expired entry to collect.</summary>
    private static bool GcEnabled(NatState state, int j)
    {
        ref readonly var s = ref state.Slots[j];
        return s.Linked && s.Has(CtStatus.Expired);
    }

    private void GcSuccessor(NatState state, int j, List<(NatStep Step, NatState Next)> sink, bool labels)
    {
        if (GcEnabled(state, j))
        {
            var slots = state.CopySlots();
            slots[j] = slots[j] with { Status = slots[j].Status | CtStatus.Removed };
            sink.Add((labels ? new GcStep(j) : null!, MakeCanonical(slots)));
        }
    }

    /// <summary>The milestone an actor's next step reaches.</summary>
    public Milestone NextMilestone(NatState state, int actor) => state.Slots[actor].Phase switch
    {
        Phase.Created => Milestone.DstNat,
        Phase.DstDone => Milestone.SrcNat,
        Phase.SrcDone => Milestone.Confirm,
        _ => Milestone.Start,
    };

    /// <summary>True when the actor has reached (or can no longer reach) the milestone.</summary>
    public bool Reached(NatState state, int actor, Milestone milestone)
    {
        var slot = state[actor];
        if (slot.Terminal)
        {
            return true;
        }

        var reached = slot.Phase switch
        {
            Phase.Created => Milestone.Start,
            Phase.DstDone => Milestone.DstNat,
            Phase.SrcDone => Milestone.SrcNat,
            _ => (Milestone)0,
        };
        return reached >= milestone;
    }

    private bool Enabled(NatState state, int actor)
    {
        if (Scenario.Sequential)
        {
            for (var j = 0; j < actor; j++)
            {
                if (!state[j].Terminal)
                {
                    return false;
                }
            }
        }

        var constraints = _constraints[actor];
        if (constraints.Length == 0)
        {
            return true;
        }

        var next = NextMilestone(state, actor);
        foreach (var (before, beforeAt, afterAt) in constraints)
        {
            if (afterAt == next && !Reached(state, before, beforeAt))
            {
                return false;
            }
        }

        return true;
    }

    private void FlowSuccessors(NatState state, int i, FlowActor flow, List<(NatStep, NatState)> sink, StepDetail detail, SuccessorScratch scratch)
    {
        var phase = state.Slots[i].Phase;
        switch (phase)
        {
            case Phase.NotStarted:
                ConntrackInSuccessors(state, i, flow, sink, detail, scratch);
                break;
            case Phase.Created:
            case Phase.DstDone:
                NatSuccessors(state, i, flow, NatHookAt(flow, phase), sink, detail, scratch);
                break;
            case Phase.SrcDone:
                sink.Add(ConfirmStep(state, i, detail));
                break;
            case Phase.Retrying:
                sink.Add(RetransmitStep(state, i, detail != StepDetail.None));
                break;
        }
    }

    /// <summary>The NAT hook a flow's next step runs at: the DST manip after <c>nf_conntrack_in</c>, then the SRC manip.</summary>
    private static NatHook NatHookAt(FlowActor flow, Phase phase) => phase == Phase.Created
        ? (flow.Path == PacketPath.LocalOut ? NatHook.Output : NatHook.PreRouting)
        : (flow.Path == PacketPath.LocalIn ? NatHook.Input : NatHook.PostRouting);

    /// <summary>The retransmitted SYN starts over as a new first packet; the dropped entry is long freed.</summary>
    private (NatStep, NatState) RetransmitStep(NatState state, int i, bool labels)
    {
        var slots = state.CopySlots();
        var orig = _originals[i];
        var attempt = (byte)(slots[i].Attempt + 1);
        slots[i] = new Slot(Phase.NotStarted, orig.Invert(), CtStatus.None, orig, -1, 0, 0, attempt);
        return (labels ? new RetransmitStep(i, attempt) : null!, Make(slots));
    }

    /// <summary>
    /// <c>nf_conntrack_in</c>: a lookup of the original tuple among linked nodes (expired ones are collected
    /// and skipped, as <c>____nf_conntrack_find</c> does); a hit joins that entry, a miss creates a private one.
    /// </summary>
    private void ConntrackInSuccessors(NatState state, int i, FlowActor flow, List<(NatStep, NatState)> sink, StepDetail detail, SuccessorScratch scratch)
    {
        var diagnostics = detail == StepDetail.Full;
        var labels = detail != StepDetail.None;
        var hook = flow.Path == PacketPath.LocalOut ? NatHook.Output : NatHook.PreRouting;
        var orig = _originals[i];
        var stages = _flowStages[i];
        var ct = _conntrackStage[i];
        var tracked = scratch.Tracked;
        tracked.Clear();
        scratch.Collected.Clear();
        if (ct >= 0 && !ChainAt(stages, 0))
        {
            // Conntrack is the first stage: the packet reaches it as it came (what RunStages returns without a chain).
            tracked.Add(PassedThrough(flow.Mark, 0));
            ConntrackInStep(state, i, flow, stages, ct, tracked, scratch.Collected, sink, detail);
            return;
        }

        // With diagnostics (trace building) the packet is traced: the steps name the rule or policy that decided each chain.
        var start = new Pkt(orig, flow, stages.Length > 0 ? stages[0].Hook : HooksOf(flow.Path)[0], flow.Mark, 0, CtView.None, diagnostics ? TraceHops.Start : null);
        foreach (var (before, _) in RunStages(stages, 0, start, throughKernel: ct < 0))
        {
            if (before.Drop)
            {
                // Dropped before nf_conntrack_in (or without conntrack): no entry ever existed.
                sink.Add(Untracked(state, i, hook, Phase.Filtered, before.Decider, before.Why, labels));
            }
            else if (ct < 0 || before.Notrack)
            {
                // The untracked template (or no conntrack hook at all): nf_conntrack_in, the NAT core and confirm do
                // nothing for this packet; only the chains can still drop it.
                var after = ct < 0 ? new StageEnds((before, stages.Length))
                    : RunStages(stages, ct, start with { Mark = before.Mark, Ct = CtView.Untracked }, throughKernel: true);
                foreach (var (v, _) in after)
                {
                    var why = ct < 0 ? v.Why : Join(before.Why, v.Why);
                    sink.Add(v.Drop
                        ? Untracked(state, i, hook, Phase.Filtered, v.Decider, why, labels)
                        : Untracked(state, i, hook, Phase.Untracked, before.Notrack ? before.Decider : -1, why, labels));
                }
            }
            else
            {
                tracked.Add(before);
            }
        }

        if (tracked.Count > 0)
        {
            ConntrackInStep(state, i, flow, stages, ct, tracked, scratch.Collected, sink, detail);
        }
    }

    /// <summary>A flow that ends without a confirmed entry of its own: untracked, or dropped by a rule before confirm.</summary>
    private (NatStep, NatState) Untracked(NatState state, int i, NatHook hook, Phase phase, int decider, IReadOnlyList<ChainDecision>? why, bool labels)
    {
        var slots = state.CopySlots();
        slots[i] = slots[i] with { Phase = phase, DecidedBy = (ushort)(decider + 1), Mark = 0, CtMark = 0 };
        if (!labels)
        {
            return (null!, MakeCanonical(slots));
        }

        var step = new ConntrackIn(i, hook, -1)
        {
            Ended = phase,
            Decided = decider >= 0 ? _deciders[decider] : null,
            NoConntrack = !ConntrackActive,
            Chains = why ?? [],
        };
        return (step, MakeCanonical(slots));
    }

    private void ConntrackInStep(NatState state, int i, FlowActor flow, Stage[] stages, int ct, List<ChainVerdict> tracked, List<int> collected,
        List<(NatStep, NatState)> sink, StepDetail detail)
    {
        var diagnostics = detail == StepDetail.Full;
        var labels = detail != StepDetail.None;
        var slots = state.CopySlots();
        var orig = _originals[i];
        var probes = diagnostics ? new List<Probe>() : null;
        var hit = FindLinked(slots, orig, i, collected, skipExpired: true);
        foreach (var c in collected)
        {
            slots[c] = slots[c] with { Status = slots[c].Status | CtStatus.Removed };
        }

        var invalid = false;
        var mayJoin = true;
        while (hit >= 0 && orig.Protocol == L4Protocol.Tcp && slots[hit].TcpClosed)
        {
            // tcp_packet, new state SYN_SENT from TIME_WAIT/CLOSE: a SYN reopens a connection closed with FIN
            // (CLOSE_INIT seen, either direction) or reset by a RST in the SYN's own direction: nf_ct_kill, then
            // -NF_REPEAT makes nf_conntrack_in look up again. A reply-direction SYN on a CLOSE entry is sIV.
            var sameDirection = IsOriginalNode(slots, hit, orig);
            if (!slots[hit].Has(CtStatus.TcpTimeWait) && !sameDirection)
            {
                probes?.Add(new Probe("__nf_conntrack_find_get", orig, hit, "tcp_packet: SYN in the reply direction of a CLOSE entry is invalid (sIV)"));
                invalid = true;
                mayJoin = false;
                break;
            }

            probes?.Add(new Probe("__nf_conntrack_find_get", orig, hit, "tcp_packet: SYN on a TIME_WAIT/CLOSE entry reopens it: nf_ct_kill, NF_REPEAT"));
            slots[hit] = slots[hit] with { Status = slots[hit].Status | CtStatus.Removed };
            collected.Add(hit);
            hit = FindLinked(slots, orig, i, collected, skipExpired: true);
            foreach (var c in collected)
            {
                slots[c] = slots[c] with { Status = slots[c].Status | CtStatus.Removed };
            }
        }

        // The steps keep their own copy of what the lookups collected (usually nothing: no list at all).
        IReadOnlyList<int> shownCollected = collected.Count == 0 || !labels ? [] : [.. collected];
        var hook = flow.Path == PacketPath.LocalOut ? NatHook.Output : NatHook.PreRouting;
        if (!invalid && hit >= 0 && orig.Protocol == L4Protocol.Tcp && !IsOriginalNode(slots, hit, orig))
        {
            // A SYN whose tuple is the entry's REPLY tuple: resolve_normal_ct hands tcp_packet the entry with ctinfo
            // IP_CT_IS_REPLY, and tcp_conntracks[REPLY][TCP_SYN_SET] decides: sSS/sS2 -> sS2 (simultaneous open, the
            // packet is the entry's), every other state -> sIV (-NF_ACCEPT: invalid, the packet goes on without one).
            (mayJoin, invalid) = ReplySynStates(Scenario.Actors[hit]);
            probes?.Add(new Probe("__nf_conntrack_find_get", orig, hit, (mayJoin, invalid) switch
            {
                (true, true) => "tcp_packet: SYN in the reply direction: sS2 (simultaneous open) while the entry is SYN_SENT, sIV once it is answered",
                (true, false) => "tcp_packet: SYN in the reply direction of a SYN_SENT entry: sS2 (simultaneous open)",
                _ => "tcp_packet: SYN in the reply direction of an answered entry is invalid (sIV)",
            }));
        }

        if (invalid)
        {
            var partner = hit;
            IReadOnlyList<Probe> seen = probes is null ? [] : [.. probes, new Probe("__nf_conntrack_find_get", orig, partner)];
            InvalidSuccessors(slots, i, flow, stages, ct, tracked, partner, hook, seen, shownCollected, sink, detail);
            if (!mayJoin)
            {
                return;
            }
        }

        if (hit >= 0)
        {
            slots[i] = slots[i] with { Phase = Phase.Joined, Partner = (short)hit };
        }
        probes?.Add(new Probe("__nf_conntrack_find_get", orig, hit));
        IReadOnlyList<Probe> shown = (IReadOnlyList<Probe>?)probes ?? [];
        if (hit >= 0)
        {
            // The packet belongs to an existing entry: no new entry, so nothing later rules do to this packet changes
            // the table (nat chains run for new entries only).
            sink.Add((labels ? new ConntrackIn(i, hook, hit) { Probes = shown, Collected = shownCollected } : null!, MakeCanonical(slots)));
            return;
        }

        // init_conntrack made a private entry (ct mark 0); the chains up to the NAT core (or confirm) see it as NEW.
        for (var t = 0; t < tracked.Count; t++)
        {
            var before = tracked[t];
            var ends = ChainAt(stages, ct + 1)
                ? RunStages(stages, ct + 1, new Pkt(orig, flow, stages[ct].Hook, before.Mark, 0, CtView.New, diagnostics ? TraceHops.Start : null))
                : new StageEnds((PassedThrough(before.Mark, 0), ct + 1));
            for (var e = 0; e < ends.Count; e++)
            {
                var (v, stop) = ends[e];
                // The very last successor takes the slot array itself: nothing reads it afterwards.
                var next = e == ends.Count - 1 && t == tracked.Count - 1 ? slots : NatState.CopyOf(slots);
                if (v.Drop)
                {
                    next[i] = next[i] with { Phase = Phase.Filtered, DecidedBy = (ushort)(v.Decider + 1), Mark = 0, CtMark = 0 };
                }
                else
                {
                    // Without a nat chain the NAT core is not registered (nf_nat_register_fn): no manip at all.
                    next[i] = next[i] with
                    {
                        Phase = stop < stages.Length && stages[stop].Kind == StageKind.Nat ? Phase.Created : Phase.SrcDone,
                        Mark = v.Mark,
                        CtMark = v.CtMark,
                    };
                }

                var step = !labels ? null! : new ConntrackIn(i, hook, -1)
                {
                    Probes = shown,
                    Collected = shownCollected,
                    Ended = v.Drop ? Phase.Filtered : null,
                    Decided = v.Drop ? _deciders[v.Decider] : null,
                    Chains = Join(before.Why, v.Why) ?? [],
                };
                sink.Add((step, MakeCanonical(next)));
            }
        }
    }

    /// <summary>
    /// What <c>tcp_conntracks[IP_CT_DIR_REPLY][TCP_SYN_SET][old_state]</c> makes of a SYN on the reply tuple of the entry of <paramref name="entry"/>
    /// reply tuple: (may join, may be invalid). A ctnetlink entry's state is the one <c>--state</c> set (none: sNO);
    /// TIME_WAIT without <c>CLOSE_INIT</c> seen (a ctnetlink insert) falls through to the ignore case (NF_ACCEPT). A flow's
    /// entry is SYN_SENT until the peer's SYN/ACK passes and SYN_RECV/ESTABLISHED after, and the model has no step for
    /// that answer: both.
    /// </summary>
    /// <remarks>The BMC encoding reads the same function, so both interpreters share one reading of the table.</remarks>
    public static (bool Join, bool Invalid) ReplySynStates(Actor entry) => entry switch
    {
        CtnetlinkInsert c => c.TcpState is "SYN_SENT" or "SYN_SENT2" or "LISTEN" or "TIME_WAIT" ? (true, false) : (false, true),
        _ => (true, true),
    };

    /// <summary>
    /// <c>nf_conntrack_in</c> after <c>-NF_ACCEPT</c> from <c>tcp_packet</c>: <c>nf_ct_put</c>, <c>skb->_nfct = 0</c>,
    /// <c>invalid</c>++; the packet goes on without a conntrack (no NAT core or confirm acts on it), and the chains after
    /// conntrack see ctstate INVALID and may drop it.
    /// </summary>
    private void InvalidSuccessors(Slot[] slots, int i, FlowActor flow, Stage[] stages, int ct, List<ChainVerdict> tracked, int partner,
        NatHook hook, IReadOnlyList<Probe> probes, IReadOnlyList<int> collected, List<(NatStep, NatState)> sink, StepDetail detail)
    {
        var diagnostics = detail == StepDetail.Full;
        foreach (var before in tracked)
        {
            var pkt = new Pkt(_originals[i], flow, stages[ct].Hook, before.Mark, 0, CtView.None, diagnostics ? TraceHops.Start : null);
            foreach (var (v, _) in RunStages(stages, ct + 1, pkt, throughKernel: true))
            {
                var next = NatState.CopyOf(slots);
                next[i] = v.Drop
                    ? next[i] with { Phase = Phase.Filtered, DecidedBy = (ushort)(v.Decider + 1), Mark = 0, CtMark = 0 }
                    : next[i] with { Phase = Phase.Invalid, Partner = (short)partner, Mark = 0, CtMark = 0 };
                var step = detail == StepDetail.None ? null! : new ConntrackIn(i, hook, -1)
                {
                    Probes = probes,
                    Collected = collected,
                    Ended = v.Drop ? Phase.Filtered : Phase.Invalid,
                    Decided = v.Drop ? _deciders[v.Decider] : null,
                    InvalidFor = partner,
                    Chains = Join(before.Why, v.Why) ?? [],
                };
                sink.Add((step, MakeCanonical(next)));
            }
        }
    }

    /// <summary>
    /// The first linked node equal to <paramref name="tuple"/> (original nodes before reply nodes of each entry,
    /// entries in actor order), or -1. With <paramref name="skipExpired"/>, expired matches are added to
    /// <paramref name="collected"/> and skipped, as RCU lookups do; confirm-time scans see them.
    /// </summary>
    internal int FindLinked(ReadOnlySpan<Slot> slots, ConntrackTuple tuple, int self, List<int>? collected, bool skipExpired)
    {
        for (var j = 0; j < slots.Length; j++)
        {
            ref readonly var s = ref slots[j];
            if (j == self || !s.Linked)
            {
                continue;
            }

            if ((s.OriginalLinked && _originals[j] == tuple) || s.Reply == tuple)
            {
                if (skipExpired && s.Has(CtStatus.Expired))
                {
                    collected?.Add(j);
                    continue;
                }

                return j;
            }
        }

        return -1;
    }

    /// <summary>True when the linked node of <paramref name="actor"/> equal to <paramref name="tuple"/> is its ORIGINAL node.</summary>
    internal bool IsOriginalNode(ReadOnlySpan<Slot> slots, int actor, ConntrackTuple tuple) =>
        slots[actor].OriginalLinked && _originals[actor] == tuple;

    private NatState Make(Slot[] slots) => new(Canonicalizer.Canonicalize(slots));

    /// <summary>
    /// The successor of a canonical state whose step changed no slot's reply or pre-SRC tuple, or changed one slot that
    /// holds no picked fresh port before or after (<see cref="HoldsPicked"/>): the canonical numbering scan meets the same
    /// picked ports in the same order as in the parent, so the slots are canonical already and the scan is skipped.
    /// </summary>
    private static NatState MakeCanonical(Slot[] slots)
    {
        Debug.Assert(Canonicalizer.Canonicalize(slots.AsSpan().ToArray()).AsSpan().SequenceEqual(slots), "a successor taken as canonical is not");
        return new(slots);
    }

    /// <summary>Whether a slot holds a fresh port a search picked (the ports <see cref="Canonicalizer"/> renumbers).</summary>
    private static bool HoldsPicked(in Slot s) =>
        s.Reply.SrcPort.IsPicked || s.Reply.DstPort.IsPicked || s.PreSrc.SrcPort.IsPicked || s.PreSrc.DstPort.IsPicked;

    /// <summary>The outcome of an actor (<see cref="OutcomeKind.Blocked"/> if it has not finished).</summary>
    public Outcome OutcomeOf(NatState state, int actor) => OutcomeOf(state[actor], actor);

    private Outcome OutcomeOf(Slot s, int actor)
    {
        switch (s.Phase)
        {
            case Phase.Confirmed when s.Attempt > 0:
                return new Outcome(OutcomeKind.Retried, OutcomeOf(s with { Attempt = 0 }, actor).ToString());
            case Phase.Confirmed:
                var orig = _originals[actor];
                var now = s.Reply.Invert();
                if (s.Has(CtStatus.RuleApplied))
                {
                    // A rule set one manip; the SRC null binding may still have moved the source port.
                    var rewrote = s.Has(CtStatus.SrcNullBinding) && now.SrcPort != s.PreSrc.SrcPort;
                    return new Outcome(OutcomeKind.Nat, rewrote ? "sport-rewritten" : null);
                }

                if (now == orig)
                {
                    return new Outcome(OutcomeKind.Kept, null);
                }

                if (now.SrcPort != orig.SrcPort)
                {
                    var detail = orig.Protocol == L4Protocol.Icmp ? "icmp-id" : Ports.ClassOf(now.SrcPort).ToString();
                    return new Outcome(OutcomeKind.Rewritten, detail);
                }

                return new Outcome(OutcomeKind.Rewritten, "dst-port");
            case Phase.ClashEntry:
                return new Outcome(OutcomeKind.ClashEntry, null);
            case Phase.Dropped:
                return new Outcome(OutcomeKind.Dropped, null);
            case Phase.Merged:
                return new Outcome(OutcomeKind.Merged, null);
            case Phase.Joined:
                return new Outcome(OutcomeKind.Joined, null);
            case Phase.Inserted:
                return new Outcome(OutcomeKind.Inserted, null);
            case Phase.Exists:
                return new Outcome(OutcomeKind.Exists, null);
            case Phase.Invalid:
                return new Outcome(OutcomeKind.Invalid, null);
            case Phase.Untracked:
                return new Outcome(OutcomeKind.Untracked, s.DecidedBy > 0 ? _deciders[s.DecidedBy - 1].Name : "no-conntrack");
            case Phase.Filtered:
                return new Outcome(OutcomeKind.Filtered, s.DecidedBy > 0 ? _deciders[s.DecidedBy - 1].Name : null);
            case Phase.Done:
                return new Outcome(Scenario.Actors[actor] switch
                {
                    EntryTimeout => OutcomeKind.Expired,
                    ConnectionClose => OutcomeKind.Closed,
                    _ => OutcomeKind.Deleted,
                }, null);
            case Phase.Nothing:
                return new Outcome(Scenario.Actors[actor] is EntryTimeout or ConnectionClose ? OutcomeKind.Skipped : OutcomeKind.NotFound, null);
            default:
                return new Outcome(OutcomeKind.Blocked, null);
        }
    }

    /// <summary>Every linked tuple node: (tuple, owning actor, true for the reply node).</summary>
    public IEnumerable<(ConntrackTuple Tuple, int Actor, bool IsReply)> LinkedNodes(NatState state)
    {
        for (var j = 0; j < state.Count; j++)
        {
            var s = state[j];
            if (!s.Linked)
            {
                continue;
            }

            if (s.OriginalLinked)
            {
                yield return (_originals[j], j, false);
            }

            yield return (s.Reply, j, true);
        }
    }
}
