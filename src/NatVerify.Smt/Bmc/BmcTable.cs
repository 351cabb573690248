using Microsoft.Z3;
using NatVerify.Model;
using NatVerify.Smt.Encoding;
using PhaseKind = NatVerify.Model.State.Phase;

namespace NatVerify.Smt.Bmc;

/// <summary>
/// The confirmed table at one time step of the unrolling (or within a step, after some entries were unlinked): the
/// scenario's actors, scanned in actor order exactly as <c>NatSemantics.FindLinked</c> and <c>TupleTaken</c> scan them
/// (the first match wins). Actors without an entry (closes, deletes) are never linked.
/// </summary>
internal sealed class BmcTable(BmcEncoder encoder, SymSlot[] slots) : ITable
{
    /// <summary>The slots this table reads.</summary>
    public SymSlot[] Slots => slots;

    private Terms Z => encoder.Z;

    /// <inheritdoc />
    public int? MaxTakenPorts => 2 * encoder.Actors.Length;

    /// <inheritdoc />
    public BoolExpr TupleTaken(SymTuple reply, SelfView self, bool real)
    {
        var z = Z;
        var parts = new List<BoolExpr>();
        for (var j = 0; j < Slots.Length; j++)
        {
            if (j == self.ActorIndex || !encoder.Actors[j].HasEntry)
            {
                continue;
            }

            var s = Slots[j];
            var a = encoder.Actors[j];
            var equal = z.And(encoder.Linked(s), z.Or(z.And(encoder.OriginalLinked(s), a.Orig.Eq(z, reply)), s.Reply.Eq(z, reply)));
            if (!real && encoder.Mutant == KernelMutant.ProbeSeesUnconfirmed && a.IsFlow)
            {
                // The mutant makes other CPUs' private entries visible, as if they reserved their tuples.
                equal = z.Or(equal, z.And(encoder.Unconfirmed(s), z.Or(a.Orig.Eq(z, reply), s.Reply.Eq(z, reply))));
            }

            var skip = encoder.Profile.SameOriginSkip ? a.Orig.Eq(z, self.Orig) : z.False;
            parts.Add(z.And(equal, z.Not(skip)));
        }

        return z.Or(parts);
    }

    /// <inheritdoc />
    public EntryView FindLinked(SymTuple tuple, SelfView self, bool skipExpired)
    {
        var z = Z;
        EntryView view = None(z);
        for (var j = Slots.Length - 1; j >= 0; j--)
        {
            if (j == self.ActorIndex || !encoder.Actors[j].HasEntry)
            {
                continue;
            }

            var s = Slots[j];
            var a = encoder.Actors[j];
            var originalLinked = encoder.OriginalLinked(s);
            var match = z.And(encoder.Linked(s), z.Or(z.And(originalLinked, a.Orig.Eq(z, tuple)), s.Reply.Eq(z, tuple)));
            var entry = new EntryView(
                z.True,
                z.Bv((ulong)j, SymSlot.IndexBits),
                a.Orig,
                s.Reply,
                originalLinked,
                z.Or(s.Flag(SlotFlag.SrcNatDone), s.Flag(SlotFlag.DstNatDone)),
                z.Or(s.Flag(SlotFlag.SrcNat), s.Flag(SlotFlag.DstNat)));
            view = new EntryView(
                z.Or(match, view.Found),
                z.Ite(match, entry.Id, view.Id),
                SymTuple.Ite(z, match, entry.Orig, view.Orig),
                SymTuple.Ite(z, match, entry.Reply, view.Reply),
                z.Ite(match, entry.OriginalLinked, view.OriginalLinked),
                z.Ite(match, entry.NatDone, view.NatDone),
                z.Ite(match, entry.NatChanged, view.NatChanged));
        }

        return view;
    }

