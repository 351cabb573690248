using Microsoft.Z3;
using NatVerify.Model;
using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Semantics;

namespace NatVerify.Smt.Encoding;

/// <summary>
/// The kernel's NAT tuple selection and confirmation as formulas over an <see cref="ITable"/>, written to follow
/// <c>NatSemantics</c> (NatSemantics.Nat.cs, NatSemantics.Confirm.cs) branch for branch, for TCP, UDP and ICMP.
/// Nondeterministic kernel choices (the port search's random offset) become a free choice variable whose
/// constraints are added, under the guard of the branch that uses them, to <see cref="Constraints"/>.
/// </summary>
internal sealed class NatEncoder(Terms z, KernelProfile profile, KernelMutant mutant)
{
    public const int ProtoTcp = 6;
    public const int ProtoUdp = 17;

    public Terms Z => z;

    public KernelProfile Profile => profile;

    public KernelMutant Mutant => mutant;

    /// <summary>
    /// Every concrete address a tuple can hold (BMC without symbolic addresses), for <c>find_best_ips_proto</c> over
    /// an address range; null when addresses are symbolic or unbounded (induction), where such ranges are refused.
    /// </summary>
    public IReadOnlyList<uint>? Addresses { get; init; }

    /// <summary>Guarded constraints on choice variables collected while encoding.</summary>
    public List<BoolExpr> Constraints { get; } = [];

    public const int ProtoGre = 47;

    /// <summary><c>l4proto->allow_clash</c>: UDP and GRE when the profile allows it (<c>KernelProfile.AllowClash</c>).</summary>
    public BoolExpr AllowClash(BitVecExpr proto) => z.Or(
        profile.AllowClash(L4Protocol.Udp) ? z.Eq(proto, z.Bv(ProtoUdp, 8)) : z.False,
        profile.AllowClash(L4Protocol.Gre) ? z.Eq(proto, z.Bv(ProtoGre, 8)) : z.False);

    /// <summary>
    /// <c>get_unique_tuple</c>: keep the current tuple when it is in range and free (SRC, step 1), reuse the
    /// bysource mapping, then the single address of the range with an in-range port (a single-port range without
    /// any check), else <c>nf_nat_l4proto_unique_tuple</c>.
    /// </summary>
    public UniqueResult GetUniqueTuple(
        ITable table, SelfView self, SymTuple curr, SymRange range, ManipType manip, bool nullBinding, BitVecExpr choice, BoolExpr guard)
    {
        if (manip == ManipType.Src && !range.RandomAll)
        {
            var inRange = InRange(curr, range);
            var taken = profile.UsedTupleNew ? UsedNew(table, self, curr) : Used(table, self, curr);
            var keep = z.And(inRange, z.Not(taken));
            var reuse = table.FindAppropriateSrc(curr, range, self);
            var reused = z.And(z.Not(inRange), reuse.Found, z.Not(Used(table, self, reuse.Tuple)));
            var rest = AddressLoop(table, self, curr, range, manip, nullBinding, choice, z.And(guard, z.Not(keep), z.Not(reused)));
            return new UniqueResult(
                SymTuple.Ite(z, keep, curr, SymTuple.Ite(z, reused, reuse.Tuple, rest.Tuple)),
                z.And(z.Not(keep), z.Not(reused), rest.Failed),
                rest.Evicted is null ? null : z.And(z.Not(keep), z.Not(reused), rest.Evicted),
                rest.Victim);
        }

        return AddressLoop(table, self, curr, range, manip, nullBinding, choice, guard);
    }

    private UniqueResult AddressLoop(
        ITable table, SelfView self, SymTuple curr, SymRange range, ManipType manip, bool nullBinding, BitVecExpr choice, BoolExpr guard)
    {
        var best = range.MapIps ? BestAddress(curr, range) : null;
        var t = best is null ? curr
            : manip == ManipType.Src ? curr with { SrcIp = best } : curr with { DstIp = best };
        if (range.RandomAll)
        {
            return UniqueL4(table, self, t, range, manip, nullBinding, choice, guard);
        }

        BoolExpr accept;
        if (range.ProtoSpecified)
        {
            // l4proto_in_range: a protocol without an L4 key (the default case) is always in range.
            var key = KeyOf(t, manip);
            accept = z.And(t.IsPortless ? z.True : z.InRange(key, (ulong)range.MinProto, (ulong)range.MaxProto), range.SinglePort ? z.True : z.Not(Used(table, self, t)));
        }
        else
        {
            accept = z.Not(Used(table, self, t));
        }

        var search = UniqueL4(table, self, t, range, manip, nullBinding, choice, z.And(guard, z.Not(accept)));
        return new UniqueResult(
            SymTuple.Ite(z, accept, t, search.Tuple), z.And(z.Not(accept), search.Failed),
            search.Evicted is null ? null : z.And(z.Not(accept), search.Evicted), search.Victim);
    }

