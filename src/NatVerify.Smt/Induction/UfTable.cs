using Microsoft.Z3;
using NatVerify.Model;
using NatVerify.Smt.Encoding;

namespace NatVerify.Smt.Induction;

/// <summary>
/// An unbounded conntrack table: entries are elements of an uninterpreted sort, and every attribute (original and
/// reply tuple, linked, NAT_CLASH, expired, NAT bits, unconfirmed) is an uninterpreted function of the entry. So a
/// formula over it speaks of tables of any size. Lookups ("is some linked node equal to t?") are Skolemised: a
/// Boolean answer, a witness entry that matches when the answer is yes, and a quantified axiom that no entry
/// matches when it is no.
/// </summary>
internal sealed class UfTable : ITable
{
    private readonly Terms _z;
    private readonly KernelProfile _profile;
    private readonly KernelMutant _mutant;
    private readonly FuncDecl _oProto, _oSrc, _oSport, _oDst, _oDport, _rSrc, _rSport, _rDst, _rDport;
    private readonly FuncDecl _linked, _clash, _expired, _natDone, _natChanged, _unconfirmed, _dying;

    public UfTable(Terms z, KernelProfile profile, KernelMutant mutant, string name)
    {
        _z = z;
        _profile = profile;
        _mutant = mutant;
        var ctx = z.Ctx;
        Entry = ctx.MkUninterpretedSort("Entry");
        FuncDecl Bv(string f, uint w) => ctx.MkFuncDecl($"{name}.{f}", Entry, ctx.MkBitVecSort(w));
        FuncDecl Flag(string f) => ctx.MkFuncDecl($"{name}.{f}", Entry, ctx.MkBoolSort());
        (_oProto, _oSrc, _oSport, _oDst, _oDport) = (Bv("orig.proto", 8), Bv("orig.src", 32), Bv("orig.sport", 16), Bv("orig.dst", 32), Bv("orig.dport", 16));
        (_rSrc, _rSport, _rDst, _rDport) = (Bv("reply.src", 32), Bv("reply.sport", 16), Bv("reply.dst", 32), Bv("reply.dport", 16));
        (_linked, _clash, _expired) = (Flag("linked"), Flag("nat_clash"), Flag("expired"));
        (_natDone, _natChanged, _unconfirmed) = (Flag("nat_done"), Flag("nat_changed"), Flag("unconfirmed"));
        _dying = Flag("dying");

        // Only TCP and UDP entries: the encoding's tuple inversion is theirs.
        var e = ctx.MkConst("e", Entry);
        Axioms.Add(ForAll(e, z.Or(z.Eq(Orig(e).Proto, z.Bv(NatEncoder.ProtoTcp, 8)), z.Eq(Orig(e).Proto, z.Bv(NatEncoder.ProtoUdp, 8)))));
    }

    /// <summary>The entry sort.</summary>
    public Sort Entry { get; }

    /// <summary>Definitions of the Skolemised lookups and the protocol domain.</summary>
    public List<BoolExpr> Axioms { get; } = [];

    /// <summary>Every lookup made: what it looked for, its answer and its witness (for counterexamples).</summary>
    public List<(string What, SymTuple Tuple, BoolExpr Found, Expr Witness)> Lookups { get; } = [];

    /// <inheritdoc />
    public int? MaxTakenPorts => null;

    public SymTuple Orig(Expr e) => new(
        (BitVecExpr)_oProto.Apply(e), (BitVecExpr)_oSrc.Apply(e), (BitVecExpr)_oSport.Apply(e), (BitVecExpr)_oDst.Apply(e), (BitVecExpr)_oDport.Apply(e));

    public SymTuple Reply(Expr e) => new(
        (BitVecExpr)_oProto.Apply(e), (BitVecExpr)_rSrc.Apply(e), (BitVecExpr)_rSport.Apply(e), (BitVecExpr)_rDst.Apply(e), (BitVecExpr)_rDport.Apply(e));

    public BoolExpr Linked(Expr e) => (BoolExpr)_linked.Apply(e);

    public BoolExpr NatClash(Expr e) => (BoolExpr)_clash.Apply(e);

