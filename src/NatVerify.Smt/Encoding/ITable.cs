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
}
