using NatVerify.Model.Scenario;
using NatVerify.Oracle.Model;
using NatVerify.Oracle.Planning;
using Xunit;

namespace NatVerify.Oracle.Tests;

/// <summary>Which order the oracle drives a kernel in, and which specs it refuses because only an in-kernel race produces their order.</summary>
public class SchedulePlannerTests
{
    [Fact]
    public void Sequential_spec_runs_each_actor_alone_in_spec_order()
    {
        var steps = Plan("specs/oracle/ctnetlink-first.yaml");
        Assert.Collection(
            steps,
            s => Assert.Equal("insert", Assert.IsType<EventStep>(s).Actor),
            s => Assert.Equal(["client"], Assert.IsType<FlowStep>(s).Actors));
        Assert.Equal("-I", ((EventStep)steps[0]).Arguments[0]);
    }

    [Fact]
    public void Interleaved_spec_without_order_releases_consecutive_flows_together()
    {
        var step = Assert.IsType<FlowStep>(Assert.Single(Plan("specs/seed/race-unconstrained.yaml")));
        Assert.True(step.Concurrent);
        Assert.Equal(["thief", "client"], step.Actors);
    }

    [Theory]
    [InlineData("specs/seed/race-ctnetlink.yaml", "client.start < insert.start")]
    [InlineData("specs/seed/race-thief.yaml", "thief.confirm < client.src-nat")]
    public void Order_that_needs_an_actor_inside_another_is_refused_naming_the_constraints(string spec, string constraint)
    {
        var e = Assert.Throws<UnsupportedScenarioException>(() => Plan(spec));
        Assert.Contains(constraint, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Order_between_whole_actors_is_followed_even_against_the_spec_order()
    {
        var spec = Specs.SpecLoader.Parse(
            """
            name: reorder
            description: the constraint puts the second actor first
            interfaces:
              veth0: 198.51.100.1
            actors:
              - name: a
                flow: 198.51.100.1:1000 -> 198.51.100.2:80
              - name: b
                flow: 198.51.100.1:1001 -> 198.51.100.2:80
            order:
              - b.confirm < a.start
            """,
            "reorder.yaml");
        var model = ModelPredictions.Compute(spec);
        var steps = SchedulePlanner.Plan(spec.Model, TopologyPlanner.Plan(spec.Model, model.Predictions, "nvo-test"));
        Assert.Equal(["b", "a"], steps.Cast<FlowStep>().Select(s => s.Actors.Single()));
        Assert.All(steps.Cast<FlowStep>(), s => Assert.False(s.Concurrent));
    }

    [Fact]
    public void Timeout_actor_is_refused()
    {
        var spec = Specs.SpecLoader.Parse(
            """
            name: expiry
            description: a timeout cannot be placed on a real kernel
            interfaces:
              veth0: 198.51.100.1
            actors:
              - name: a
                flow: 198.51.100.1:1000 -> 198.51.100.2:80
              - name: a-expires
                timeout: a
            """,
            "expiry.yaml");
        var model = ModelPredictions.Compute(spec);
        var e = Assert.Throws<UnsupportedScenarioException>(() => SchedulePlanner.Plan(spec.Model, TopologyPlanner.Plan(spec.Model, model.Predictions, "nvo-test")));
        Assert.Contains("a-expires is a timeout", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Close_actor_closes_the_target_flow_in_its_client_namespace_between_the_flows()
    {
        var steps = Plan("specs/oracle/tcp-single-port-reuse.yaml");
        Assert.Collection(
            steps,
            s => Assert.Equal(["a"], Assert.IsType<FlowStep>(s).Actors),
            s =>
            {
                var close = Assert.IsType<CloseStep>(s);
                Assert.Equal(("a-closes", "a", "fin"), (close.Actor, close.Target, close.How));
                Assert.Equal(((FlowStep)steps[0]).Namespace, close.Namespace);
            },
            s => Assert.Equal(["b"], Assert.IsType<FlowStep>(s).Actors));
    }

    [Fact]
    public void Flow_with_more_retries_than_the_oracle_waits_through_is_refused()
    {
        var spec = Specs.SpecLoader.Parse(
            """
            name: retry
            description: the oracle observes first packets only
            interfaces:
              veth0: 198.51.100.1
            ruleset: |
              *nat
              -A POSTROUTING -p tcp -j SNAT --to-source 198.51.100.1:5000
              COMMIT
            actors:
              - name: a
                flow: 198.51.100.1:1000 -> 198.51.100.2:80
                retries: 3
            """,
            "retry.yaml");
        var model = ModelPredictions.Compute(spec);
        var e = Assert.Throws<UnsupportedScenarioException>(() => SchedulePlanner.Plan(spec.Model, TopologyPlanner.Plan(spec.Model, model.Predictions, "nvo-test")));
        Assert.Contains("a retransmits its SYN 3 times", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Retrying_flow_in_an_interleaved_spec_is_left_pending_while_the_delete_runs()
    {
        var steps = Plan("specs/oracle/tcp-syn-retry.yaml");
        Assert.Collection(
            steps,
            s => Assert.Equal("insert", Assert.IsType<EventStep>(s).Actor),
            s =>
            {
                var flow = Assert.IsType<FlowStep>(s);
                Assert.Equal(["thief"], flow.Actors);
                Assert.True(flow.Detached);
            },
            s => Assert.Equal("cleanup", Assert.IsType<EventStep>(s).Actor));
    }

    [Fact]
    public void Connect_wait_lies_between_the_last_allowed_retransmission_and_the_next()
    {
        FlowActor Flow(int retries) => new("f", default, 0, PacketPath.LocalOut, null, "veth0", retries);
        Assert.Equal(TimeSpan.FromMilliseconds(400), SchedulePlanner.ConnectWait(Flow(0), TimeSpan.FromMilliseconds(400)));
        Assert.Equal(TimeSpan.FromSeconds(2), SchedulePlanner.ConnectWait(Flow(1), TimeSpan.FromMilliseconds(400)));
        Assert.Equal(TimeSpan.FromSeconds(5), SchedulePlanner.ConnectWait(Flow(2), TimeSpan.FromMilliseconds(400)));
    }

    [Fact]
    public void Conntrack_command_is_split_into_arguments_without_the_tool_name()
    {
        Assert.Equal(["-D", "-p", "tcp", "--orig-src", "192.0.2.1"], SchedulePlanner.Arguments("conntrack -D -p tcp  --orig-src 192.0.2.1"));
        Assert.Equal(["-I", "--label", "a b"], SchedulePlanner.Arguments("-I --label \"a b\""));
    }

    private static IReadOnlyList<OracleStep> Plan(string relative)
    {
        var spec = OracleEnvironment.Load(relative);
        var model = ModelPredictions.Compute(spec);
        return SchedulePlanner.Plan(spec.Model, TopologyPlanner.Plan(spec.Model, model.Predictions, "nvo-test"));
    }
}
