using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;

namespace NatVerify.Specs.Tests;

public class IptablesSaveParserTests
{
    private static NatRuleset Nat(params string[] lines) =>
        IptablesSaveParser.Parse(string.Join("\n", ["*nat", .. lines, "COMMIT", ""]), "rules.v4");

    private static NatRule OnlyRule(NatRuleset ruleset, string chain) => Assert.Single(ruleset.Chains[chain].Rules);

    // Errors in a one-rule nat table: the rule is on line 2.
    private static void RuleFails(string rule, int column, string detail) =>
        SpecAssert.Fails(() => Nat(rule), 2, column, detail);

    private static Ipv4 Ip(string text) => Ipv4.Parse(text);

    [Fact]
    public void Snat_with_single_port_parses_as_proto_specified_range()
    {
        var rule = OnlyRule(Nat("-A POSTROUTING -p tcp -m mark --mark 0x64 -j SNAT --to-source 198.51.100.1:12345"), "POSTROUTING");

        var target = Assert.IsType<SnatTarget>(rule.Target);
        Assert.Equal(
            new NatRange(NatRangeFlags.MapIps | NatRangeFlags.ProtoSpecified, Ip("198.51.100.1"), Ip("198.51.100.1"), 12345, 12345),
            target.Range);
        Assert.Equal(new Condition<L4Protocol>(L4Protocol.Tcp, false), rule.Match.Protocol);
        Assert.Equal(new Condition<MarkMatch>(new MarkMatch(0x64, uint.MaxValue), false), rule.Match.Mark);
        Assert.Equal("-A POSTROUTING -p tcp -m mark --mark 0x64 -j SNAT --to-source 198.51.100.1:12345", rule.Text);
        Assert.Equal(2, rule.Line);
    }

    [Fact]
    public void Snat_address_and_port_ranges_with_flags_set_every_range_flag()
    {
        var rule = OnlyRule(
            Nat("-A POSTROUTING -p udp -j SNAT --to-source 10.0.0.1-10.0.0.4:1000-2000 --random-fully --persistent"),
            "POSTROUTING");

        var range = Assert.IsType<SnatTarget>(rule.Target).Range;
        Assert.Equal(
            new NatRange(
                NatRangeFlags.MapIps | NatRangeFlags.ProtoSpecified | NatRangeFlags.ProtoRandomFully | NatRangeFlags.Persistent,
                Ip("10.0.0.1"), Ip("10.0.0.4"), 1000, 2000),
            range);
    }

    [Fact]
    public void Snat_without_address_specifies_ports_only()
    {
        var rule = OnlyRule(Nat("-A POSTROUTING -p tcp -j SNAT --to-source :1024-2000"), "POSTROUTING");

        var range = Assert.IsType<SnatTarget>(rule.Target).Range;
        Assert.Equal(NatRangeFlags.ProtoSpecified, range.Flags);
        Assert.Equal((1024, 2000), (range.MinProto, range.MaxProto));
    }

    [Fact]
    public void Snat_to_address_only_maps_ips_without_ports()
    {
        var rule = OnlyRule(Nat("-A INPUT -j SNAT --to-source 192.0.2.7 --random"), "INPUT");

        Assert.Equal(
            new NatRange(NatRangeFlags.MapIps | NatRangeFlags.ProtoRandom, Ip("192.0.2.7"), Ip("192.0.2.7"), 0, 0),
            Assert.IsType<SnatTarget>(rule.Target).Range);
    }

    [Fact]
    public void Dnat_in_prerouting_parses_destination_range()
    {
        var rule = OnlyRule(Nat("-A PREROUTING -d 198.51.100.1/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.5:8080 --random"), "PREROUTING");

        Assert.Equal(
            new NatRange(NatRangeFlags.MapIps | NatRangeFlags.ProtoSpecified | NatRangeFlags.ProtoRandom, Ip("10.0.0.5"), Ip("10.0.0.5"), 8080, 8080),
            Assert.IsType<DnatTarget>(rule.Target).Range);
        Assert.Equal(new Condition<PortRange>(new PortRange(80, 80), false), rule.Match.DestinationPort);
        Assert.Equal(new Condition<Cidr>(new Cidr(Ip("198.51.100.1"), 32), false), rule.Match.Destination);
    }

