using NatVerify.Model.Scenario;
using NatVerify.Smt.Encoding;

namespace NatVerify.Smt.Bmc;

/// <summary>
/// An actor of the scenario with its (possibly symbolic) original tuple and first reply tuple (all-zero constants for
/// actors without an entry: closes and deletes, as <c>NatSemantics</c> gives them <c>default</c> tuples).
/// </summary>
internal sealed record ActorInfo(int Index, Actor Actor, bool IsFlow, SymTuple Orig, SymTuple InitialReply)
{
    /// <summary>True for flows and inserts: the actors whose slot holds a conntrack entry.</summary>
    public bool HasEntry => Actor is FlowActor or CtnetlinkInsert;
}
