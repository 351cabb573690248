using Microsoft.Z3;
using NatVerify.Model;
using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Properties;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Smt.Encoding;
using NatVerify.Model.State;
using PhaseKind = NatVerify.Model.State.Phase;

namespace NatVerify.Smt.Bmc;

/// <summary>
/// The bounded unrolling of a scenario: states 0..K of every actor's slot, a scheduler variable per step (which
/// enabled actor steps, or idle when none is enabled) and a port-choice variable per step, with the transition
/// relation of <c>NatSemantics</c> for the BMC subset (see <see cref="BmcSubset"/>).
/// </summary>
internal sealed class BmcEncoder
{
    private readonly Terms _z;
    private readonly NatEncoder _nat;
    private readonly ScenarioModel _scenario;
    private readonly bool _conntrackActive;
    private readonly RulesEncoder _rules;
    private readonly (int Before, Milestone BeforeAt, Milestone AfterAt)[][] _constraints;

    // Called between the pieces of the unrolling, so a run bound can stop a long encoding (it throws).
    private readonly Action _checkpoint;

    public BmcEncoder(Terms z, ScenarioModel scenario, KernelProfile profile, KernelMutant mutant, SymbolicSpec symbolic, int bound, Action? checkpoint = null)
    {
        _checkpoint = checkpoint ?? (() => { });
        _z = z;
        _scenario = scenario;
        _conntrackActive = Model.Semantics.ConntrackUse.Active(scenario.Ruleset);
        _nat = new NatEncoder(z, profile, mutant) { Addresses = ConcreteAddresses(scenario, symbolic) };
        Semantics = new Model.Semantics.NatSemantics(scenario, profile, mutant);
        _rules = new RulesEncoder(z, scenario, Semantics);
        Bound = bound;
        var n = scenario.Actors.Count;
        Actors = new ActorInfo[n];
        var symbolicValues = new List<(SymbolicField, BitVecExpr)>();
        for (var i = 0; i < n; i++)
        {
            var actor = scenario.Actors[i];
            switch (actor)
            {
                case FlowActor f:
                    var o = Tuple(actor.Name, f.Original, "", symbolic, symbolicValues);
                    Actors[i] = new ActorInfo(i, actor, true, o, o.Invert());
                    break;
                case CtnetlinkInsert c:
                    Actors[i] = new ActorInfo(i, actor, false, Tuple(actor.Name, c.Original, "", symbolic, symbolicValues), Tuple(actor.Name, c.Reply, "reply-", symbolic, symbolicValues));
                    break;
                case ConnectionClose or CtnetlinkDelete:
                    // No entry: NatSemantics gives these slots default tuples, which never change.
                    var zero = new SymTuple(z.Bv(0, 8), z.Bv(0, 32), z.Bv(0, 16), z.Bv(0, 32), z.Bv(0, 16));
                    Actors[i] = new ActorInfo(i, actor, false, zero, zero);
                    break;
                default:
                    throw new InvalidOperationException("actor outside the BMC subset");
            }
        }

        CloseTargets = scenario.Actors.OfType<ConnectionClose>().Select(c => scenario.IndexOf(c.Target)).ToHashSet();

        SymbolicValues = symbolicValues;
        _constraints = new (int, Milestone, Milestone)[n][];
        for (var i = 0; i < n; i++)
        {
            _constraints[i] = scenario.Constraints
                .Where(c => c.After == scenario.Actors[i].Name)
                .Select(c => (scenario.IndexOf(c.Before), c.BeforeAt, c.AfterAt))
                .ToArray();
        }

        States = new SymSlot[bound + 1][];
        States[0] = Actors.Select(a => SymSlot.Initial(z, a.Orig, a.InitialReply, n)).ToArray();
        Schedule = new BitVecExpr[bound];
        Choices = new BitVecExpr[bound];
        for (var t = 0; t < bound; t++)
        {
            Schedule[t] = z.BvVar($"sched@{t}", SymSlot.IndexBits);
            Choices[t] = z.BvVar($"port-choice@{t}", 16);
            States[t + 1] = Actors.Select(a =>
            {
                var v = SymSlot.Vars(z, $"{a.Actor.Name}@{t + 1}", a.InitialReply, a.Orig, n, a.Actor is FlowActor { Retries: > 0 });
                return a.HasEntry ? v : v.With(reply: a.InitialReply, preSrc: a.Orig);
            }).ToArray();
            EncodeStep(t);
        }

        Assertions.AddRange(_nat.Constraints);
    }

    /// <summary>
    /// Every address a packet's tuple can hold: the actors' addresses, the interfaces' and loopback, every address
    /// of every rule's range (wide ranges are refused by <see cref="BmcSubset"/>); null when an address is symbolic,
    /// so that an address range's hash cannot be evaluated on constants.
    /// </summary>
    private static IReadOnlyList<uint>? ConcreteAddresses(ScenarioModel scenario, SymbolicSpec symbolic)
    {
        if (symbolic.Fields.Any(f => !f.IsPort))
        {
            return null;
        }

        var set = new SortedSet<uint> { 0x7f000001 };
        foreach (var a in scenario.Actors)
        {
            switch (a)
            {
                case FlowActor f:
                    set.Add(f.Original.SrcIp.Value);
                    set.Add(f.Original.DstIp.Value);
                    break;
                case CtnetlinkInsert c:
                    set.UnionWith([c.Original.SrcIp.Value, c.Original.DstIp.Value, c.Reply.SrcIp.Value, c.Reply.DstIp.Value]);
                    break;
            }
        }

        set.UnionWith(scenario.InterfaceAddresses.Values.Select(v => v.Value));
        set.UnionWith(scenario.Interfaces.SelectMany(i => i.Addresses).Select(a => a.Address.Value));
        foreach (var rule in scenario.Ruleset.Chains.Values.SelectMany(c => c.Rules))
        {
            var range = rule.Target switch { SnatTarget sn => sn.Range, DnatTarget dn => dn.Range, _ => null };
            if (range is { MapIps: true } r)
            {
                for (var v = (ulong)r.MinAddr.Value; v <= r.MaxAddr.Value; v++)
                {
                    set.Add((uint)v);
                }
            }
        }

        return [.. set];
    }

    /// <summary>The scenario as the spec gives it (symbolic fields hold the spec's placeholder values).</summary>
    public ScenarioModel Scenario => _scenario;

    /// <summary>The explicit semantics of the scenario (rule walks, decider names).</summary>
    public Model.Semantics.NatSemantics Semantics { get; }

    /// <summary>The term builder.</summary>
    public Terms Z => _z;

    /// <summary>The NAT and confirm encoding.</summary>
    public NatEncoder Nat => _nat;

    /// <summary>The kernel profile.</summary>
    public KernelProfile Profile => _nat.Profile;

    /// <summary>The mutant.</summary>
    public KernelMutant Mutant => _nat.Mutant;