    [Fact]
    public void Masquerade_with_ports_and_random_keeps_both()
    {
        var ruleset = Nat(
            "-A POSTROUTING -o eth0 -p tcp -j MASQUERADE --to-ports 1024-2047 --random",
            "-A POSTROUTING -o eth1 -j MASQUERADE");

        var rules = ruleset.Chains["POSTROUTING"].Rules;
        Assert.Equal(
            new MasqueradeTarget(new PortRange(1024, 2047), NatRangeFlags.ProtoSpecified | NatRangeFlags.ProtoRandom),
            rules[0].Target);
        Assert.Equal(new MasqueradeTarget(null, NatRangeFlags.None), rules[1].Target);
        Assert.Equal(new Condition<string>("eth0", false), rules[0].Match.OutInterface);
        Assert.Equal(3, rules[1].Line);
    }

    [Fact]
    public void Redirect_in_output_parses_to_ports()
    {
        var rule = OnlyRule(Nat("-A OUTPUT -p udp -m udp --dport 53 -j REDIRECT --to-ports 5353"), "OUTPUT");

        Assert.Equal(new RedirectTarget(PortRange.Single(5353), NatRangeFlags.ProtoSpecified), rule.Target);
        Assert.Equal(L4Protocol.Udp, rule.Match.Protocol!.Value.Value);
    }

    [Fact]
    public void Accept_and_return_are_plain_targets()
    {
        var ruleset = Nat(":SUB - [0:0]", "-A POSTROUTING -s 10.0.0.0/8 -j ACCEPT", "-A SUB -j RETURN");

        Assert.IsType<AcceptTarget>(OnlyRule(ruleset, "POSTROUTING").Target);
        Assert.IsType<ReturnTarget>(OnlyRule(ruleset, "SUB").Target);
        Assert.Equal(new Cidr(Ip("10.0.0.0"), 8), ruleset.Chains["POSTROUTING"].Rules[0].Match.Source!.Value.Value);
    }

    [Fact]
    public void User_chains_are_jumped_to_and_gone_to()
    {
        var ruleset = Nat(
            ":POSTROUTING ACCEPT [0:0]",
            ":MY-SNAT - [0:0]",
            ":OTHER - [0:0]",
            "-A POSTROUTING -p tcp -j MY-SNAT",
            "-A POSTROUTING -g OTHER",
            "-A MY-SNAT -j SNAT --to-source 192.0.2.1",
            "-A OTHER -j ACCEPT");

        var post = ruleset.Chains["POSTROUTING"].Rules;
        Assert.Equal(new JumpTarget("MY-SNAT", false), post[0].Target);
        Assert.Equal(new JumpTarget("OTHER", true), post[1].Target);
        Assert.False(ruleset.Chains["MY-SNAT"].BuiltIn);
        Assert.IsType<SnatTarget>(OnlyRule(ruleset, "MY-SNAT").Target);
        Assert.Equal(["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING", "MY-SNAT", "OTHER"], ruleset.Chains.Keys);
    }

    [Fact]
    public void Built_in_chains_exist_even_when_not_declared()
    {
        var ruleset = IptablesSaveParser.Parse("*nat\nCOMMIT\n", "r");

        Assert.True(ruleset.NatTablePresent);
        Assert.All(["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"], c => Assert.True(ruleset.Chains[c].BuiltIn));
        Assert.All(ruleset.Chains.Values, c => Assert.Empty(c.Rules));
    }

    [Fact]
    public void Negation_applies_to_the_option_after_the_bang()
    {
        var rule = OnlyRule(
            Nat("-A POSTROUTING ! -s 10.0.0.0/8 ! -o eth0 -p tcp -m tcp ! --dport 22 ! --sport 1:1023 -m mark ! --mark 0x1/0xff -j ACCEPT"),
            "POSTROUTING");

        var m = rule.Match;
        Assert.Equal(new Condition<Cidr>(new Cidr(Ip("10.0.0.0"), 8), true), m.Source);
        Assert.Equal(new Condition<string>("eth0", true), m.OutInterface);
        Assert.Equal(new Condition<L4Protocol>(L4Protocol.Tcp, false), m.Protocol);
        Assert.Equal(new Condition<PortRange>(new PortRange(22, 22), true), m.DestinationPort);
        Assert.Equal(new Condition<PortRange>(new PortRange(1, 1023), true), m.SourcePort);
        Assert.Equal(new Condition<MarkMatch>(new MarkMatch(1, 0xff), true), m.Mark);
    }

