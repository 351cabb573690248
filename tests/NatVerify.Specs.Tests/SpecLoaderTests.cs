using NatVerify.Model;
using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Properties;
using NatVerify.Model.Scenario;
using NatVerify.Model.Tuples;

namespace NatVerify.Specs.Tests;

public class SpecLoaderTests
{
    private const string SeedSpec = """
        name: seed-thief-first
        description: |
          The thief is SNATed onto the client's port.
        profile: linux-6.12
        tags: [seed, oracle]
        interfaces:
          eth0: 198.51.100.1/24
        ruleset: |
          *nat
          :PREROUTING ACCEPT [0:0]
          :POSTROUTING ACCEPT [0:0]
          -A POSTROUTING -p tcp -m mark --mark 0x64 -j SNAT --to-source 198.51.100.1:12345
          COMMIT
        actors:
          - name: client
            flow: 198.51.100.1:12345 -> 198.51.100.2:80
          - name: thief
            flow: 198.51.100.1:54321 -> 198.51.100.2:80
            proto: tcp
            mark: 0x64
            path: local-out
            out: eth0
          - name: insert
            conntrack: -I --protonum 6 --timeout 100 --reply-src 198.51.100.2 --reply-dst 198.51.100.1 --state SYN_SENT --reply-port-dst 12345 --reply-port-src 80 --src 192.0.2.1 --dst 198.51.100.2
          - name: cleanup
            conntrack: -D -p tcp --orig-src 192.0.2.1
          - name: thief-timeout
            timeout: thief
        schedule: interleaved
        order:
          - client.start < thief.start
          - thief.confirm < client.src-nat
        properties: [linked-tuple-uniqueness, no-avoidable-drop]
        expect:
          verdict: violated
          violated: linked-tuple-uniqueness
          outcomes:
            client: [rewritten, "dropped"]
            thief: [nat:198.51.100.1:12345]
          combinations:
            - { client: rewritten, thief: nat }
            - { client: dropped, thief: nat }
          mutants:
            no-null-binding: no-avoidable-drop
        """;

    private const string MinimalSpec = """
        name: minimal
        description: One flow.
        actors:
          - name: a
            flow: 10.0.0.1:1000 -> 10.0.0.2:80
        """;

    private static Ipv4 Ip(string text) => Ipv4.Parse(text);

    [Fact]
    public void Seed_spec_parses_every_section()
    {
        var spec = SpecLoader.Parse(SeedSpec, "specs/seed.yaml");

        Assert.Equal("specs/seed.yaml", spec.File);
        Assert.Equal("seed-thief-first", spec.Name);
        Assert.Equal("The thief is SNATed onto the client's port.", spec.Description);
        Assert.Same(KernelProfile.Linux612, spec.Profile);
        Assert.Equal(["seed", "oracle"], spec.Tags);
        Assert.StartsWith("*nat\n:PREROUTING ACCEPT [0:0]\n", spec.RulesetText, StringComparison.Ordinal);

        var model = spec.Model;
        Assert.Equal("seed-thief-first", model.Name);
        Assert.Equal(Ip("198.51.100.1"), Assert.Single(model.InterfaceAddresses).Value);
        Assert.False(model.Sequential);
        Assert.Equal(["client", "thief", "insert", "cleanup", "thief-timeout"], model.Actors.Select(a => a.Name));

        var thief = Assert.IsType<FlowActor>(model.Actors[1]);
        Assert.Equal(
            new FlowActor("thief", new ConntrackTuple(L4Protocol.Tcp, Ip("198.51.100.1"), Port.Of(54321), Ip("198.51.100.2"), Port.Of(80)),
                0x64, PacketPath.LocalOut, null, "eth0"),
            thief);
        var insert = Assert.IsType<CtnetlinkInsert>(model.Actors[2]);
        Assert.Equal(new ConntrackTuple(L4Protocol.Tcp, Ip("192.0.2.1"), Port.Of(0), Ip("198.51.100.2"), Port.Of(0)), insert.Original);
        var cleanup = Assert.IsType<CtnetlinkDelete>(model.Actors[3]);
        Assert.Equal(Ip("192.0.2.1"), cleanup.Filter.Original.SrcIp);
        Assert.Equal(new EntryTimeout("thief-timeout", "thief"), model.Actors[4]);

        Assert.Equal(
            [
                new OrderConstraint("client", Milestone.Start, "thief", Milestone.Start, "client.start < thief.start"),
                new OrderConstraint("thief", Milestone.Confirm, "client", Milestone.SrcNat, "thief.confirm < client.src-nat"),
            ],
            model.Constraints);

        var rule = Assert.Single(model.Ruleset.Chains["POSTROUTING"].Rules);
        Assert.Equal(12, rule.Line);
        Assert.IsType<SnatTarget>(rule.Target);

        Assert.Equal([PropertyIds.LinkedTupleUniqueness, PropertyIds.NoAvoidableDrop], spec.Properties);
        Assert.Equal(ExpectedVerdict.Violated, spec.Expect.Verdict);
        Assert.Equal(PropertyIds.LinkedTupleUniqueness, spec.Expect.ViolatedProperty);
        Assert.Equal(["rewritten", "dropped"], spec.Expect.Outcomes["client"]);
        Assert.Equal(["nat:198.51.100.1:12345"], spec.Expect.Outcomes["thief"]);
        Assert.Equal(2, spec.Expect.Combinations!.Count);
        Assert.Equal("dropped", spec.Expect.Combinations[1]["client"]);
        Assert.Equal(PropertyIds.NoAvoidableDrop, spec.Expect.Mutants["no-null-binding"]);
    }