    /// <summary>
    /// <c>nf_nat_l4proto_unique_tuple</c>: any free port of the range (the random offset), or, when every port of
    /// the range is taken, any port with the search marked failed. A TCP/UDP DST manip without a port range keeps the
    /// port; an ICMP id is searched for both manips, in its range or 0-65535. A DST manip without a random flag on a
    /// profile whose search starts at offset 0 (6.x) takes the lowest free value (<c>NatSemantics.UniqueL4</c>).
    /// </summary>
    private UniqueResult UniqueL4(
        ITable table, SelfView self, SymTuple t, SymRange range, ManipType manip, bool nullBinding, BitVecExpr choice, BoolExpr guard)
    {
        if (t.IsPortless)
        {
            // The default case (and GRE without a PPTP master: "we are not PPTP, do not change tuples"): no key to
            // search, the tuple stays, taken or not, and confirm decides (NatSemantics.UniqueL4).
            return new UniqueResult(t, Used(table, self, t));
        }

        var key = KeyOf(t, manip);
        BitVecExpr lo, hi;
        int size;
        int? first = null;
        if (t.IsIcmp)
        {
            var (min, max) = range.ProtoSpecified ? (range.MinProto, range.MaxProto) : (0, 65535);
            (lo, hi, size, first) = (z.Bv((ulong)min, 16), z.Bv((ulong)max, 16), max - min + 1, min);
        }
        else if (range.ProtoSpecified)
        {
            int min = Math.Min(range.MinProto, range.MaxProto), max = Math.Max(range.MinProto, range.MaxProto);
            (lo, hi, size, first) = (z.Bv((ulong)min, 16), z.Bv((ulong)max, 16), max - min + 1, min);
        }
        else if (manip == ManipType.Dst && !(nullBinding && mutant == KernelMutant.DstNullBindingChangesPort))
        {
            return new UniqueResult(t, z.False);
        }
        else if (mutant == KernelMutant.PortSearchIgnoresClass)
        {
            (lo, hi, size) = (z.Bv(1, 16), z.Bv(65535, 16), 65535);
        }
        else
        {
            // The port class of the current key: 1-511, 600-1023, 1024-65535 (no PROTO_SPECIFIED).
            var below512 = z.Ult(key, z.Bv(512, 16));
            var below1024 = z.Ult(key, z.Bv(1024, 16));
            lo = z.Ite(below512, z.Bv(1, 16), z.Ite(below1024, z.Bv(600, 16), z.Bv(1024, 16)));
            hi = z.Ite(below512, z.Bv(511, 16), z.Ite(below1024, z.Bv(1023, 16), z.Bv(65535, 16)));
            size = 424; // the smallest class
        }

        BoolExpr TakenAt(int port) => table.TupleTaken(WithKey(t, manip, z.Bv((ulong)port, 16)).Invert(), self, real: false);
        var candidate = WithKey(t, manip, choice);
        var free = z.Not(table.TupleTaken(candidate.Invert(), self, real: false));
        BoolExpr anyFree;
        if (table.MaxTakenPorts is { } maxTaken && size > maxTaken)
        {
            // More ports than the table can hold nodes: some port is free (pigeonhole).
            anyFree = z.True;
        }
        else if (first is { } from && size <= 64)
        {
            anyFree = z.Or(Enumerable.Range(from, size).Select(p => z.Not(TakenAt(p))));
        }
        else
        {
            // Unbounded table: whether the range is exhausted is left open; an exhausted search keeps a taken port.
            anyFree = z.BoolVar("anyFree");
            Constraints.Add(z.Implies(guard, z.Implies(z.Not(anyFree), z.Not(free))));
        }

        // nf_nat_used_tuple_harder (6.5+, a TCP flow's SYN): in the last NF_NAT_HARDER_THRESH (32) attempts of the first
        // window a taken candidate whose holder nf_nat_may_kill accepts (SNATed, TIME_WAIT/CLOSE, by its reply node) is
        // killed and reused, when the new SYN's sequence number has advanced past it: kernel-random, a free choice. The
        // search reaches those attempts after min(size, 128) - 32 taken candidates (NatSemantics.UniqueL4): always for
        // ranges of at most 32; counted for ranges of at most 64; never above, where at least 33 taken candidates
        // would be needed and a bounded table has at most MaxTakenPorts (2 x 16) nodes.
        BoolExpr? evicted = null;
        Expr? victim = null;
        if (profile.UsedTupleHarder && z.IsTrue(z.Eq(t.Proto, z.Bv(ProtoTcp, 8))) && table.HarderVictim(candidate.Invert(), self) is { } holder)
        {
            BoolExpr reached = size <= 32 ? z.True
                : first is { } f0 && size <= 64 && table.MaxTakenPorts is { } cap && cap >= size - 32
                    ? AtLeast(Enumerable.Range(f0, size).Select(p => TakenAt(p)).ToList(), size - 32)
                    : z.False;
            if (!z.IsFalse(reached))
            {
                evicted = z.And(reached, holder.May, z.BoolVar("seq-advanced"));
                victim = holder.Victim;
            }
        }

        var acceptable = evicted is null ? free : z.Or(free, evicted);
        Constraints.Add(z.Implies(guard, z.And(z.Ule(lo, choice), z.Ule(choice, hi), z.Implies(anyFree, acceptable))));

        // Offset 0 (6.x DST manip without a random flag): every value below the choice is taken. With a bounded table
        // the lowest free value lies within MaxTakenPorts of the start (pigeonhole), so the values checked are finite.
        if (profile.DstRangeStartsAtMin && manip == ManipType.Dst && !range.RandomAll && first is { } start)
        {
            var span = table.MaxTakenPorts is { } bound ? Math.Min(size, bound + 1) : Math.Min(size, 64);
            var lowest = new List<BoolExpr>();
            for (var p = start; p < start + span; p++)
            {
                lowest.Add(z.Implies(z.Ult(z.Bv((ulong)p, 16), choice), TakenAt(p)));
            }

            if (table.MaxTakenPorts is not null && size > span)
            {
                lowest.Add(z.Ule(choice, z.Bv((ulong)(start + span - 1), 16)));
            }

            Constraints.Add(z.Implies(z.And(guard, anyFree), z.And(lowest)));
        }

        return evicted is null
            ? new UniqueResult(candidate, z.Not(anyFree))
            : new UniqueResult(candidate, z.And(z.Not(anyFree), z.Not(evicted)), evicted, victim);
    }

