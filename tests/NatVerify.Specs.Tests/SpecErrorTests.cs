namespace NatVerify.Specs.Tests;

/// <summary>Each bad spec is reported once, at the exact line and column of the offending text.</summary>
public class SpecErrorTests
{
    private const string Head = "name: x\ndescription: d\n";
    private const string OneFlow = "actors:\n  - name: a\n    flow: 10.0.0.1:1 -> 10.0.0.2:2\n";

    private static SpecException Fails(string yaml, int line, int column, string detail) =>
        SpecAssert.Fails(() => SpecLoader.Parse(yaml, "bad.yaml"), line, column, detail);

    [Fact]
    public void Unknown_key_reports_line_and_column()
    {
        var ex = Fails(Head + "actorz: []\n" + OneFlow, 3, 1, "unknown key 'actorz' in the spec");
        Assert.Contains("allowed keys: name, description, profile, tags, interfaces, addresses-file, ruleset, ruleset-file, actors, pools, schedule, order, properties, expect", ex.Detail, StringComparison.Ordinal);
        Assert.Equal("bad.yaml:3:1: " + ex.Detail, ex.Message);
    }

    [Fact]
    public void Unknown_actor_key_lists_the_keys_of_that_actor_kind()
    {
        var ex = Fails(Head + OneFlow + "    prot: udp\n", 6, 5, "unknown key 'prot' in a flow actor");
        Assert.Contains("allowed keys: name, flow, proto, icmp-id, mark, path, in, out", ex.Detail, StringComparison.Ordinal);
        Fails(Head + "actors:\n  - name: c\n    conntrack: -D\n    mark: 1\n", 6, 5, "unknown key 'mark' in a conntrack actor; allowed keys: name, conntrack");
    }

    [Fact]
    public void Wrong_node_type_is_an_error()
    {
        Fails(Head + "actors: foo\n", 3, 9, "'actors' must be a list, not a single value");
        Fails(Head + OneFlow + "tags: {a: 1}\n", 6, 7, "'tags' must be a list, not a mapping");
        Fails(Head + "actors:\n  - just-a-name\n", 4, 5, "an actor must be a mapping, not a single value");
        Fails("- a\n- b\n", 1, 1, "the spec must be a mapping");
        Fails(Head + OneFlow + "    mark: [1]\n", 6, 11, "'mark' must be a single value, not a list");
    }

    [Fact]
    public void Empty_value_is_an_error()
    {
        Fails(Head + OneFlow + "    mark:\n", 6, 10, "'mark' has no value");
    }

    [Fact]
    public void Duplicate_key_is_an_error()
    {
        Fails(Head + "name: y\n" + OneFlow, 3, 1, "duplicate key 'name'");
    }

    [Fact]
    public void Missing_required_key_is_reported_at_the_mapping()
    {
        Fails("name: x\n" + OneFlow, 1, 1, "the spec is missing the required key 'description'");
        Fails(Head + "actors:\n  - flow: 10.0.0.1:1 -> 10.0.0.2:2\n", 4, 5, "a flow actor is missing the required key 'name'");
    }

    [Fact]
    public void Bad_spec_name_is_reported_at_the_first_bad_character()
    {
        Fails("name: seed_Thief\ndescription: d\n" + OneFlow, 1, 11, "name 'seed_Thief' may only contain a-z, 0-9 and '-'");
    }

    [Fact]
    public void Unknown_profile_lists_the_known_ones()
    {
        Fails(Head + "profile: linux-4.14\n" + OneFlow, 3, 10, "unknown profile 'linux-4.14' (known: linux-6.12, linux-5.15, linux-4.19");
    }

    [Fact]
    public void Actors_must_not_be_empty()
    {
        Fails(Head + "actors: []\n", 3, 9, "'actors' must list at least one actor");
    }

    [Fact]
    public void Actor_needs_exactly_one_kind()
    {
        Fails(Head + "actors:\n  - name: a\n", 4, 5, "an actor needs one of the keys flow, conntrack, timeout or close");
        Fails(Head + OneFlow + "    timeout: a\n", 6, 5, "this one has both flow and timeout");
        Fails(Head + "actors:\n  - name: a\n    flw: 10.0.0.1:1 -> 10.0.0.2:2\n", 5, 5, "unknown key 'flw' in an actor; allowed keys: name, flow, proto");
    }

    [Fact]
    public void Duplicate_actor_name_is_an_error()
    {
        Fails(Head + OneFlow + "  - name: a\n    conntrack: -D\n", 6, 11, "actor name 'a' is used twice (first at line 4)");
    }

    [Fact]
    public void Bad_actor_name_is_reported_at_the_bad_character()
    {
        Fails(Head + "actors:\n  - name: my.flow\n    flow: 10.0.0.1:1 -> 10.0.0.2:2\n", 4, 13, "actor name 'my.flow' may only contain");
    }

    [Fact]
    public void Dangling_timeout_target_is_an_error()
    {
        Fails(Head + OneFlow + "  - name: t\n    timeout: ghost\n", 7, 14, "timeout target 'ghost' is not an actor (actors: a, t)");
    }