    /// <summary>The bound K: the number of steps unrolled.</summary>
    public int Bound { get; }

    /// <summary>The actors, in scenario order.</summary>
    public ActorInfo[] Actors { get; }

    /// <summary>States[t][i]: actor i's slot after t steps.</summary>
    public SymSlot[][] States { get; }

    /// <summary>Schedule[t]: the actor that takes step t+1, or <see cref="IdleValue"/> when none is enabled.</summary>
    public BitVecExpr[] Schedule { get; }

    /// <summary>Choices[t]: the port the search of step t+1 picks, when it searches.</summary>
    public BitVecExpr[] Choices { get; }

    /// <summary>The symbolic fields and their variables.</summary>
    public IReadOnlyList<(SymbolicField Field, BitVecExpr Value)> SymbolicValues { get; }

    /// <summary>Initial-state, transition and choice constraints.</summary>
    public List<BoolExpr> Assertions { get; } = [];

    /// <summary>The scheduler value meaning "no actor steps".</summary>
    public ulong IdleValue => (ulong)Actors.Length;

    /// <summary>The actors whose entry some <see cref="ConnectionClose"/> closes: the only entries that can be in TIME_WAIT or CLOSE.</summary>
    public IReadOnlySet<int> CloseTargets { get; }

    private SymTuple Tuple(string actor, Model.Tuples.ConntrackTuple t, string prefix, SymbolicSpec symbolic, List<(SymbolicField, BitVecExpr)> values)
    {
        BitVecExpr Field(string name, ulong concrete, uint width)
        {
            if (symbolic.Find(actor, prefix + name) is not { } f)
            {
                return _z.Bv(concrete, width);
            }

            if (t.Protocol.IsPortless() && name is "sport" or "dport")
            {
                throw new BmcUnsupportedException($"{actor}.{prefix}{name}: a {t.Protocol.Name()} tuple has no ports (its keys are 0)");
            }

            if (t.Protocol == Model.Addressing.L4Protocol.Icmp && name == "dport")
            {
                // The field holds the echo type/code, which NAT never changes; only the id (sport) is a key.
                throw new BmcUnsupportedException($"{actor}.{prefix}dport of an ICMP tuple is its echo type, not a symbolic field; use {actor}.{prefix}sport for the id");
            }

            var v = _z.BvVar($"{actor}.{prefix}{name}", width);
            Assertions.Add(_z.InRange(v, f.Min, f.Max));
            values.Add((f, v));
            return v;
        }

        return new SymTuple(
            _z.Bv((ulong)t.Protocol, 8),
            Field("src", t.SrcIp.Value, 32),
            Field("sport", (ulong)t.SrcPort.Raw, 16),
            Field("dst", t.DstIp.Value, 32),
            Field("dport", (ulong)t.DstPort.Raw, 16));
    }

    // ---- phases and enabledness ----

    public BoolExpr PhaseIs(SymSlot s, PhaseKind p) => _z.Eq(s.Phase, _z.Bv((ulong)p, SymSlot.PhaseBits));

    /// <summary><c>Slot.Linked</c>: confirmed, a NAT_CLASH entry or inserted, and not unlinked since.</summary>
    public BoolExpr Linked(SymSlot s) => _z.And(
        _z.Or(PhaseIs(s, PhaseKind.Confirmed), PhaseIs(s, PhaseKind.ClashEntry), PhaseIs(s, PhaseKind.Inserted)), _z.Not(s.Flag(SlotFlag.Removed)));

    /// <summary><c>Slot.TcpClosed</c>: TIME_WAIT or CLOSE.</summary>
    public BoolExpr TcpClosed(SymSlot s) => _z.Or(s.Flag(SlotFlag.TcpTimeWait), s.Flag(SlotFlag.TcpClose));

    public BoolExpr OriginalLinked(SymSlot s) => _z.And(Linked(s), _z.Not(s.Flag(SlotFlag.NatClash)));

    public BoolExpr Unconfirmed(SymSlot s) => _z.Or(PhaseIs(s, PhaseKind.Created), PhaseIs(s, PhaseKind.DstDone), PhaseIs(s, PhaseKind.SrcDone));

    public BoolExpr Terminal(SymSlot s) => _z.Ule(_z.Bv((ulong)PhaseKind.Confirmed, SymSlot.PhaseBits), s.Phase);

    /// <summary><c>NatSemantics.Reached</c>: terminal, or the phase has passed the milestone.</summary>
    private BoolExpr Reached(SymSlot s, Milestone m) => _z.Or(
        Terminal(s),
        m <= Milestone.Start ? PhaseIs(s, PhaseKind.Created) : _z.False,
        m <= Milestone.DstNat ? PhaseIs(s, PhaseKind.DstDone) : _z.False,
        m <= Milestone.SrcNat ? PhaseIs(s, PhaseKind.SrcDone) : _z.False);

    /// <summary><c>NatSemantics.NextMilestone</c> equals <paramref name="m"/>.</summary>
    private BoolExpr NextIs(SymSlot s, Milestone m) => m switch
    {
        Milestone.DstNat => PhaseIs(s, PhaseKind.Created),
        Milestone.SrcNat => PhaseIs(s, PhaseKind.DstDone),
        Milestone.Confirm => PhaseIs(s, PhaseKind.SrcDone),
        _ => _z.Not(_z.Or(PhaseIs(s, PhaseKind.Created), PhaseIs(s, PhaseKind.DstDone), PhaseIs(s, PhaseKind.SrcDone))),
    };

    /// <summary><c>NatSemantics.Enabled</c> for a non-terminal actor at time t.</summary>
    public BoolExpr Enabled(int t, int i)
    {
        var s = States[t];
        var parts = new List<BoolExpr> { _z.Not(Terminal(s[i])) };
        if (_scenario.Sequential)
        {
            for (var j = 0; j < i; j++)
            {
                parts.Add(Terminal(s[j]));
            }
        }

        foreach (var (before, beforeAt, afterAt) in _constraints[i])
        {
            parts.Add(_z.Implies(NextIs(s[i], afterAt), Reached(s[before], beforeAt)));
        }

        // NatSemantics.CloseSuccessor has no successor until the target is terminal: the close waits, so the explicit
        // engine's terminal states (no successor) are the states where no actor is enabled here.
        if (Actors[i].Actor is ConnectionClose close)
        {
            parts.Add(Terminal(s[_scenario.IndexOf(close.Target)]));
        }

        return _z.And(parts);
    }

    /// <summary>No actor can step at time t: a terminal state of the exploration.</summary>
    public BoolExpr NoneEnabled(int t) => _z.And(Enumerable.Range(0, Actors.Length).Select(i => _z.Not(Enabled(t, i))));

    // ---- the transition relation ----

