using NatVerify.Model.Nat;

namespace NatVerify.Properties;

/// <summary>A generated nat-table rule: the built-in chain it is appended to, its match and its target.</summary>
/// <param name="Chain">PREROUTING, INPUT, OUTPUT or POSTROUTING.</param>
/// <param name="Match">The match.</param>
/// <param name="Target">The target (SNAT, DNAT, MASQUERADE, REDIRECT, ACCEPT or RETURN).</param>
public sealed record GeneratedRule(string Chain, RuleMatch Match, RuleTarget Target)
{
    /// <summary>The rule as an iptables-save line (<c>-A CHAIN ...</c>).</summary>
    /// <returns>The line.</returns>
    public override string ToString() => IptablesText.Rule(this);
}
