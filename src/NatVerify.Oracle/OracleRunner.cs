using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;
using NatVerify.Model.Tuples;
using NatVerify.Oracle.Agent;
using NatVerify.Oracle.Comparison;
using NatVerify.Oracle.Kernel;
using NatVerify.Oracle.Model;
using NatVerify.Oracle.Planning;
using NatVerify.Specs;

namespace NatVerify.Oracle;

/// <summary>
/// Runs a scenario on the live kernel and compares it with the model: for each run, builds private namespaces
/// (<see cref="TopologyBuilder"/>), loads the spec's ruleset with <c>iptables-restore</c> or <c>nft</c> (<see cref="KernelRulesetLoader"/>), starts agents (the
/// project's own binary, <c>natverify agent</c>) that serve and send, drives the actors in the planned order
/// (<see cref="SchedulePlanner"/>), reads <c>conntrack -L</c>, <c>conntrack -S</c> and what the servers saw,
/// deletes everything it created, and asks the <see cref="Comparator"/> whether the model allows what happened.
/// </summary>
public static partial class OracleRunner
{
    /// <summary>Runs <see cref="OracleOptions.Runs"/> times; throws <see cref="OracleUnavailableException"/>, <see cref="UnsupportedScenarioException"/> or <see cref="OracleFailureException"/>.</summary>
    public static OracleReport Run(ScenarioSpec spec, OracleOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Runs is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "runs must be 1-1000");
        }

        options.Log?.Invoke($"seed {options.Seed.ToString(CultureInfo.InvariantCulture)}");
        var model = ModelPredictions.Compute(spec, options.Profile, options.Mutant, cancellationToken);
        var schedule = SchedulePlanner.Plan(spec.Model, TopologyPlanner.Plan(spec.Model, model.Predictions, Netns.Prefix + "plan"));
        Prerequisites.Require();
        foreach (var stale in Netns.DeleteStale())
        {
            options.Log?.Invoke($"deleted namespace {stale} left behind by a process that no longer runs");
        }

        var kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "unknown";
        var random = new Random(options.Seed);
        var runs = new List<OracleRun>();
        for (var n = 1; n <= options.Runs; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var baseName = Netns.NewBaseName(random);
            var plan = TopologyPlanner.Plan(spec.Model, model.Predictions, baseName);
            var steps = SchedulePlanner.Plan(spec.Model, plan);
            var clock = Stopwatch.StartNew();
            options.Log?.Invoke($"run {n}: namespaces {string.Join(", ", plan.Namespaces)}");
            var observation = RunOnce(spec, plan, steps, options, baseName, cancellationToken);
            var comparison = new Comparator(model.Semantics, plan.Serves).Compare(model.Predictions, observation);
            runs.Add(new OracleRun(n, plan, observation, comparison, clock.Elapsed));
            options.Log?.Invoke($"run {n}: {(comparison.Agree ? "agree" : "DISAGREE")} ({clock.Elapsed.TotalMilliseconds:0} ms)");
        }

        return new OracleReport(spec, model, schedule, runs, options.Seed, kernel);
    }

    /// <summary>The tag a flow's packets carry in one run.</summary>
    internal static string TagOf(string runTag, string actor) => $"nvo:{runTag}:{actor}";

    private static KernelObservation RunOnce(
        ScenarioSpec spec, TopologyPlan plan, IReadOnlyList<OracleStep> steps, OracleOptions options, string runTag, CancellationToken cancellationToken)
    {
        var agents = new Dictionary<string, AgentClient>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        void Stage(string stage)
        {
            options.Log?.Invoke($"  {stage} at {clock.ElapsedMilliseconds} ms");
            options.OnStage?.Invoke(stage);
        }

        try
        {
            Stage("topology");
            TopologyBuilder.Build(plan, cancellationToken);
            Stage("ruleset");
            LoadRuleset(spec, plan.NatNamespace);
            Stage("agents");
            StartAgents(plan, options, runTag, agents, cancellationToken);
            foreach (var (ns, server) in plan.Servers)
            {
                agents[ns].Send(new AgentRequest { Op = "serve", TcpPorts = server.TcpPorts, UdpPorts = server.UdpPorts, Icmp = server.Icmp, RawProtocols = server.RawProtocols }, TimeSpan.FromSeconds(10), cancellationToken);
            }

            var before = Counters(plan.NatNamespace, cancellationToken);
            Stage("drive");
            var servers = plan.Servers.Keys.Select(ns => agents[ns]).ToList();
            var results = new Dictionary<string, FlowResult>(StringComparer.Ordinal);
            var pending = new List<(FlowStep Step, AgentClient Agent)>();
            var events = new Dictionary<string, ObservedEvent>(StringComparer.Ordinal);
            foreach (var step in steps)
            {
                cancellationToken.ThrowIfCancellationRequested();
                switch (step)
                {
                    case FlowStep { Detached: true } detached:
                        Start(spec.Model, detached, agents[detached.Namespace], options, runTag, cancellationToken);
                        pending.Add((detached, agents[detached.Namespace]));
                        break;
                    case FlowStep flows:
                        Drive(spec.Model, flows, agents[flows.Namespace], servers, options, runTag, results, cancellationToken);
                        break;
                    case EventStep e:
                        events[e.Actor] = RunEvent(spec.Model, plan.NatNamespace, e, cancellationToken);
                        break;
                    case CloseStep close:
                        agents[close.Namespace].Send(new AgentRequest { Op = "close", Tag = TagOf(runTag, close.Target), How = close.How }, TimeSpan.FromSeconds(10), cancellationToken);

                        // The last ACK of a FIN close (or the RST) must have passed conntrack before the next actor starts.
                        Thread.Sleep(100);
                        break;
                }
            }

            foreach (var (step, agent) in pending)
            {
                Collect(spec.Model, step, agent, options, runTag, results, cancellationToken);
            }

            Stage("observe");

            // Servers record a TCP connection once they read its tag line, a datagram or echo request on arrival;
            // a sent datagram that was dropped costs this wait once, at the end.
            var arrived = results.Values.Where(r => r.Result is "connected" or "replied" or "sent").Select(r => r.Tag).ToList();
            WaitForTags(servers, arrived, TimeSpan.FromSeconds(2), cancellationToken);
            var listing = Netns.Exec(plan.NatNamespace, [Tools.Require("conntrack", "conntrack"), "-L", "-f", "ipv4"], cancellationToken: cancellationToken);
            if (!listing.Succeeded)
            {
                throw new OracleFailureException($"conntrack -L failed: {listing.Output}");
            }

            var after = Counters(plan.NatNamespace, cancellationToken);
            var records = servers.SelectMany(a => (a.Send(new AgentRequest { Op = "report" }, TimeSpan.FromSeconds(10), cancellationToken).Seen ?? [])
                .Select(r => (Record: r, a.Namespace))).ToList();
            var (entries, unparsed) = ConntrackListParser.Parse(listing.Stdout);
            return new KernelObservation
            {
                Entries = entries,
                UnparsedLines = unparsed,
                Counters = KernelCounters.Delta(before, after),
                Flows = Flows(spec.Model, runTag, results, records),
                Events = events,
                StrayRecords = records
                    .Where(r => !spec.Model.Actors.OfType<FlowActor>().Any(f => TagOf(runTag, f.Name) == r.Record.Tag))
                    .Select(r => r.Record)
                    .ToList(),
            };
        }
        finally
        {
            foreach (var agent in agents.Values)
            {
                agent.Dispose();
            }

            TopologyBuilder.Teardown(plan);
            options.Log?.Invoke($"  cleaned up at {clock.ElapsedMilliseconds} ms");
        }
    }

    /// <summary>
    /// Loads the spec's ruleset exactly as written and nothing else. In particular nothing is added to switch
    /// connection tracking on: a namespace in which no rule uses conntrack (an empty nat table is not enough)
    /// tracks nothing, and the oracle must show that rather than hide it.
    /// </summary>
    private static void LoadRuleset(ScenarioSpec spec, string nat) => KernelRulesetLoader.Load(nat, spec.RulesetText);

    private static void StartAgents(TopologyPlan plan, OracleOptions options, string runTag, Dictionary<string, AgentClient> agents, CancellationToken cancellationToken)
    {
        var starts = plan.AgentNamespaces
            .Select(ns => (ns, Task: Task.Run(() => AgentClient.Start(options.Agent, ns, runTag, options.AgentLifetime, cancellationToken), CancellationToken.None)))
            .ToList();
        Exception? failure = null;
        foreach (var (ns, task) in starts)
        {
            try
            {
                agents[ns] = task.GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is OracleFailureException or OracleUnavailableException or OperationCanceledException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                failure ??= e;
            }
        }

        if (failure is not null)
        {
            throw failure is OperationCanceledException ? failure : new OracleFailureException($"cannot start an agent: {failure.Message}");
        }
    }

    private static void Drive(
        ScenarioModel scenario, FlowStep step, AgentClient agent, IReadOnlyList<AgentClient> servers, OracleOptions options, string runTag,
        Dictionary<string, FlowResult> results, CancellationToken cancellationToken)
    {
        var flows = step.Actors.Select(name => (FlowActor)scenario.Actors[scenario.IndexOf(name)]).ToList();
        var requests = flows.Select(f => Request(f, TagOf(runTag, f.Name), options.FlowTimeout)).ToList();
        var wait = (options.FlowTimeout * (flows.Count + 1)) + TimeSpan.FromSeconds(15);
        var response = agent.Send(new AgentRequest { Op = "flows", Flows = requests, Concurrent = step.Concurrent }, wait, cancellationToken);
        var answers = response.Results ?? [];
        if (answers.Count != flows.Count)
        {
            throw new OracleFailureException($"agent in {agent.Namespace} answered {answers.Count} results for {flows.Count} flows");
        }

        for (var i = 0; i < flows.Count; i++)
        {
            results[flows[i].Name] = answers[i];
        }

        // A datagram is on its way once sent; the next actor must not start before it got where it goes.
        var sent = answers.Where((r, i) => (flows[i].Original.Protocol == L4Protocol.Udp || flows[i].Original.Protocol.IsPortless()) && r.Result == "sent").Select(r => r.Tag).ToList();
        WaitForTags(servers, sent, options.FlowTimeout, cancellationToken);
    }

    /// <summary>Starts a retrying flow and returns once its first SYN has had time to pass confirm.</summary>
    private static void Start(ScenarioModel scenario, FlowStep step, AgentClient agent, OracleOptions options, string runTag, CancellationToken cancellationToken)
    {
        var flow = (FlowActor)scenario.Actors[scenario.IndexOf(step.Actors[0])];
        agent.Send(new AgentRequest { Op = "start", Flows = [Request(flow, TagOf(runTag, flow.Name), options.FlowTimeout)] }, TimeSpan.FromSeconds(10), cancellationToken);

        // connect() sends the SYN at once and the kernel runs conntrack, NAT and confirm in that send path; the
        // retransmission is due 1 s later, so the next actors start well inside that window.
        Thread.Sleep(250);
    }

    private static void Collect(
        ScenarioModel scenario, FlowStep step, AgentClient agent, OracleOptions options, string runTag, Dictionary<string, FlowResult> results,
        CancellationToken cancellationToken)
    {
        var flow = (FlowActor)scenario.Actors[scenario.IndexOf(step.Actors[0])];
        var tag = TagOf(runTag, flow.Name);
        var wait = SchedulePlanner.ConnectWait(flow, options.FlowTimeout) + TimeSpan.FromSeconds(15);
        var answers = agent.Send(new AgentRequest { Op = "collect", Tag = tag }, wait, cancellationToken).Results ?? [];
        if (answers.Count != 1)
        {
            throw new OracleFailureException($"agent in {agent.Namespace} answered {answers.Count} results for the pending flow {flow.Name}");
        }

        results[flow.Name] = answers[0];
    }

    private static FlowRequest Request(FlowActor flow, string tag, TimeSpan timeout)
    {
        timeout = SchedulePlanner.ConnectWait(flow, timeout);
        var t = flow.Original;
        return new FlowRequest
        {
            Tag = tag,
            Protocol = t.Protocol.IsPortless() ? "raw" : t.Protocol.Name(),
            ProtocolNumber = (int)t.Protocol,
            Source = t.SrcIp.ToString(),
            SourcePort = t.Protocol == L4Protocol.Icmp ? 0 : t.SrcPort.Raw,
            Destination = t.DstIp.ToString(),
            DestinationPort = t.Protocol == L4Protocol.Icmp ? 0 : t.DstPort.Raw,
            IcmpId = t.Protocol == L4Protocol.Icmp ? t.SrcPort.Raw : 0,
            Mark = flow.Mark,
            TimeoutMs = (int)timeout.TotalMilliseconds,
        };
    }

    private static void WaitForTags(IReadOnlyList<AgentClient> servers, IReadOnlyList<string> tags, TimeSpan limit, CancellationToken cancellationToken)
    {
        if (tags.Count == 0 || servers.Count == 0)
        {
            return;
        }

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit)
        {
            var seen = servers.SelectMany(a => a.Send(new AgentRequest { Op = "report" }, TimeSpan.FromSeconds(10), cancellationToken).Seen ?? [])
                .Select(r => r.Tag)
                .ToHashSet(StringComparer.Ordinal);
            if (tags.All(seen.Contains))
            {
                return;
            }

            Thread.Sleep(5);
        }
    }

    private static ObservedEvent RunEvent(ScenarioModel scenario, string nat, EventStep step, CancellationToken cancellationToken)
    {
        var result = Netns.Exec(nat, [Tools.Require("conntrack", "conntrack"), .. step.Arguments], timeout: TimeSpan.FromSeconds(10), cancellationToken: cancellationToken);
        var output = result.Output;
        OutcomeKind? kind;
        if (scenario.Actors[scenario.IndexOf(step.Actor)] is CtnetlinkInsert)
        {
            kind = result.Succeeded ? OutcomeKind.Inserted : output.Contains("File exists", StringComparison.Ordinal) ? OutcomeKind.Exists : null;
        }
        else
        {
            var deleted = DeletedCount().Match(output);
            kind = deleted.Success
                ? int.Parse(deleted.Groups[1].Value, CultureInfo.InvariantCulture) > 0 ? OutcomeKind.Deleted : OutcomeKind.NotFound
                : output.Contains("No such file or directory", StringComparison.Ordinal) || output.Contains("doesn't exist", StringComparison.Ordinal)
                    ? OutcomeKind.NotFound
                    : null;
        }

        return new ObservedEvent(step.Actor, kind, result.ExitCode, output);
    }

    private static KernelCounters Counters(string nat, CancellationToken cancellationToken)
    {
        var stats = Netns.Exec(nat, [Tools.Require("conntrack", "conntrack"), "-S"], cancellationToken: cancellationToken);
        if (!stats.Succeeded)
        {
            throw new OracleFailureException($"conntrack -S failed: {stats.Output}");
        }

        return KernelCounters.Parse(stats.Stdout);
    }

    private static Dictionary<string, ObservedFlow> Flows(
        ScenarioModel scenario, string runTag, Dictionary<string, FlowResult> results, List<(ServerRecord Record, string Namespace)> records)
    {
        var flows = new Dictionary<string, ObservedFlow>(StringComparer.Ordinal);
        foreach (var flow in scenario.Actors.OfType<FlowActor>())
        {
            var tag = TagOf(runTag, flow.Name);
            var result = results.GetValueOrDefault(flow.Name) ?? new FlowResult { Tag = tag, Result = "error", Detail = "never sent" };
            var sightings = records.Where(r => r.Record.Tag == tag).Select(r => new Sighting(Packet(flow.Original.Protocol, r.Record), r.Namespace)).ToList();
            flows[flow.Name] = new ObservedFlow(flow.Name, flow.Original.Protocol, result.Result, result.Detail, result.SynRetransmits, result.ReplyId, sightings);
        }

        return flows;
    }

    private static ConntrackTuple Packet(L4Protocol protocol, ServerRecord record) => protocol == L4Protocol.Icmp
        ? new ConntrackTuple(protocol, Ipv4.Parse(record.Source), Port.Of(record.SourcePort), Ipv4.Parse(record.Destination), ConntrackTuple.IcmpEchoRequest)
        : protocol.IsPortless()
        ? new ConntrackTuple(protocol, Ipv4.Parse(record.Source), Port.Of(0), Ipv4.Parse(record.Destination), Port.Of(0))
        : new ConntrackTuple(protocol, Ipv4.Parse(record.Source), Port.Of(record.SourcePort), Ipv4.Parse(record.Destination), Port.Of(record.DestinationPort));

    [GeneratedRegex(@"(\d+) flow entr(?:y|ies) ha(?:s|ve) been deleted")]
    private static partial Regex DeletedCount();
}