    [Fact]
    public void Negated_protocol_is_kept()
    {
        var rule = OnlyRule(Nat("-A PREROUTING ! -p udp -i eth1 -j ACCEPT"), "PREROUTING");

        Assert.Equal(new Condition<L4Protocol>(L4Protocol.Udp, true), rule.Match.Protocol);
        Assert.Equal(new Condition<string>("eth1", false), rule.Match.InInterface);
    }

    [Fact]
    public void Long_option_names_and_protocol_numbers_are_accepted()
    {
        var rule = OnlyRule(
            Nat("-A PREROUTING --protocol 17 --source 192.0.2.0/24 --destination 198.51.100.2 --in-interface eth+ --source-port 1000: --destination-port :99 --jump ACCEPT"),
            "PREROUTING");

        var m = rule.Match;
        Assert.Equal(L4Protocol.Udp, m.Protocol!.Value.Value);
        Assert.Equal(new Cidr(Ip("192.0.2.0"), 24), m.Source!.Value.Value);
        Assert.Equal(new Cidr(Ip("198.51.100.2"), 32), m.Destination!.Value.Value);
        Assert.Equal("eth+", m.InInterface!.Value.Value);
        Assert.Equal(new PortRange(1000, 65535), m.SourcePort!.Value.Value);
        Assert.Equal(new PortRange(0, 99), m.DestinationPort!.Value.Value);
    }

    [Fact]
    public void Quoted_comments_are_one_argument_and_ignored()
    {
        var rule = OnlyRule(Nat("-A POSTROUTING -m comment --comment \"keep \\\"this\\\" -j DROP\" -j ACCEPT"), "POSTROUTING");

        Assert.IsType<AcceptTarget>(rule.Target);
        Assert.Equal(RuleMatch.Any, rule.Match);
    }

    [Fact]
    public void Counter_prefixes_and_comment_lines_are_skipped()
    {
        var ruleset = IptablesSaveParser.Parse(
            "# Generated by iptables-save v1.8.10\n\n*nat\n:POSTROUTING ACCEPT [12:720]\n[3:180] -A POSTROUTING -j ACCEPT\nCOMMIT\n# Completed\n",
            "r");

        Assert.Equal(5, OnlyRule(ruleset, "POSTROUTING").Line);
    }

    [Fact]
    public void Other_tables_are_recorded_but_not_modelled()
    {
        var ruleset = IptablesSaveParser.Parse(
            """
            *mangle
            :PREROUTING ACCEPT [0:0]
            :MARKIT - [0:0]
            -A PREROUTING -p tcp -m multiport --dports 80,443 -j MARKIT
            -A MARKIT -j MARK --set-xmark 0x64/0xffffffff
            COMMIT
            *nat
            -A POSTROUTING -j MASQUERADE
            COMMIT
            *filter
            :INPUT DROP [0:0]
            -A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT
            COMMIT
            """,
            "r");

        Assert.True(ruleset.NatTablePresent);
        Assert.Equal(["mangle", "filter"], ruleset.OtherTables);
        Assert.Equal(4, ruleset.Chains.Count);
        Assert.IsType<MasqueradeTarget>(OnlyRule(ruleset, "POSTROUTING").Target);
    }

    [Fact]
    public void Text_without_nat_table_means_no_nat()
    {
        var ruleset = IptablesSaveParser.Parse("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n", "r");

        Assert.False(ruleset.NatTablePresent);
        Assert.Empty(ruleset.Chains);
        Assert.Equal(["filter"], ruleset.OtherTables);
    }

