using Microsoft.Z3;

namespace NatVerify.Smt.Encoding;

/// <summary>
/// The confirmed table as the NAT and confirm encodings read it. Two implementations: the scenario's actors at one
/// time step (bounded model checking, lookups in actor order as <c>NatSemantics</c> scans) and an unbounded table
/// of uninterpreted entries (induction).
/// </summary>
internal interface ITable
{
    /// <summary>An upper bound on how many ports of one search range can be taken, or null when unbounded.</summary>
    int? MaxTakenPorts { get; }

    /// <summary><c>nf_conntrack_tuple_taken(reply, self)</c>; <paramref name="real"/> ignores the probe mutant (ghost facts).</summary>
    BoolExpr TupleTaken(SymTuple reply, SelfView self, bool real);

    /// <summary>The first linked node equal to <paramref name="tuple"/> (<c>NatSemantics.FindLinked</c>).</summary>
    EntryView FindLinked(SymTuple tuple, SelfView self, bool skipExpired);

    /// <summary><c>find_appropriate_src</c>.</summary>
    ReuseView FindAppropriateSrc(SymTuple curr, SymRange range, SelfView self);

    /// <summary>
    /// <c>nf_nat_used_tuple_harder</c>'s victim test (<c>NatSemantics.MayEvict</c>) on the entry
    /// <c>nf_conntrack_tuple_taken(reply)</c> finds: (whether it may be killed, the entry). Null when no entry of the
    /// table can be in TIME_WAIT or CLOSE (the default: the unbounded table has no TCP state).
    /// </summary>
    (BoolExpr May, Expr Victim)? HarderVictim(SymTuple reply, SelfView self) => null;
}
