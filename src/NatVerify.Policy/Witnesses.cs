using System.Text;
using NatVerify.Checker;
using NatVerify.Model.Semantics;
using NatVerify.Specs;
using NatVerify.Verification;

namespace NatVerify.Policy;

/// <summary>One actor of a witness: a flow's first packet.</summary>
internal sealed record WitnessFlow(string Name, string Flow, string Proto, string Path, string? In, string? Out, uint Mark);

/// <summary>
/// Builds a witness scenario spec (docs/spec-format.md), checks it exhaustively with <see cref="Verifier"/>, asserts that
/// the outcomes show the finding, then pins the observed outcome sets as the spec's expectations and checks again. A
/// witness that does not show its finding is a bug in the analysis: <see cref="PolicyInternalException"/>.
/// Witnesses use addresses of 198.51.100.0/24, 203.0.113.0/24 and 192.0.2.0/24 only, so <c>natverify oracle</c> can
/// place them; the rule's ports, protocol, target and flags are kept, and the description quotes the original rule.
/// </summary>
internal static class Witnesses
{
    public static (string Text, string? Path) Build(
        AnalysisContext ctx, string name, string description, IReadOnlyDictionary<string, string> interfaces, IEnumerable<string> natLines,
        IReadOnlyList<WitnessFlow> flows, bool sequential, Func<OutcomeSet, bool> shows, string what, bool oracle = true)
    {
        var body = Render(ctx, name, description, interfaces, natLines, flows, sequential, oracle, null);
        var first = Check(ctx, body, name);
        if (!first.Exhaustive)
        {
            throw new PolicyBoundException($"the witness {name} could not be checked exhaustively ({first.Inconclusive?.Bound})");
        }

        if (!shows(first.Outcomes))
        {
            throw new PolicyInternalException(
                $"internal error: the witness {name} does not show {what} under the engine (outcomes: "
                + string.Join("; ", first.Outcomes.Joint.Select(j => string.Join(", ", j.Outcomes)))
                + "); the policy analysis and the model disagree, please report this with the ruleset");
        }

        var expect = new StringBuilder();
        expect.Append("expect:\n");
        expect.Append("  verdict: ").Append(first.Verdict.ToString().ToLowerInvariant()).Append('\n');
        if (first.Verdict == Verdict.Violated)
        {
            expect.Append("  violated: ").Append(first.ViolatedProperties[0]).Append('\n');
        }

        expect.Append("  outcomes:\n");
        for (var i = 0; i < flows.Count; i++)
        {
            var patterns = first.Outcomes.Of(i).Select(o => o.ToString()).Distinct().ToList();
            expect.Append("    ").Append(flows[i].Name).Append(": [").Append(string.Join(", ", patterns)).Append("]\n");
        }

        // The same scenario with the observed outcomes pinned: parse it as `natverify check` would and evaluate its
        // expectations against the exhaustive run (the scenario, hence the run, is the same).
        var text = Render(ctx, name, description, interfaces, natLines, flows, sequential, oracle, expect.ToString());
        ScenarioSpec final;
        try
        {
            final = SpecLoader.Parse(text, name + ".yaml");
        }
        catch (SpecException e)
        {
            throw new PolicyInternalException($"internal error: the witness {name} is not a valid spec: {e.Message}");
        }

        var failures = Expectations.Evaluate(first with { Spec = final });
        if (failures.Count > 0)
        {
            throw new PolicyInternalException($"internal error: the witness {name} does not reproduce its own outcomes: {string.Join("; ", failures)}");
        }

        string? path = null;
        if (ctx.Options.WitnessDir is { } dir)
        {
            Directory.CreateDirectory(dir);
            path = Path.Combine(dir, name + ".yaml");
            File.WriteAllText(path, text);
        }

        return (text, path);
    }