    [Fact]
    public void Timeout_target_must_create_an_entry()
    {
        Fails(Head + OneFlow + "  - name: d\n    conntrack: -D\n  - name: t\n    timeout: d\n", 9, 14, "must be a flow or a conntrack -I insert");
        Fails(Head + OneFlow + "  - name: t\n    timeout: t\n", 7, 14, "timeout 't' cannot target itself");
    }

    [Fact]
    public void Bad_flow_port_is_reported_inside_the_scalar()
    {
        Fails(Head + "actors:\n  - name: a\n    flow: 10.0.0.1:1 -> 10.0.0.2:99999\n", 5, 34, "bad port '99999'");
        Fails(Head + "actors:\n  - name: a\n    flow: \"10.0.0.1:1 -> 10.0.0.2:x\"\n", 5, 35, "bad port 'x'");
    }

    [Fact]
    public void Icmp_id_on_a_tcp_flow_is_an_error()
    {
        Fails(Head + OneFlow + "    icmp-id: 3\n", 6, 5, "icmp-id is only valid for icmp flows, and 'a' is tcp");
    }

    [Fact]
    public void Icmp_flow_without_icmp_id_is_an_error()
    {
        Fails(Head + "actors:\n  - name: p\n    proto: icmp\n    flow: 10.0.0.1 -> 10.0.0.2\n", 6, 5, "icmp flow 'p' needs an icmp-id");
    }

    [Fact]
    public void Bad_flow_fields_are_errors()
    {
        Fails(Head + OneFlow + "    proto: sctp\n", 6, 12, "unknown proto 'sctp'");
        Fails(Head + OneFlow + "    mark: 0xfffffffff\n", 6, 11, "bad mark '0xfffffffff'");
        Fails(Head + OneFlow + "    path: sideways\n", 6, 11, "unknown path 'sideways' (known: local-out, forward, local-in)");
    }

    [Fact]
    public void Undeclared_interface_is_an_error()
    {
        Fails(Head + "interfaces:\n  eth0: 192.0.2.1\n" + OneFlow + "    out: eth9\n", 8, 10, "interface 'eth9' is not declared under 'interfaces' (declared: eth0)");
    }

    [Fact]
    public void In_interface_on_a_local_out_flow_is_an_error()
    {
        Fails(Head + "interfaces:\n  eth0: 192.0.2.1\n" + OneFlow + "    in: eth0\n", 8, 5, "local-out flows are generated locally");
    }

    [Fact]
    public void Bad_interface_address_is_an_error()
    {
        Fails(Head + "interfaces:\n  eth0: 192.0.2.256\n" + OneFlow, 4, 9, "bad IPv4 address '192.0.2.256' for interface 'eth0'");
        Fails(Head + "interfaces:\n  eth0: 192.0.2.1/40\n" + OneFlow, 4, 19, "bad prefix length '40'");
    }

    [Fact]
    public void Conntrack_errors_point_inside_the_command()
    {
        Fails(Head + "actors:\n  - name: i\n    conntrack: -I -p tcp --src 1.1.1\n", 5, 32, "bad IPv4 address '1.1.1' for --src");
        Fails(Head + "actors:\n  - name: i\n    conntrack: conntrack -L\n", 5, 26, "only -I and -D are modelled");
    }

    [Fact]
    public void Both_ruleset_and_ruleset_file_is_an_error()
    {
        Fails(Head + "ruleset: |\n  *nat\n  COMMIT\nruleset-file: r.v4\n" + OneFlow, 6, 1, "give either 'ruleset' or 'ruleset-file', not both");
    }

    [Fact]
    public void Order_with_unknown_actor_points_at_the_name()
    {
        Fails(Head + OneFlow + "order:\n  - a.start < ghost.start\n", 7, 15, "'ghost' is not an actor (actors: a)");
    }

    [Fact]
    public void Order_milestone_other_than_start_needs_a_flow()
    {
        Fails(Head + OneFlow + "  - name: d\n    conntrack: -D\norder:\n  - d.confirm < a.start\n", 9, 7, "'d' is a conntrack actor: only flows have milestones other than start");
    }

    private const string TwoFlows = OneFlow + "  - name: b\n    flow: 10.0.0.1:3 -> 10.0.0.2:2\n";

    [Fact]
    public void Order_cycle_between_two_starts_is_rejected_at_a_constraint_on_it()
    {
        // Without the check every actor stays blocked and the check prints a vacuous HOLDS over one state.
        Fails(Head + TwoFlows + "order:\n  - a.start < b.start\n  - b.start < a.start\n", 9, 5,
            "order constraints form a cycle (a.start < b.start < a.start)");
    }

    [Fact]
    public void Order_cycle_through_an_actors_own_step_order_is_rejected()
    {
        // a.start < b.start, b.start < b.confirm (b's own order), b.confirm < a.start.
        Fails(Head + TwoFlows + "order:\n  - b.confirm < a.start\n  - a.start < b.start\n", 9, 5,
            "order constraints form a cycle");
    }