    /// <summary>At least <paramref name="k"/> of the conditions hold (a sum of 0/1 terms).</summary>
    private BoolExpr AtLeast(IReadOnlyList<BoolExpr> conditions, int k)
    {
        var width = 8u;
        BitVecExpr sum = z.Bv(0, width);
        foreach (var c in conditions)
        {
            sum = z.BvAdd(sum, z.Ite(c, z.Bv(1, width), z.Bv(0, width)));
        }

        return z.Ule(z.Bv((ulong)k, width), sum);
    }

    /// <summary>
    /// <c>find_best_ips_proto</c>: one address is taken as is; a wider range gets the address the model's own
    /// <see cref="Jhash.BestAddress"/> computes, evaluated for every pair of concrete addresses the tuple can hold
    /// (an ite over the pairs; one semantics, not a bit-vector copy of jhash).
    /// </summary>
    private BitVecExpr BestAddress(SymTuple curr, SymRange range)
    {
        if (range.Concrete is not { } r || r.MinAddr == r.MaxAddr)
        {
            return range.MinAddr;
        }

        if (Addresses is null)
        {
            throw new Bmc.BmcUnsupportedException("an address range with symbolic addresses: find_best_ips_proto's hash is evaluated on concrete addresses only");
        }

        var persistent = (r.Flags & NatRangeFlags.Persistent) != 0;
        var fallback = z.BvVar("best-address", 32);
        Constraints.Add(z.And(z.Ule(range.MinAddr, fallback), z.Ule(fallback, range.MaxAddr)));
        BitVecExpr result = fallback;
        foreach (var src in Addresses)
        {
            foreach (var dst in Addresses)
            {
                var chosen = Jhash.BestAddress(new Ipv4(src), new Ipv4(dst), r.MinAddr, r.MaxAddr, persistent);
                result = z.Ite(z.And(z.Eq(curr.SrcIp, z.Bv(src, 32)), z.Eq(curr.DstIp, z.Bv(dst, 32))), z.Bv(chosen.Value, 32), result);
            }
        }

        return result;
    }