    private void EncodeStep(int t)
    {
        var z = _z;
        var n = Actors.Length;
        var sched = Schedule[t];
        Assertions.Add(z.Ule(sched, z.Bv(IdleValue, SymSlot.IndexBits)));
        var none = new List<BoolExpr>();
        var stepped = new SymSlot[n][];
        var chosenOf = new BoolExpr[n];
        for (var i = 0; i < n; i++)
        {
            _checkpoint();
            var enabled = Enabled(t, i);
            none.Add(z.Not(enabled));
            var chosen = z.Eq(sched, z.Bv((ulong)i, SymSlot.IndexBits));
            Assertions.Add(z.Implies(chosen, enabled));
            stepped[i] = StepOf(t, i);
            chosenOf[i] = chosen;
        }

        // A step may change other actors' slots too (a reopening SYN or nf_nat_used_tuple_harder kills an entry, a
        // close moves its target's TCP state, conntrack -D unlinks entries): each slot's next value is the chosen
        // step's value for it, or unchanged.
        for (var j = 0; j < n; j++)
        {
            var value = States[t][j];
            for (var i = n - 1; i >= 0; i--)
            {
                if (!ReferenceEquals(stepped[i][j], States[t][j]))
                {
                    value = SymSlot.Ite(z, chosenOf[i], stepped[i][j], value);
                }
            }

            foreach (var eq in States[t + 1][j].Assign(z, value))
            {
                Assertions.Add(eq);
            }
        }

        Assertions.Add(z.Implies(z.Eq(sched, z.Bv(IdleValue, SymSlot.IndexBits)), z.And(none)));
    }

    /// <summary>The whole state after actor <paramref name="i"/> steps at time t (slots it does not touch are the same objects).</summary>
    private SymSlot[] StepOf(int t, int i)
    {
        var z = _z;
        var cur = States[t];
        var next = (SymSlot[])cur.Clone();
        var s = cur[i];
        var table = new BmcTable(this, cur);
        var self = new SelfView(i, z.Bv((ulong)i, SymSlot.IndexBits), Actors[i].Orig, s.Reply, z.Or(s.Flag(SlotFlag.SrcNat), s.Flag(SlotFlag.DstNat)));
        switch (Actors[i].Actor)
        {
            case CtnetlinkInsert:
                next[i] = SymSlot.Ite(z, PhaseIs(s, PhaseKind.NotStarted), InsertStep(table, self, s), s);
                return next;
            case ConnectionClose close:
                CloseStep(next, i, close);
                return next;
            case CtnetlinkDelete delete:
                DeleteStep(next, i, delete);
                return next;
        }

        var flow = (FlowActor)Actors[i].Actor;
        var (connIn, killed) = ConntrackInStep(table, self, s, i);
        if (!_conntrackActive)
        {
            // No rule activated conntrack: nf_conntrack_in is not even registered; the chains decide in one step
            // (NatSemantics.ConntrackInSuccessors: untracked, or filtered by a rule).
            next[i] = SymSlot.Ite(z, PhaseIs(s, PhaseKind.NotStarted), connIn, s);
            return next;
        }

        var chosen = z.Eq(Schedule[t], z.Bv((ulong)i, SymSlot.IndexBits));
        var dstHook = flow.Path == PacketPath.LocalOut ? NatHook.Output : NatHook.PreRouting;
        var srcHook = flow.Path == PacketPath.LocalIn ? NatHook.Input : NatHook.PostRouting;
        var (dst, dstEvicted, dstVictim) = NatStep(t, table, self, s, i, dstHook, z.And(chosen, PhaseIs(s, PhaseKind.Created)));
        var (src, srcEvicted, srcVictim) = NatStep(t, table, self, s, i, srcHook, z.And(chosen, PhaseIs(s, PhaseKind.DstDone)));
        var confirm = ConfirmStep(table, self, s, flow);
        next[i] = SymSlot.Ite(z, PhaseIs(s, PhaseKind.NotStarted), connIn,
            SymSlot.Ite(z, PhaseIs(s, PhaseKind.Created), dst,
                SymSlot.Ite(z, PhaseIs(s, PhaseKind.DstDone), src,
                    SymSlot.Ite(z, PhaseIs(s, PhaseKind.SrcDone), confirm,
                        flow.Retries > 0 ? SymSlot.Ite(z, PhaseIs(s, PhaseKind.Retrying), RetransmitStep(i, s), s) : s))));

        // The entries this step unlinks: closed ones a reopening SYN killed, the one nf_nat_used_tuple_harder killed.
        foreach (var j in CloseTargets)
        {
            if (j == i)
            {
                continue;
            }

            var id = z.Bv((ulong)j, SymSlot.IndexBits);
            var evicted = z.Or(
                dstEvicted is null ? z.False : z.And(PhaseIs(s, PhaseKind.Created), dstEvicted, z.Eq(dstVictim!, id)),
                srcEvicted is null ? z.False : z.And(PhaseIs(s, PhaseKind.DstDone), srcEvicted, z.Eq(srcVictim!, id)));
            var removed = z.Or(evicted, killed.TryGetValue(j, out var k) ? z.And(PhaseIs(s, PhaseKind.NotStarted), k) : z.False);
            if (!z.IsFalse(removed))
            {
                next[j] = next[j].With(flags: next[j].WithFlags(z, (SlotFlag.Removed, removed), (SlotFlag.EvictedBySnat, evicted)));
            }
        }

        return next;
    }

    /// <summary>
    /// <c>NatSemantics.RetransmitStep</c> (<c>tcp_retransmit_timer</c>): the SYN dropped at confirm is sent again as a new
    /// first packet; the slot starts over with the attempt counted.
    /// </summary>
    private SymSlot RetransmitStep(int i, SymSlot s)
    {
        var initial = States[0][i];
        return initial.With(attempt: _z.BvAdd(s.Attempt, _z.Bv(1, SymSlot.AttemptBits)));
    }

    /// <summary>
    /// <c>NatSemantics.CloseSuccessor</c> (<c>tcp_packet</c>, <c>tcp_conntracks</c>): the target's own confirmed, linked
    /// entry goes to TIME_WAIT on a FIN (unless already CLOSE) and to CLOSE on a RST (sTW -> sCL too); a target without
    /// one (joined, dropped, merged, unlinked) is skipped. Enabled only once the target is terminal.
    /// </summary>
    private void CloseStep(SymSlot[] next, int i, ConnectionClose close)
    {
        var z = _z;
        var target = _scenario.IndexOf(close.Target);
        var ts = next[target];
        var closable = z.And(PhaseIs(ts, PhaseKind.Confirmed), z.Not(ts.Flag(SlotFlag.Removed)));
        var flags = (BoolExpr[])ts.Flags.Clone();
        if (close.How == CloseKind.Fin)
        {
            flags[(int)SlotFlag.TcpTimeWait] = z.Ite(closable, z.Not(ts.Flag(SlotFlag.TcpClose)), ts.Flag(SlotFlag.TcpTimeWait));
        }
        else
        {
            flags[(int)SlotFlag.TcpTimeWait] = z.And(z.Not(closable), ts.Flag(SlotFlag.TcpTimeWait));
            flags[(int)SlotFlag.TcpClose] = z.Or(closable, ts.Flag(SlotFlag.TcpClose));
        }

        next[target] = ts.With(flags: flags);
        next[i] = next[i].With(phase: z.Ite(closable, PhaseValue(PhaseKind.Done), PhaseValue(PhaseKind.Nothing)));
    }

