using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using Xunit;
using static NatVerify.Model.Tests.Build;

namespace NatVerify.Model.Tests;

/// <summary>
/// Every table at every hook, in priority order around conntrack, the NAT core and confirm: notrack, DROP/REJECT and
/// DROP policies before confirm, marks carried from chain to chain, several nat chains at one hook, conntrack active
/// only when a rule needs it, and the rule each decision names.
/// </summary>
public class HookOrderTests
{
    private static readonly Ipv4 Public = Ipv4.Parse("203.0.113.1");
    private static readonly Ipv4 Other = Ipv4.Parse("203.0.113.2");

    private sealed record ChainSpec(string Name, NetfilterHook Hook, int Priority, ChainType Type, bool PolicyDrop, NatRule[] Rules);

    private sealed record TableSpec(string Key, string Name, ChainSpec[] Chains);

    /// <summary>A ruleset as a parser builds it: tables, base chains, and conntrack decided by the rules.</summary>
    private static NatRuleset Ruleset(params TableSpec[] tables)
    {
        var ruleTables = tables.Select(t => new RuleTable(t.Key, "ip", t.Name, RuleSource.NftText,
            t.Chains.ToDictionary(c => c.Name, c => new NatChain(c.Name, true, c.Rules)))).ToList();
        var bases = tables.SelectMany(t => t.Chains.Select(c => new BaseChain(t.Key, c.Name, c.Hook, c.Priority, c.Type, c.PolicyDrop))).ToList();
        var nat = tables.FirstOrDefault(t => t.Key == NatRuleset.IptablesNatKey);
        var natChains = nat is null ? new Dictionary<string, NatChain>() : ruleTables.First(t => t.Key == nat.Key).Chains;
        return new NatRuleset(bases.Any(b => b.Type == ChainType.Nat), natChains, [])
        {
            Tables = ruleTables,
            BaseChains = bases,
            ConntrackFromRules = true,
        };
    }

    private static TableSpec IptNat(NatRule[]? post = null, NatRule[]? output = null, NatRule[]? pre = null) => new(NatRuleset.IptablesNatKey, "nat",
    [
        new("PREROUTING", NetfilterHook.PreRouting, HookPriority.NatDst, ChainType.Nat, false, pre ?? []),
        new("INPUT", NetfilterHook.Input, HookPriority.NatSrc, ChainType.Nat, false, []),
        new("OUTPUT", NetfilterHook.Output, HookPriority.NatDst, ChainType.Nat, false, output ?? []),
        new("POSTROUTING", NetfilterHook.PostRouting, HookPriority.NatSrc, ChainType.Nat, false, post ?? []),
    ]);

    private static TableSpec Ipt(string name, string chain, NetfilterHook hook, int priority, bool policyDrop, params NatRule[] rules) =>
        new("iptables " + name, name, [new(chain, hook, priority, ChainType.Filter, policyDrop, rules)]);

    private static NatRule R(RuleTarget target, RuleMatch? match = null, params RuleStatement[] statements) =>
        new(match ?? RuleMatch.Any, target, target.GetType().Name, 1) { Statements = statements };

    private static RuleMatch MarkIs(uint mark) => new() { Mark = new Condition<MarkMatch>(new MarkMatch(mark, uint.MaxValue), false) };

    private static NatRule Snat(Ipv4 to, RuleMatch? match = null) =>
        R(new SnatTarget(new NatRange(NatRangeFlags.MapIps, to, to, 0, 0)), match);

    private static readonly MarkStatement SetMark5 = new(MarkRegister.Mark, MarkRegister.None, 0, 0, 5);

    private static NatSemantics Sem(NatRuleset rules, params Actor[] actors) => Build.Sem(Scn(rules, true, actors));

    private static Outcome Only(NatSemantics sem, int actor = 0)
    {
        var outcomes = Terminals(sem).Select(s => sem.OutcomeOf(s, actor)).Distinct().ToList();
        return Assert.Single(outcomes);
    }

    private static readonly FlowActor A = Flow("a", Tcp(Client, 40000, Server, 80));