    /// <summary>
    /// <c>__nf_nat_alloc_null_binding</c>: MAP_IPS with the address the manip would change (the reply tuple's
    /// destination for SRC, its source for DST: the packet's own source or destination), no PROTO_SPECIFIED.
    /// </summary>
    public SymRange NullBindingRange(SymTuple curr, ManipType manip)
    {
        var own = manip == ManipType.Src ? curr.SrcIp : curr.DstIp;
        var other = manip == ManipType.Src ? curr.DstIp : curr.SrcIp;
        return SymRange.NullBinding(mutant == KernelMutant.NullBindingTakesOtherAddress ? other : own);
    }

    /// <summary>
    /// <c>nf_conntrack_hash_check_insert</c> (conntrack -I): -EEXIST when the new entry's original, else its reply,
    /// equals a linked node (the reply is not looked up under <see cref="KernelMutant.InsertSkipsReplyCheck"/>).
    /// </summary>
    public EntryView HashCheckInsert(ITable table, SelfView self)
    {
        var c1 = table.FindLinked(self.Orig, self, skipExpired: false);
        if (mutant == KernelMutant.InsertSkipsReplyCheck)
        {
            return c1;
        }

        var c2 = table.FindLinked(self.Reply, self, skipExpired: false);
        return Select(c1.Found, c1, c2);
    }

    /// <summary><c>nf_nat_used_tuple</c>: is the reply we would install (the inverse of <paramref name="tuple"/>) taken?</summary>
    public BoolExpr Used(ITable table, SelfView self, SymTuple tuple) => table.TupleTaken(tuple.Invert(), self, real: false);

    /// <summary>
    /// <c>nf_nat_used_tuple_new</c> (6.12+): for allow_clash protocols a clash with an exact mirror entry that uses
    /// no NAT counts as free.
    /// </summary>
    public BoolExpr UsedNew(ITable table, SelfView self, SymTuple tuple)
    {
        var used = Used(table, self, tuple);
        var h1 = table.FindLinked(tuple, self, skipExpired: true);
        var h2 = table.FindLinked(tuple.Invert(), self, skipExpired: true);
        var hit = Select(h1.Found, h1, h2);
        var hitTuple = SymTuple.Ite(z, h1.Found, tuple, tuple.Invert());
        var originalNode = z.And(hit.OriginalLinked, hit.Orig.Eq(z, hitTuple));
        var mirror = z.And(hit.Orig.Eq(z, self.Reply), hit.Reply.Eq(z, self.Orig));
        return z.And(used, z.Or(
            z.Not(AllowClash(tuple.Proto)),
            self.NatChanged,
            z.And(hit.Found, z.Or(originalNode, hit.NatChanged, z.Not(mirror)))));
    }

    /// <summary><c>in_range</c>: source address (MAP_IPS) and source key (PROTO_SPECIFIED) inside the range.</summary>
    public BoolExpr InRange(SymTuple t, SymRange range) => z.And(
        range.MapIps ? z.And(z.Ule(range.MinAddr, t.SrcIp), z.Ule(t.SrcIp, range.MaxAddr)) : z.True,
        range.ProtoSpecified ? z.InRange(t.SrcPort, (ulong)range.MinProto, (ulong)range.MaxProto) : z.True);