    /// <summary>
    /// <c>NatSemantics.DeleteStep</c> (<c>conntrack -D</c>: <c>ctnetlink_del_conntrack</c> / dump and delete, <c>nf_ct_delete</c>):
    /// every entry whose ORIGINAL node is linked and matches the filter (<c>TupleFilter.Matches</c>) is unlinked.
    /// </summary>
    private void DeleteStep(SymSlot[] next, int i, CtnetlinkDelete delete)
    {
        var z = _z;
        var any = new List<BoolExpr>();
        for (var j = 0; j < Actors.Length; j++)
        {
            if (!Actors[j].HasEntry)
            {
                continue;
            }

            var s = next[j];
            var f = delete.Filter;
            var match = z.And(
                OriginalLinked(s),
                f.Protocol is { } p ? z.Eq(Actors[j].Orig.Proto, z.Bv((ulong)p, 8)) : z.True,
                PartialMatch(f.Original, Actors[j].Orig),
                PartialMatch(f.Reply, s.Reply));
            any.Add(match);
            next[j] = s.With(flags: s.WithFlags(z, (SlotFlag.Removed, match)));
        }

        next[i] = next[i].With(phase: z.Ite(z.Or(any), PhaseValue(PhaseKind.Done), PhaseValue(PhaseKind.Nothing)));
    }

    /// <summary><c>PartialTuple.Matches</c>: every set field equals the tuple's (ports are numbers here, never fresh).</summary>
    private BoolExpr PartialMatch(PartialTuple f, SymTuple t) => _z.And(
        f.SrcIp is { } a ? _z.Eq(t.SrcIp, _z.Bv(a.Value, 32)) : _z.True,
        f.DstIp is { } b ? _z.Eq(t.DstIp, _z.Bv(b.Value, 32)) : _z.True,
        f.SrcPort is { } c ? _z.Eq(t.SrcPort, _z.Bv((ulong)c, 16)) : _z.True,
        f.DstPort is { } d ? _z.Eq(t.DstPort, _z.Bv((ulong)d, 16)) : _z.True);

    private BitVecExpr PhaseValue(PhaseKind p) => _z.Bv((ulong)p, SymSlot.PhaseBits);

    /// <summary>
    /// The chains before <c>nf_conntrack_in</c> (<see cref="FirstPacketRules.BeforeConntrack"/>: filtered, untracked
    /// or tracked), then <c>nf_conntrack_in</c>: join a confirmed entry with the same original tuple, or create a
    /// private one and run the chains up to the NAT core or confirm (<see cref="FirstPacketRules.AfterConntrack"/>). A
    /// TCP SYN that hits a TIME_WAIT entry, or a CLOSE entry through the node of its own direction, reopens it
    /// (<c>tcp_packet</c>: <c>nf_ct_kill</c>, <c>-NF_REPEAT</c>, look up again); a SYN on a CLOSE entry's reply node is
    /// invalid (sIV). A TCP SYN that found the entry by its REPLY node is judged by <c>tcp_packet</c>
    /// (<c>NatSemantics.ReplySynStates</c>): it joins (sS2) or is invalid (sIV, no conntrack, the later chains may
    /// still drop it); for a flow's entry either, as a free choice. Returns the slot and, per closed entry, when the
    /// lookup killed it (only a tracked packet looks up: NatSemantics.ConntrackInStep).
    /// </summary>
    private (SymSlot Slot, Dictionary<int, BoolExpr> Killed) ConntrackInStep(BmcTable table, SelfView self, SymSlot s, int i)
    {
        var z = _z;
        var flow = (FlowActor)Actors[i].Actor;
        var orig = Actors[i].Orig;
        var rules = _rules.Rules;
        var zero = z.Bv(0, 32);
        var before = _rules.Evaluate($"before-conntrack/{i}", orig, zero, zero, [(0u, 0u)], (p, _, _) => rules.BeforeConntrack(flow, p));
        (EntryView Hit, Dictionary<int, BoolExpr> Killed, BoolExpr ClosedInvalid)? lookup = null;
        SymSlot? result = null;
        BoolExpr? tracked = null;
        foreach (var (cond, r) in before)
        {
            var isTracked = r.Kind is not (RulesEnd.Filtered or RulesEnd.Untracked);
            var slot = r.Kind switch
            {
                RulesEnd.Filtered => Ended(s, PhaseKind.Filtered, r.Decider),
                RulesEnd.Untracked => Ended(s, PhaseKind.Untracked, r.Decider),
                _ => Tracked(self, s, i, r.Mark, lookup ??= Lookup(table, self)),
            };
            result = result is null ? slot : SymSlot.Ite(z, cond, slot, result);
            tracked = tracked is null ? z.Bool(isTracked) : z.Ite(cond, z.Bool(isTracked), tracked);
        }

        var killed = lookup is { } l ? l.Killed.ToDictionary(k => k.Key, k => z.And(tracked!, k.Value)) : [];
        return (result!, killed);
    }

    /// <summary>A flow that ends without an entry of its own (untracked, filtered): <c>NatSemantics.Untracked</c>.</summary>
    private SymSlot Ended(SymSlot s, PhaseKind phase, int decider) =>
        s.With(phase: PhaseValue(phase), decidedBy: _z.Bv((ulong)(decider + 1), SymSlot.DeciderBits), mark: _z.Bv(0, 32), ctMark: _z.Bv(0, 32));

