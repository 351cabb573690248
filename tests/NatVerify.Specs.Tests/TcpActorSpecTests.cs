using NatVerify.Model.Scenario;

namespace NatVerify.Specs.Tests;

/// <summary>The spec keys for TCP connection state: <c>close:</c> actors (FIN or RST) and a flow's <c>retries:</c>.</summary>
public class TcpActorSpecTests
{
    private const string Head = "name: x\ndescription: d\n";
    private const string OneFlow = "actors:\n  - name: a\n    flow: 10.0.0.1:1 -> 10.0.0.2:2\n";

    private static SpecException Fails(string yaml, int line, int column, string detail) =>
        SpecAssert.Fails(() => SpecLoader.Parse(yaml, "bad.yaml"), line, column, detail);

    [Fact]
    public void Close_actor_reads_its_target_and_how_with_fin_as_default()
    {
        var spec = SpecLoader.Parse(Head + OneFlow + "  - name: c\n    close: a\n  - name: r\n    close: a\n    how: rst\n", "ok.yaml");
        Assert.Equal(new ConnectionClose("c", "a", CloseKind.Fin), spec.Model.Actors[1]);
        Assert.Equal(new ConnectionClose("r", "a", CloseKind.Rst), spec.Model.Actors[2]);
    }

    [Fact]
    public void Close_of_a_non_tcp_flow_or_an_unknown_actor_is_an_error()
    {
        Fails(Head + "actors:\n  - name: a\n    flow: 10.0.0.1:1 -> 10.0.0.2:2\n    proto: udp\n  - name: c\n    close: a\n", 8, 12, "close target 'a' must be a tcp flow");
        Fails(Head + OneFlow + "  - name: c\n    close: z\n", 7, 12, "close target 'z' is not an actor");
        Fails(Head + OneFlow + "  - name: c\n    close: a\n    how: linger\n", 8, 10, "unknown close 'linger' (known: fin, rst)");
    }

    [Fact]
    public void Retries_are_read_for_tcp_flows_and_bounded()
    {
        var spec = SpecLoader.Parse(Head + OneFlow + "    retries: 3\n", "ok.yaml");
        Assert.Equal(3, Assert.IsType<FlowActor>(spec.Model.Actors[0]).Retries);
        Fails(Head + OneFlow + "    retries: 7\n", 6, 14, "bad retries '7': expected 0-6");
        Fails(Head + "actors:\n  - name: a\n    flow: 10.0.0.1:1 -> 10.0.0.2:2\n    proto: udp\n    retries: 1\n", 7, 5, "retries is only valid for tcp flows");
    }
}
