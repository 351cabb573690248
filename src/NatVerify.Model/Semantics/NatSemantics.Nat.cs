using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Semantics;

/// <summary>NAT tuple selection: <c>nf_nat_setup_info</c>, <c>get_unique_tuple</c> and the port search.</summary>
public sealed partial class NatSemantics
{
    /// <summary>One tuple <c>get_unique_tuple</c> may return, with the probes that led to it.</summary>
    /// <remarks><see cref="Evicted"/>: the entry <c>nf_nat_used_tuple_harder</c> killed to free the tuple, or -1.</remarks>
    internal readonly record struct Choice(ConntrackTuple Tuple, bool Failed, IReadOnlyList<Probe> Probes, int Evicted = -1);

    private void NatSuccessors(NatState state, int i, FlowActor flow, NatHook hook, List<(NatStep, NatState)> sink, StepDetail detail, SuccessorScratch scratch)
    {
        ref readonly var slot = ref state.Slots[i];
        var curr = slot.Reply.Invert();
        var natStatus = NatStatusOf(slot.Status);
        List<ChainVerdict> verdicts;
        var memo = 2 * i + (hook.Manip() == ManipType.Src ? 1 : 0);
        if (detail != StepDetail.Full && Volatile.Read(ref _natMemo[memo]) is { } known && known.Matches(curr, slot.Mark, slot.CtMark, natStatus))
        {
            verdicts = known.Verdicts;
        }
        else
        {
            var pkt = new Pkt(curr, flow, ToNetfilter(hook), slot.Mark, slot.CtMark, CtView.New, detail == StepDetail.Full ? TraceHops.Start : null) { NatStatus = natStatus };
            verdicts = EvaluateNat(pkt);
            if (detail != StepDetail.Full)
            {
                Volatile.Write(ref _natMemo[memo], new NatMemo(curr, slot.Mark, slot.CtMark, natStatus, verdicts));
            }
        }

        foreach (var verdict in verdicts)
        {
            DecisionSuccessors(state, i, flow, hook, curr, verdict, sink, detail, scratch);
        }
    }

    /// <summary>
    /// The last nat-chain traversal of one actor at one NAT hook (<see cref="EvaluateNat"/>'s result for that packet). The
    /// flow, the hook and the conntrack view are the actor's and the hook's, so the rest of the packet is the whole key, and
    /// an actor usually meets the same packet in every state (the other flows' steps do not change it): one comparison
    /// instead of hashing the packet for the traversal caches. Immutable, replaced whole; two workers only overwrite each
    /// other's entry.
    /// </summary>
    private sealed class NatMemo(ConntrackTuple packet, uint mark, uint ctMark, uint natStatus, List<ChainVerdict> verdicts)
    {
        public List<ChainVerdict> Verdicts { get; } = verdicts;

        public bool Matches(in ConntrackTuple p, uint m, uint ct, uint nat) => m == mark && ct == ctMark && nat == natStatus && p == packet;
    }

    /// <summary>The packet the nat chains of <paramref name="hook"/> see: the flow's current tuple, marks and NAT status.</summary>
    private Pkt NatPacket(NatState state, int i, FlowActor flow, NatHook hook, bool diagnostics)
    {
        var slot = state[i];
        return new Pkt(slot.Reply.Invert(), flow, ToNetfilter(hook), slot.Mark, slot.CtMark, CtView.New, diagnostics ? TraceHops.Start : null) { NatStatus = NatStatusOf(slot.Status) };
    }

    /// <summary>
    /// What <c>nf_nat_inet_fn</c> does with a nat-chain verdict that does not drop: a rule's range, or with no rule the
    /// null binding (<c>nf_nat_alloc_null_binding</c>) of the manip's current address.
    /// </summary>
    private (bool NullBinding, NatRange Range) SetupOf(ChainVerdict verdict, ManipType manip, ConntrackTuple curr) =>
        (verdict.Rule is null, verdict.Range ?? NullBindingOf(manip == ManipType.Src ? curr.SrcIp : curr.DstIp));

    /// <summary>
    /// <see cref="NatRange.NullBinding"/> of <paramref name="address"/>: the range made once per address of the scenario's
    /// tuples (ranges are immutable, so every decision may share it), a new one for any other address.
    /// </summary>
    private NatRange NullBindingOf(Ipv4 address) =>
        _nullBindings.TryGetValue(address, out var range) ? range : NatRange.NullBinding(address);

    /// <summary>
    /// <see cref="NullBindingOf(Ipv4)"/> for actor <paramref name="i"/>'s DST or SRC manip: the range it used last time when
    /// the address is the same (it nearly always is), without the dictionary lookup. Ranges are immutable, so a stale
    /// entry another worker replaced is only a miss.
    /// </summary>
    private NatRange NullBindingOf(int i, bool src, Ipv4 address)
    {
        ref var memo = ref _nullBindingAt[2 * i + (src ? 1 : 0)];
        var known = Volatile.Read(ref memo);
        if (known is not null && known.MinAddr == address)
        {
            return known;
        }

        known = NullBindingOf(address);
        Volatile.Write(ref memo, known);
        return known;
    }

    /// <summary>Whether the stage at <paramref name="from"/> is a chain (else <see cref="RunStages"/> returns the packet as it came).</summary>
    private static bool ChainAt(Stage[] stages, int from) => from < stages.Length && stages[from].Kind == StageKind.Chain;

    internal static NetfilterHook ToNetfilter(NatHook hook) => hook switch
    {
        NatHook.PreRouting => NetfilterHook.PreRouting,
        NatHook.Input => NetfilterHook.Input,
        NatHook.Output => NetfilterHook.Output,
        _ => NetfilterHook.PostRouting,
    };