    public BoolExpr Expired(Expr e) => (BoolExpr)_expired.Apply(e);

    public BoolExpr NatDone(Expr e) => (BoolExpr)_natDone.Apply(e);

    public BoolExpr NatChanged(Expr e) => (BoolExpr)_natChanged.Apply(e);

    public BoolExpr Unconfirmed(Expr e) => (BoolExpr)_unconfirmed.Apply(e);

    /// <summary><c>IPS_DYING</c>: <c>nf_ct_delete</c> has claimed the entry.</summary>
    public BoolExpr Dying(Expr e) => (BoolExpr)_dying.Apply(e);

    /// <summary>The entry's ORIGINAL node is linked.</summary>
    public BoolExpr OriginalLinked(Expr e) => _z.And(Linked(e), _z.Not(NatClash(e)));

    /// <summary>A universally quantified formula over one entry, triggered by the entry's linked flag.</summary>
    public BoolExpr ForAll(Expr e, BoolExpr body) =>
        _z.Ctx.MkForall([e], body, 1, [_z.Ctx.MkPattern(_linked.Apply(e))]);

    /// <inheritdoc />
    public BoolExpr TupleTaken(SymTuple reply, SelfView self, bool real)
    {
        BoolExpr Matches(Expr e)
        {
            var equal = _z.And(Linked(e), _z.Not(Expired(e)), _z.Or(_z.And(OriginalLinked(e), Orig(e).Eq(_z, reply)), Reply(e).Eq(_z, reply)));
            if (!real && _mutant == KernelMutant.ProbeSeesUnconfirmed)
            {
                equal = _z.Or(equal, _z.And(Unconfirmed(e), _z.Or(Orig(e).Eq(_z, reply), Reply(e).Eq(_z, reply))));
            }

            var skip = _profile.SameOriginSkip ? Orig(e).Eq(_z, self.Orig) : _z.False;
            return _z.And(_z.Not(_z.Eq(e, self.Id)), equal, _z.Not(skip));
        }

        var (found, witness) = Skolem(real ? "nf_conntrack_tuple_taken (ghost: real kernel)" : "nf_conntrack_tuple_taken", reply, Matches);
        return found;
    }

    /// <inheritdoc />
    public EntryView FindLinked(SymTuple tuple, SelfView self, bool skipExpired)
    {
        BoolExpr Matches(Expr e) => _z.And(
            _z.Not(_z.Eq(e, self.Id)),
            Linked(e),
            skipExpired ? _z.Not(Expired(e)) : _z.True,
            _z.Or(_z.And(OriginalLinked(e), Orig(e).Eq(_z, tuple)), Reply(e).Eq(_z, tuple)));
        var (found, w) = Skolem("lookup of a linked node", tuple, Matches);
        return new EntryView(found, w, Orig(w), Reply(w), OriginalLinked(w), NatDone(w), NatChanged(w));
    }

    /// <summary>
    /// <c>find_appropriate_src</c> over-approximated: some earlier mapping of the same source may or may not exist
    /// and may be any in-range source (sound for proofs; the null binding never consults it, its tuple is in range).
    /// </summary>
    public ReuseView FindAppropriateSrc(SymTuple curr, SymRange range, SelfView self)
    {
        var found = _z.BoolVar("bysource.found");
        var tuple = curr with { SrcIp = _z.BvVar("bysource.src", 32), SrcPort = _z.BvVar("bysource.sport", 16) };
        Axioms.Add(_z.Implies(found, new NatEncoder(_z, _profile, _mutant).InRange(tuple, range)));
        return new ReuseView(found, tuple);
    }

    private (BoolExpr Found, Expr Witness) Skolem(string what, SymTuple tuple, Func<Expr, BoolExpr> matches)
    {
        var found = _z.BoolVar("found");
        var witness = _z.Var("witness", Entry);
        var e = _z.Ctx.MkConst($"e{Lookups.Count}", Entry);
        Axioms.Add(_z.Implies(found, matches(witness)));
        Axioms.Add(ForAll(e, _z.Implies(matches(e), found)));
        Lookups.Add((what, tuple, found, witness));
        return (found, witness);
    }
}