    [Fact]
    public void Raw_notrack_leaves_the_flow_untracked_and_unnatted()
    {
        var rules = Ruleset(
            Ipt("raw", "OUTPUT", NetfilterHook.Output, HookPriority.Raw, false, R(new ContinueTarget(), MarkIs(1), new NotrackStatement())),
            IptNat(post: [Snat(Public)]));
        var sem = Sem(rules, Flow("quiet", Tcp(Client, 40000, Server, 80), mark: 1), Flow("loud", Tcp(Client, 40001, Server, 80)));
        var final = Assert.Single(Terminals(sem));
        Assert.Equal(new Outcome(OutcomeKind.Untracked, "raw/OUTPUT#1"), sem.OutcomeOf(final, 0));
        Assert.False(final[0].Linked);
        Assert.DoesNotContain(sem.LinkedNodes(final), n => n.Actor == 0);
        Assert.Equal(OutcomeKind.Nat, sem.OutcomeOf(final, 1).Kind);
    }

    [Fact]
    public void Notrack_after_conntrack_has_no_effect()
    {
        // xt_CT / nft_notrack_eval ignore a packet that already has a conntrack: a mangle notrack changes nothing.
        var rules = Ruleset(
            Ipt("mangle", "OUTPUT", NetfilterHook.Output, HookPriority.Mangle, false, R(new ContinueTarget(), null, new NotrackStatement())),
            IptNat(post: [Snat(Public)]));
        Assert.Equal(OutcomeKind.Nat, Only(Sem(rules, A)).Kind);
    }

    [Fact]
    public void Filter_drop_before_confirm_frees_the_entry()
    {
        // The first flow is dropped by filter OUTPUT: its entry is never confirmed, so the second flow with the very same
        // tuple finds nothing in the table and is confirmed unchanged.
        var rules = Ruleset(
            Ipt("filter", "OUTPUT", NetfilterHook.Output, HookPriority.Filter, false, R(new DropTarget(), MarkIs(9))),
            IptNat(post: [R(new AcceptTarget(), new RuleMatch { Protocol = new Condition<L4Protocol>(L4Protocol.Udp, false) }), Snat(Client)]));
        var sem = Sem(rules, Flow("dropped", Tcp(Client, 40000, Server, 80), mark: 9), Flow("after", Tcp(Client, 40000, Server, 80)));
        var final = Assert.Single(Terminals(sem));
        Assert.Equal(new Outcome(OutcomeKind.Filtered, "filter/OUTPUT#1"), sem.OutcomeOf(final, 0));
        Assert.Equal(Phase.Filtered, final[0].Phase);
        Assert.False(final[0].Linked);
        Assert.Equal(Phase.Confirmed, final[1].Phase);
        Assert.Equal(Tcp(Client, 40000, Server, 80), final[1].Reply.Invert());
    }

    [Fact]
    public void A_base_chain_without_a_rule_chain_applies_its_drop_policy()
    {
        // A base chain whose rule chain the table does not hold (a ruleset built in code) still has its policy: the
        // walk used to accept there whatever the policy said.
        var rules = Ruleset(IptNat(post: [Snat(Public)]));
        rules = rules with
        {
            BaseChains = [.. rules.BaseChains, new BaseChain("iptables filter", "OUTPUT", NetfilterHook.Output, HookPriority.Filter, ChainType.Filter, true)],
            Tables = [.. rules.Tables, new RuleTable("iptables filter", "ip", "filter", RuleSource.NftText, new Dictionary<string, NatChain>())],
        };
        var sem = Sem(rules, A);
        Assert.Equal(new Outcome(OutcomeKind.Filtered, "filter/OUTPUT#policy"), Only(sem));
    }

    [Fact]
    public void Drop_policy_of_a_filter_chain_names_the_chain()
    {
        var rules = Ruleset(
            Ipt("filter", "OUTPUT", NetfilterHook.Output, HookPriority.Filter, true, R(new AcceptTarget(), MarkIs(1))),
            IptNat(post: [Snat(Public)]));
        var sem = Sem(rules, Flow("accepted", Tcp(Client, 40000, Server, 80), mark: 1), Flow("policy", Tcp(Client, 40001, Server, 80)));
        var final = Assert.Single(Terminals(sem));
        Assert.Equal(OutcomeKind.Nat, sem.OutcomeOf(final, 0).Kind);
        Assert.Equal(new Outcome(OutcomeKind.Filtered, "filter/OUTPUT#policy"), sem.OutcomeOf(final, 1));
    }