    [Fact]
    public void Omitted_keys_take_their_defaults()
    {
        var spec = SpecLoader.Parse(MinimalSpec, "m.yaml");

        Assert.Same(KernelProfile.Linux612, spec.Profile);
        Assert.Empty(spec.Tags);
        Assert.Equal(PropertyIds.All, spec.Properties);
        Assert.Null(spec.Expect.Verdict);
        Assert.Null(spec.Expect.ViolatedProperty);
        Assert.Empty(spec.Expect.Outcomes);
        Assert.Null(spec.Expect.Combinations);
        Assert.Empty(spec.Expect.Mutants);
        Assert.Same(NatRuleset.None, spec.Model.Ruleset);
        Assert.Equal(string.Empty, spec.RulesetText);
        Assert.Empty(spec.Model.InterfaceAddresses);
        Assert.Empty(spec.Model.Constraints);
        Assert.False(spec.Model.Sequential);

        var flow = Assert.IsType<FlowActor>(Assert.Single(spec.Model.Actors));
        Assert.Equal(0u, flow.Mark);
        Assert.Equal(PacketPath.LocalOut, flow.Path);
        Assert.Equal(L4Protocol.Tcp, flow.Original.Protocol);
        Assert.Null(flow.InInterface);
        Assert.Null(flow.OutInterface);
    }

    [Fact]
    public void Single_interface_is_the_default_where_the_path_has_one()
    {
        var spec = SpecLoader.Parse("""
            name: ifaces
            description: d
            profile: LINUX-5.15
            schedule: sequential
            interfaces:
              eth0: 192.0.2.1
            actors:
              - name: out
                flow: 192.0.2.1:1 -> 198.51.100.2:2
              - name: fwd
                flow: 10.0.0.1:1 -> 198.51.100.2:2
                path: forward
              - name: in
                flow: 198.51.100.2:2 -> 192.0.2.1:22
                path: local-in
                proto: udp
            """, "s.yaml");

        Assert.Same(KernelProfile.Linux515, spec.Profile);
        Assert.True(spec.Model.Sequential);
        var flows = spec.Model.Actors.Cast<FlowActor>().ToList();
        Assert.Equal((null, "eth0"), (flows[0].InInterface, flows[0].OutInterface));
        Assert.Equal(("eth0", "eth0"), (flows[1].InInterface, flows[1].OutInterface));
        Assert.Equal(("eth0", null), (flows[2].InInterface, flows[2].OutInterface));
        Assert.Equal(L4Protocol.Udp, flows[2].Original.Protocol);
    }

    [Fact]
    public void Several_interfaces_leave_unnamed_interfaces_unset()
    {
        var spec = SpecLoader.Parse("""
            name: ifaces
            description: d
            interfaces:
              eth0: 192.0.2.1
              eth1: 10.0.0.254/24
            actors:
              - name: fwd
                flow: 10.0.0.1:1 -> 198.51.100.2:2
                path: forward
                in: eth1
            """, "s.yaml");

        var flow = Assert.IsType<FlowActor>(Assert.Single(spec.Model.Actors));
        Assert.Equal(("eth1", (string?)null), (flow.InInterface, flow.OutInterface));
        Assert.Equal(Ip("10.0.0.254"), spec.Model.InterfaceAddresses["eth1"]);
    }

