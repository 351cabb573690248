namespace NatVerify.Cli;

/// <summary>The exit codes of <c>natverify</c>; stable, documented in docs/cli.md.</summary>
public enum ExitCode
{
    /// <summary>Every property holds (exhaustively) and every expectation of the spec is met.</summary>
    Holds = 0,

    /// <summary>A property is violated, or an expectation of the spec is not met.</summary>
    Violated = 1,

    /// <summary>Bad input: an unreadable or invalid spec, or bad command-line arguments.</summary>
    BadInput = 2,

    /// <summary>A bound (states, depth, memory, time) ended the run before it was exhaustive.</summary>
    Inconclusive = 3,

    /// <summary>A bug in NatVerify itself.</summary>
    InternalError = 4,
}