    /// <summary>
    /// <c>__nf_conntrack_find_get</c> with <c>tcp_packet</c>'s reopening loop (<c>NatSemantics.ConntrackInStep</c>): the
    /// entry found, per closed entry when it was killed, and whether a SYN met a CLOSE entry's reply node (sIV).
    /// </summary>
    private (EntryView Hit, Dictionary<int, BoolExpr> Killed, BoolExpr ClosedInvalid) Lookup(BmcTable table, SelfView self)
    {
        var z = _z;
        var hit = table.FindLinked(self.Orig, self, skipExpired: true);
        var killed = new Dictionary<int, BoolExpr>();
        var closedInvalid = z.False;
        var tcp = z.Eq(self.Orig.Proto, z.Bv(NatEncoder.ProtoTcp, 8));
        var targets = CloseTargets.Where(j => j != self.ActorIndex).ToList();
        if (targets.Count > 0 && !z.IsFalse(tcp))
        {
            // NatSemantics.ConntrackInStep's loop: each round kills one closed entry, so it ends within as many rounds
            // as there are entries that can be closed.
            var slots = (SymSlot[])table.Slots.Clone();
            var ended = z.False;
            foreach (var j in targets)
            {
                killed[j] = z.False;
            }

            for (var round = 0; round < targets.Count; round++)
            {
                BoolExpr FlagOfHit(SlotFlag f) => z.Or(targets.Select(j => z.And(z.Eq(hit.Id, z.Bv((ulong)j, SymSlot.IndexBits)), slots[j].Flag(f))));
                var closedHit = z.And(z.Not(ended), hit.Found, tcp, z.Or(FlagOfHit(SlotFlag.TcpTimeWait), FlagOfHit(SlotFlag.TcpClose)));
                var sameDirection = z.And(hit.OriginalLinked, hit.Orig.Eq(z, self.Orig));
                var invalidHere = z.And(closedHit, z.Not(FlagOfHit(SlotFlag.TcpTimeWait)), z.Not(sameDirection));
                var kill = z.And(closedHit, z.Not(invalidHere));
                closedInvalid = z.Or(closedInvalid, invalidHere);
                ended = z.Or(ended, z.Not(kill));
                foreach (var j in targets)
                {
                    var here = z.And(kill, z.Eq(hit.Id, z.Bv((ulong)j, SymSlot.IndexBits)));
                    killed[j] = z.Or(killed[j], here);
                    slots[j] = slots[j].With(flags: slots[j].WithFlags(z, (SlotFlag.Removed, here)));
                }

                var again = new BmcTable(this, slots).FindLinked(self.Orig, self, skipExpired: true);
                hit = _nat.Select(kill, again, hit);
            }
        }

        return (hit, killed, closedInvalid);
    }

    private SymSlot Tracked(SelfView self, SymSlot s, int i, uint mark, (EntryView Hit, Dictionary<int, BoolExpr> Killed, BoolExpr ClosedInvalid) lookup)
    {
        var z = _z;
        var flow = (FlowActor)Actors[i].Actor;
        var rules = _rules.Rules;
        var (hit, _, closedInvalid) = lookup;
        var tcp = z.Eq(self.Orig.Proto, z.Bv(NatEncoder.ProtoTcp, 8));
        var replySyn = z.And(z.Not(closedInvalid), hit.Found, tcp, z.Not(z.And(hit.OriginalLinked, hit.Orig.Eq(z, self.Orig))));
        var invalidFor = new List<BoolExpr>();
        for (var j = 0; j < Actors.Length; j++)
        {
            var (join, invalid) = Model.Semantics.NatSemantics.ReplySynStates(Actors[j].Actor);
            if (invalid)
            {
                var chosen = join ? z.BoolVar($"reply-syn-answered-{self.ActorIndex}") : z.True;
                invalidFor.Add(z.And(z.Eq(hit.Id, z.Bv((ulong)j, SymSlot.IndexBits)), chosen));
            }
        }

        var isInvalid = z.Or(closedInvalid, z.And(replySyn, z.Or(invalidFor)));
        var m = z.Bv(mark, 32);
        var zero = z.Bv(0, 32);
        var orig = Actors[i].Orig;

        // tcp_packet's sIV: no conntrack; the chains after conntrack see ctstate INVALID (NatSemantics.InvalidSuccessors).
        SymSlot? invalidSlot = null;
        foreach (var (cond, r) in _rules.Evaluate($"after-conntrack-invalid/{i}", orig, m, zero, [(mark, 0u)], (p, mk, _) => rules.AfterConntrack(flow, p, mk, tracked: false)))
        {
            var slot = r.Kind == RulesEnd.Filtered ? Ended(s, PhaseKind.Filtered, r.Decider)
                : s.With(phase: PhaseValue(PhaseKind.Invalid), partner: (BitVecExpr)hit.Id, mark: zero, ctMark: zero);
            invalidSlot = invalidSlot is null ? slot : SymSlot.Ite(z, cond, slot, invalidSlot);
        }

        // init_conntrack: a private entry (ct mark 0), seen as NEW by the chains up to the NAT core or confirm.
        SymSlot? created = null;
        foreach (var (cond, r) in _rules.Evaluate($"after-conntrack/{i}", orig, m, zero, [(mark, 0u)], (p, mk, _) => rules.AfterConntrack(flow, p, mk, tracked: true)))
        {
            var slot = r.Kind == RulesEnd.Filtered ? Ended(s, PhaseKind.Filtered, r.Decider)
                : s.With(phase: PhaseValue(r.ToNat ? PhaseKind.Created : PhaseKind.SrcDone), mark: z.Bv(r.Mark, 32), ctMark: z.Bv(r.CtMark, 32));
            created = created is null ? slot : SymSlot.Ite(z, cond, slot, created);
        }

        var joined = s.With(phase: PhaseValue(PhaseKind.Joined), partner: (BitVecExpr)hit.Id);
        return SymSlot.Ite(z, isInvalid, invalidSlot!, SymSlot.Ite(z, hit.Found, joined, created!));
    }

    /// <summary><c>nf_conntrack_hash_check_insert</c>: -EEXIST when either tuple equals a linked node.</summary>
    private SymSlot InsertStep(BmcTable table, SelfView self, SymSlot s)
    {
        var clash = _nat.HashCheckInsert(table, self);
        return s.With(
            phase: _z.Ite(clash.Found, PhaseValue(PhaseKind.Exists), PhaseValue(PhaseKind.Inserted)),
            partner: _z.Ite(clash.Found, (BitVecExpr)clash.Id, _z.Bv(SymSlot.NoPartner, SymSlot.IndexBits)));
    }

    /// <summary>
    /// <c>__nf_conntrack_confirm</c>. A dropped SYN with retransmissions left is <c>Retrying</c> (<c>tcp_retransmit_timer</c>
    /// will send it again), as <c>NatSemantics.ConfirmStep</c>.
    /// </summary>
    private SymSlot ConfirmStep(BmcTable table, SelfView self, SymSlot s, FlowActor flow)
    {
        var c = _nat.Confirm(table, self);
        var dropped = flow.Retries > 0
            ? _z.Ite(_z.Ult(s.Attempt, _z.Bv((ulong)flow.Retries, SymSlot.AttemptBits)), PhaseValue(PhaseKind.Retrying), PhaseValue(PhaseKind.Dropped))
            : PhaseValue(PhaseKind.Dropped);
        var phase = _z.Ite(c.Inserted, PhaseValue(PhaseKind.Confirmed),
            _z.Ite(c.ClashEntry, PhaseValue(PhaseKind.ClashEntry),
                _z.Ite(c.Merged, PhaseValue(PhaseKind.Merged), dropped)));
        return s.With(
            phase: phase,
            partner: _z.Ite(c.Inserted, _z.Bv(SymSlot.NoPartner, SymSlot.IndexBits), (BitVecExpr)c.Partner.Id),
            flags: s.WithFlags(_z, (SlotFlag.NatClash, c.ClashEntry), (SlotFlag.ClashOnReply, _z.And(_z.Not(c.Inserted), c.OnReply))),
            mark: _z.Bv(0, 32),
            ctMark: _z.Bv(0, 32));
    }