    private void DecisionSuccessors(NatState state, int i, FlowActor flow, NatHook hook, ConntrackTuple curr, ChainVerdict verdict, List<(NatStep, NatState)> sink, StepDetail detail,
        SuccessorScratch scratch)
    {
        var diagnostics = detail == StepDetail.Full;
        var labels = detail != StepDetail.None;
        ref readonly var slot = ref state.Slots[i];
        var manip = hook.Manip();

        if (verdict.Kind == VerdictKind.TargetDrop)
        {
            var slots = state.CopySlots();
            slots[i] = slot with { Phase = Phase.Dropped, Status = slot.Status | CtStatus.DroppedByTarget, Mark = 0, CtMark = 0 };
            sink.Add((labels ? new NatSetup(i, hook, NatDecision.TargetDrop, verdict.Rule!.Text, null, curr, curr, false) { Decided = _deciders[verdict.Decider], Chains = verdict.Why ?? [] } : null!, Make(slots)));
            return;
        }

        if (verdict.Kind == VerdictKind.Drop)
        {
            // A DROP in a nat chain: nf_nat_inet_fn returns NF_DROP, the unconfirmed entry is freed.
            var slots = state.CopySlots();
            slots[i] = slot with { Phase = Phase.Filtered, DecidedBy = (ushort)(verdict.Decider + 1), Mark = 0, CtMark = 0 };
            sink.Add((labels ? new NatSetup(i, hook, NatDecision.RuleDrop, verdict.Rule?.Text, null, curr, curr, false) { Decided = _deciders[verdict.Decider], Chains = verdict.Why ?? [] } : null!, Make(slots)));
            return;
        }

        var src = manip == ManipType.Src;
        var nullBinding = verdict.Rule is null;
        var range = verdict.Range ?? NullBindingOf(i, src, src ? curr.SrcIp : curr.DstIp);
        var gc = scratch.Collected;
        var choices = scratch.Choices;
        gc.Clear();
        choices.Clear();
        var currUsed = -1;
        if (nullBinding && Mutant == KernelMutant.NoNullBinding)
        {
            choices.Add(new Choice(curr, false, [new Probe("nf_nat_alloc_null_binding", curr.Invert(), -1, "mutant no-null-binding: nothing probed, tuple kept")]));
        }
        else
        {
            GetUniqueTuple(state.Slots, i, curr, range, manip, nullBinding, gc, choices, scratch, diagnostics, labels, out currUsed);
        }

        // What every choice's successor shares, decided by the parent state and the hook alone.
        var statusBits = (src ? CtStatus.SrcNatDone : CtStatus.DstNatDone)
            | (nullBinding ? (src ? CtStatus.SrcNullBinding : CtStatus.DstNullBinding) : CtStatus.RuleApplied);
        var linkedMask = 0UL;
        ushort bySourceOrder = 0;
        if (src)
        {
            // Ghost facts for the properties, read with the real kernel's semantics whatever the mutant.
            // get_unique_tuple's own probe of the current tuple, when it made one, is the same lookup (the real kernel's
            // unless a mutant changes what a probe sees).
            var probeFree = currUsed >= 0 && Mutant != KernelMutant.ProbeSeesUnconfirmed
                ? currUsed == 0
                : TupleTaken(state.Slots, curr.Invert(), i, null, null, real: true) < 0;
            statusBits |= probeFree ? CtStatus.SrcProbeFree : CtStatus.None;
            statusBits |= range.ProtoSpecified && range.MinProto == range.MaxProto ? CtStatus.SrcFixedPort : CtStatus.None;
            (linkedMask, bySourceOrder) = SrcGhosts(state.Slots);
        }

        // nf_nat_packet rewrote the packet; the chains after the NAT core, up to the next NAT core or confirm,
        // see the new tuple (e.g. filter FORWARD after a DNAT) and may still drop it.
        var stages = _flowStages[i];
        var netfilterHook = ToNetfilter(hook);
        var natStage = _natStageAt[2 * i + (src ? 1 : 0)];
        var decided = labels && verdict.Rule is { } r ? _deciders[_ruleIndex[r]] : null;
        var parentHoldsPicked = HoldsPicked(slot);
        for (var k = 0; k < choices.Count; k++)
        {
            var choice = choices[k];
            if (SeenBefore(choices, k))
            {
                continue;
            }

            var slots = state.CopySlots();
            for (var g = 0; g < gc.Count; g++)
            {
                var c = gc[g];
                slots[c] = slots[c] with { Status = slots[c].Status | CtStatus.Removed };
            }

            if (choice.Evicted >= 0)
            {
                slots[choice.Evicted] = slots[choice.Evicted] with { Status = slots[choice.Evicted].Status | CtStatus.Removed | CtStatus.EvictedBySnat };
            }

            var status = slot.Status | statusBits;
            if (choice.Tuple != curr)
            {
                status |= src ? CtStatus.SrcNat : CtStatus.DstNat;
            }

            if (src && choice.Failed)
            {
                status |= CtStatus.SrcSearchFailed;
            }

            NatSetup? step = null;
            if (labels)
            {
                IReadOnlyList<int> collected = gc.Count == 0 ? [] : [.. gc];
                if (choice.Evicted >= 0)
                {
                    collected = [.. collected, choice.Evicted];
                }

                step = new NatSetup(i, hook, nullBinding ? NatDecision.NullBinding : NatDecision.Rule, verdict.Rule?.Text, range, curr, choice.Tuple, choice.Failed)
                {
                    Probes = choice.Probes,
                    Collected = collected,
                    Decided = decided,
                    Chains = verdict.Why ?? [],
                };
            }

            var reply = choice.Tuple.Invert();
            // Without a chain right after the NAT core, RunStages would return the verdict's marks as they are.
            var ends = natStage < 0 ? new StageEnds((verdict with { Kind = VerdictKind.Accept }, stages.Length))
                : ChainAt(stages, natStage + 1) ? RunStages(stages, natStage + 1, new Pkt(choice.Tuple, flow, netfilterHook, verdict.Mark, verdict.CtMark, CtView.New, diagnostics ? TraceHops.Start : null) { NatStatus = NatStatusOf(status) })
                : new StageEnds((PassedThrough(verdict.Mark, verdict.CtMark), natStage + 1));
            for (var e = 0; e < ends.Count; e++)
            {
                var v = ends[e].Verdict;
                // The last end takes the slot array itself: nothing reads it afterwards.
                var final = e == ends.Count - 1 ? slots : NatState.CopyOf(slots);
                // The slot is built once: a chain of with-expressions copies the 72-byte slot at every link.
                final[i] = new Slot(
                    v.Drop ? Phase.Filtered : src ? Phase.SrcDone : Phase.DstDone,
                    reply,
                    status,
                    src ? curr : choice.Tuple,
                    slot.Partner,
                    src ? bySourceOrder : slot.BySourceOrder,
                    src ? linkedMask : slot.LinkedAtSrcProbe,
                    slot.Attempt,
                    v.Drop ? 0 : v.Mark,
                    v.Drop ? 0 : v.CtMark,
                    v.Drop ? (ushort)(v.Decider + 1) : slot.DecidedBy);
                NatSetup? traced = null;
                if (step is not null)
                {
                    traced = v.Why is null ? step : step with { Chains = Join(step.Chains.Count == 0 ? null : step.Chains, v.Why)! };
                    if (v.Drop)
                    {
                        traced = traced with { Filtered = _deciders[v.Decider] };
                    }
                }

                sink.Add((traced!, parentHoldsPicked || HoldsPicked(final[i]) ? Make(final) : MakeCanonical(final)));
            }
        }
    }

