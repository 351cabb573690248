using System.CommandLine;
using System.Globalization;
using NatVerify.Model;
using NatVerify.Model.Properties;
using NatVerify.Reporting;
using NatVerify.Smt;
using NatVerify.Smt.Bmc;
using NatVerify.Smt.Induction;
using NatVerify.Specs;

namespace NatVerify.Cli;

/// <summary>
/// <c>natverify prove</c>: Z3 proofs. <c>--bmc K</c> covers every interleaving of up to K atomic steps of a spec and,
/// for the fields the spec (or <c>--symbolic</c>) marks, every value; <c>--induction</c> proves linked-tuple
/// uniqueness for tables of any size and the null binding's scope. See docs/smt.md.
/// </summary>
internal static class ProveCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var spec = new Argument<string?>("spec")
        {
            Description = "A scenario spec (YAML file, may have a 'symbolic' key) or an embedded seed spec 'seed:NAME'; for --bmc.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var bmc = new Option<int?>("--bmc") { Description = $"Bounded model checking: every run of at most K atomic steps (0..{BmcSubset.MaxBound})." };
        var induction = new Option<bool>("--induction") { Description = "Inductive proof of linked-tuple uniqueness for tables of any size, and of the null binding's scope." };
        var symbolic = new Option<string[]>("--symbolic")
        {
            Description = "With --bmc: treat a field as any value, 'ACTOR.FIELD' or 'ACTOR.FIELD in RANGE' (repeatable); fields: "
                + string.Join(", ", SymbolicField.FieldNames) + ".",
            AllowMultipleArgumentsPerToken = true,
        };
        var profile = new Option<string?>("--profile")
        {
            Description = $"Kernel profile ({string.Join(", ", KernelProfile.All.Select(p => p.Name))}); --bmc: overrides the spec's; --induction: default all.",
        };
        var mutant = new Option<string?>("--mutant")
        {
            Description = $"Prove against a deliberately broken kernel: {string.Join(", ", KernelMutantNames.All.Select(m => m.CliName()))}; "
                + $"--induction only: {string.Join(", ", KernelMutantNames.ProofOnly.Select(m => m.CliName()))}.",
        };
        var properties = new Option<string[]>("--property")
        {
            Description = $"With --bmc: check only these properties (repeatable): {string.Join(", ", PropertyIds.All)}.",
            AllowMultipleArgumentsPerToken = true,
        };
        var timeout = new Option<double?>("--timeout")
        {
            Description = "Time limit of the whole run in seconds, building the encoding included (default 300); each query gets the time left. Running out is inconclusive (exit 3).",
        };
        var maxMemory = new Option<long?>("--max-memory")
        {
            Description = "Bound on the process's resident memory in MiB (RSS, /proc/self/statm), also given to Z3 as its allocation limit (memory_max_size). "
                + "Default: 75% of the machine's available memory (MemAvailable, or the cgroup limit when lower). Reaching it is inconclusive (exit 3).",
        };
        var noOutcomes = new Option<bool>("--no-outcomes") { Description = "With --bmc: skip the enumeration of joint outcomes." };
        var witnesses = new Option<bool>("--witnesses") { Description = "With --bmc: print the replayed trace of every joint outcome's witness." };
        var json = JsonOutput.CreateOption();
        var allowOutside = SpecAccess.CreateOption();

        var command = new Command("prove", "Prove properties with Z3: bounded model checking over symbolic values and schedules, or induction over tables of any size.")
        {
            spec, bmc, induction, symbolic, profile, mutant, properties, timeout, maxMemory, noOutcomes, witnesses, json, allowOutside,
        };
        command.SetAction(parse =>
        {
            var bound = parse.GetValue(bmc);
            var inductive = parse.GetValue(induction);
            if (bound is null == !inductive)
            {
                stderr.WriteLine("error: give exactly one of --bmc K and --induction");
                return (int)ExitCode.BadInput;
            }

            if (!TryMutant(parse.GetValue(mutant), inductive, stderr, out var km) || !TryProfile(parse.GetValue(profile), stderr, out var kp))
            {
                return (int)ExitCode.BadInput;
            }

            var limit = TimeSpan.FromSeconds(300);
            if (parse.GetValue(timeout) is { } t)
            {
                if (t <= 0 || double.IsNaN(t) || double.IsInfinity(t))
                {
                    stderr.WriteLine("error: --timeout must be a positive number of seconds");
                    return (int)ExitCode.BadInput;
                }

                limit = TimeSpan.FromSeconds(t);
            }

            long? memoryBytes = null;
            if (parse.GetValue(maxMemory) is { } mm)
            {
                if (mm < 1 || mm > long.MaxValue >> 20)
                {
                    stderr.WriteLine("error: --max-memory must be at least 1 (MiB)");
                    return (int)ExitCode.BadInput;
                }

                memoryBytes = mm << 20;
            }

            var limits = new RunLimits(Checker.ProcessMemory.Choose(memoryBytes), limit, null, null);

            try
            {
                if (inductive)
                {
                    if (parse.GetValue(spec) is not null || parse.GetValue(symbolic) is { Length: > 0 } || parse.GetValue(properties) is { Length: > 0 })
                    {
                        stderr.WriteLine("error: --induction takes no spec, --symbolic or --property: it proves the claims for every table");
                        return (int)ExitCode.BadInput;
                    }

                    return Induction(stdout, kp is null ? KernelProfile.All : [kp], km, limits, parse.GetValue(json));
                }

                return Bmc(stdout, stderr, parse.GetValue(spec), bound!.Value, parse.GetValue(symbolic) ?? [], kp, km,
                    parse.GetValue(properties) ?? [], limits, !parse.GetValue(noOutcomes), parse.GetValue(witnesses), parse.GetValue(json),
                    SpecAccess.Options(parse.GetValue(allowOutside)));
            }
            catch (SmtUnavailableException e)
            {
                stderr.WriteLine($"error: Z3 is not available: {e.Message}");
                return (int)ExitCode.InternalError;
            }
        });
        return command;
    }

    private static int Bmc(
        TextWriter stdout, TextWriter stderr, string? specName, int bound, string[] symbolicFields, KernelProfile? profile, KernelMutant mutant,
        string[] properties, RunLimits limits, bool outcomes, bool witnesses, bool json, Specs.Input.SpecLoadOptions access)
    {
        var code = Bmc(json ? TextWriter.Null : stdout, stderr, specName, bound, symbolicFields, profile, mutant, properties, limits, outcomes, witnesses, access, out var report);
        return json && report is not null ? JsonOutput.Write(stdout, "prove", code, BmcJson(report, code, limits)) : (int)code;
    }

    private static ExitCode Bmc(
        TextWriter stdout, TextWriter stderr, string? specName, int bound, string[] symbolicFields, KernelProfile? profile, KernelMutant mutant,
        string[] properties, RunLimits limits, bool outcomes, bool witnesses, Specs.Input.SpecLoadOptions access, out BmcReport? report)
    {
        report = null;
        if (specName is null)
        {
            stderr.WriteLine("error: --bmc needs a spec (a YAML file or seed:NAME; 'natverify specs' lists the seeds)");
            return ExitCode.BadInput;
        }

        if (bound < 0 || bound > BmcSubset.MaxBound)
        {
            stderr.WriteLine($"error: --bmc must be between 0 and {BmcSubset.MaxBound}");
            return ExitCode.BadInput;
        }

        var unknown = properties.Where(p => !PropertyIds.All.Contains(p)).ToList();
        if (unknown.Count > 0)
        {
            stderr.WriteLine($"error: unknown property '{unknown[0]}'; known: {string.Join(", ", PropertyIds.All)}");
            return ExitCode.BadInput;
        }

        ScenarioSpec loaded;
        SymbolicSpec symbolic;
        try
        {
            if (specName.StartsWith("seed:", StringComparison.Ordinal))
            {
                var text = EmbeddedSpecs.Read(specName);
                if (text is null)
                {
                    stderr.WriteLine($"error: no embedded spec '{specName}'; embedded specs: {string.Join(", ", EmbeddedSpecs.Names())}");
                    return ExitCode.BadInput;
                }

                (loaded, symbolic) = SymbolicSpec.Parse(text, specName);
            }
            else
            {
                (loaded, symbolic) = SymbolicSpec.LoadFile(specName, access);
            }

            symbolic = symbolic.With(loaded.Model, symbolicFields);
        }
        catch (SpecException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCode.BadInput;
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCode.BadInput;
        }

        try
        {
            report = BoundedModelChecker.Run(loaded, symbolic, new BmcSettings
            {
                Bound = bound,
                Profile = profile,
                Mutant = mutant,
                Properties = properties.Length > 0 ? properties : null,
                QueryTimeout = limits.Timeout!.Value,
                RunTimeout = limits.Timeout,
                MaxMemoryBytes = limits.Memory?.Bytes,
                Outcomes = outcomes,
            });
        }
        catch (BmcUnsupportedException e)
        {
            stderr.WriteLine($"error: {loaded.File}: not supported by --bmc: {e.Message}");
            return ExitCode.BadInput;
        }

        PrintBmc(stdout, report, witnesses, limits);
        var failed = report.FailedReplays.ToList();
        if (failed.Count > 0)
        {
            stderr.WriteLine($"internal error: the explicit engine does not reproduce {failed.Count} BMC witness(es); the encoding and NatSemantics disagree:");
            foreach (var f in failed)
            {
                stderr.WriteLine($"  {f.Detail}");
            }

            return ExitCode.InternalError;
        }

        if (report.Properties.Any(p => p.Outcome is SmtSat) || report.ExpectationFailures.Count > 0)
        {
            return ExitCode.Violated;
        }

        return report.AnyUnknown ? ExitCode.Inconclusive : ExitCode.Holds;
    }

    private static void PrintBmc(TextWriter stdout, BmcReport r, bool witnesses, RunLimits limits)
    {
        var symbolic = r.Symbolic.Fields.Count == 0 ? "none (every value is the spec's)" : string.Join(", ", r.Symbolic.Fields);
        stdout.WriteLine($"natverify prove {r.Spec.File} --bmc {r.Bound}");
        stdout.WriteLine($"  scenario: {r.Spec.Name}   profile: {r.Profile.Name}   mutant: {r.Mutant.CliName()}");
        stdout.WriteLine($"  symbolic fields: {symbolic}");
        stdout.WriteLine(r.Complete
            ? $"  bound: {r.Bound} steps; the scenario's full depth is {r.FullDepth}, so every interleaving is covered to its end"
            : $"  bound: {r.Bound} steps; the scenario's full depth is {r.FullDepth}: longer runs are NOT covered");
        stdout.WriteLine(Inv($"  encoding: {r.Assertions} assertions, built in {r.EncodeTime.TotalMilliseconds:F0} ms"));
        stdout.WriteLine();
        stdout.WriteLine($"Properties, for every value of the symbolic fields and every interleaving of at most {r.Bound} steps:");
        var width = r.Properties.Count == 0 ? 0 : r.Properties.Max(p => p.Property.Length);
        foreach (var p in r.Properties)
        {
            var (word, detail) = p.Outcome switch
            {
                SmtUnsat u => ("HOLDS", Inv($"unsat, {u.SolveTime.TotalMilliseconds:F0} ms")),
                SmtSat s => ("VIOLATED", Inv($"sat, {s.SolveTime.TotalMilliseconds:F0} ms; ") + (p.Replay!.Reproduced ? "witness replayed on the explicit engine" : "WITNESS NOT REPRODUCED")),
                SmtUnknown u when r.EndedBy is not null => ("UNKNOWN", $"{u.Reason}; nothing is proved"),
                SmtUnknown u => ("UNKNOWN", $"the solver gave up: {u.Reason}; nothing is proved"),
                _ => ("?", string.Empty),
            };
            stdout.WriteLine($"  {p.Property.PadRight(width)}  {word,-9} ({detail})");
        }

        if (r.JointOutcomes.Count > 0 || r.OutcomeEnumerationEnd is not null)
        {
            stdout.WriteLine();
            stdout.WriteLine($"Joint outcomes of terminal states within {r.Bound} steps (each witness replayed on the explicit engine):");
            foreach (var j in r.JointOutcomes)
            {
                var joint = string.Join(", ", j.Outcomes.Select((o, i) => $"{r.Spec.Model.Actors[i].Name}: {o}"));
                var values = j.Witness.Assignments.Count == 0 ? string.Empty : "   e.g. " + string.Join(", ", j.Witness.Assignments);
                stdout.WriteLine($"  {{{joint}}}{values}{(j.Replay.Reproduced ? string.Empty : "   WITNESS NOT REPRODUCED: " + j.Replay.Detail)}");
            }

            stdout.WriteLine(r.OutcomeEnumerationEnd switch
            {
                SmtUnsat u => Inv($"  (no other joint outcome is reachable within {r.Bound} steps: unsat, {u.SolveTime.TotalMilliseconds:F0} ms)"),
                SmtUnknown u when r.EndedBy is not null => $"  (the enumeration stopped: {u.Reason}; more outcomes may exist)",
                SmtUnknown u => $"  (the enumeration stopped: the solver gave up ({u.Reason}); more outcomes may exist)",
                _ => "  (the enumeration stopped at its cap; more outcomes may exist)",
            });
        }

        stdout.WriteLine();
        if (r.ExpectationFailures.Count > 0)
        {
            stdout.WriteLine("Expectations of the spec NOT met:");
            foreach (var f in r.ExpectationFailures)
            {
                stdout.WriteLine($"  - {f}");
            }
        }
        else if (r.Spec.Expect.Verdict is not null || r.Spec.Expect.Outcomes.Count > 0 || r.Spec.Expect.Mutants.Count > 0)
        {
            stdout.WriteLine("Expectations of the spec: none contradicted.");
        }

        foreach (var n in r.ExpectationNotes)
        {
            stdout.WriteLine($"  note: {n}");
        }

        var violated = r.Properties.Where(p => p.Outcome is SmtSat).Select(p => p.Property).ToList();
        var unknownCount = r.Properties.Count(p => p.Outcome is SmtUnknown);
        stdout.WriteLine();
        var scope = r.Symbolic.Fields.Count == 0 ? "the spec's values" : $"every value of {symbolicFieldsList(r)}";
        stdout.WriteLine(violated.Count > 0
            ? $"Verdict: VIOLATED. {string.Join(", ", violated)} can fail within {r.Bound} steps."
            : r.EndedBy is { } ended
                ? $"Verdict: INCONCLUSIVE. The {BoundName(ended.Kind, limits)} bound ended the run; nothing is proved for the {unknownCount} quer{(unknownCount == 1 ? "y" : "ies")} it left unanswered. ({ended.Detail})"
            : unknownCount > 0
                ? $"Verdict: INCONCLUSIVE. {unknownCount} quer{(unknownCount == 1 ? "y" : "ies")} ended unknown; nothing is proved for them."
                : r.Complete
                    ? $"Verdict: HOLDS for {scope} and every interleaving (bound {r.Bound} reaches the full depth {r.FullDepth})."
                    : $"Verdict: HOLDS up to {r.Bound} steps for {scope} and every interleaving (not beyond: the full depth is {r.FullDepth}).");
        stdout.WriteLine(limits.Line());

        foreach (var p in r.Properties.Where(p => p.Outcome is SmtSat))
        {
            var witness = (BmcWitness)((SmtSat)p.Outcome).Counterexample;
            stdout.WriteLine();
            stdout.WriteLine($"Witness for {p.Property} ({witness.Steps.Count} steps), replayed on the explicit engine:");
            PrintWitness(stdout, witness, p.Replay!);
        }

        if (witnesses)
        {
            foreach (var j in r.JointOutcomes)
            {
                stdout.WriteLine();
                stdout.WriteLine($"Witness for {j.Witness.Goal} ({j.Witness.Steps.Count} steps), replayed on the explicit engine:");
                PrintWitness(stdout, j.Witness, j.Replay);
            }
        }

        static string symbolicFieldsList(BmcReport r) => string.Join(", ", r.Symbolic.Fields.Select(f => $"{f.Actor}.{f.Field}"));
    }

    private static void PrintWitness(TextWriter stdout, BmcWitness witness, ReplayResult replay)
    {
        if (witness.Assignments.Count > 0)
        {
            stdout.WriteLine("  values: " + string.Join(", ", witness.Assignments));
        }

        stdout.WriteLine($"  {(replay.Reproduced ? "reproduced" : "NOT reproduced")}: {replay.Detail}");
        foreach (var line in new TraceRenderer(replay.Semantics).Render(replay.Trace))
        {
            stdout.WriteLine("  " + line);
        }
    }

    private static int Induction(TextWriter stdout, IReadOnlyList<KernelProfile> profiles, KernelMutant mutant, RunLimits limits, bool json)
    {
        var report = InductionProver.Run(profiles, mutant, limits.Timeout!.Value, limits.Memory?.Bytes);
        var code = Induction(json ? TextWriter.Null : stdout, profiles, mutant, report, limits);
        if (!json)
        {
            return (int)code;
        }

        var obligations = new System.Text.Json.Nodes.JsonArray();
        foreach (var r in report.Results)
        {
            obligations.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["profile"] = r.Profile.Name,
                ["query"] = r.Query.Id,
                ["claim"] = r.Query.Claim,
                ["kernelFunctions"] = r.Query.KernelFunctions,
                ["outcome"] = Outcome(r.Outcome),
                ["solveMs"] = SolveMs(r.Outcome),
                ["counterexample"] = r.Outcome is SmtSat sat ? JsonOutput.Strings(sat.Counterexample.Describe()) : null,
            });
        }

        return JsonOutput.Write(stdout, "prove", code, new System.Text.Json.Nodes.JsonObject
        {
            ["verdict"] = JsonOutput.Verdict(code),
            ["mode"] = "induction",
            ["profiles"] = JsonOutput.Strings(profiles.Select(p => p.Name)),
            ["mutant"] = mutant.CliName(),
            ["assumptions"] = JsonOutput.Strings(report.Assumptions),
            ["obligations"] = obligations,
            ["limits"] = limits.Json(),
        });
    }

    private static string Outcome(SmtOutcome o) => o switch
    {
        SmtUnsat => "unsat",
        SmtSat => "sat",
        _ => "unknown",
    };

    private static double? SolveMs(SmtOutcome o) => o switch
    {
        SmtUnsat u => JsonOutput.Ms(u.SolveTime),
        SmtSat s => JsonOutput.Ms(s.SolveTime),
        _ => null,
    };

    private static System.Text.Json.Nodes.JsonObject BmcJson(BmcReport r, ExitCode code, RunLimits limits)
    {
        var props = new System.Text.Json.Nodes.JsonArray();
        foreach (var p in r.Properties)
        {
            var witness = p.Outcome is SmtSat sat ? (BmcWitness)sat.Counterexample : null;
            props.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["property"] = p.Property,
                ["outcome"] = Outcome(p.Outcome),
                ["solveMs"] = SolveMs(p.Outcome),
                ["reason"] = p.Outcome is SmtUnknown u ? u.Reason : null,
                ["witness"] = witness is null ? null : Witness(witness, p.Replay!),
            });
        }

        var joint = new System.Text.Json.Nodes.JsonArray();
        foreach (var j in r.JointOutcomes)
        {
            joint.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["outcomes"] = JsonOutput.Strings(j.Outcomes.Select(o => o.ToString())),
                ["witness"] = Witness(j.Witness, j.Replay),
            });
        }

        return new System.Text.Json.Nodes.JsonObject
        {
            ["verdict"] = JsonOutput.Verdict(code),
            ["mode"] = "bmc",
            ["spec"] = r.Spec.File,
            ["scenario"] = r.Spec.Name,
            ["profile"] = r.Profile.Name,
            ["mutant"] = r.Mutant.CliName(),
            ["bound"] = r.Bound,
            ["fullDepth"] = r.FullDepth,
            ["complete"] = r.Complete,
            ["symbolicFields"] = JsonOutput.Strings(r.Symbolic.Fields.Select(f => $"{f.Actor}.{f.Field}")),
            ["assertions"] = r.Assertions,
            ["encodeMs"] = JsonOutput.Ms(r.EncodeTime),
            ["properties"] = props,
            ["violatedProperties"] = JsonOutput.Strings(r.Properties.Where(p => p.Outcome is SmtSat).Select(p => p.Property)),
            ["outcomes"] = new System.Text.Json.Nodes.JsonObject
            {
                ["actors"] = JsonOutput.Strings(r.Spec.Model.Actors.Select(a => a.Name)),
                ["joint"] = joint,
                ["complete"] = r.OutcomeEnumerationEnd is SmtUnsat,
            },
            ["expectationFailures"] = JsonOutput.Strings(r.ExpectationFailures),
            ["limits"] = limits.Json(),
            ["runBound"] = r.EndedBy is { } ended
                ? new System.Text.Json.Nodes.JsonObject { ["kind"] = JsonOutput.BoundKindName(ended.Kind), ["detail"] = ended.Detail }
                : null,
        };
    }

    private static string BoundName(Checker.BoundKind kind, RunLimits limits) => kind switch
    {
        Checker.BoundKind.MaxMemory => limits.MemoryName,
        _ => "--timeout",
    };

    private static System.Text.Json.Nodes.JsonObject Witness(BmcWitness w, ReplayResult replay) => new()
    {
        ["steps"] = w.Steps.Count,
        ["assignments"] = JsonOutput.Strings(w.Assignments.Select(a => a.ToString()!)),
        ["reproduced"] = replay.Reproduced,
    };

    private static ExitCode Induction(TextWriter stdout, IReadOnlyList<KernelProfile> profiles, KernelMutant mutant, InductionReport report, RunLimits limits)
    {
        stdout.WriteLine($"natverify prove --induction   profiles: {string.Join(", ", profiles.Select(p => p.Name))}   mutant: {mutant.CliName()}");
        stdout.WriteLine("  Claim: linked-tuple uniqueness (and, for the steps that unlink, no DYING entry left linked) is preserved by");
        stdout.WriteLine("  every atomic step, from any table that satisfies it, for tables of any size; and the null binding never");
        stdout.WriteLine("  changes an address or a DST port.");
        stdout.WriteLine("  Assumptions:");
        foreach (var a in report.Assumptions)
        {
            stdout.WriteLine($"    - {a}");
        }

        var width = InductionProver.Queries.Max(q => q.Id.Length);
        foreach (var group in report.Results.GroupBy(r => r.Profile.Name))
        {
            stdout.WriteLine();
            stdout.WriteLine(group.Key);
            foreach (var r in group)
            {
                var (word, detail) = r.Outcome switch
                {
                    SmtUnsat u => ("PROVED", Inv($"unsat, {u.SolveTime.TotalMilliseconds:F0} ms")),
                    SmtSat s => ("FAILS", Inv($"sat, {s.SolveTime.TotalMilliseconds:F0} ms; counterexample below")),
                    SmtUnknown u => ("UNKNOWN", $"the solver gave up: {u.Reason}"),
                    _ => ("?", string.Empty),
                };
                stdout.WriteLine($"  {r.Query.Id.PadRight(width)}  {word,-8} ({detail})");
            }
        }

        foreach (var r in report.Results.Where(r => r.Outcome is SmtSat))
        {
            stdout.WriteLine();
            stdout.WriteLine($"{r.Query.Id}: {r.Query.Claim}. Step: {r.Query.KernelFunctions}.");
            foreach (var line in ((SmtSat)r.Outcome).Counterexample.Describe())
            {
                stdout.WriteLine("  " + line);
            }
        }

        var failed = report.Results.Count(r => r.Outcome is SmtSat);
        var unknown = report.Results.Count(r => r.Outcome is SmtUnknown);
        stdout.WriteLine();
        stdout.WriteLine(failed > 0
            ? $"Verdict: NOT PROVED. {failed} obligation(s) have a counterexample to induction."
            : unknown > 0
                ? $"Verdict: INCONCLUSIVE. {unknown} obligation(s) ended unknown."
                : $"Verdict: PROVED for {string.Join(", ", profiles.Select(p => p.Name))} (all {report.Results.Count} obligations unsat).");
        stdout.WriteLine(limits.Line());
        return failed > 0 ? ExitCode.Violated : unknown > 0 ? ExitCode.Inconclusive : ExitCode.Holds;
    }

    private static bool TryMutant(string? name, bool inductive, TextWriter stderr, out KernelMutant mutant)
    {
        mutant = KernelMutant.None;
        if (name is null)
        {
            return true;
        }

        if (KernelMutantNames.TryParse(name, inductive, out mutant))
        {
            return true;
        }

        if (!inductive && KernelMutantNames.TryParse(name, proofOnlyToo: true, out _))
        {
            stderr.WriteLine($"error: mutant '{name}' exists only for --induction (the explicit engine and BMC do not model it)");
            return false;
        }

        stderr.WriteLine($"error: unknown mutant '{name}'; known: {string.Join(", ", KernelMutantNames.All.Concat(inductive ? KernelMutantNames.ProofOnly : []).Select(x => x.CliName()))}");
        return false;
    }

    private static bool TryProfile(string? name, TextWriter stderr, out KernelProfile? profile)
    {
        profile = null;
        if (name is null)
        {
            return true;
        }

        profile = KernelProfile.Find(name);
        if (profile is not null)
        {
            return true;
        }

        stderr.WriteLine($"error: unknown kernel profile '{name}'; known: {string.Join(", ", KernelProfile.All.Select(k => k.Name))}");
        return false;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
