using NatVerify.Model.Addressing;
using NatVerify.Model.Tuples;
using NatVerify.Oracle.Agent;
using NatVerify.Oracle.Comparison;
using NatVerify.Oracle.Kernel;
using NatVerify.Oracle.Model;
using Xunit;

namespace NatVerify.Oracle.Tests;

/// <summary>
/// The comparison of kernel observations with the model's terminal states, on the seed specs' real predictions
/// and hand-written observations shaped like the kernel's (no kernel needed).
/// </summary>
public class ComparatorTests
{
    private static readonly ModelPredictions ThiefFirst = ModelPredictions.Compute(OracleEnvironment.Load("specs/seed/thief-first.yaml"));
    private static readonly ModelPredictions ClientFirst = ModelPredictions.Compute(OracleEnvironment.Load("specs/seed/client-first.yaml"));

    [Fact]
    public void Seed_thief_first_as_the_kernel_showed_it_agrees_and_binds_the_fresh_port()
    {
        var result = Compare(ThiefFirst, ThiefFirstObservation(clientPort: 50487));
        Assert.True(result.Agree, string.Join("\n", result.Differences));
        Assert.Contains(50487, result.Bindings.Values);
    }

    [Fact]
    public void Client_keeping_its_port_despite_the_taken_reply_tuple_disagrees_and_says_where()
    {
        var result = Compare(ThiefFirst, ThiefFirstObservation(clientPort: 12345));
        Assert.False(result.Agree);
        Assert.Contains(result.Differences, d => d.StartsWith("client: the server saw tcp 198.51.100.1:12345", StringComparison.Ordinal));
        Assert.Contains(result.Differences, d => d.Contains("client's entry has reply tcp 198.51.100.2:80 -> 198.51.100.1:12345", StringComparison.Ordinal));
    }

    [Fact]
    public void Rewrite_into_another_port_class_disagrees()
    {
        var result = Compare(ThiefFirst, ThiefFirstObservation(clientPort: 700));
        Assert.False(result.Agree);
        Assert.NotEmpty(result.Differences);
    }

    [Fact]
    public void Server_port_must_be_the_same_number_as_the_tables_fresh_port()
    {
        var observation = ThiefFirstObservation(clientPort: 50487) with
        {
            Flows = Flows(
                Flow("thief", "connected", Tcp("198.51.100.1", 12345, "198.51.100.2", 80)),
                Flow("client", "connected", Tcp("198.51.100.1", 50488, "198.51.100.2", 80))),
        };
        Assert.False(Compare(ThiefFirst, observation).Agree);
    }

    [Fact]
    public void Counters_the_model_does_not_move_make_a_disagreement()
    {
        var observation = ThiefFirstObservation(clientPort: 50487) with { Counters = Counters(insertFailed: 1, drop: 1) };
        var result = Compare(ThiefFirst, observation);
        Assert.False(result.Agree);
        Assert.Contains("conntrack -S: insert_failed moved by 1, the model says 0", result.Differences);
    }

    [Fact]
    public void Seed_client_first_agrees_and_a_retransmitted_dropped_syn_is_counted_twice()
    {
        var once = ClientFirstObservation(retransmits: 0, insertFailed: 1);
        Assert.True(Compare(ClientFirst, once).Agree);
        var twice = ClientFirstObservation(retransmits: 1, insertFailed: 2);
        Assert.True(Compare(ClientFirst, twice).Agree);
        var miscounted = ClientFirstObservation(retransmits: 1, insertFailed: 1);
        Assert.False(Compare(ClientFirst, miscounted).Agree);
    }

    [Fact]
    public void A_packet_no_flow_sent_disagrees()
    {
        var stray = new ServerRecord { Protocol = "tcp", Tag = "someone else", Source = "198.51.100.9", SourcePort = 1, Destination = "198.51.100.2", DestinationPort = 80 };
        var observation = ThiefFirstObservation(clientPort: 50487) with { StrayRecords = [stray] };
        Assert.False(Compare(ThiefFirst, observation).Agree);
    }

    private static ComparisonResult Compare(ModelPredictions model, KernelObservation observation) =>
        new Comparator(model.Semantics, (protocol, _, port) => protocol == L4Protocol.Tcp && port == 80).Compare(model.Predictions, observation);

    private static KernelObservation ThiefFirstObservation(int clientPort) => new()
    {
        Entries =
        [
            Entry(Tcp("198.51.100.1", 54321, "198.51.100.2", 80), Tcp("198.51.100.2", 80, "198.51.100.1", 12345)),
            Entry(Tcp("198.51.100.1", 12345, "198.51.100.2", 80), Tcp("198.51.100.2", 80, "198.51.100.1", clientPort)),
        ],
        UnparsedLines = [],
        Counters = Counters(),
        Flows = Flows(
            Flow("thief", "connected", Tcp("198.51.100.1", 12345, "198.51.100.2", 80)),
            Flow("client", "connected", Tcp("198.51.100.1", clientPort, "198.51.100.2", 80))),
        Events = new Dictionary<string, ObservedEvent>(),
        StrayRecords = [],
    };

    private static KernelObservation ClientFirstObservation(int retransmits, int insertFailed) => new()
    {
        Entries = [Entry(Tcp("198.51.100.1", 12345, "198.51.100.2", 80), Tcp("198.51.100.2", 80, "198.51.100.1", 12345))],
        UnparsedLines = [],
        Counters = Counters(insertFailed: insertFailed, drop: insertFailed),
        Flows = Flows(
            Flow("client", "connected", Tcp("198.51.100.1", 12345, "198.51.100.2", 80)),
            Flow("thief", "timeout", null, retransmits)),
        Events = new Dictionary<string, ObservedEvent>(),
        StrayRecords = [],
    };

    private static ConntrackTuple Tcp(string src, int sport, string dst, int dport) =>
        new(L4Protocol.Tcp, Ipv4.Parse(src), Port.Of(sport), Ipv4.Parse(dst), Port.Of(dport));

    private static KernelEntry Entry(ConntrackTuple original, ConntrackTuple reply) => new(original, reply, $"{original} / {reply}");

    private static ObservedFlow Flow(string actor, string result, ConntrackTuple? seen, int retransmits = 0) =>
        new(actor, L4Protocol.Tcp, result, null, retransmits, null, seen is { } s ? [new Sighting(s, "peer")] : []);

    private static Dictionary<string, ObservedFlow> Flows(params ObservedFlow[] flows) => flows.ToDictionary(f => f.Actor);

    private static KernelCounters Counters(int insertFailed = 0, int drop = 0) =>
        KernelCounters.Parse($"cpu=0 found=3 invalid=0 insert=0 insert_failed={insertFailed} drop={drop} clash_resolve=0");
}