    /// <summary>
    /// <see cref="LinkedUnexpired"/> and <see cref="NextBySourceOrder"/>, both of every SRC manip's parent: in one pass over
    /// the slots when the set is an inline mask.
    /// </summary>
    private static (ulong Linked, ushort BySourceOrder) SrcGhosts(ReadOnlySpan<Slot> slots)
    {
        if (slots.Length > ActorSets.InlineActors)
        {
            return (LinkedUnexpired(slots), NextBySourceOrder(slots));
        }

        var mask = 0UL;
        ushort max = 0;
        for (var j = 0; j < slots.Length; j++)
        {
            ref readonly var s = ref slots[j];
            if (s.Linked && !s.Has(CtStatus.Expired))
            {
                mask |= 1UL << j;
            }

            max = Math.Max(max, s.BySourceOrder);
        }

        return (mask, (ushort)(max + 1));
    }

    /// <summary>The actors whose entries are linked and not expired, as an <see cref="ActorSets"/> value.</summary>
    private static ulong LinkedUnexpired(ReadOnlySpan<Slot> slots)
    {
        if (slots.Length <= ActorSets.InlineActors)
        {
            var mask = 0UL;
            for (var j = 0; j < slots.Length; j++)
            {
                if (slots[j].Linked && !slots[j].Has(CtStatus.Expired))
                {
                    mask |= 1UL << j;
                }
            }

            return mask;
        }

        Span<ulong> words = stackalloc ulong[ActorSets.WordsFor(slots.Length)];
        for (var j = 0; j < slots.Length; j++)
        {
            if (slots[j].Linked && !slots[j].Has(CtStatus.Expired))
            {
                words[j >> 6] |= 1UL << (j & 63);
            }
        }

        return ActorSets.Of(words, slots.Length);
    }

