using NatVerify.Model.Scenario;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Semantics;

/// <summary>Confirmation, clash resolution and the external writers (ctnetlink, timeouts).</summary>
public sealed partial class NatSemantics
{
    /// <summary>
    /// <c>__nf_conntrack_confirm</c>: scan the original bucket, then the reply bucket, for an equal linked node
    /// (expired entries included: <c>nf_ct_key_equal</c> ignores expiry); insert, or <c>nf_ct_resolve_clash</c>.
    /// </summary>
    private (NatStep, NatState) ConfirmStep(NatState state, int i, StepDetail detail)
    {
        var probes = detail == StepDetail.Full ? new List<Probe>() : null;
        var (result, partner, onReply) = ConfirmDecision(state.Slots, i, probes);
        var slots = state.CopySlots();
        ref readonly var self = ref state.Slots[i];
        var phase = result switch
        {
            ConfirmResult.Inserted => Phase.Confirmed,
            ConfirmResult.ClashEntry => Phase.ClashEntry,
            ConfirmResult.Merged => Phase.Merged,
            _ => _actors[i] is FlowActor { Retries: var retries } && self.Attempt < retries ? Phase.Retrying : Phase.Dropped,
        };
        var status = self.Status;
        if (result == ConfirmResult.ClashEntry)
        {
            status |= CtStatus.NatClash;
        }

        if (onReply)
        {
            status |= CtStatus.ClashOnReply;
        }

        // The marks only steer this packet's rules; once confirmed (or dropped) they are forgotten, so states differing
        // only in them are one.
        slots[i] = new Slot(phase, self.Reply, status, self.PreSrc, (short)partner, self.BySourceOrder, self.LinkedAtSrcProbe, self.Attempt, 0, 0, self.DecidedBy);
        return (detail == StepDetail.None ? null! : new Confirm(i, result, partner, onReply) { Probes = (IReadOnlyList<Probe>?)probes ?? [] }, MakeCanonical(slots));
    }

    /// <summary>
    /// What <c>__nf_conntrack_confirm</c> decides for actor <paramref name="i"/>'s entry: the result, the entry it clashed
    /// with (or -1) and whether the clash was on the reply node; reads the table only (the step and the footprints ask it).
    /// </summary>
    private (ConfirmResult Result, int Partner, bool OnReply) ConfirmDecision(ReadOnlySpan<Slot> slots, int i, List<Probe>? probes)
    {
        var self = slots[i];
        var orig = _originals[i];
        var onReply = false;
        var winner = -1;
        // The reply bucket's first node: the scan below and nf_ct_resolve_clash_harder look it up, one pass finds both.
        var replyHit = -1;
        if (Mutant != KernelMutant.NoConfirmClashCheck)
        {
            (winner, replyHit) = FindLinkedPair(slots, orig, self.Reply, i);
            probes?.Add(new Probe("__nf_conntrack_confirm (original bucket)", orig, winner));
            if (winner < 0)
            {
                winner = replyHit;
                probes?.Add(new Probe("__nf_conntrack_confirm (reply bucket)", self.Reply, winner));
                onReply = winner >= 0;
                if (winner < 0 && self.Reply.DstPort.IsPoolHeld && PoolFor(self.Reply) is >= 0 and var pool)
                {
                    // The reply tuple is one a pool's entry holds (a failed search kept it): that entry's reply node.
                    winner = PoolEntry(pool);
                    onReply = true;
                    probes?.Add(new Probe("__nf_conntrack_confirm (reply bucket)", self.Reply, winner, $"held by an entry of pool '{_pools[pool].Pool.Name}'"));
                }
            }
        }

        ConfirmResult result;
        var partner = winner;
        if (winner < 0)
        {
            result = ConfirmResult.Inserted;
        }
        else if (winner >= slots.Length)
        {
            // A pool's entry: its original tuple is another peer's, so nf_ct_can_merge refuses (neither nf_ct_match nor the
            // reverse match; it has NAT_DONE bits), and nf_ct_resolve_clash_harder finds the same reply node: NF_DROP.
            result = ConfirmResult.Dropped;
        }
        else if (!Profile.AllowClash(orig.Protocol))
        {
            result = ConfirmResult.Dropped;
        }
        else if (CanMerge(slots, winner, i))
        {
            result = ConfirmResult.Merged;
        }
        else if (Profile.ClashHarder)
        {
            // nf_ct_resolve_clash_harder: a node equal to our reply decides; a unique reply gets a reply-only entry.
            var replyClash = replyHit;
            probes?.Add(new Probe("nf_ct_resolve_clash_harder (reply bucket)", self.Reply, replyClash));
            if (replyClash < 0)
            {
                result = ConfirmResult.ClashEntry;
                partner = winner;
            }
            else
            {
                partner = replyClash;
                result = CanMerge(slots, replyClash, i) ? ConfirmResult.Merged : ConfirmResult.Dropped;
                onReply = true;
            }
        }
        else
        {
            result = ConfirmResult.Dropped;
        }

        return (result, partner, onReply);
    }