    private static VerificationResult Check(AnalysisContext ctx, string text, string name)
    {
        // Findings of one kind often yield the same scenario (same ports, protocol and target): check it once. The
        // key is the spec from its profile on: everything but the name and description.
        var key = text[text.IndexOf("\nprofile:", StringComparison.Ordinal)..];
        if (ctx.WitnessChecks.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var result = CheckUncached(ctx, text, name);
        ctx.WitnessChecks[key] = result;
        return result;
    }

    private static VerificationResult CheckUncached(AnalysisContext ctx, string text, string name)
    {
        ScenarioSpec spec;
        try
        {
            spec = SpecLoader.Parse(text, name + ".yaml");
        }
        catch (SpecException e)
        {
            throw new PolicyInternalException($"internal error: the witness {name} is not a valid spec: {e.Message}");
        }

        var settings = new CheckSettings
        {
            Profile = ctx.Options.Profile,
            Options = new CheckerOptions { StopAtFirstViolation = false, MaxStates = ctx.Options.MaxStates },
        };
        return ctx.Options.WitnessChecker is { } checker ? checker(name + ".yaml", text, settings) : Verifier.Check(spec, settings, cancellationToken: ctx.Options.Cancellation);
    }

    private static string Render(
        AnalysisContext ctx, string name, string description, IReadOnlyDictionary<string, string> interfaces, IEnumerable<string> natLines,
        IReadOnlyList<WitnessFlow> flows, bool sequential, bool oracle, string? expect)
    {
        var sb = new StringBuilder();
        sb.Append("name: ").Append(name).Append('\n');
        sb.Append("description: |\n");
        foreach (var line in Wrap(description))
        {
            sb.Append("  ").Append(line).Append('\n');
        }

        sb.Append("profile: ").Append(ctx.Options.Profile.Name).Append('\n');
        sb.Append(oracle ? "tags: [policy-witness, oracle]\n" : "tags: [policy-witness]\n");
        sb.Append("interfaces:\n");
        foreach (var (k, v) in interfaces)
        {
            sb.Append("  ").Append(k).Append(": ").Append(v).Append('\n');
        }

        sb.Append("ruleset: |\n  *nat\n  :PREROUTING ACCEPT [0:0]\n  :INPUT ACCEPT [0:0]\n  :OUTPUT ACCEPT [0:0]\n  :POSTROUTING ACCEPT [0:0]\n");
        foreach (var l in natLines)
        {
            sb.Append("  ").Append(l).Append('\n');
        }

        sb.Append("  COMMIT\nactors:\n");
        foreach (var f in flows)
        {
            sb.Append("  - name: ").Append(f.Name).Append('\n');
            sb.Append("    flow: ").Append(f.Flow).Append('\n');
            sb.Append("    proto: ").Append(f.Proto).Append('\n');
            sb.Append("    path: ").Append(f.Path).Append('\n');
            if (f.In is not null)
            {
                sb.Append("    in: ").Append(f.In).Append('\n');
            }

            if (f.Out is not null)
            {
                sb.Append("    out: ").Append(f.Out).Append('\n');
            }

            if (f.Mark != 0)
            {
                sb.Append("    mark: 0x").Append(f.Mark.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        sb.Append("schedule: ").Append(sequential ? "sequential" : "interleaved").Append('\n');
        if (expect is not null)
        {
            sb.Append(expect);
        }

        return sb.ToString();
    }

    /// <summary>Description lines: printable ASCII only (rule text comes from the user), wrapped at 110 columns.</summary>
    private static IEnumerable<string> Wrap(string text)
    {
        var clean = new string(text.Select(c => c is >= ' ' and <= '~' ? c : ' ').ToArray());
        var line = new StringBuilder();
        foreach (var word in clean.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length + word.Length + 1 > 110 && line.Length > 0)
            {
                yield return line.ToString();
                line.Clear();
            }

            if (line.Length > 0)
            {
                line.Append(' ');
            }

            line.Append(word);
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }

    public static bool Any(OutcomeSet set, Func<Outcome, bool> p) => set.Joint.Any(j => j.Outcomes.Any(p));
}
