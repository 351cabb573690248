using NatVerify.Model.Addressing;

namespace NatVerify.Model.Nat;

/// <summary>
/// The namespace's whole netfilter ruleset in one model, whichever front end produced it (iptables-save, nft text,
/// nft JSON): every <see cref="Tables">table</see> with its chains, and every <see cref="BaseChains">base chain</see>
/// with its hook and priority. The semantics runs, at each hook, the base chains in priority order around the
/// kernel's own hook functions (conntrack at -200, the NAT core at -100/100, confirm last).
/// <para>
/// <see cref="Chains"/> is the iptables nat table's chains by name: the view the Z3 encoding and the generators use.
/// <see cref="NatTablePresent"/> false means no nat table or chain exists, so the NAT hooks are not registered and no
/// null binding is ever made (<c>nf_nat_register_fn</c>).
/// </para>
/// </summary>
public sealed record NatRuleset
{
    /// <summary>Key of the iptables nat table in <see cref="Tables"/>.</summary>
    public const string IptablesNatKey = "iptables nat";

    /// <summary>
    /// A ruleset holding only an iptables nat table (or none): the base chains are the nat table's built-in chains at
    /// their standard priorities.
    /// </summary>
    public NatRuleset(bool natTablePresent, IReadOnlyDictionary<string, NatChain> chains, IReadOnlyList<string> otherTables)
    {
        NatTablePresent = natTablePresent;
        Chains = chains;
        OtherTables = otherTables;
        if (natTablePresent)
        {
            Tables = [new RuleTable(IptablesNatKey, "ip", "nat", RuleSource.Iptables, chains)];
            BaseChains = IptablesNatBaseChains(chains);
        }
    }

    /// <summary>True when any nat table or nat-type base chain exists.</summary>
    public bool NatTablePresent { get; init; }

    /// <summary>The iptables nat table's chains by name (empty when there is none).</summary>
    public IReadOnlyDictionary<string, NatChain> Chains { get; init; }

    /// <summary>Names of the other tables present (reports only).</summary>
    public IReadOnlyList<string> OtherTables { get; init; }

    /// <summary>
    /// True for a ruleset read from a dump (iptables-save, nft): conntrack then runs only if one of its rules calls
    /// <c>nf_ct_netns_get</c> (<see cref="Semantics.ConntrackUse"/>), as in the kernel. False (the default, and
    /// <see cref="None"/>) for rulesets built in code and for specs without a ruleset: conntrack is taken as loaded.
    /// </summary>
    public bool ConntrackFromRules { get; init; }

    /// <summary>Every table, in input order.</summary>
    public IReadOnlyList<RuleTable> Tables { get; init; } = [];

    /// <summary>Every base chain of every table.</summary>
    public IReadOnlyList<BaseChain> BaseChains { get; init; } = [];

    /// <summary>
    /// Constructs the input used that the model does not interpret but the user allowed as over-approximations
    /// (<c>--assume-unmodelled</c>); every result must list them.
    /// </summary>
    public IReadOnlyList<string> OverApproximations { get; init; } = [];

    /// <summary>A namespace without any rule.</summary>
    public static NatRuleset None { get; } = new(false, new Dictionary<string, NatChain>(), []);

    /// <summary>
    /// True when the ruleset is only an iptables nat table whose rules use only the typed matches and the classic
    /// targets: the subset the Z3 encoding and the generators cover.
    /// </summary>
    public bool IsSimpleNatOnly =>
        OverApproximations.Count == 0
        && (!ConntrackFromRules || Semantics.ConntrackUse.EnablingRule(this) is not null)
        && Tables.All(t => t.Key == IptablesNatKey)
        && Chains.Values.SelectMany(c => c.Rules).All(r => r.Match.IsSimple && r.Statements.Count == 0
            && r.Target is SnatTarget or DnatTarget or MasqueradeTarget or RedirectTarget or AcceptTarget or ReturnTarget or JumpTarget);

    /// <summary>The table with the given key.</summary>
    public RuleTable? Table(string key) => Tables.FirstOrDefault(t => t.Key == key);

    /// <summary>The standard base chains of an iptables nat table (those of <paramref name="chains"/> that exist).</summary>
    public static IReadOnlyList<BaseChain> IptablesNatBaseChains(IReadOnlyDictionary<string, NatChain> chains)
    {
        var list = new List<BaseChain>();
        foreach (var (name, hook, priority) in new[]
        {
            ("PREROUTING", NetfilterHook.PreRouting, HookPriority.NatDst),
            ("INPUT", NetfilterHook.Input, HookPriority.NatSrc),
            ("OUTPUT", NetfilterHook.Output, HookPriority.NatDst),
            ("POSTROUTING", NetfilterHook.PostRouting, HookPriority.NatSrc),
        })
        {
            if (chains.ContainsKey(name))
            {
                list.Add(new BaseChain(IptablesNatKey, name, hook, priority, ChainType.Nat, false));
            }
        }

        return list;
    }

    /// <summary>Every port range any rule of any table mentions, in matches and targets (port-atom boundaries).</summary>
    public IEnumerable<PortRange> PortRanges()
    {
        var chains = Tables.Count > 0 ? Tables.SelectMany(t => t.Chains.Values) : Chains.Values;
        foreach (var chain in chains)
        {
            foreach (var rule in chain.Rules)
            {
                foreach (var r in rule.Match.PortRanges())
                {
                    yield return r;
                }

                foreach (var term in rule.Match.Terms)
                {
                    foreach (var r in TermPortRanges(term))
                    {
                        yield return r;
                    }
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

    private static bool IsPortField(PacketField f) => f is PacketField.SrcPort or PacketField.DstPort or PacketField.IcmpId
        or PacketField.CtOrigSrcPort or PacketField.CtOrigDstPort or PacketField.CtReplSrcPort or PacketField.CtReplDstPort;

    private static IEnumerable<PortRange> TermPortRanges(MatchTerm term)
    {
        switch (term)
        {
            case ValueTerm v when IsPortField(v.Field):
                foreach (var i in v.Values)
                {
                    yield return new PortRange((int)i.Min, (int)Math.Min(i.Max, 65535));
                }

                break;
            case ConcatTerm c:
                foreach (var element in c.Elements)
                {
                    for (var k = 0; k < c.Fields.Count && k < element.Count; k++)
                    {
                        if (IsPortField(c.Fields[k]))
                        {
                            yield return new PortRange((int)element[k].Min, (int)Math.Min(element[k].Max, 65535));
                        }
                    }
                }

                break;
        }
    }
}