    /// <summary>
    /// <c>nf_nat_inet_fn</c> at one hook: the nat chains (<see cref="FirstPacketRules.NatChains"/>) pick a rule (or none:
    /// the null binding; or drop), then <c>get_unique_tuple</c>; the ghost facts of the SRC manip are recorded as
    /// <c>NatSemantics.DecisionSuccessors</c> does; then the chains after the NAT core see the rewritten packet
    /// (<see cref="FirstPacketRules.AfterNat"/>) and may still drop it.
    /// </summary>
    private (SymSlot Slot, BoolExpr? Evicted, Expr? Victim) NatStep(int t, BmcTable table, SelfView self, SymSlot s, int i, NatHook hook, BoolExpr guard)
    {
        var z = _z;
        var flow = (FlowActor)Actors[i].Actor;
        var rules = _rules.Rules;
        var manip = hook.Manip();
        var curr = s.Reply.Invert();
        var (dstMarks, srcMarks) = MarkSets(i);
        var verdicts = ByNatStatus(s, st => _rules.Evaluate($"nat/{i}/{hook}/{st}", curr, s.Mark, s.CtMark, manip == ManipType.Dst ? dstMarks : srcMarks,
            (p, m, c) => rules.NatChains(flow, hook, p, m, c, st)));
        var trulyFree = manip == ManipType.Src ? z.Not(table.TupleTaken(curr.Invert(), self, real: true)) : z.False;
        var zero = z.Bv(0, 32);
        SymSlot? result = null;
        BoolExpr? evicted = null;
        Expr? victim = null;
        foreach (var (cond, v) in verdicts)
        {
            SymSlot slot;
            switch (v.Kind)
            {
                case RulesEnd.TargetDrop:
                    // MASQUERADE/REDIRECT without an address: NF_DROP from the target, the entry is freed.
                    slot = s.With(phase: PhaseValue(PhaseKind.Dropped), flags: s.WithFlags(z, (SlotFlag.DroppedByTarget, z.True)), mark: zero, ctMark: zero);
                    break;
                case RulesEnd.Filtered:
                    slot = Ended(s, PhaseKind.Filtered, v.Decider);
                    break;
                default:
                    var isNull = v.Kind == RulesEnd.Go;
                    var range = isNull ? _nat.NullBindingRange(curr, manip) : SymRange.Of(z, v.Range!);
                    var unique = isNull && _nat.Mutant == KernelMutant.NoNullBinding
                        ? new UniqueResult(curr, z.False)
                        : _nat.GetUniqueTuple(table, self, curr, range, manip, isNull, Choices[t], z.And(guard, cond));
                    var chosen = unique.Tuple;
                    if (unique.Evicted is not null)
                    {
                        // nf_nat_used_tuple_harder's kill is a table effect of get_unique_tuple, whatever the later chains do.
                        evicted = z.Or(evicted ?? z.False, z.And(cond, unique.Evicted));
                        victim = victim is null ? unique.Victim : z.Ite(cond, unique.Victim!, victim);
                    }

                    var changed = z.Not(chosen.Eq(z, curr));
                    var next = manip == ManipType.Dst
                        ? s.With(
                            phase: PhaseValue(PhaseKind.DstDone),
                            reply: chosen.Invert(),
                            preSrc: chosen,
                            flags: s.WithFlags(z, (SlotFlag.DstNat, changed), (SlotFlag.DstNatDone, z.True), (SlotFlag.DstNullBinding, z.Bool(isNull)), (SlotFlag.RuleApplied, z.Bool(!isNull))))
                        : s.With(
                            phase: PhaseValue(PhaseKind.SrcDone),
                            reply: chosen.Invert(),
                            preSrc: curr,
                            flags: s.WithFlags(
                                z,
                                (SlotFlag.SrcNat, changed),
                                (SlotFlag.SrcNatDone, z.True),
                                (SlotFlag.SrcNullBinding, z.Bool(isNull)),
                                (SlotFlag.RuleApplied, z.Bool(!isNull)),
                                (SlotFlag.SrcProbeFree, trulyFree),
                                (SlotFlag.SrcFixedPort, z.Bool(!isNull && range.SinglePort)),
                                (SlotFlag.SrcSearchFailed, unique.Failed)),
                            bySource: z.Bv((ulong)(t + 1), SymSlot.IndexBits),
                            linkedAtSrcProbe: States[t].Select((x, j) => Actors[j].HasEntry ? Linked(x) : z.False).ToArray());
                    slot = null!;
                    SymSlot? after = null;
                    foreach (var (c2, a) in ByNatStatus(next, st => _rules.Evaluate($"after-nat/{i}/{hook}/{st}", chosen, z.Bv(v.Mark, 32), z.Bv(v.CtMark, 32), [(v.Mark, v.CtMark)],
                        (p, m, c) => rules.AfterNat(flow, hook, p, m, c, st))))
                    {
                        var end = a.Kind == RulesEnd.Filtered
                            ? next.With(phase: PhaseValue(PhaseKind.Filtered), decidedBy: z.Bv((ulong)(a.Decider + 1), SymSlot.DeciderBits), mark: zero, ctMark: zero)
                            : next.With(mark: z.Bv(a.Mark, 32), ctMark: z.Bv(a.CtMark, 32));
                        after = after is null ? end : SymSlot.Ite(z, c2, end, after);
                    }

                    slot = after!;
                    break;
            }

            result = result is null ? slot : SymSlot.Ite(z, cond, slot, result);
        }

        return (result!, evicted, victim);
    }

    private static readonly CtStatus[] NatStatuses = [CtStatus.None, CtStatus.SrcNat, CtStatus.DstNat, CtStatus.SrcNat | CtStatus.DstNat];

