using NatVerify.Model;
using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Tests;

/// <summary>Small builders for scenarios written directly against the model (no parser involved).</summary>
internal static class Build
{
    public static readonly Ipv4 Client = Ipv4.Parse("198.51.100.1");
    public static readonly Ipv4 Server = Ipv4.Parse("198.51.100.2");

    public static ConntrackTuple Tcp(Ipv4 s, int sp, Ipv4 d, int dp) => new(L4Protocol.Tcp, s, Port.Of(sp), d, Port.Of(dp));

    public static ConntrackTuple Udp(Ipv4 s, int sp, Ipv4 d, int dp) => new(L4Protocol.Udp, s, Port.Of(sp), d, Port.Of(dp));

    public static FlowActor Flow(string name, ConntrackTuple t, uint mark = 0, PacketPath path = PacketPath.LocalOut) =>
        new(name, t, mark, path, "veth1", "veth0");

    public static NatRule Rule(RuleTarget target, RuleMatch? match = null) => new(match ?? RuleMatch.Any, target, target.ToString() ?? "", 1);

    /// <summary>A nat table with the given rules in POSTROUTING (and optionally OUTPUT/PREROUTING).</summary>
    public static NatRuleset NatT(IReadOnlyList<NatRule>? postrouting = null, IReadOnlyList<NatRule>? output = null, IReadOnlyList<NatRule>? prerouting = null)
    {
        var chains = new Dictionary<string, NatChain>
        {
            ["PREROUTING"] = new("PREROUTING", true, prerouting ?? []),
            ["INPUT"] = new("INPUT", true, []),
            ["OUTPUT"] = new("OUTPUT", true, output ?? []),
            ["POSTROUTING"] = new("POSTROUTING", true, postrouting ?? []),
        };
        return new NatRuleset(true, chains, []);
    }

    public static NatRule SnatSinglePort(Ipv4 address, int port, uint mark) => Rule(
        new SnatTarget(new NatRange(NatRangeFlags.MapIps | NatRangeFlags.ProtoSpecified, address, address, port, port)),
        new RuleMatch { Protocol = new Condition<L4Protocol>(L4Protocol.Tcp, false), Mark = new Condition<MarkMatch>(new MarkMatch(mark, uint.MaxValue), false) });

    public static ScenarioModel Scn(NatRuleset ruleset, bool sequential, params Actor[] actors) =>
        new("test", ruleset, new Dictionary<string, Ipv4> { ["veth0"] = Client }, actors, [], sequential);

    public static NatSemantics Sem(ScenarioModel s, KernelProfile? profile = null, KernelMutant mutant = KernelMutant.None) =>
        new(s, profile ?? KernelProfile.Linux612, mutant);

    /// <summary>Runs the actors to completion in order, taking the successor <paramref name="pick"/> chooses at each step.</summary>
    public static (NatState Final, List<NatStep> Steps) RunSequential(NatSemantics sem, Func<List<(NatStep Step, NatState Next)>, int>? pick = null)
    {
        var state = sem.Initial;
        var steps = new List<NatStep>();
        var sink = new List<(NatStep, NatState)>();
        while (true)
        {
            sink.Clear();
            sem.Successors(state, sink);
            if (sink.Count == 0)
            {
                return (state, steps);
            }

            var (step, next) = sink[pick?.Invoke(sink) ?? 0];
            steps.Add(step);
            state = next;
        }
    }

    /// <summary>The successor of <paramref name="state"/> reached by the first enabled step <paramref name="which"/> accepts.</summary>
    public static NatState Take(NatSemantics sem, NatState state, Func<NatStep, bool> which)
    {
        var sink = new List<(NatStep Step, NatState Next)>();
        sem.Successors(state, sink);
        return sink.First(x => which(x.Step)).Next;
    }

    /// <summary>All terminal states reachable (tiny scenarios only).</summary>
    public static HashSet<NatState> Terminals(NatSemantics sem)
    {
        var seen = new HashSet<NatState> { sem.Initial };
        var queue = new Queue<NatState>([sem.Initial]);
        var terminals = new HashSet<NatState>();
        var sink = new List<(NatStep, NatState)>();
        while (queue.Count > 0)
        {
            var s = queue.Dequeue();
            sink.Clear();
            sem.Successors(s, sink);
            if (sink.Count == 0)
            {
                terminals.Add(s);
            }

            foreach (var (_, n) in sink)
            {
                if (seen.Add(n))
                {
                    queue.Enqueue(n);
                }
            }
        }

        return terminals;
    }
}
