namespace NatVerify.Oracle.Planning;

/// <summary>A <c>conntrack -I</c>/<c>-D</c> event, run with the conntrack tool in the NAT namespace.</summary>
/// <param name="Actor">The actor's name.</param>
/// <param name="Arguments">The tool's arguments (the spec's command without the word <c>conntrack</c>).</param>
public sealed record EventStep(string Actor, IReadOnlyList<string> Arguments) : OracleStep;
