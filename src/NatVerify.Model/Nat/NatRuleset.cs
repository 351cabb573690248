using NatVerify.Model.Addressing;

namespace NatVerify.Model.Nat;

/// <summary>
/// The namespace's NAT configuration. <see cref="NatTablePresent"/> false means no nat table or chain exists,
/// so the NAT hooks are not registered and no null binding is ever made (<c>nf_nat_register_fn</c>).
/// </summary>
public sealed record NatRuleset(bool NatTablePresent, IReadOnlyDictionary<string, NatChain> Chains, IReadOnlyList<string> OtherTables)
{
    /// <summary>A namespace without any NAT.</summary>
    public static NatRuleset None { get; } = new(false, new Dictionary<string, NatChain>(), []);

    /// <summary>Every port range any rule mentions, in matches and targets.</summary>
    public IEnumerable<PortRange> PortRanges()
    {
        foreach (var chain in Chains.Values)
        {
            foreach (var rule in chain.Rules)
            {
                foreach (var r in rule.Match.PortRanges())
                {
                    yield return r;
                }

                switch (rule.Target)
                {
                    case SnatTarget { Range.ProtoSpecified: true } s:
                        yield return new PortRange(s.Range.MinProto, s.Range.MaxProto);
                        break;
                    case DnatTarget { Range.ProtoSpecified: true } d:
                        yield return new PortRange(d.Range.MinProto, d.Range.MaxProto);
                        break;
                    case MasqueradeTarget { Ports: { } mp }:
                        yield return mp;
                        break;
                    case RedirectTarget { Ports: { } rp }:
                        yield return rp;
                        break;
                }
            }
        }
    }
}