    /// <summary>Whether an equal choice (same tuple, failure and eviction) comes earlier in the list: it yields the same successor.</summary>
    private static bool SeenBefore(List<Choice> choices, int k)
    {
        var c = choices[k];
        for (var j = 0; j < k; j++)
        {
            if (choices[j].Tuple == c.Tuple && choices[j].Failed == c.Failed && choices[j].Evicted == c.Evicted)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The index of the NAT core stage at <paramref name="hook"/> in a pipeline, or -1 (no allocation: every NAT successor asks).</summary>
    internal static int NatStage(Stage[] stages, NetfilterHook hook)
    {
        for (var s = 0; s < stages.Length; s++)
        {
            if (stages[s].Kind == StageKind.Nat && stages[s].Hook == hook)
            {
                return s;
            }
        }

        return -1;
    }

    private static ushort NextBySourceOrder(ReadOnlySpan<Slot> slots)
    {
        ushort max = 0;
        foreach (ref readonly var s in slots)
        {
            max = Math.Max(max, s.BySourceOrder);
        }

        // At most (retries + 1) SRC manips per actor are in the table's history, far below 65,535 for 1,024 actors.
        return (ushort)(max + 1);
    }

    /// <summary>
    /// <c>nf_conntrack_tuple_taken(reply, self)</c>: the first other entry with a linked node equal to
    /// <paramref name="reply"/>; only CONFIRMED entries are visible; expired ones are collected and skipped;
    /// since 5.0 entries with self's original tuple are ignored. Returns the actor, or -1 when free.
    /// </summary>
    internal int TupleTaken(ReadOnlySpan<Slot> slots, ConntrackTuple reply, int self, List<int>? gc, List<Probe>? probes, bool real = false)
    {
        var selfOrig = _originals[self];
        var taker = -1;
        for (var j = 0; j < slots.Length && taker < 0; j++)
        {
            ref readonly var s = ref slots[j];
            if (j == self)
            {
                continue;
            }

            bool equal;
            if (s.Linked)
            {
                equal = (s.OriginalLinked && _originals[j] == reply) || s.Reply == reply;
                if (equal && s.Has(CtStatus.Expired))
                {
                    gc?.Add(j);
                    continue;
                }
            }
            else
            {
                // The mutant makes other CPUs' private entries visible, as if they reserved their tuples.
                equal = !real && Mutant == KernelMutant.ProbeSeesUnconfirmed && s.Unconfirmed
                    && _actors[j] is FlowActor && (_originals[j] == reply || s.Reply == reply);
            }

            if (equal && !(Profile.SameOriginSkip && _originals[j] == selfOrig))
            {
                taker = j;
            }
        }

        if (taker < 0 && _pools.Length > 0)
        {
            taker = PoolTaker(slots, reply);
        }

        probes?.Add(new Probe("nf_conntrack_tuple_taken", reply, taker));
        return taker;
    }

    /// <summary><c>nf_nat_used_tuple</c>: is the reply we would install (the inverse of <paramref name="tuple"/>) taken?</summary>
    private bool Used(ReadOnlySpan<Slot> slots, ConntrackTuple tuple, int self, List<int>? gc, List<Probe>? probes) =>
        TupleTaken(slots, tuple.Invert(), self, gc, probes) >= 0;

    /// <summary>
    /// <c>nf_nat_used_tuple_new</c> (6.12+): like <see cref="Used"/>, but for allow_clash protocols a clash with
    /// an exact mirror entry that uses no NAT counts as free (the reverse-direction race; confirm merges them).
    /// </summary>
    private bool UsedNew(ReadOnlySpan<Slot> slots, ConntrackTuple tuple, int self, List<int>? gc, List<Probe>? probes) =>
        Used(slots, tuple, self, gc, probes) && UsedNewAfterUsed(slots, tuple, self, probes);

    /// <summary><see cref="UsedNew"/> once <see cref="Used"/> found the tuple taken.</summary>
    private bool UsedNewAfterUsed(ReadOnlySpan<Slot> slots, ConntrackTuple tuple, int self, List<Probe>? probes)
    {
        if (!Profile.AllowClash(tuple.Protocol) || (slots[self].Status & (CtStatus.SrcNat | CtStatus.DstNat)) != 0)
        {
            return true;
        }

        var hit = FindLinked(slots, tuple, self, null, skipExpired: true);
        var hitTuple = tuple;
        if (hit < 0)
        {
            hitTuple = tuple.Invert();
            hit = FindLinked(slots, hitTuple, self, null, skipExpired: true);
        }

        if (hit < 0)
        {
            return false;
        }

        if (IsOriginalNode(slots, hit, hitTuple) || (slots[hit].Status & (CtStatus.SrcNat | CtStatus.DstNat)) != 0)
        {
            return true;
        }

        var mirror = _originals[hit] == slots[self].Reply && slots[hit].Reply == _originals[self];
        probes?.Add(new Probe("nf_nat_used_tuple_new", tuple.Invert(), mirror ? -1 : hit, mirror ? "exact mirror without NAT: treated as free" : null));
        return !mirror;
    }

    /// <summary>
    /// <c>get_unique_tuple</c>: keep the current tuple when allowed and free (SRC, step 1), reuse the
    /// bysource mapping, pick the address (<c>find_best_ips_proto</c>), accept an in-range port (a single-port
    /// range without any check), else search (<c>nf_nat_l4proto_unique_tuple</c>).
    /// </summary>
    /// <remarks>
    /// The choices are appended to <paramref name="results"/> in the order the successors are built;
    /// <paramref name="scratch"/> lends the port search its buffers (the search's hot path allocates no list).
    /// </remarks>
    internal void GetUniqueTuple(ReadOnlySpan<Slot> slots, int self, ConntrackTuple curr, NatRange range, ManipType manip, bool nullBinding, List<int> gc,
        List<Choice> results, SuccessorScratch scratch, bool diagnostics = true) =>
        GetUniqueTuple(slots, self, curr, range, manip, nullBinding, gc, results, scratch, diagnostics, labels: true, out _);

    /// <summary>
    /// <see cref="GetUniqueTuple(ReadOnlySpan{Slot}, int, ConntrackTuple, NatRange, ManipType, bool, List{int}, List{Choice}, SuccessorScratch, bool)"/>,
    /// also telling whether it probed <paramref name="curr"/> itself (<paramref name="currUsed"/>: -1 not probed, else
    /// whether <c>nf_nat_used_tuple</c> found it taken). Without <paramref name="labels"/> a second probe of the same tuple
    /// is answered from the first: it would only add the same probe and the same collected entries again, which only a
    /// step label shows.
    /// </summary>
    private void GetUniqueTuple(ReadOnlySpan<Slot> slots, int self, ConntrackTuple curr, NatRange range, ManipType manip, bool nullBinding, List<int> gc,
        List<Choice> results, SuccessorScratch scratch, bool diagnostics, bool labels, out int currUsed)
    {
        // Without diagnostics no probe list is built (null all the way down): only a trace reads them.
        var probes = diagnostics ? new List<Probe>() : null;
        currUsed = -1;
        if (manip == ManipType.Src && !range.RandomAll)
        {
            if (InRange(curr, range))
            {
                var used = Used(slots, curr, self, gc, probes);
                currUsed = used ? 1 : 0;
                var taken = used && (!Profile.UsedTupleNew || UsedNewAfterUsed(slots, curr, self, probes));
                if (!taken)
                {
                    results.Add(new Choice(curr, false, ProbesOf(probes)));
                    return;
                }
            }
            else if (FindAppropriateSrc(slots, curr, range) is { } reuse)
            {
                if (!Used(slots, reuse, self, gc, probes))
                {
                    probes?.Add(new Probe("find_appropriate_src", reuse.Invert(), -1, "reusing the mapping of the same original source"));
                    results.Add(new Choice(reuse, false, ProbesOf(probes)));
                    return;
                }
            }
        }

        // find_best_ips_proto picks one address (BestAddresses, as one value).
        var address = BestAddress(curr, range, manip);
        var t = manip == ManipType.Src ? curr with { SrcIp = address } : curr with { DstIp = address };
        var stepProbes = probes is null ? null : new List<Probe>(probes);
        var known = !labels && probes is null && t == curr ? currUsed : -1;
        if (!range.RandomAll)
        {
            if (range.ProtoSpecified)
            {
                var key = KeyOf(t, manip);
                if ((t.Protocol.IsPortless() || Ports.InRange(key, range.MinProto, range.MaxProto))
                    && (range.MinProto == range.MaxProto || !(known >= 0 ? known == 1 : Used(slots, t, self, gc, stepProbes))))
                {
                    if (range.MinProto == range.MaxProto)
                    {
                        stepProbes?.Add(new Probe("get_unique_tuple", t.Invert(), -1, "single-port range already matches: accepted without a uniqueness check"));
                    }

                    results.Add(new Choice(t, false, ProbesOf(stepProbes)));
                    return;
                }
            }
            else if (!(known >= 0 ? known == 1 : Used(slots, t, self, gc, stepProbes)))
            {
                results.Add(new Choice(t, false, ProbesOf(stepProbes)));
                return;
            }
        }

        UniqueL4(slots, self, t, range, manip, nullBinding, gc, stepProbes, results, scratch);
    }

    private static IReadOnlyList<Probe> ProbesOf(List<Probe>? probes) => probes is null ? [] : probes;

    /// <summary><c>in_range</c>: the source address (MAP_IPS) and source key (PROTO_SPECIFIED) lie in the range.</summary>
    private bool InRange(ConntrackTuple t, NatRange range)
    {
        if (range.MapIps && (t.SrcIp.Value < range.MinAddr.Value || t.SrcIp.Value > range.MaxAddr.Value))
        {
            return false;
        }

        // l4proto_in_range: protocols without an L4 key (the default case) are always in range.
        return !range.ProtoSpecified || t.Protocol.IsPortless() || Ports.InRange(t.SrcPort, range.MinProto, range.MaxProto);
    }

    /// <summary>
    /// <c>find_appropriate_src</c>: the most recently added bysource entry with the same protocol and original
    /// source address and port; its mapped source, if in range. Entries stay in bysource until freed (see
    /// <see cref="InBySource"/>).
    /// </summary>
    private ConntrackTuple? FindAppropriateSrc(ReadOnlySpan<Slot> slots, ConntrackTuple curr, NatRange range)
    {
        var best = -1;
        for (var j = 0; j < slots.Length; j++)
        {
            ref readonly var s = ref slots[j];
            var o = _originals[j];
            if (!InBySource(s) || o.Protocol != curr.Protocol || o.SrcIp != curr.SrcIp || o.SrcPort != curr.SrcPort)
            {
                continue;
            }

            if (best < 0 || s.BySourceOrder > slots[best].BySourceOrder)
            {
                var mapped = s.Reply.Invert();
                var candidate = curr with { SrcIp = mapped.SrcIp, SrcPort = mapped.SrcPort };
                if (InRange(candidate, range))
                {
                    best = j;
                }
            }
        }

        if (best < 0)
        {
            return null;
        }

        var m = slots[best].Reply.Invert();
        return curr with { SrcIp = m.SrcIp, SrcPort = m.SrcPort };
    }

    /// <summary>
    /// True while the entry is in <c>nf_nat_bysource</c>: <c>nf_nat_setup_info</c> adds it at its SRC manip
    /// (<c>hlist_add_head_rcu</c>, unconfirmed entries included), and only <c>nf_conntrack_free</c> removes it
    /// (<c>nat_hook->remove_nat_bysrc</c> = <c>nf_nat_cleanup_conntrack</c>), when the last reference is put. An entry
    /// whose packet was dropped (at confirm: <c>insert_failed</c>, whether or not TCP will retransmit the SYN; by a rule
    /// after the SRC manip), merged into the winner, or unlinked is freed then: the dropped skb held its only reference
    /// (<c>nf_hook_slow</c> NF_DROP -> <c>kfree_skb</c> -> <c>nf_ct_put</c> -> <c>nf_ct_destroy</c> -> <c>nf_conntrack_free</c>), so a
    /// later SRC manip never finds it. A retransmitted SYN is a new skb and a new entry.
    /// </summary>
    private static bool InBySource(in Slot s) =>
        s.BySourceOrder > 0 && s.Phase is not (Phase.Dropped or Phase.Merged or Phase.Retrying or Phase.Filtered) && !s.Has(CtStatus.Removed);

    /// <summary>
    /// <c>find_best_ips_proto</c>: no MAP_IPS keeps the address; one address is taken as is; a wider range gets the
    /// one address the kernel's deterministic hash of the tuple's source and destination (source only with
    /// <c>--persistent</c>) picks (<see cref="Jhash.BestAddress"/>). The port search then runs on that address only.
    /// </summary>
    private static IEnumerable<Ipv4> BestAddresses(ConntrackTuple curr, NatRange range, ManipType manip) => [BestAddress(curr, range, manip)];

    /// <summary>The address <see cref="BestAddresses"/> holds (the search's successors ask for it without a sequence).</summary>
    private static Ipv4 BestAddress(ConntrackTuple curr, NatRange range, ManipType manip)
    {
        if (!range.MapIps)
        {
            return manip == ManipType.Src ? curr.SrcIp : curr.DstIp;
        }

        if (range.MinAddr == range.MaxAddr)
        {
            return range.MinAddr;
        }

        return Jhash.BestAddress(curr.SrcIp, curr.DstIp, range.MinAddr, range.MaxAddr, (range.Flags & NatRangeFlags.Persistent) != 0);
    }

    private static Port KeyOf(ConntrackTuple t, ManipType manip) =>
        t.Protocol == L4Protocol.Icmp || manip == ManipType.Src ? t.SrcPort : t.DstPort;

    internal static ConntrackTuple WithKey(ConntrackTuple t, ManipType manip, Port key) =>
        t.Protocol == L4Protocol.Icmp || manip == ManipType.Src ? t with { SrcPort = key } : t with { DstPort = key };

    /// <summary>
    /// <c>nf_nat_l4proto_unique_tuple</c>: the search. Every free candidate of the range is a possible
    /// result (the kernel's offset is random); the search fails, keeping a taken tuple, only when no candidate
    /// is free or, with the capped search (5.15+), when a range wider than 128 has at least 128 taken ports
    /// (a whole probe window can then miss every free port).
    /// </summary>
    private void UniqueL4(ReadOnlySpan<Slot> slots, int self, ConntrackTuple t, NatRange range, ManipType manip, bool nullBinding, List<int> gc, List<Probe>? probes,
        List<Choice> results, SuccessorScratch scratch)
    {
        if (t.Protocol.IsPortless())
        {
            // nf_nat_l4proto_unique_tuple's default case (and GRE without a PPTP master conntrack: "we are not PPTP, do
            // not change tuples") returns at once: there is no key to search, so a taken tuple stays taken and confirm
            // decides (a clash on the reply tuple drops the packet, or merges it where allow_clash permits).
            var by = TupleTaken(slots, t.Invert(), self, gc, null);
            probes?.Add(new Probe("nf_nat_l4proto_unique_tuple", t.Invert(), by, $"{t.Protocol.Name()} has no port or id: tuple unchanged"));
            results.Add(new Choice(t, by >= 0, ProbesOf(probes)));
            return;
        }

        int lo, hi;
        if (t.Protocol == L4Protocol.Icmp)
        {
            (lo, hi) = range.ProtoSpecified ? (range.MinProto, range.MaxProto) : (0, 65535);
        }
        else if (range.ProtoSpecified)
        {
            (lo, hi) = (Math.Min(range.MinProto, range.MaxProto), Math.Max(range.MinProto, range.MaxProto));
        }
        else if (manip == ManipType.Dst && !(nullBinding && Mutant == KernelMutant.DstNullBindingChangesPort))
        {
            // A DST manip without a port range never changes a port: the tuple stays, taken or not.
            probes?.Add(new Probe("nf_nat_l4proto_unique_tuple", t.Invert(), -1, "DST manip without PROTO_SPECIFIED: port unchanged"));
            results.Add(new Choice(t, false, ProbesOf(probes)));
            return;
        }
        else
        {
            var cls = Ports.ClassOf(KeyOf(t, manip));
            (lo, hi) = (cls.Min, cls.Max);
        }

        // Every candidate with the entry holding it (-1: free), in search order; the free and the taken ones are the
        // entries of this one list with By < 0 and By >= 0, in the same order.
        var order = scratch.Order;
        order.Clear();
        var freeCount = 0;
        var takenCount = 0;
        // Offset 0 (below) walks the range upwards. Atoms lie between named ports, so ordering by lower bound gives
        // the numeric order as long as no atom has a fresh port in use (whose number inside the atom is unknown).
        var ordered = true;
        var candidates = Candidates(slots, lo, hi, scratch);
        // The same (unstable) introsort with the same comparison as List.Sort: equal lower bounds keep the order they always had.
        candidates.Sort(_byLowerBound);
        // The candidates differ in the key only, so the nodes that can hold any of them are found once (the mutant that
        // shows unconfirmed entries keeps the full lookup).
        var nodes = Mutant == KernelMutant.ProbeSeesUnconfirmed ? default : KeyNodes(slots, self, t, manip, scratch);
        foreach (var port in candidates)
        {
            ordered &= !port.IsFresh || !FreshInUse(slots, port);
            var candidate = WithKey(t, manip, port);
            var by = Mutant == KernelMutant.ProbeSeesUnconfirmed ? TupleTaken(slots, candidate.Invert(), self, gc, null) : TakenByKey(slots, nodes, port, candidate.Invert(), gc);
            if (by >= slots.Length)
            {
                // One of a pool's ports: which one is left open, so every such candidate is the pool's one held port value.
                candidate = WithKey(t, manip, Port.PoolHeld(_pools[by - slots.Length].Atoms[0]));
            }

            order.Add((candidate, by));
            if (by < 0)
            {
                freeCount++;
            }
            else
            {
                takenCount++;
            }
        }

        var size = hi - lo + 1;

        // Pools: up to MostInside of the range's ports are a pool's; when the pool can cover every port of the range's pool
        // atoms that is not known free, a placement exists in which every free candidate of that kind is the pool's.
        var (pool, poolInside, poolFills) = _pools.Length > 0 ? PoolInSearch(slots, t.Invert(), lo, hi) : (-1, 0, false);
        var mayBeAllPool = poolFills;
        for (var k = 0; k < order.Count && mayBeAllPool; k++)
        {
            if (order[k].By < 0)
            {
                mayBeAllPool &= MayBePools(slots, pool, order[k].Tuple.Invert());
            }
        }

        var canFail = freeCount == 0 || mayBeAllPool
            || (Profile.CappedPortSearch && size > PortUniverse.ConcreteThreshold && takenCount + poolInside >= 128);
        // The pool's held port, kept after every taken candidate when no candidate already is the pool's.
        var poolHeld = false;
        if (canFail && pool >= 0 && poolInside > 0 && !TakenBy(order, PoolEntry(pool)))
        {
            poolHeld = true;
            takenCount++;
        }

        // nf_nat_used_tuple_harder (6.5+) checks the last NF_NAT_HARDER_THRESH (32) attempts of the first window; a
        // search reaches them only after min(size, 128) - 32 taken candidates (exact for ranges of at most 32).
        var harder = Profile.UsedTupleHarder && t.Protocol == L4Protocol.Tcp && _actors[self] is FlowActor
            && takenCount + poolInside >= Math.Max(0, Math.Min(size, 128) - 32);
        // 6.x: a DST manip without a random flag starts at offset 0 (ports with a range, and ICMP ids): the lowest
        // free value wins. The order is known unless an atom has a fresh port in use; then any free candidate is allowed.
        var deterministic = Profile.DstRangeStartsAtMin && manip == ManipType.Dst && !range.RandomAll && ordered
            && (range.ProtoSpecified || t.Protocol == L4Protocol.Icmp);
        for (var k = 0; k < order.Count; k++)
        {
            var (candidate, by) = order[k];
            if (by < 0)
            {
                var p = probes is null ? null : new List<Probe>(probes) { new("nf_nat_l4proto_unique_tuple", candidate.Invert(), -1, $"search in {lo}-{hi}: free") };
                results.Add(new Choice(candidate, false, ProbesOf(p)));
                if (deterministic)
                {
                    break;
                }
            }
            else if (harder && MayEvict(slots, candidate.Invert(), by))
            {
                // Whether the new SYN's sequence number is past the old connection's end (nf_seq_has_advanced) is
                // kernel-random: the ISNs come from secure_tcp_seq of two different 4-tuples. Both branches.
                var p = probes is null ? null : new List<Probe>(probes)
                {
                    new("nf_nat_used_tuple_harder", candidate.Invert(), by, $"search in {lo}-{hi}: SNATed entry in TIME_WAIT/CLOSE, sequence advanced: nf_ct_kill, tuple reused"),
                };
                results.Add(new Choice(candidate, false, ProbesOf(p), by));
            }
        }

        if (canFail)
        {
            for (var k = 0; k < order.Count; k++)
            {
                var (tk, by) = order[k];
                if (by >= 0)
                {
                    GaveUp(tk, by);
                }
            }

            if (poolHeld)
            {
                GaveUp(WithKey(t, manip, Port.PoolHeld(_pools[pool].Atoms[0])), PoolEntry(pool));
            }
        }

        void GaveUp(ConntrackTuple tk, int by)
        {
            var p = probes is null ? null : new List<Probe>(probes) { new("nf_nat_l4proto_unique_tuple", tk.Invert(), by, $"search in {lo}-{hi} gave up: keeps a taken tuple") };
            results.Add(new Choice(tk, true, ProbesOf(p)));
        }
    }

    /// <summary>
    /// The linked nodes of other entries equal to the search's reply tuple in everything but the key, in
    /// <see cref="TupleTaken"/>'s scan order, with the key each holds (or none): per candidate,
    /// <see cref="TakenByKey"/> then compares one port per node instead of two whole tuples per slot.
    /// </summary>
    internal ReadOnlySpan<KeyNode> KeyNodes(ReadOnlySpan<Slot> slots, int self, ConntrackTuple t, ManipType manip, SuccessorScratch scratch)
    {
        // Where the key lands in the reply (nf_ct_invert_tuple): a SRC manip's source port becomes the reply's destination
        // port; a DST manip's destination port, and an ICMP id, stay on the reply's source side.
        var inDst = t.Protocol != L4Protocol.Icmp && manip == ManipType.Src;
        var pattern = Unkeyed(WithKey(t, manip, default).Invert(), inDst);
        var selfOrig = _originals[self];
        var buffer = scratch.KeyNodes(slots.Length);
        var n = 0;
        for (var j = 0; j < slots.Length; j++)
        {
            ref readonly var s = ref slots[j];
            if (j == self || !s.Linked)
            {
                continue;
            }

            var orig = s.OriginalLinked && Unkeyed(_originals[j], inDst) == pattern;
            var reply = Unkeyed(s.Reply, inDst) == pattern;
            if (orig || reply)
            {
                buffer[n++] = new KeyNode(
                    j,
                    orig ? KeyOfNode(_originals[j], inDst) : NoKey,
                    reply ? KeyOfNode(s.Reply, inDst) : NoKey,
                    s.Has(CtStatus.Expired),
                    Profile.SameOriginSkip && _originals[j] == selfOrig);
            }
        }

        return buffer.AsSpan(0, n);

        static ConntrackTuple Unkeyed(ConntrackTuple x, bool inDst) => inDst ? x with { DstPort = default } : x with { SrcPort = default };

        static int KeyOfNode(ConntrackTuple x, bool inDst) => inDst ? x.DstPort.Raw : x.SrcPort.Raw;
    }

    /// <summary>A port no tuple holds (<see cref="Port.Raw"/> of real and fresh ports is never negative).</summary>
    private const int NoKey = -1;

    /// <summary>One entry whose nodes may hold a search's candidate: the keys of its original and reply nodes (or <see cref="NoKey"/>).</summary>
    internal readonly record struct KeyNode(int Actor, int OriginalKey, int ReplyKey, bool Expired, bool SameOrigin);

    /// <summary>
    /// <see cref="TupleTaken"/> of a search candidate's reply (<paramref name="reply"/>, key <paramref name="port"/>) over the
    /// nodes <see cref="KeyNodes"/> found: the same taker, the same expired entries collected, in the same order.
    /// </summary>
    internal int TakenByKey(ReadOnlySpan<Slot> slots, ReadOnlySpan<KeyNode> nodes, Port port, ConntrackTuple reply, List<int> gc)
    {
        var key = port.Raw;
        foreach (ref readonly var node in nodes)
        {
            if (node.OriginalKey != key && node.ReplyKey != key)
            {
                continue;
            }

            if (node.Expired)
            {
                gc.Add(node.Actor);
                continue;
            }

            if (!node.SameOrigin)
            {
                return node.Actor;
            }
        }

        return _pools.Length > 0 ? PoolTaker(slots, reply) : -1;
    }

    /// <summary>Whether a candidate of the search is held by <paramref name="entry"/>.</summary>
    private static bool TakenBy(List<(ConntrackTuple Tuple, int By)> order, int entry)
    {
        foreach (var (_, by) in order)
        {
            if (by == entry)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// <c>nf_nat_used_tuple_harder</c>'s victim test: the tuple is held by the REPLY node of an entry that
    /// <c>nf_nat_may_kill</c> accepts (TCP state TIME_WAIT or CLOSE, IPS_SRC_NAT, neither DYING nor FIXED_TIMEOUT).
    /// </summary>
    private bool MayEvict(ReadOnlySpan<Slot> slots, ConntrackTuple reply, int by)
    {
        if (by >= slots.Length)
        {
            // A pool's entries are established: nf_nat_may_kill refuses them.
            return false;
        }

        ref readonly var v = ref slots[by];
        return v.Linked && v.TcpClosed && v.Has(CtStatus.SrcNat) && !v.Has(CtStatus.Expired) && !v.Has(CtStatus.NatClash)
            && v.Reply == reply && !IsOriginalNode(slots, by, reply);
    }

    /// <summary>
    /// The port values a search over [lo, hi] may pick: every concrete port, every fresh port already in use
    /// in an atom of the range, and one new fresh port per atom while the atom has unused members. Concrete ports first
    /// (ascending), then atom by atom the used fresh ports by index and the new one; written into the scratch buffer.
    /// </summary>
    private Span<Port> Candidates(ReadOnlySpan<Slot> slots, int lo, int hi, SuccessorScratch scratch)
    {
        var concrete = Ports.ConcreteSpanIn(lo, hi);
        var atoms = Ports.AtomSpan;
        var inRange = 0;
        foreach (var atom in atoms)
        {
            if (atom.Lo >= lo && atom.Hi <= hi)
            {
                inRange++;
            }
        }

        // Per atom at most four fresh ports a slot (reply and pre-SRC tuple, both ends) and the new one.
        var buffer = scratch.Candidates(concrete.Length + inRange * (4 * slots.Length + 1));
        var n = 0;
        foreach (var p in concrete)
        {
            buffer[n++] = Port.Of(p);
        }

        if (inRange == 0)
        {
            return buffer.AsSpan(0, n);
        }

        var used = scratch.Used(4 * slots.Length);
        for (var atom = 0; atom < atoms.Length; atom++)
        {
            if (atoms[atom].Lo < lo || atoms[atom].Hi > hi)
            {
                continue;
            }

            var count = 0;
            foreach (ref readonly var s in slots)
            {
                Collect(s.Reply, atom, used, ref count);
                Collect(s.PreSrc, atom, used, ref count);
            }

            // The distinct indices, ascending (what a sorted set of them enumerates).
            var indices = used.AsSpan(0, count);
            indices.Sort();
            var distinct = 0;
            for (var k = 0; k < indices.Length; k++)
            {
                if (k == 0 || indices[k] != indices[k - 1])
                {
                    indices[distinct++] = indices[k];
                }
            }

            for (var k = 0; k < distinct; k++)
            {
                buffer[n++] = Port.Fresh(atom, indices[k]);
            }

            if (distinct < atoms[atom].Unnamed)
            {
                buffer[n++] = Port.Fresh(atom, distinct == 0 ? 1 : indices[distinct - 1] + 1);
            }
        }

        return buffer.AsSpan(0, n);
    }

    private static bool FreshInUse(ReadOnlySpan<Slot> slots, Port port)
    {
        foreach (ref readonly var s in slots)
        {
            if (s.Reply.SrcPort == port || s.Reply.DstPort == port || s.PreSrc.SrcPort == port || s.PreSrc.DstPort == port)
            {
                return true;
            }
        }

        return false;
    }

    private static void Collect(ConntrackTuple t, int atom, int[] used, ref int count)
    {
        if (t.SrcPort.IsPicked && t.SrcPort.Atom == atom)
        {
            used[count++] = t.SrcPort.FreshIndex;
        }

        if (t.DstPort.IsPicked && t.DstPort.Atom == atom)
        {
            used[count++] = t.DstPort.FreshIndex;
        }
    }
}