    [Fact]
    public void Lines_and_columns_are_shifted_into_spec_coordinates()
    {
        var ruleset = IptablesSaveParser.Parse("*nat\n-A POSTROUTING -j ACCEPT\nCOMMIT\n", "spec.yaml", firstLine: 10, firstColumn: 5);
        Assert.Equal(11, OnlyRule(ruleset, "POSTROUTING").Line);

        SpecAssert.Fails(
            () => IptablesSaveParser.Parse("*nat\n-A POSTROUTING -j DROP\nCOMMIT\n", "spec.yaml", firstLine: 10, firstColumn: 5),
            11, 5 + 19 - 1, "-j DROP is not valid in the nat table");
    }

    [Fact]
    public void Rule_before_table_is_an_error()
    {
        SpecAssert.Fails(() => IptablesSaveParser.Parse("-A POSTROUTING -j ACCEPT\n", "r"), 1, 1, "rule before any *table line");
    }

    [Fact]
    public void Missing_commit_is_reported_at_the_table_header()
    {
        SpecAssert.Fails(() => IptablesSaveParser.Parse("# x\n*nat\n-A POSTROUTING -j ACCEPT\n", "r"), 2, 1, "table nat is not closed by COMMIT");
    }

    [Fact]
    public void New_table_before_commit_is_an_error()
    {
        SpecAssert.Fails(() => IptablesSaveParser.Parse("*nat\n*filter\nCOMMIT\n", "r"), 2, 1, "table nat (line 1) is not closed by COMMIT before *filter");
    }

    [Fact]
    public void Unknown_and_repeated_tables_are_errors()
    {
        SpecAssert.Fails(() => IptablesSaveParser.Parse("*natt\nCOMMIT\n", "r"), 1, 2, "unknown table 'natt'");
        SpecAssert.Fails(() => IptablesSaveParser.Parse("*nat\nCOMMIT\n*nat\nCOMMIT\n", "r"), 3, 1, "table nat appears twice (first at line 1)");
    }

    [Fact]
    public void Rule_in_undeclared_chain_is_an_error()
    {
        RuleFails("-A FOO -j ACCEPT", 4, "rule in undeclared chain FOO of the nat table");
    }

    [Fact]
    public void Rule_in_undeclared_chain_of_another_table_is_an_error()
    {
        SpecAssert.Fails(() => IptablesSaveParser.Parse("*filter\n-A PREROUTING -j ACCEPT\nCOMMIT\n", "r"), 2, 4, "rule in undeclared chain PREROUTING of the filter table");
    }

    [Fact]
    public void Jump_to_undefined_chain_is_an_error()
    {
        RuleFails("-A POSTROUTING -j FOO", 19, "no chain FOO is declared in the nat table");
    }

    [Fact]
    public void Goto_needs_a_declared_user_chain()
    {
        RuleFails("-A POSTROUTING -g ACCEPT", 19, "-g ACCEPT: no user chain ACCEPT is declared");
    }

    [Fact]
    public void Jump_to_built_in_chain_is_an_error()
    {
        RuleFails("-A POSTROUTING -j PREROUTING", 19, "cannot jump to the built-in chain PREROUTING");
    }

    [Fact]
    public void Unknown_option_is_reported_at_the_option()
    {
        RuleFails("-A POSTROUTING --foo 1 -j ACCEPT", 16, "unknown or unmodelled option --foo");
    }

    [Fact]
    public void Stray_argument_is_an_error()
    {
        RuleFails("-A POSTROUTING tcp -j ACCEPT", 16, "unexpected argument 'tcp'");
    }

    [Fact]
    public void Missing_option_argument_at_end_of_line_is_an_error()
    {
        RuleFails("-A POSTROUTING -j SNAT --to-source", 24, "option --to-source needs an argument");
    }

    [Fact]
    public void Missing_option_argument_before_next_option_is_an_error()
    {
        RuleFails("-A POSTROUTING -s -j ACCEPT", 16, "option -s needs an argument");
    }

    [Fact]
    public void Bad_address_is_reported_at_the_address()
    {
        RuleFails("-A POSTROUTING -s 10.0.0.300 -j ACCEPT", 19, "bad address '10.0.0.300'");
    }

    [Fact]
    public void Bad_prefix_length_is_reported_after_the_slash()
    {
        RuleFails("-A POSTROUTING -d 10.0.0.0/33 -j ACCEPT", 28, "bad prefix length '33'");
    }

    [Fact]
    public void Bad_nat_port_is_reported_at_the_port()
    {
        RuleFails("-A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4:70000", 51, "bad port '70000'");
    }