    [Fact]
    public void Each_base_chain_a_traced_packet_meets_names_the_rule_or_policy_that_ended_its_walk()
    {
        // raw OUTPUT runs to its policy; nat OUTPUT accepts by rule; filter OUTPUT (after the OUTPUT NAT core) accepts
        // by rule 2 after rule 1 jumped into a user chain that RETURNed; nat POSTROUTING's SNAT decides.
        var rules = Ruleset(
            Ipt("raw", "OUTPUT", NetfilterHook.Output, HookPriority.Raw, false, R(new ContinueTarget(), MarkIs(7))),
            new TableSpec("iptables filter", "filter",
            [
                new("OUTPUT", NetfilterHook.Output, HookPriority.Filter, ChainType.Filter, true, [R(new JumpTarget("CHECK", false)), R(new AcceptTarget())]),
                new("CHECK", NetfilterHook.Output, 0, ChainType.Filter, false, [R(new ReturnTarget())]),
            ]),
            IptNat(output: [R(new AcceptTarget())], post: [Snat(Public)]));
        rules = rules with { BaseChains = [.. rules.BaseChains.Where(b => b.Chain != "CHECK")] };
        var sem = Sem(rules, A);
        var (_, steps) = RunSequential(sem);
        var decided = steps.SelectMany(s => s switch { ConntrackIn c => c.Chains, NatSetup n => n.Chains, _ => [] })
            .Select(d => (d.HookName, d.Chain, d.End, d.Decider.Name, string.Join(",", d.Path.Select(p => p.Name)))).ToList();
        Assert.Equal(
        [
            ("OUTPUT", "raw/OUTPUT", ChainEnd.PolicyAccept, "raw/OUTPUT#policy", ""),
            ("OUTPUT", "nat/OUTPUT", ChainEnd.Accept, "nat/OUTPUT#1", ""),
            ("OUTPUT", "filter/OUTPUT", ChainEnd.Accept, "filter/OUTPUT#2", "filter/OUTPUT#1,filter/CHECK#1"),
            ("POSTROUTING", "nat/POSTROUTING", ChainEnd.Nat, "nat/POSTROUTING#1", ""),
        ], decided);

        // The search's steps (no diagnostics) carry none, and lead to the same states.
        var search = new List<(NatStep Step, NatState Next)>();
        var traced = new List<(NatStep Step, NatState Next)>();
        sem.Successors(sem.Initial, search, diagnostics: false);
        sem.Successors(sem.Initial, traced, diagnostics: true);
        Assert.Equal(search.Select(x => x.Next), traced.Select(x => x.Next));
        Assert.All(search, x => Assert.Empty(((ConntrackIn)x.Step).Chains));
    }

    [Fact]
    public void Filter_forward_sees_the_destination_after_dnat()
    {
        var inside = Ipv4.Parse("192.0.2.20");
        var dnat = R(new DnatTarget(new NatRange(NatRangeFlags.MapIps, inside, inside, 0, 0)));
        var dropInside = R(new DropTarget(), new RuleMatch { Destination = new Condition<Cidr>(new Cidr(inside, 32), false) });
        var rules = Ruleset(Ipt("filter", "FORWARD", NetfilterHook.Forward, HookPriority.Filter, false, dropInside), IptNat(pre: [dnat]));
        var flow = new FlowActor("f", Tcp(Other, 40000, Public, 80), 0, PacketPath.Forward, "veth1", "veth0");
        var sem = Sem(rules, flow);
        Assert.Equal(new Outcome(OutcomeKind.Filtered, "filter/FORWARD#1"), Only(sem));
        var (_, steps) = RunSequential(sem);
        var setup = Assert.Single(steps.OfType<NatSetup>());
        Assert.Equal("filter/FORWARD#1", setup.Filtered!.Name);
    }

    [Fact]
    public void Nft_nat_chains_of_two_tables_run_in_priority_order()
    {
        // Both nat chains hook postrouting; nf_nat_inet_fn runs them by priority and the first SNAT wins.
        var late = new TableSpec("nft ip late", "late", [new("post", NetfilterHook.PostRouting, 100, ChainType.Nat, false, [Snat(Public)])]);
        var early = new TableSpec("nft ip early", "early", [new("post", NetfilterHook.PostRouting, 50, ChainType.Nat, false, [Snat(Other)])]);
        var sem = Sem(Ruleset(late, early), A);
        var (final, steps) = RunSequential(sem);
        Assert.Equal(Other, final[0].Reply.DstIp);
        Assert.Equal("early/post#1", steps.OfType<NatSetup>().Single(s => s.Decision == NatDecision.Rule).Decided!.Name);
    }

