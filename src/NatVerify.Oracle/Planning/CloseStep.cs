namespace NatVerify.Oracle.Planning;

/// <summary>A TCP connection a flow opened is closed by the agent that holds its socket (FIN or RST).</summary>
/// <param name="Actor">The close actor's name.</param>
/// <param name="Target">The flow whose connection closes.</param>
/// <param name="How"><c>fin</c> or <c>rst</c>.</param>
/// <param name="Namespace">The namespace of the agent holding the flow's socket.</param>
public sealed record CloseStep(string Actor, string Target, string How, string Namespace) : OracleStep;