    [Fact]
    public void Inverted_nat_port_range_is_an_error()
    {
        RuleFails("-A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4:2000-1000", 56, "port range '2000-1000' ends before it starts");
    }

    [Fact]
    public void Inverted_address_range_is_an_error()
    {
        RuleFails("-A POSTROUTING -j SNAT --to-source 10.0.0.9-10.0.0.1", 45, "address range '10.0.0.9-10.0.0.1' ends before it starts");
    }

    [Fact]
    public void Address_range_beyond_sixteen_addresses_is_an_error()
    {
        var ex = SpecAssert.Fails(
            () => Nat("-A POSTROUTING -j SNAT --to-source 10.0.0.1-10.0.0.17"), 2, 36, "has 17 addresses");
        Assert.Contains("enumerates", ex.Detail, StringComparison.Ordinal);

        var ok = OnlyRule(Nat("-A POSTROUTING -j SNAT --to-source 10.0.0.1-10.0.0.16"), "POSTROUTING");
        Assert.Equal(Ip("10.0.0.16"), Assert.IsType<SnatTarget>(ok.Target).Range.MaxAddr);
    }

    [Fact]
    public void Bad_match_port_range_is_an_error()
    {
        RuleFails("-A PREROUTING -p tcp --dport 80-90 -j ACCEPT", 30, "match port ranges are written N:M");
        RuleFails("-A PREROUTING -p tcp --dport 90:80 -j ACCEPT", 30, "ends before it starts");
        RuleFails("-A PREROUTING -p tcp --sport 1:65536 -j ACCEPT", 32, "bad port '65536'");
    }

    [Fact]
    public void Target_option_of_another_target_is_an_error()
    {
        RuleFails("-A POSTROUTING -j MASQUERADE --to-source 1.2.3.4", 30, "--to-source is not an option of -j MASQUERADE");
        RuleFails("-A PREROUTING -j DNAT --to-destination 1.2.3.4 --random-fully", 48, "--random-fully is not an option of -j DNAT");
        RuleFails("-A POSTROUTING -j ACCEPT --random", 26, "--random is not an option of -j ACCEPT");
    }

    [Fact]
    public void Target_option_before_its_target_is_an_error()
    {
        RuleFails("-A POSTROUTING --random -j MASQUERADE", 16, "--random must follow the -j target it belongs to");
    }

    [Fact]
    public void Snat_needs_to_source()
    {
        RuleFails("-A POSTROUTING -j SNAT --random", 19, "-j SNAT needs --to-source");
    }

    [Fact]
    public void Nat_targets_in_the_wrong_chain_are_errors()
    {
        RuleFails("-A PREROUTING -j SNAT --to-source 1.2.3.4", 18, "-j SNAT is only valid in POSTROUTING and INPUT");
        RuleFails("-A POSTROUTING -j DNAT --to-destination 1.2.3.4", 19, "-j DNAT is only valid in PREROUTING and OUTPUT");
        RuleFails("-A INPUT -j REDIRECT", 13, "-j REDIRECT is only valid in PREROUTING and OUTPUT");
        RuleFails("-A OUTPUT -j MASQUERADE", 14, "-j MASQUERADE is only valid in POSTROUTING");
    }

    [Fact]
    public void Nat_targets_are_allowed_in_user_chains()
    {
        var ruleset = Nat(":U - [0:0]", "-A U -j DNAT --to-destination 10.0.0.1", "-A U -j MASQUERADE");

        Assert.Equal(2, ruleset.Chains["U"].Rules.Count);
    }

    [Fact]
    public void Drop_and_reject_are_not_valid_in_nat()
    {
        RuleFails("-A PREROUTING -j REJECT", 18, "-j REJECT is not valid in the nat table");
    }

    [Fact]
    public void Unknown_protocol_is_an_error()
    {
        RuleFails("-A PREROUTING -p sctpx -j ACCEPT", 18, "unknown protocol 'sctpx'");
    }

    [Fact]
    public void Unmodelled_match_modules_are_errors()
    {
        RuleFails("-A PREROUTING -m physdev --physdev-in eth0 -j ACCEPT", 18, "match module physdev is not modelled");
        RuleFails("-A PREROUTING -m set --match-set s src -j ACCEPT", 18, "match module set is not modelled");
    }