    [Fact]
    public void Accept_in_an_earlier_nat_chain_lets_a_later_nat_chain_set_the_binding()
    {
        var accepts = new TableSpec("nft ip first", "first", [new("post", NetfilterHook.PostRouting, 0, ChainType.Nat, false, [R(new AcceptTarget())])]);
        var snats = new TableSpec("nft ip second", "second", [new("post", NetfilterHook.PostRouting, 100, ChainType.Nat, false, [Snat(Public)])]);
        var (final, _) = RunSequential(Sem(Ruleset(accepts, snats), A));
        Assert.Equal(Public, final[0].Reply.DstIp);
    }

    [Fact]
    public void Mark_set_in_mangle_selects_the_nat_rule()
    {
        var rules = Ruleset(
            Ipt("mangle", "OUTPUT", NetfilterHook.Output, HookPriority.Mangle, false, R(new ContinueTarget(), null, SetMark5)),
            IptNat(post: [Snat(Other, MarkIs(0)), Snat(Public, MarkIs(5))]));
        var (final, _) = RunSequential(Sem(rules, A));
        Assert.Equal(Public, final[0].Reply.DstIp);
    }

    [Fact]
    public void Mark_set_in_nat_prerouting_is_read_at_postrouting()
    {
        // kube-proxy: KUBE-MARK-MASQ sets 0x4000 in nat PREROUTING, KUBE-POSTROUTING masquerades marked packets.
        var mark = new MarkStatement(MarkRegister.Mark, MarkRegister.None, ~0x4000u, 0, 0x4000);
        var masq = new RuleMatch { Mark = new Condition<MarkMatch>(new MarkMatch(0x4000, 0x4000), false) };
        var rules = Ruleset(IptNat(pre: [R(new ContinueTarget(), null, mark)], post: [Snat(Public, masq)]));
        var flow = new FlowActor("f", Tcp(Other, 40000, Server, 80), 0, PacketPath.Forward, "veth1", "veth0");
        var (final, _) = RunSequential(Sem(rules, flow));
        Assert.Equal(Public, final[0].Reply.DstIp);
        Assert.Equal(0u, final[0].Mark);
    }

    [Fact]
    public void Connmark_set_then_restored_reaches_the_packet_mark()
    {
        var setCt = new MarkStatement(MarkRegister.CtMark, MarkRegister.None, 0, 0, 7);
        var restore = new MarkStatement(MarkRegister.Mark, MarkRegister.CtMark, 0, uint.MaxValue, 0);
        var rules = Ruleset(
            new TableSpec("iptables mangle", "mangle",
            [
                new("OUTPUT", NetfilterHook.Output, HookPriority.Mangle, ChainType.Filter, false, [R(new ContinueTarget(), null, setCt)]),
                new("POSTROUTING", NetfilterHook.PostRouting, HookPriority.Mangle, ChainType.Filter, false, [R(new ContinueTarget(), null, restore)]),
            ]),
            IptNat(post: [Snat(Public, MarkIs(7))]));
        var (final, _) = RunSequential(Sem(rules, A));
        Assert.Equal(Public, final[0].Reply.DstIp);
    }

    [Fact]
    public void Connmark_in_raw_before_conntrack_does_nothing()
    {
        // connmark_tg: no conntrack yet, XT_CONTINUE without a write; so the later restore finds ct mark 0.
        var setCt = new MarkStatement(MarkRegister.CtMark, MarkRegister.None, 0, 0, 7);
        var restore = new MarkStatement(MarkRegister.Mark, MarkRegister.CtMark, 0, uint.MaxValue, 0);
        var rules = Ruleset(
            Ipt("raw", "OUTPUT", NetfilterHook.Output, HookPriority.Raw, false, R(new ContinueTarget(), null, setCt)),
            Ipt("mangle", "POSTROUTING", NetfilterHook.PostRouting, HookPriority.Mangle, false, R(new ContinueTarget(), null, restore)),
            IptNat(post: [Snat(Public, MarkIs(7))]));
        var (final, _) = RunSequential(Sem(rules, A));
        Assert.Equal(Client, final[0].Reply.DstIp);
    }

