using System.Globalization;
using NatVerify.Model;
using NatVerify.Model.Addressing;
using NatVerify.Model.Semantics;
using NatVerify.Oracle.Comparison;
using NatVerify.Oracle.Kernel;
using NatVerify.Oracle.Model;
using NatVerify.Oracle.Planning;

namespace NatVerify.Oracle;

/// <summary>Writes an <see cref="OracleReport"/> as text: the model's outcomes, the order driven, and per run the verdict with its evidence.</summary>
public static class OracleReportWriter
{
    /// <summary>Writes the report; <paramref name="verbose"/> adds each run's full observation and the matched state's witness trace.</summary>
    public static void Write(OracleReport report, TextWriter output, bool verbose)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        var model = report.Model;
        var actors = model.Semantics.Scenario.Actors.Select(a => a.Name).ToList();
        output.WriteLine($"oracle  {report.Spec.File} ({report.Spec.Name})");
        var mutant = model.Check.Mutant == KernelMutant.None ? string.Empty : $", mutant {model.Check.Mutant.CliName()}";
        output.WriteLine($"kernel  {report.KernelRelease}; model profile {model.Check.Profile.Name}{mutant}; seed {report.Seed.ToString(CultureInfo.InvariantCulture)}");
        output.WriteLine($"model   {model.Check.Verdict.ToString().ToLowerInvariant()}; {Count(model.Predictions.Count, "terminal state")}, {Count(model.Check.Outcomes.Joint.Count, "joint outcome")}:");
        foreach (var joint in model.Check.Outcomes.Joint)
        {
            output.WriteLine($"          {Joint(actors, joint.Outcomes)}");
        }

        output.WriteLine($"driven  {string.Join(", then ", report.Schedule.Select(Step))}");
        foreach (var run in report.Runs)
        {
            WriteRun(run, model, actors, output, verbose);
        }

        output.WriteLine($"result  {report.Agreed}/{report.Runs.Count} runs agree with the model");
    }

    private static void WriteRun(OracleRun run, ModelPredictions model, IReadOnlyList<string> actors, TextWriter output, bool verbose)
    {
        var c = run.Comparison;
        var time = run.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
        var state = c.Closest is { } p ? $"terminal state {p.Number} {Joint(actors, p.Outcomes)}" : "no terminal state";
        if (c.Agree)
        {
            var bindings = c.Bindings.Count == 0 ? string.Empty
                : "; " + string.Join(", ", c.Bindings.OrderBy(b => b.Key.Raw).Select(b => $"{model.Semantics.Ports.Describe(b.Key)} = {b.Value}"));
            output.WriteLine($"run {run.Number}   AGREE ({time} ms) with {state}{bindings}");
        }
        else
        {
            output.WriteLine($"run {run.Number}   DISAGREE ({time} ms); nearest: {state}");
            foreach (var difference in c.Differences)
            {
                output.WriteLine($"        - {difference}");
            }
        }

        if (verbose || !c.Agree)
        {
            WriteObservation(run.Observation, output);
        }

        if (verbose && c.Agree && c.Closest is { } matched)
        {
            output.WriteLine("        model witness:");
            foreach (var step in matched.Witness().Steps)
            {
                var actor = step.Action.Actor < 0 ? "gc_worker" : actors[step.Action.Actor];
                output.WriteLine($"          {actor}: {step.Action.KernelFunction}");
            }
        }
    }

    private static void WriteObservation(KernelObservation observation, TextWriter output)
    {
        foreach (var flow in observation.Flows.Values)
        {
            var seen = flow.Sightings.Count == 0 ? "no server saw it"
                : string.Join("; ", flow.Sightings.Select(s => $"server saw {Packet(s)}"));
            var retransmits = flow.SynRetransmits > 0 ? $" ({flow.SynRetransmits} SYN retransmission(s))" : string.Empty;
            output.WriteLine($"        {flow.Actor}: {flow.ClientResult}{retransmits}; {seen}");
        }

        foreach (var e in observation.Events.Values)
        {
            output.WriteLine($"        {e.Actor}: {e.Kind?.ToString().ToLowerInvariant() ?? "?"} (conntrack exit {e.ExitCode}: {e.Output})");
        }

        output.WriteLine("        conntrack -L:");
        foreach (var entry in observation.Entries)
        {
            output.WriteLine($"          {entry.Line}");
        }

        foreach (var line in observation.UnparsedLines)
        {
            output.WriteLine($"          {line}   (not read as an entry)");
        }

        if (observation.Entries.Count == 0 && observation.UnparsedLines.Count == 0)
        {
            output.WriteLine("          (empty)");
        }

        output.WriteLine($"        conntrack -S moved: {observation.Counters} (compared: {string.Join(", ", CounterExpectation.Compared)})");
    }

    private static string Packet(Sighting s) => s.Packet.Protocol == L4Protocol.Icmp
        ? $"icmp {s.Packet.SrcIp} -> {s.Packet.DstIp} id {s.Packet.SrcPort.Raw}"
        : s.Packet.Protocol.IsPortless() ? $"{s.Packet.Protocol.Name()} {s.Packet.SrcIp} -> {s.Packet.DstIp}"
        : $"{s.Packet.Protocol.Name()} {s.Packet.SrcIp}:{s.Packet.SrcPort.Raw} -> {s.Packet.DstIp}:{s.Packet.DstPort.Raw}";

    private static string Step(OracleStep step) => step switch
    {
        FlowStep { Concurrent: true } f => $"[{string.Join(" + ", f.Actors)} at once]",
        FlowStep f => string.Join(", then ", f.Actors),
        EventStep e => e.Actor,
        CloseStep c => $"{c.Actor} ({c.How} close of {c.Target})",
        _ => step.ToString() ?? string.Empty,
    };

    private static string Joint(IReadOnlyList<string> actors, IReadOnlyList<Outcome> outcomes) =>
        "{" + string.Join(", ", actors.Select((a, i) => $"{a}: {outcomes[i]}")) + "}";

    private static string Count(int n, string noun) => $"{n.ToString(CultureInfo.InvariantCulture)} {noun}{(n == 1 ? string.Empty : "s")}";
}