    [Fact]
    public void Port_match_needs_tcp_or_udp()
    {
        RuleFails("-A PREROUTING --dport 80 -j ACCEPT", 15, "--dport needs -p tcp or -p udp before it");
        RuleFails("-A PREROUTING ! -p tcp --dport 80 -j ACCEPT", 24, "--dport needs -p tcp or -p udp before it");
        RuleFails("-A PREROUTING -p udp -m tcp -j ACCEPT", 25, "-m tcp needs -p tcp before it");
    }

    [Fact]
    public void Mark_match_needs_the_mark_module()
    {
        RuleFails("-A PREROUTING --mark 0x1 -j ACCEPT", 15, "--mark needs -m mark before it");
        RuleFails("-A PREROUTING -m mark --mark 0xZZ -j ACCEPT", 30, "bad mark '0xZZ'");
    }

    [Fact]
    public void Nat_ports_need_tcp_or_udp()
    {
        RuleFails("-A POSTROUTING -j SNAT --to-source 1.2.3.4:1000", 36, "a NAT port range needs -p tcp, -p udp or -p icmp");
        RuleFails("-A POSTROUTING -p icmp -j MASQUERADE --to-ports 1000", 49, "--to-ports needs -p tcp or -p udp");
    }

    [Fact]
    public void Negating_an_option_that_cannot_be_negated_is_an_error()
    {
        RuleFails("-A PREROUTING ! -j ACCEPT", 15, "-j cannot be negated");
        RuleFails("-A PREROUTING ! ! -p tcp -j ACCEPT", 17, "'!' given twice");
        RuleFails("-A PREROUTING -p ! tcp -j ACCEPT", 18, "'!' goes before the option it negates");
    }

    [Fact]
    public void Repeated_option_is_an_error()
    {
        RuleFails("-A PREROUTING -p tcp -p udp -j ACCEPT", 22, "-p given twice");
    }

    [Fact]
    public void Interfaces_are_checked_against_the_chain()
    {
        RuleFails("-A POSTROUTING -i eth0 -j ACCEPT", 16, "-i is not valid in POSTROUTING");
        RuleFails("-A PREROUTING -o eth0 -j ACCEPT", 15, "-o is not valid in PREROUTING");
        RuleFails("-A PREROUTING -i eth0/1 -j ACCEPT", 18, "bad interface name 'eth0/1'");
    }

    [Fact]
    public void Rule_without_target_only_counts_and_continues()
    {
        var rule = OnlyRule(Nat("-A POSTROUTING -p tcp"), "POSTROUTING");
        Assert.IsType<ContinueTarget>(rule.Target);
    }

    [Fact]
    public void Nat_policy_must_be_accept()
    {
        SpecAssert.Fails(() => Nat(":POSTROUTING DROP [0:0]"), 2, 14, "policy of nat chain POSTROUTING must be ACCEPT");
        SpecAssert.Fails(() => Nat(":FOO ACCEPT [0:0]"), 2, 6, "FOO is not a built-in chain of the nat table");
        SpecAssert.Fails(() => Nat(":FOO - [0:0]", ":FOO - [0:0]"), 3, 2, "chain FOO is declared twice");
        SpecAssert.Fails(() => Nat(":FOO - [0:x]"), 2, 8, "bad counters '[0:x]'");
    }

    [Fact]
    public void Unterminated_quote_is_reported_at_the_quote()
    {
        RuleFails("-A POSTROUTING -m comment --comment \"oops -j ACCEPT", 37, "unterminated quote");
    }

    [Fact]
    public void Other_iptables_commands_are_rejected()
    {
        RuleFails("-I POSTROUTING -j ACCEPT", 1, "-I: only -A rules are supported");
        RuleFails("garbage here", 1, "unrecognised line starting with 'garbage'");
        SpecAssert.Fails(() => IptablesSaveParser.Parse("*nat\nCOMMIT now\n", "r"), 2, 8, "unexpected 'now' after COMMIT");
        SpecAssert.Fails(() => IptablesSaveParser.Parse("COMMIT\n", "r"), 1, 1, "COMMIT without an open *table");
    }
}