    /// <summary>
    /// A walk of the chains for each value of the entry's SrcNat/DstNat bits the slot can have (<c>Pkt.NatStatus</c>,
    /// which ctstate SNAT/DNAT read): the walk's conditions, each also under its status. Statuses the slot cannot have
    /// (its bits are constants) are not walked.
    /// </summary>
    private List<(BoolExpr Cond, RulesResult Result)> ByNatStatus(SymSlot s, Func<CtStatus, List<(BoolExpr Cond, RulesResult Result)>> walk)
    {
        var z = _z;
        var walks = new List<(BoolExpr Here, List<(BoolExpr Cond, RulesResult Result)> Walk)>();
        foreach (var st in NatStatuses)
        {
            var here = z.And(
                st.HasFlag(CtStatus.SrcNat) ? s.Flag(SlotFlag.SrcNat) : z.Not(s.Flag(SlotFlag.SrcNat)),
                st.HasFlag(CtStatus.DstNat) ? s.Flag(SlotFlag.DstNat) : z.Not(s.Flag(SlotFlag.DstNat)));
            if (!z.IsFalse(here))
            {
                walks.Add((here, walk(st)));
            }
        }

        // No rule reads the NAT bits (the usual case): every walk is the same (Z3 terms are hash-consed), keep one.
        if (walks.All(w => w.Walk.Count == walks[0].Walk.Count
            && w.Walk.Zip(walks[0].Walk).All(p => p.First.Result == p.Second.Result && p.First.Cond.Equals(p.Second.Cond))))
        {
            return walks[0].Walk;
        }

        return walks.SelectMany(w => w.Walk.Select(x => (z.And(w.Here, x.Cond), x.Result))).ToList();
    }

    // ---- rules of every table: the (mark, ct mark) pairs a flow's packet can carry into each NAT hook ----

    private readonly Dictionary<int, (IReadOnlyList<(uint, uint)> Dst, IReadOnlyList<(uint, uint)> Src)> _markSets = [];

    /// <summary>
    /// Every (mark, ct mark) pair the rules can leave on actor i's packet when it reaches the DST and the SRC NAT hook:
    /// the walks of <see cref="FirstPacketRules"/> run forward over every packet class (marks are concrete on every path).
    /// </summary>
    private (IReadOnlyList<(uint, uint)> Dst, IReadOnlyList<(uint, uint)> Src) MarkSets(int i)
    {
        if (_markSets.TryGetValue(i, out var known))
        {
            return known;
        }

        var flow = (FlowActor)Actors[i].Actor;
        var rules = _rules.Rules;
        var orig = Actors[i].Orig;
        var any = new SymTuple(orig.Proto, _z.BvVar("any.src", 32), orig.IsPortless ? orig.SrcPort : _z.BvVar("any.sport", 16), _z.BvVar("any.dst", 32),
            orig.IsIcmp || orig.IsPortless ? orig.DstPort : _z.BvVar("any.dport", 16));
        var dst = new List<(uint, uint)>();
        foreach (var p in _rules.Classes(orig))
        {
            foreach (var b in rules.BeforeConntrack(flow, p).Where(b => b.Kind == RulesEnd.Tracked))
            {
                foreach (var a in rules.AfterConntrack(flow, p, b.Mark, tracked: true).Where(a => a.Kind == RulesEnd.Go))
                {
                    AddPair(dst, (a.Mark, a.CtMark));
                }
            }
        }

        var dstHook = flow.Path == PacketPath.LocalOut ? NatHook.Output : NatHook.PreRouting;
        var afterDst = new List<(uint, uint)>();
        var classes = _rules.Classes(any).ToList();
        foreach (var (m, c) in dst)
        {
            foreach (var p in classes)
            {
                foreach (var v in NatStatuses.SelectMany(st => rules.NatChains(flow, dstHook, p, m, c, st)).Where(v => v.Kind is RulesEnd.Go or RulesEnd.Nat))
                {
                    AddPair(afterDst, (v.Mark, v.CtMark));
                }
            }
        }

        var src = new List<(uint, uint)>();
        foreach (var (m, c) in afterDst)
        {
            foreach (var p in classes)
            {
                foreach (var a in NatStatuses.SelectMany(st => rules.AfterNat(flow, dstHook, p, m, c, st)).Where(a => a.Kind == RulesEnd.Go))
                {
                    AddPair(src, (a.Mark, a.CtMark));
                }
            }
        }

        var sets = ((IReadOnlyList<(uint, uint)>)(dst.Count > 0 ? dst : [(0u, 0u)]), (IReadOnlyList<(uint, uint)>)(src.Count > 0 ? src : [(0u, 0u)]));
        _markSets[i] = sets;
        return sets;

        static void AddPair(List<(uint, uint)> list, (uint, uint) pair)
        {
            if (!list.Contains(pair))
            {
                list.Add(pair);
            }
        }
    }

    // ---- properties (PropertyCatalog) ----

    /// <summary>The property fails in state t.</summary>
    public BoolExpr Violation(string property, int t) => property switch
    {
        PropertyIds.LinkedTupleUniqueness => UniquenessViolation(t, replyOnly: false),
        PropertyIds.ReplyRouting => UniquenessViolation(t, replyOnly: true),
        PropertyIds.NullBindingIdentityWhenFree => _z.Or(Flows().Select(i =>
        {
            var s = States[t][i];
            return _z.And(s.Flag(SlotFlag.SrcNullBinding), s.Flag(SlotFlag.SrcProbeFree), _z.Not(s.Reply.Invert().Eq(_z, s.PreSrc)));
        })),
        PropertyIds.NullBindingScope => _z.Or(Flows().Select(i => ScopeViolation(t, i))),
        PropertyIds.DropExplained => _z.Or(Flows().Select(i =>
        {
            var s = States[t][i];
            return _z.And(PhaseIs(s, PhaseKind.Dropped), _z.Eq(s.Partner, _z.Bv(SymSlot.NoPartner, SymSlot.IndexBits)), _z.Not(s.Flag(SlotFlag.DroppedByTarget)));
        })),
        PropertyIds.NoAvoidableDrop => _z.Or(Flows().Select(i => AvoidableDrop(t, i))),
        _ => throw new ArgumentException($"unknown property '{property}'", nameof(property)),
    };

    private IEnumerable<int> Flows() => Actors.Where(a => a.IsFlow).Select(a => a.Index);

    private BoolExpr UniquenessViolation(int t, bool replyOnly)
    {
        // Every linked node: (present, tuple, actor, is reply), as NatSemantics.LinkedNodes lists them.
        var nodes = new List<(BoolExpr Present, SymTuple Tuple, int Actor, bool Reply)>();
        foreach (var a in Actors.Where(a => a.HasEntry))
        {
            var s = States[t][a.Index];
            nodes.Add((OriginalLinked(s), a.Orig, a.Index, false));
            nodes.Add((Linked(s), s.Reply, a.Index, true));
        }

        var clashes = new List<BoolExpr>();
        for (var x = 0; x < nodes.Count; x++)
        {
            for (var y = x + 1; y < nodes.Count; y++)
            {
                // Nodes of one entry may be equal (a self-connection A:p -> A:p is its own inverse): the properties are
                // about different entries, as PropertyCatalog states them.
                if (nodes[x].Actor == nodes[y].Actor || (replyOnly && !nodes[x].Reply && !nodes[y].Reply))
                {
                    continue;
                }

                clashes.Add(_z.And(nodes[x].Present, nodes[y].Present, nodes[x].Tuple.Eq(_z, nodes[y].Tuple)));
            }
        }

        return _z.Or(clashes);
    }

