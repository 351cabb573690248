using NatVerify.Model.Scenario;
using NatVerify.Smt.Encoding;

namespace NatVerify.Smt.Bmc;

/// <summary>An actor of the scenario with its (possibly symbolic) original tuple and first reply tuple.</summary>
internal sealed record ActorInfo(int Index, Actor Actor, bool IsFlow, SymTuple Orig, SymTuple InitialReply);