    [Fact]
    public void Marks_live_in_the_state_while_the_flow_is_in_flight()
    {
        var rules = Ruleset(
            Ipt("mangle", "OUTPUT", NetfilterHook.Output, HookPriority.Mangle, false, R(new ContinueTarget(), null, SetMark5)),
            IptNat(post: [Snat(Public, MarkIs(5))]));
        var sem = Sem(rules, A);
        var afterCt = Take(sem, sem.Initial, s => s is ConntrackIn);
        Assert.Equal(5u, afterCt[0].Mark);
        Assert.NotEqual(sem.Initial[0] with { Phase = Phase.Created, Mark = 0 }, afterCt[0]);
    }

    [Fact]
    public void Nat_table_with_only_accept_rules_creates_no_entries()
    {
        var rules = Ruleset(IptNat(post: [R(new AcceptTarget())]));
        var sem = Sem(rules, A, Flow("b", Tcp(Client, 40000, Server, 80)));
        Assert.False(sem.ConntrackActive);
        var final = Assert.Single(Terminals(sem));
        Assert.Equal(new Outcome(OutcomeKind.Untracked, "no-conntrack"), sem.OutcomeOf(final, 0));
        Assert.Equal(new Outcome(OutcomeKind.Untracked, "no-conntrack"), sem.OutcomeOf(final, 1));
        Assert.Empty(sem.LinkedNodes(final));
    }

    [Fact]
    public void A_conntrack_match_in_filter_activates_conntrack_and_the_null_binding()
    {
        var ctstate = new MaskedTerm(PacketField.CtState, (uint)(CtStateBits.Established | CtStateBits.Related), [new Interval(1, uint.MaxValue)]);
        var rules = Ruleset(
            Ipt("filter", "OUTPUT", NetfilterHook.Output, HookPriority.Filter, false, R(new AcceptTarget(), new RuleMatch { Terms = [ctstate] })),
            IptNat());
        var sem = Sem(rules, A, Flow("b", Tcp(Client, 40000, Server, 80)));
        Assert.True(sem.ConntrackActive);
        var final = Assert.Single(Terminals(sem));
        Assert.Equal(OutcomeKind.Kept, sem.OutcomeOf(final, 0).Kind);
        Assert.Equal(OutcomeKind.Joined, sem.OutcomeOf(final, 1).Kind);
    }

    [Fact]
    public void Invalid_reply_direction_syn_goes_on_unnatted_and_a_ctstate_invalid_rule_drops_it()
    {
        // b is a's tuple reversed: while a's entry is SYN_SENT the SYN joins it (sS2), once answered tcp_packet says
        // sIV and the packet goes on without a conntrack: no SNAT, and conntrack_mt sees state INVALID.
        var invalid = new MaskedTerm(PacketField.CtState, (uint)CtStateBits.Invalid, [new Interval(1, uint.MaxValue)]);
        var back = Flow("b", Tcp(Server, 80, Client, 40000));
        // The SNAT rule matches only packets from the server, i.e. only b: applied when b is a new entry, never when
        // b is invalid (the NAT core finds no conntrack) or joined (nat chains run for new entries only).
        var fromServer = new ValueTerm(PacketField.SrcAddr, [new Interval(Server.Value, Server.Value)]);
        var open = Ruleset(IptNat(post: [Snat(Public, new RuleMatch { Terms = [fromServer] })]));
        var sem = Sem(open, A, back);
        var outcomes = Terminals(sem).Select(s => sem.OutcomeOf(s, 1).ToString()).Order().ToList();
        Assert.Equal(["invalid", "joined"], outcomes);
        Assert.All(Terminals(sem).Where(s => s[1].Phase == Phase.Invalid), s => Assert.False(s[1].Linked));

        var dropping = Ruleset(
            Ipt("filter", "OUTPUT", NetfilterHook.Output, HookPriority.Filter, false, R(new DropTarget(), new RuleMatch { Terms = [invalid] })),
            IptNat());
        var dsem = Sem(dropping, A, back);
        var dropped = Terminals(dsem).Select(s => dsem.OutcomeOf(s, 1).ToString()).Order().ToList();
        Assert.Equal(["filtered:filter/OUTPUT#1", "joined"], dropped);
        Assert.Equal(OutcomeKind.Kept, Assert.Single(Terminals(dsem).Select(s => dsem.OutcomeOf(s, 0)).Distinct()).Kind);
    }

