using NatVerify.Model;

namespace NatVerify.Smt.Induction;

/// <summary>The solver's answer to one obligation for one profile and mutant.</summary>
public sealed record InductionResult(InductionQuery Query, KernelProfile Profile, KernelMutant Mutant, SmtOutcome Outcome);
