using NatVerify.Model.Scenario;

namespace NatVerify.Oracle.Kernel;

/// <summary>How a <c>conntrack -I</c>/<c>-D</c> command ended: its outcome (null when the tool's answer was not one the model knows), exit code and output.</summary>
public sealed record ObservedEvent(string Actor, OutcomeKind? Kind, int ExitCode, string Output);