    /// <summary>
    /// <c>__nf_conntrack_confirm</c> with <c>nf_ct_resolve_clash</c>: the first linked node equal to the original,
    /// else to the reply, is the winner; insert, drop, merge or (5.6+) a reply-only NAT_CLASH entry.
    /// </summary>
    public ConfirmOutcome Confirm(ITable table, SelfView self)
    {
        if (mutant == KernelMutant.NoConfirmClashCheck)
        {
            var none = table.FindLinked(self.Orig, self, skipExpired: false) with { Found = z.False };
            return new ConfirmOutcome(z.True, z.False, z.False, z.False, none, z.False);
        }

        var w1 = table.FindLinked(self.Orig, self, skipExpired: false);
        var w2 = table.FindLinked(self.Reply, self, skipExpired: false);
        var winner = Select(w1.Found, w1, w2);
        var clash = z.Or(w1.Found, w2.Found);
        var onReplyFirst = z.And(z.Not(w1.Found), w2.Found);
        var allow = AllowClash(self.Orig.Proto);
        var mergeWinner = CanMerge(winner, self);

        var inserted = z.Not(clash);
        var notAllowed = z.And(clash, z.Not(allow));
        var mergedFirst = z.And(clash, allow, mergeWinner);
        var harder = z.And(clash, allow, z.Not(mergeWinner));
        if (!profile.ClashHarder)
        {
            return new ConfirmOutcome(inserted, z.Or(notAllowed, harder), mergedFirst, z.False, winner, onReplyFirst);
        }

        // nf_ct_resolve_clash_harder: a node equal to our reply decides; a unique reply gets a reply-only entry.
        var replyClash = w2;
        var clashEntry = z.And(harder, z.Not(replyClash.Found));
        var viaReply = z.And(harder, replyClash.Found);
        var mergeReply = CanMerge(replyClash, self);
        var partner = Select(viaReply, replyClash, winner);
        return new ConfirmOutcome(
            inserted,
            z.Or(notAllowed, z.And(viaReply, z.Not(mergeReply))),
            z.Or(mergedFirst, z.And(viaReply, mergeReply)),
            clashEntry,
            partner,
            z.Or(onReplyFirst, viaReply));
    }

    /// <summary><c>nf_ct_can_merge</c> for the profile's merge rule (the winner is never dying here).</summary>
    public BoolExpr CanMerge(EntryView winner, SelfView self)
    {
        var match = z.And(winner.Orig.Eq(z, self.Orig), winner.Reply.Eq(z, self.Reply));
        return profile.Merge == MergeRule.MatchOrReverse
            ? z.Or(match, z.And(winner.Orig.Eq(z, self.Reply), winner.Reply.Eq(z, self.Orig)))
            : z.Or(match, z.Not(winner.NatDone));
    }

    /// <summary>Field-wise choice between two lookup results.</summary>
    public EntryView Select(BoolExpr c, EntryView a, EntryView b) => new(
        z.Ite(c, a.Found, b.Found),
        z.Ite(c, a.Id, b.Id),
        SymTuple.Ite(z, c, a.Orig, b.Orig),
        SymTuple.Ite(z, c, a.Reply, b.Reply),
        z.Ite(c, a.OriginalLinked, b.OriginalLinked),
        z.Ite(c, a.NatDone, b.NatDone),
        z.Ite(c, a.NatChanged, b.NatChanged));

    /// <summary>The kernel port class bounds of a port value, as (lo, hi).</summary>
    public (BitVecExpr Lo, BitVecExpr Hi) ClassOf(BitVecExpr port)
    {
        var below512 = z.Ult(port, z.Bv(512, 16));
        var below1024 = z.Ult(port, z.Bv(1024, 16));
        return (z.Ite(below512, z.Bv(1, 16), z.Ite(below1024, z.Bv(600, 16), z.Bv(1024, 16))),
            z.Ite(below512, z.Bv(511, 16), z.Ite(below1024, z.Bv(1023, 16), z.Bv(65535, 16))));
    }

    /// <summary>The L4 key a manip changes: the source or destination port; for ICMP the echo id, for both manips.</summary>
    public static BitVecExpr KeyOf(SymTuple t, ManipType manip) => t.IsIcmp || manip == ManipType.Src ? t.SrcPort : t.DstPort;

    public static SymTuple WithKey(SymTuple t, ManipType manip, BitVecExpr key) =>
        t.IsIcmp || manip == ManipType.Src ? t with { SrcPort = key } : t with { DstPort = key };
}