    [Fact]
    public void Icmp_flow_takes_its_id_from_icmp_id()
    {
        var spec = SpecLoader.Parse("""
            name: ping
            description: d
            actors:
              - name: ping
                proto: icmp
                icmp-id: 0x10
                flow: 10.0.0.1 -> 10.0.0.2
            """, "s.yaml");

        var flow = Assert.IsType<FlowActor>(Assert.Single(spec.Model.Actors));
        Assert.Equal(Port.Of(16), flow.Original.SrcPort);
        Assert.Equal(ConntrackTuple.IcmpEchoRequest, flow.Original.DstPort);
    }

    [Fact]
    public void Ruleset_rule_lines_are_spec_lines()
    {
        var spec = SpecLoader.Parse("""
            name: lines
            description: d
            ruleset: |

              # leading blank line and comment

              *nat
              -A POSTROUTING -j MASQUERADE
              COMMIT
            actors:
              - name: a
                flow: 10.0.0.1:1000 -> 10.0.0.2:80
            """, "s.yaml");

        Assert.Equal(8, Assert.Single(spec.Model.Ruleset.Chains["POSTROUTING"].Rules).Line);
    }

    [Fact]
    public void Ruleset_errors_point_into_the_yaml_block_scalar()
    {
        SpecAssert.Fails(() => SpecLoader.Parse("""
            name: x
            description: d
            ruleset: |
              *nat
              -A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4:0
              COMMIT
            actors:
              - name: a
                flow: 10.0.0.1:1000 -> 10.0.0.2:80
            """, "s.yaml"), 5, 53, "bad port '0'");
    }

    [Fact]
    public void Ruleset_errors_respect_an_indentation_indicator_and_deeper_indent()
    {
        // With '|1' the value keeps one of the four spaces, so rule tokens start one column later in the value.
        SpecAssert.Fails(() => SpecLoader.Parse(
            "name: x\ndescription: d\nruleset: |1\n    *nat\n    -A FOO -j ACCEPT\n    COMMIT\nactors: [{name: a, flow: '1.1.1.1:1 -> 2.2.2.2:2'}]\n",
            "s.yaml"), 5, 8, "rule in undeclared chain FOO");
    }

    [Fact]
    public void Ruleset_must_be_a_literal_block()
    {
        SpecAssert.Fails(() => SpecLoader.Parse("""
            name: x
            description: d
            ruleset: >
              *nat
              COMMIT
            actors:
              - name: a
                flow: 10.0.0.1:1000 -> 10.0.0.2:80
            """, "s.yaml"), 3, 10, "'ruleset' must be a literal block scalar");
    }

    [Fact]
    public void Ruleset_file_is_read_relative_to_the_spec()
    {
        var dir = Directory.CreateTempSubdirectory("natverify-specs-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "rules.v4"), "*nat\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n");
            var specPath = Path.Combine(dir.FullName, "s.yaml");
            File.WriteAllText(specPath, MinimalSpec + "\nruleset-file: rules.v4\n");

            var spec = SpecLoader.LoadFile(specPath);

            Assert.Equal(specPath, spec.File);
            Assert.Equal("*nat\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n", spec.RulesetText);
            Assert.Equal(2, Assert.Single(spec.Model.Ruleset.Chains["POSTROUTING"].Rules).Line);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Ruleset_file_errors_are_reported_against_the_ruleset_file()
    {
        var dir = Directory.CreateTempSubdirectory("natverify-specs-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "rules.v4"), "*nat\n-A POSTROUTING -j DROP\nCOMMIT\n");
            var specPath = Path.Combine(dir.FullName, "s.yaml");
            File.WriteAllText(specPath, MinimalSpec + "\nruleset-file: rules.v4\n");

            var ex = SpecAssert.Fails(() => SpecLoader.LoadFile(specPath), 2, 19, "-j DROP is not valid in the nat table");
            Assert.Equal(Path.Combine(dir.FullName, "rules.v4"), ex.File);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Missing_ruleset_file_is_reported_at_its_name()
    {
        var ex = SpecAssert.Fails(
            () => SpecLoader.Parse(MinimalSpec + "\nruleset-file: nowhere/rules.v4\n", "/nonexistent-dir/s.yaml"),
            6, 15, "cannot read ruleset file 'nowhere/rules.v4': no such file");
        Assert.Equal("/nonexistent-dir/s.yaml", ex.File);
    }

    [Fact]
    public void Unreadable_spec_file_is_reported_at_the_start()
    {
        var path = Path.Combine(Path.GetTempPath(), "natverify-no-such-spec.yaml");
        var ex = SpecAssert.Fails(() => SpecLoader.LoadFile(path), 1, 1, "cannot read spec");
        Assert.Equal(path, ex.File);
    }
}