    /// <inheritdoc />
    public ReuseView FindAppropriateSrc(SymTuple curr, SymRange range, SelfView self)
    {
        var z = Z;
        var nat = encoder.Nat;
        var n = Slots.Length;
        var cond = new BoolExpr[n];
        var candidates = new SymTuple[n];
        for (var j = 0; j < n; j++)
        {
            var s = Slots[j];
            var o = encoder.Actors[j].Orig;
            var mapped = s.Reply.Invert();
            candidates[j] = curr with { SrcIp = mapped.SrcIp, SrcPort = mapped.SrcPort };
            cond[j] = z.And(
                z.Not(z.Eq(s.BySource, z.Bv(0, SymSlot.IndexBits))),
                z.Not(s.Flag(SlotFlag.Removed)),
                // NatSemantics.InBySource: a dropped, merged, retrying or filtered entry was freed with its skb
                // (nf_conntrack_free -> nf_nat_cleanup_conntrack), so find_appropriate_src no longer sees it.
                z.Not(encoder.PhaseIs(s, PhaseKind.Dropped)),
                z.Not(encoder.PhaseIs(s, PhaseKind.Merged)),
                z.Not(encoder.PhaseIs(s, PhaseKind.Retrying)),
                z.Not(encoder.PhaseIs(s, PhaseKind.Filtered)),
                z.Eq(o.Proto, curr.Proto),
                z.Eq(o.SrcIp, curr.SrcIp),
                z.Eq(o.SrcPort, curr.SrcPort),
                nat.InRange(candidates[j], range));
        }

        // The most recently added bysource entry among those whose mapping is in range.
        SymTuple result = curr;
        for (var j = n - 1; j >= 0; j--)
        {
            var best = z.And(cond[j], z.And(Enumerable.Range(0, n).Where(k => k != j)
                .Select(k => z.Implies(cond[k], z.Ult(Slots[k].BySource, Slots[j].BySource)))));
            result = SymTuple.Ite(z, best, candidates[j], result);
        }

        return new ReuseView(z.Or(cond), result);
    }

    /// <inheritdoc />
    public (BoolExpr May, Expr Victim)? HarderVictim(SymTuple reply, SelfView self)
    {
        if (encoder.CloseTargets.Count == 0)
        {
            return null;
        }

        // The first taker, as TupleTaken scans (the probe mutant's unconfirmed takers are never linked, so never killed).
        var z = Z;
        BoolExpr may = z.False;
        BitVecExpr victim = z.Bv(SymSlot.NoPartner, SymSlot.IndexBits);
        for (var j = Slots.Length - 1; j >= 0; j--)
        {
            if (j == self.ActorIndex || !encoder.Actors[j].HasEntry)
            {
                continue;
            }

            var s = Slots[j];
            var a = encoder.Actors[j];
            var originalNode = z.And(encoder.OriginalLinked(s), a.Orig.Eq(z, reply));
            var equal = z.And(encoder.Linked(s), z.Or(originalNode, s.Reply.Eq(z, reply)));
            if (encoder.Mutant == KernelMutant.ProbeSeesUnconfirmed && a.IsFlow)
            {
                equal = z.Or(equal, z.And(encoder.Unconfirmed(s), z.Or(a.Orig.Eq(z, reply), s.Reply.Eq(z, reply))));
            }

            var taker = z.And(equal, z.Not(encoder.Profile.SameOriginSkip ? a.Orig.Eq(z, self.Orig) : z.False));

            // nf_nat_may_kill (NatSemantics.MayEvict): linked, TIME_WAIT or CLOSE, IPS_SRC_NAT, not a NAT_CLASH entry,
            // and the tuple is its REPLY node.
            var evictable = encoder.CloseTargets.Contains(j)
                ? z.And(encoder.Linked(s), encoder.TcpClosed(s), s.Flag(SlotFlag.SrcNat), z.Not(s.Flag(SlotFlag.NatClash)),
                    s.Reply.Eq(z, reply), z.Not(originalNode))
                : z.False;
            may = z.Ite(taker, evictable, may);
            victim = z.Ite(taker, z.Bv((ulong)j, SymSlot.IndexBits), victim);
        }

        return (may, victim);
    }

    private EntryView None(Terms z)
    {
        var zero = z.Bv(0, 32);
        var port = z.Bv(0, 16);
        var t = new SymTuple(z.Bv(0, 8), zero, port, zero, port);
        return new EntryView(z.False, z.Bv(SymSlot.NoPartner, SymSlot.IndexBits), t, t, z.False, z.False, z.False);
    }
}