    [Fact]
    public void Rulesets_built_in_code_keep_conntrack_active()
    {
        var sem = Sem(NatT(), A);
        Assert.True(sem.ConntrackActive);
        Assert.Equal(OutcomeKind.Kept, Only(sem).Kind);
    }

    [Fact]
    public void Masquerade_picks_the_primary_address_whose_subnet_holds_the_destination()
    {
        var lan = new InterfaceInfo("veth0", [new InterfaceAddress(Ipv4.Parse("203.0.113.1"), 24), new InterfaceAddress(Ipv4.Parse("198.51.100.9"), 24)]);
        var rules = Ruleset(IptNat(post: [R(new MasqueradeTarget(null, NatRangeFlags.None))]));
        var scenario = Scn(rules, true, A) with { Interfaces = [lan] };
        var (final, _) = RunSequential(Build.Sem(scenario));
        Assert.Equal(Ipv4.Parse("198.51.100.9"), final[0].Reply.DstIp);
    }

    [Fact]
    public void Masquerade_to_an_off_link_destination_may_take_any_primary_but_never_a_secondary()
    {
        var wan = new InterfaceInfo("veth0",
        [
            new InterfaceAddress(Ipv4.Parse("203.0.113.1"), 24),
            new InterfaceAddress(Ipv4.Parse("203.0.113.7"), 24),
            new InterfaceAddress(Ipv4.Parse("192.0.2.1"), 24),
        ]);
        var rules = Ruleset(IptNat(post: [R(new MasqueradeTarget(null, NatRangeFlags.None))]));
        var sem = Build.Sem(Scn(rules, true, A) with { Interfaces = [wan] });
        var sources = Terminals(sem).Select(s => s[0].Reply.DstIp).ToHashSet();
        Assert.Equal(new HashSet<Ipv4> { Ipv4.Parse("203.0.113.1"), Ipv4.Parse("192.0.2.1") }, sources);
    }

    [Fact]
    public void Addrtype_local_matches_any_address_of_the_host()
    {
        var wan = new InterfaceInfo("veth0", [new InterfaceAddress(Ipv4.Parse("203.0.113.1"), 24), new InterfaceAddress(Client, 24)]);
        var local = new RuleMatch { Terms = [new AddressTypeTerm(false, AddressTypes.Local, false, false)] };
        var rules = Ruleset(IptNat(post: [Snat(Other, local)]));
        var (final, _) = RunSequential(Build.Sem(Scn(rules, true, A) with { Interfaces = [wan] }));
        Assert.Equal(Other, final[0].Reply.DstIp);
    }

    [Fact]
    public void Netmap_keeps_the_host_bits_and_replaces_the_prefix()
    {
        var netmap = R(new NetmapTarget(new Cidr(Ipv4.Parse("203.0.113.0"), 24)));
        var (final, steps) = RunSequential(Sem(Ruleset(IptNat(post: [netmap])), A));
        Assert.Equal(Ipv4.Parse("203.0.113.1"), final[0].Reply.DstIp);
        Assert.Equal(OutcomeKind.Nat, Build.Sem(Scn(Ruleset(IptNat(post: [netmap])), true, A)).OutcomeOf(final, 0).Kind);
        Assert.Contains(steps.OfType<NatSetup>(), s => s.Decision == NatDecision.Rule);
    }

    [Fact]
    public void Drop_in_an_nft_nat_chain_frees_the_entry()
    {
        var drops = new TableSpec("nft ip t", "t", [new("post", NetfilterHook.PostRouting, 100, ChainType.Nat, false, [R(new DropTarget()), Snat(Public)])]);
        var sem = Sem(Ruleset(drops), A);
        Assert.Equal(new Outcome(OutcomeKind.Filtered, "t/post#1"), Only(sem));
    }

    [Fact]
    public void Random_match_in_raw_branches_between_tracked_and_untracked()
    {
        var coin = new RuleMatch { RandomProbability = new Condition<double>(0.5, false) };
        var rules = Ruleset(
            Ipt("raw", "OUTPUT", NetfilterHook.Output, HookPriority.Raw, false, R(new ContinueTarget(), coin, new NotrackStatement())),
            IptNat(post: [Snat(Public)]));
        var sem = Sem(rules, A);
        var kinds = Terminals(sem).Select(s => sem.OutcomeOf(s, 0).Kind).ToHashSet();
        Assert.Equal(new HashSet<OutcomeKind> { OutcomeKind.Untracked, OutcomeKind.Nat }, kinds);
    }
}