    [Fact]
    public void Acyclic_order_constraints_are_accepted()
    {
        var spec = SpecLoader.Parse(Head + TwoFlows + "order:\n  - a.confirm < b.start\n  - a.start < b.start\n", "ok.yaml");
        Assert.Equal(2, spec.Model.Constraints.Count);
    }

    [Fact]
    public void Order_syntax_errors_are_located()
    {
        Fails(Head + OneFlow + "order:\n  - a.start > a.confirm\n", 7, 5, "expected 'ACTOR.MILESTONE < ACTOR.MILESTONE'");
        Fails(Head + OneFlow + "order:\n  - a.begin < a.confirm\n", 7, 7, "unknown milestone 'begin'");
        Fails(Head + OneFlow + "order:\n  - a.start <  a.confirm\n", 7, 16, "two different actors, not 'a' with itself");
        Fails(Head + OneFlow + "order:\n  - a < a.confirm\n", 7, 5, "bad order point 'a'");
    }

    [Fact]
    public void Unknown_property_lists_the_known_ones()
    {
        var ex = Fails(Head + OneFlow + "properties: [linked-tuple-uniqueness, tuple-magic]\n", 6, 39, "unknown property 'tuple-magic'");
        Assert.Contains("reply-routing", ex.Detail, StringComparison.Ordinal);
        Fails(Head + OneFlow + "properties: [reply-routing, reply-routing]\n", 6, 29, "property 'reply-routing' is listed twice");
    }

    [Fact]
    public void Violated_needs_verdict_violated()
    {
        Fails(Head + OneFlow + "expect:\n  verdict: holds\n  violated: reply-routing\n", 8, 3, "'violated' is only valid with 'verdict: violated'");
        Fails(Head + OneFlow + "expect:\n  verdict: broken\n", 7, 12, "unknown verdict 'broken'");
    }

    [Fact]
    public void Violated_property_must_be_checked()
    {
        Fails(Head + OneFlow + "properties: [reply-routing]\nexpect:\n  verdict: violated\n  violated: drop-explained\n",
            9, 13, "property 'drop-explained' is not checked by this spec (properties: reply-routing)");
    }

    [Fact]
    public void Unknown_outcome_kind_is_an_error()
    {
        Fails(Head + OneFlow + "expect:\n  outcomes:\n    a: [kept, vanished:1]\n", 8, 15, "unknown outcome 'vanished'");
    }

    [Fact]
    public void Outcomes_of_unknown_actors_are_errors()
    {
        Fails(Head + OneFlow + "expect:\n  outcomes:\n    b: [kept]\n", 8, 5, "'b' is not an actor (actors: a)");
        Fails(Head + OneFlow + "expect:\n  outcomes:\n    a: []\n", 8, 8, "the outcomes of 'a' must not be empty");
        Fails(Head + OneFlow + "expect:\n  outcomes:\n    a: kept\n", 8, 8, "the outcomes of 'a' must be a list");
    }

    [Fact]
    public void Combinations_must_name_the_same_actors_once_each()
    {
        var twoFlows = Head + OneFlow + "  - name: b\n    flow: 10.0.0.1:3 -> 10.0.0.2:2\n";
        Fails(twoFlows + "expect:\n  combinations:\n    - {a: kept, b: kept}\n    - {a: kept}\n", 11, 7, "every combination must name the same actors");
        Fails(twoFlows + "expect:\n  combinations:\n    - {a: kept, b: kept}\n    - {b: kept, a: kept}\n", 11, 7, "this combination is listed twice");
        Fails(twoFlows + "expect:\n  combinations:\n    - {a: kept, c: kept}\n", 10, 17, "'c' is not an actor");
    }

    [Fact]
    public void Unknown_mutant_is_an_error()
    {
        var ex = Fails(Head + OneFlow + "expect:\n  mutants:\n    no-kernel: reply-routing\n", 8, 5, "unknown mutant 'no-kernel'");
        Assert.Contains("no-null-binding, no-confirm-clash-check", ex.Detail, StringComparison.Ordinal);
        Fails(Head + OneFlow + "expect:\n  mutants:\n    none: reply-routing\n", 8, 5, "unknown mutant 'none'");
    }

    [Fact]
    public void Unknown_expect_key_is_an_error()
    {
        Fails(Head + OneFlow + "expect:\n  verdikt: holds\n", 7, 3, "unknown key 'verdikt' in 'expect'; allowed keys: verdict, violated, outcomes, combinations, mutants");
    }

    [Fact]
    public void Yaml_syntax_errors_keep_the_parser_location()
    {
        Fails(Head + "tags: [a, b\n" + OneFlow, 4, 1, "invalid YAML");
        Fails("name: 'x\n", 1, 7, "invalid YAML");
    }

    [Fact]
    public void Empty_and_multi_document_specs_are_errors()
    {
        Fails("", 1, 1, "the spec is empty");
        Fails("# only a comment\n", 1, 1, "the spec is empty");
        Fails(Head + OneFlow + "---\nname: y\n", 7, 1, "a spec file holds exactly one YAML document");
    }
}