    private BoolExpr ScopeViolation(int t, int i)
    {
        var z = _z;
        var s = States[t][i];
        var orig = Actors[i].Orig;
        var afterDst = SymTuple.Ite(z, PhaseIs(s, PhaseKind.DstDone), s.Reply.Invert(), s.PreSrc);
        // The ICMP id is the key of both manips: the DST null binding may search it (PropertyCatalog allows that).
        var allowed = orig.IsIcmp ? afterDst with { SrcPort = orig.SrcPort } : afterDst;
        var dstViolation = z.And(s.Flag(SlotFlag.DstNullBinding), z.Not(allowed.Eq(z, orig)));
        var before = s.PreSrc;
        var after = s.Reply.Invert();
        var (lo, hi) = _nat.ClassOf(before.SrcPort);
        var srcViolation = z.And(
            s.Flag(SlotFlag.SrcNullBinding),
            z.Not(PhaseIs(s, PhaseKind.DstDone)),
            z.Or(
                z.Not((after with { SrcPort = before.SrcPort }).Eq(z, before)),
                orig.IsIcmp ? z.False
                    : z.And(z.Not(z.Eq(after.SrcPort, before.SrcPort)), z.Not(z.And(z.Ule(lo, after.SrcPort), z.Ule(after.SrcPort, hi))))));
        return z.Or(dstViolation, srcViolation);
    }

    private BoolExpr AvoidableDrop(int t, int i)
    {
        var z = _z;
        var s = States[t][i];
        var partnerWasLinked = z.Or(Enumerable.Range(0, Actors.Length).Select(j =>
            z.And(z.Eq(s.Partner, z.Bv((ulong)j, SymSlot.IndexBits)), s.LinkedAtSrcProbe[j])));
        return z.And(
            PhaseIs(s, PhaseKind.Dropped),
            z.Not(z.Eq(s.Partner, z.Bv(SymSlot.NoPartner, SymSlot.IndexBits))),
            s.Flag(SlotFlag.ClashOnReply),
            s.Flag(SlotFlag.SrcNatDone),
            z.Not(s.Flag(SlotFlag.SrcFixedPort)),
            z.Not(s.Flag(SlotFlag.SrcSearchFailed)),
            partnerWasLinked);
    }

    // ---- outcomes (NatSemantics.OutcomeOf) ----

    /// <summary>Actor i's outcome in state t, as a <see cref="BmcOutcome"/> code.</summary>
    public BitVecExpr OutcomeCode(int t, int i)
    {
        var z = _z;
        var s = States[t][i];
        BitVecExpr Code(BmcOutcome o) => z.Bv((ulong)o, BmcOutcomes.CodeBits);
        switch (Actors[i].Actor)
        {
            case CtnetlinkInsert:
                return z.Ite(PhaseIs(s, PhaseKind.Inserted), Code(BmcOutcome.Inserted),
                    z.Ite(PhaseIs(s, PhaseKind.Exists), Code(BmcOutcome.Exists), Code(BmcOutcome.Blocked)));
            case ConnectionClose:
                return z.Ite(PhaseIs(s, PhaseKind.Done), Code(BmcOutcome.Closed),
                    z.Ite(PhaseIs(s, PhaseKind.Nothing), Code(BmcOutcome.Skipped), Code(BmcOutcome.Blocked)));
            case CtnetlinkDelete:
                return z.Ite(PhaseIs(s, PhaseKind.Done), Code(BmcOutcome.Deleted),
                    z.Ite(PhaseIs(s, PhaseKind.Nothing), Code(BmcOutcome.NotFound), Code(BmcOutcome.Blocked)));
        }

        var orig = Actors[i].Orig;
        var now = s.Reply.Invert();
        var (lo, _) = _nat.ClassOf(now.SrcPort);
        var rewritten = z.Ite(z.Eq(now.SrcPort, orig.SrcPort), Code(BmcOutcome.RewrittenDstPort),
            orig.IsIcmp ? Code(BmcOutcome.RewrittenIcmpId)
            : z.Ite(z.Eq(lo, z.Bv(1, 16)), Code(BmcOutcome.RewrittenLow),
                z.Ite(z.Eq(lo, z.Bv(600, 16)), Code(BmcOutcome.RewrittenMiddle), Code(BmcOutcome.RewrittenHigh))));
        // A rule set one manip; the SRC null binding may still have moved the source port.
        var natRewrote = z.And(s.Flag(SlotFlag.SrcNullBinding), z.Not(z.Eq(now.SrcPort, s.PreSrc.SrcPort)));
        var confirmed = z.Ite(s.Flag(SlotFlag.RuleApplied), z.Ite(natRewrote, Code(BmcOutcome.NatSportRewritten), Code(BmcOutcome.Nat)),
            z.Ite(now.Eq(z, orig), Code(BmcOutcome.Kept), rewritten));
        if (Actors[i].Actor is FlowActor { Retries: > 0 })
        {
            // NatSemantics.OutcomeOf: a connection confirmed after a retransmission is retried:OUTCOME.
            confirmed = z.Ite(z.Eq(s.Attempt, z.Bv(0, SymSlot.AttemptBits)), confirmed, z.BvAdd(confirmed, Code(BmcOutcome.RetriedOffset)));
        }

        // filtered:RULE and untracked:RULE carry the deciding rule: a code above the fixed ones (BmcOutcomes.ToOutcome).
        var decider = z.Ctx.MkZeroExt(BmcOutcomes.CodeBits - SymSlot.DeciderBits, s.DecidedBy);
        var filtered = z.Ctx.MkBVAdd(z.Bv(BmcOutcomes.FilteredBase, BmcOutcomes.CodeBits), decider);
        var untracked = z.Ite(z.Eq(s.DecidedBy, z.Bv(0, SymSlot.DeciderBits)), Code(BmcOutcome.UntrackedNoConntrack),
            z.Ctx.MkBVAdd(z.Bv(BmcOutcomes.UntrackedBase, BmcOutcomes.CodeBits), decider));
        return z.Ite(PhaseIs(s, PhaseKind.Confirmed), confirmed,
            z.Ite(PhaseIs(s, PhaseKind.Filtered), filtered,
            z.Ite(PhaseIs(s, PhaseKind.Untracked), untracked,
            z.Ite(PhaseIs(s, PhaseKind.ClashEntry), Code(BmcOutcome.ClashEntry),
                z.Ite(PhaseIs(s, PhaseKind.Dropped), Code(BmcOutcome.Dropped),
                    z.Ite(PhaseIs(s, PhaseKind.Merged), Code(BmcOutcome.Merged),
                        z.Ite(PhaseIs(s, PhaseKind.Joined), Code(BmcOutcome.Joined),
                            z.Ite(PhaseIs(s, PhaseKind.Invalid), Code(BmcOutcome.Invalid), Code(BmcOutcome.Blocked)))))))));
    }
}
