using System.Globalization;
using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.Tuples;
using NatVerify.Oracle.Kernel;
using NatVerify.Oracle.Model;

namespace NatVerify.Oracle.Comparison;

/// <summary>
/// Decides whether a kernel run is one of the model's terminal states. Compared exactly: each ctnetlink event's
/// outcome; the counters <c>insert</c>, <c>insert_failed</c>, <c>drop</c>, <c>clash_resolve</c>; each flow's
/// socket result (connected / refused / timed out / echo replied) and where its first packet arrived, if anywhere;
/// the table <c>conntrack -L</c> lists, entry for entry. Compared by class: every port the model leaves fresh
/// (see <see cref="PortUnifier"/>), with one consistent assignment across the table and the servers' sightings.
/// </summary>
/// <param name="semantics">The explored semantics (its port universe and actors).</param>
/// <param name="served">Whether a server listened at (protocol, address, port) in the topology: a TCP flow delivered elsewhere is refused, not connected.</param>
public sealed class Comparator(NatSemantics semantics, Func<L4Protocol, Ipv4, int, bool> served)
{
    /// <summary>Compares the observation with every prediction; the first that explains it wins.</summary>
    public ComparisonResult Compare(IReadOnlyList<Prediction> predictions, KernelObservation observation)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(observation);
        foreach (var prediction in predictions)
        {
            var unifier = new PortUnifier(semantics.Ports);
            if (Evaluate(prediction, observation, unifier, null))
            {
                return new ComparisonResult { Agree = true, Closest = prediction, Bindings = unifier.Bindings, Differences = [] };
            }
        }

        Prediction? nearest = null;
        List<string> best = [];
        foreach (var prediction in predictions)
        {
            var differences = new List<string>();
            Evaluate(prediction, observation, new PortUnifier(semantics.Ports), differences);
            if (nearest is null || differences.Count < best.Count)
            {
                nearest = prediction;
                best = differences;
            }
        }

        if (nearest is null)
        {
            best = ["the model has no terminal state at all"];
        }

