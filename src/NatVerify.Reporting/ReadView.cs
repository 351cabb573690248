namespace NatVerify.Reporting;

/// <summary>One read of the confirmed table a step made: the kernel function, the tuple asked about, and the answer.</summary>
/// <param name="Function">The probing function, e.g. <c>nf_conntrack_tuple_taken</c>.</param>
/// <param name="Tuple">The tuple asked about, as an arrow.</param>
/// <param name="Answer">The answer (<c>taken by thief</c>, <c>free</c>, <c>no linked match</c>).</param>
/// <param name="Taken">True when the tuple was found taken.</param>
/// <param name="Note">What the model adds about the probe, if anything.</param>
public sealed record ReadView(string Function, string Tuple, string Answer, bool Taken, string? Note)
{
    /// <summary>The read as one line: <c>function(tuple) -> answer [note]</c>.</summary>
    public override string ToString() => $"{Function}({Tuple}) -> {Answer}{(Note is null ? string.Empty : $" [{Note}]")}";
}
