namespace NatVerify.Properties;

/// <summary>The result of running one property: how many cases, and the shrunk counterexample if one failed.</summary>
/// <param name="Name">The property's name.</param>
/// <param name="Statement">What it claims.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Cases">Cases run (up to and including a failing one).</param>
/// <param name="Failure">The failure, or <see langword="null"/> when every case passed.</param>
/// <param name="Elapsed">Time spent, shrinking included.</param>
public sealed record PropertyReport(string Name, string Statement, ulong Seed, int Cases, PropertyFailure? Failure, TimeSpan Elapsed)
{
    /// <summary>True when every case passed.</summary>
    public bool Passed => Failure is null;

    /// <summary>
    /// A full failure text: the property, the seeds to replay the run and the failing case, the messages before and
    /// after shrinking, and the shrunk counterexample. Empty when the property passed.
    /// </summary>
    /// <returns>The text.</returns>
    public string FailureText()
    {
        if (Failure is not { } f)
        {
            return string.Empty;
        }

        return $"""
            Property {Name} failed after {Cases} case(s): {Statement}
              seed {Seed} (run), case {f.CaseIndex} has seed {f.CaseSeed}; replay just that case with NATVERIFY_SEED={f.CaseSeed} (tests) or --seed {f.CaseSeed} --count 1 (natverify props)
              as generated ({f.OriginalSize}): {f.OriginalMessage}
              shrunk in {f.ShrinkSteps} step(s) to ({f.ShrunkSize}): {f.Message}
            Shrunk counterexample:
            {f.Counterexample}
            """;
    }
}