        return new ComparisonResult { Agree = false, Closest = nearest, Bindings = new Dictionary<Port, int>(), Differences = best };
    }

    /// <summary>What the flow's socket should report if the model's terminal state is what happened.</summary>
    public string ExpectedClientResult(PredictedFlow flow) => flow.Protocol switch
    {
        L4Protocol.Tcp => flow.Delivered is not { } d ? "timeout"
            : !d.DstPort.IsFresh && served(L4Protocol.Tcp, d.DstIp, d.DstPort.Raw) ? "connected" : "refused",
        L4Protocol.Udp => "sent",
        var p when p.IsPortless() => "sent",
        _ => flow.Delivered is null ? "timeout" : "replied",
    };

    /// <summary>
    /// Checks one prediction. Without a difference list it stops at the first mismatch and searches every pairing
    /// of table entries; with one it records every mismatch, pairing entries greedily (for the report).
    /// </summary>
    private bool Evaluate(Prediction prediction, KernelObservation observation, PortUnifier unifier, List<string>? differences)
    {
        var ok = true;

        bool Fail(string text)
        {
            differences?.Add(text);
            ok = false;
            return differences is not null;
        }

        foreach (var line in observation.UnparsedLines)
        {
            if (!Fail($"conntrack -L: a line the oracle cannot read as an entry of a modelled protocol: {line}"))
            {
                return false;
            }
        }

        foreach (var (name, kind) in prediction.Events)
        {
            var seen = observation.Events.GetValueOrDefault(name);
            if (seen?.Kind != kind && !Fail($"{name}: conntrack answered {Describe(seen)}, the model says {kind.CliName()}"))
            {
                return false;
            }
        }

        foreach (var counter in CounterExpectation.Compared)
        {
            var expected = ExpectedCounter(prediction, observation, counter);
            var actual = observation.Counters[counter];
            if (actual != expected && !Fail(string.Create(CultureInfo.InvariantCulture, $"conntrack -S: {counter} moved by {actual}, the model says {expected}")))
            {
                return false;
            }
        }

        foreach (var (name, flow) in prediction.Flows)
        {
            if (!CheckFlow(flow, observation.Flows.GetValueOrDefault(name), unifier, Fail))
            {
                return false;
            }
        }

        foreach (var record in observation.StrayRecords)
        {
            if (!Fail($"a server saw a {record.Protocol} packet from {record.Source}:{record.SourcePort} to {record.Destination}:{record.DestinationPort} that belongs to no flow (tag '{record.Tag}')"))
            {
                return false;
            }
        }

        if (differences is null)
        {
            return ok && MatchEntries(observation.Entries, prediction.Entries, 0, new bool[prediction.Entries.Count], unifier);
        }

        GreedyEntries(observation.Entries, prediction.Entries, unifier, differences);
        return differences.Count == 0;
    }

    private bool CheckFlow(PredictedFlow flow, ObservedFlow? seen, PortUnifier unifier, Func<string, bool> fail)
    {
        if (seen is null)
        {
            return fail($"{flow.Actor}: the oracle has no observation of this flow");
        }

        var expected = ExpectedClientResult(flow);
        if (seen.ClientResult != expected
            && !fail($"{flow.Actor}: the socket reported {seen.ClientResult}{(seen.Detail is null ? string.Empty : $" ({seen.Detail})")}, the model ({flow.Outcome}) means {expected}"))
        {
            return false;
        }

        var original = semantics.Original(semantics.Scenario.IndexOf(flow.Actor));
        if (flow.Protocol == L4Protocol.Icmp && seen.ClientResult == "replied" && seen.ReplyId != original.SrcPort.Raw
            && !fail($"{flow.Actor}: the echo reply came back with id {seen.ReplyId}, not the request's {original.SrcPort.Raw} (reverse NAT)"))
        {
            return false;
        }

        if (flow.Delivered is not { } delivered)
        {
            return seen.Sightings.Count == 0
                || fail($"{flow.Actor}: a server saw {Kernel(seen.Sightings[0].Packet)}, the model ({flow.Outcome}) drops the first packet");
        }

        if (seen.Sightings.Count != 1)
        {
            return fail(seen.Sightings.Count == 0
                ? $"{flow.Actor}: no server saw the first packet, the model ({flow.Outcome}) delivers {Model(delivered)}"
                : $"{flow.Actor}: servers saw the first packet {seen.Sightings.Count} times: {string.Join("; ", seen.Sightings.Select(s => Kernel(s.Packet)))}");
        }

        var packet = seen.Sightings[0].Packet;
        return unifier.Unify(delivered, packet)
            || fail($"{flow.Actor}: the server saw {Kernel(packet)}, the model ({flow.Outcome}) delivers {Model(delivered)}");
    }

    private static long ExpectedCounter(Prediction prediction, KernelObservation observation, string counter)
    {
        var expected = prediction.Counters[counter];
        if (counter is "insert_failed" or "drop")
        {
            // A retransmitted SYN of a flow confirm dropped meets the same clash and is dropped and counted again.
            expected += prediction.DroppedAtConfirm.Sum(f => (long)(observation.Flows.GetValueOrDefault(f)?.SynRetransmits ?? 0));
        }

        return expected;
    }

    private static bool MatchEntries(IReadOnlyList<KernelEntry> kernel, IReadOnlyList<PredictedEntry> model, int next, bool[] used, PortUnifier unifier)
    {
        if (next == kernel.Count)
        {
            return used.All(u => u);
        }

        if (kernel.Count != model.Count)
        {
            return false;
        }

        for (var j = 0; j < model.Count; j++)
        {
            if (used[j])
            {
                continue;
            }

            var saved = unifier.Save();
            if (unifier.Unify(model[j].Original, kernel[next].Original) && unifier.Unify(model[j].Reply, kernel[next].Reply))
            {
                used[j] = true;
                if (MatchEntries(kernel, model, next + 1, used, unifier))
                {
                    return true;
                }

                used[j] = false;
            }

            unifier.Restore(saved);
        }

        return false;
    }

    private void GreedyEntries(IReadOnlyList<KernelEntry> kernel, IReadOnlyList<PredictedEntry> model, PortUnifier unifier, List<string> differences)
    {
        var used = new bool[model.Count];
        foreach (var entry in kernel)
        {
            var matched = false;
            for (var j = 0; j < model.Count && !matched; j++)
            {
                if (used[j])
                {
                    continue;
                }

                var saved = unifier.Save();
                if (unifier.Unify(model[j].Original, entry.Original) && unifier.Unify(model[j].Reply, entry.Reply))
                {
                    used[j] = matched = true;
                }
                else
                {
                    unifier.Restore(saved);
                }
            }

            if (!matched)
            {
                var sameOriginal = model.Select((m, j) => (m, j)).FirstOrDefault(x => !used[x.j] && x.m.Original == entry.Original);
                differences.Add(sameOriginal.m is { } m
                    ? $"conntrack -L: {m.Owner}'s entry has reply {Kernel(entry.Reply)}, the model's reply is {Model(m.Reply)} ({entry.Line})"
                    : $"conntrack -L: the kernel lists an entry the model does not have: {entry.Line}");
                if (sameOriginal.m is not null)
                {
                    used[sameOriginal.j] = true;
                }
            }
        }

        for (var j = 0; j < model.Count; j++)
        {
            if (!used[j])
            {
                differences.Add($"conntrack -L: the model's entry of {model[j].Owner} ({Model(model[j].Original)} / reply {Model(model[j].Reply)}) is missing");
            }
        }
    }

    private static string Describe(ObservedEvent? seen) => seen switch
    {
        null => "nothing (the command did not run)",
        { Kind: { } k } => k.CliName(),
        _ => $"exit code {seen.ExitCode}: {seen.Output}",
    };

    private string Model(ConntrackTuple t) => t.Protocol == L4Protocol.Icmp
        ? $"icmp {t.SrcIp} -> {t.DstIp} id {semantics.Ports.Describe(t.SrcPort)}"
        : t.Protocol.IsPortless() ? $"{t.Protocol.Name()} {t.SrcIp} -> {t.DstIp}"
        : $"{t.Protocol.Name()} {t.SrcIp}:{semantics.Ports.Describe(t.SrcPort)} -> {t.DstIp}:{semantics.Ports.Describe(t.DstPort)}";

    private static string Kernel(ConntrackTuple t) => t.Protocol == L4Protocol.Icmp
        ? $"icmp {t.SrcIp} -> {t.DstIp} id {t.SrcPort.Raw}"
        : t.Protocol.IsPortless() ? $"{t.Protocol.Name()} {t.SrcIp} -> {t.DstIp}"
        : $"{t.Protocol.Name()} {t.SrcIp}:{t.SrcPort.Raw} -> {t.DstIp}:{t.DstPort.Raw}";
}