    /// <summary>
    /// <see cref="FindLinked"/> of two tuples at once, expired nodes included (<c>nf_ct_key_equal</c> ignores expiry): the
    /// first linked node equal to <paramref name="first"/> and the first equal to <paramref name="second"/>, or -1.
    /// </summary>
    private (int First, int Second) FindLinkedPair(ReadOnlySpan<Slot> slots, ConntrackTuple first, ConntrackTuple second, int self)
    {
        int a = -1, b = -1;
        for (var j = 0; j < slots.Length && (a < 0 || b < 0); j++)
        {
            ref readonly var s = ref slots[j];
            if (j == self || !s.Linked)
            {
                continue;
            }

            var original = (s.Status & CtStatus.NatClash) == 0;
            if (a < 0 && ((original && _originals[j] == first) || s.Reply == first))
            {
                a = j;
            }

            if (b < 0 && ((original && _originals[j] == second) || s.Reply == second))
            {
                b = j;
            }
        }

        return (a, b);
    }

    /// <summary><c>nf_ct_can_merge</c> for the profile's merge rule (the winner is never dying here).</summary>
    private bool CanMerge(ReadOnlySpan<Slot> slots, int winner, int loser)
    {
        var w = slots[winner];
        var l = slots[loser];
        var match = _originals[winner] == _originals[loser] && w.Reply == l.Reply;
        return Profile.Merge switch
        {
            MergeRule.MatchOrReverse => match || (_originals[winner] == l.Reply && w.Reply == _originals[loser]),
            _ => match || (w.Status & (CtStatus.SrcNatDone | CtStatus.DstNatDone)) == 0,
        };
    }

    /// <summary><c>nf_conntrack_hash_check_insert</c>: -EEXIST when either tuple equals a linked node.</summary>
    private (NatStep, NatState) InsertStep(NatState state, int i, bool labels)
    {
        var slots = state.CopySlots();
        var clash = FindLinked(slots, _originals[i], i, null, skipExpired: false);
        if (clash < 0)
        {
            clash = FindLinked(slots, slots[i].Reply, i, null, skipExpired: false);
        }

        slots[i] = slots[i] with { Phase = clash < 0 ? Phase.Inserted : Phase.Exists, Partner = (short)clash };
        var step = !labels ? null! : new CtnetlinkInsertStep(i, clash)
        {
            Probes = [new Probe("nf_conntrack_hash_check_insert", _originals[i], clash)],
        };
        return (step, Make(slots));
    }

    /// <summary>
    /// <c>conntrack -D</c>: every entry whose ORIGINAL node is linked and matches the filter is deleted
    /// (ctnetlink dumps walk original nodes, so reply-only NAT_CLASH entries are never seen).
    /// </summary>
    private (NatStep, NatState) DeleteStep(NatState state, int i, CtnetlinkDelete delete, bool labels)
    {
        var slots = state.CopySlots();
        var deleted = new List<int>();
        for (var j = 0; j < slots.Length; j++)
        {
            if (slots[j].OriginalLinked && delete.Filter.Matches(_originals[j], slots[j].Reply))
            {
                slots[j] = slots[j] with { Status = slots[j].Status | CtStatus.Removed };
                deleted.Add(j);
            }
        }

        slots[i] = slots[i] with { Phase = deleted.Count > 0 ? Phase.Done : Phase.Nothing };
        return (labels ? new CtnetlinkDeleteStep(i, deleted) : null!, Make(slots));
    }

    /// <summary>
    /// The close of the target's TCP connection (<c>tcp_packet</c>): FIN → TIME_WAIT, RST → CLOSE (from TIME_WAIT too,
    /// <c>tcp_conntracks</c> rst: sTW → sCL). Only a flow's own confirmed, unexpired entry closes; a flow that joined
    /// another entry, was dropped or merged has none (skipped).
    /// </summary>
    private void CloseSuccessor(NatState state, int i, ConnectionClose close, List<(NatStep, NatState)> sink, bool labels)
    {
        var target = Scenario.IndexOf(close.Target);
        var t = state[target];
        if (t.Phase == Phase.Confirmed && t.Linked && !t.Has(CtStatus.Expired))
        {
            var slots = state.CopySlots();
            var status = close.How == CloseKind.Fin && !t.Has(CtStatus.TcpClose)
                ? t.Status | CtStatus.TcpTimeWait
                : (t.Status & ~CtStatus.TcpTimeWait) | CtStatus.TcpClose;
            slots[target] = t with { Status = status };
            slots[i] = slots[i] with { Phase = Phase.Done };
            sink.Add((labels ? new CloseStep(i, target, close.How) : null!, Make(slots)));
        }
        else if (t.Terminal)
        {
            var slots = state.CopySlots();
            slots[i] = slots[i] with { Phase = Phase.Nothing };
            sink.Add((labels ? new CloseStep(i, -1, close.How) : null!, Make(slots)));
        }
    }

    private void TimeoutSuccessor(NatState state, int i, EntryTimeout timeout, List<(NatStep, NatState)> sink, bool labels)
    {
        var target = Scenario.IndexOf(timeout.Target);
        var t = state[target];
        if (t.Linked && !t.Has(CtStatus.Expired))
        {
            var slots = state.CopySlots();
            slots[target] = t with { Status = t.Status | CtStatus.Expired };
            slots[i] = slots[i] with { Phase = Phase.Done };
            sink.Add((labels ? new TimeoutStep(i, target) : null!, Make(slots)));
        }
        else if (t.Terminal)
        {
            var slots = state.CopySlots();
            slots[i] = slots[i] with { Phase = Phase.Nothing };
            sink.Add((labels ? new TimeoutStep(i, -1) : null!, Make(slots)));
        }
    }
}
