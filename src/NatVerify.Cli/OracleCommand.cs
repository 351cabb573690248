using System.CommandLine;
using System.Runtime.InteropServices;
using NatVerify.Model;
using NatVerify.Oracle;
using NatVerify.Oracle.Agent;
using NatVerify.Oracle.Kernel;
using NatVerify.Specs;

namespace NatVerify.Cli;

/// <summary>
/// <c>natverify oracle SPEC</c>: runs the scenario on the live kernel in private network namespaces and reports
/// whether what the kernel did is one of the outcomes the model allows. Exit codes: 0 every run agrees, 1 some
/// run disagrees, 2 bad input (or a scenario or machine the oracle cannot run on), 3 the kernel run failed or was
/// interrupted, 4 internal error.
/// </summary>
internal static class OracleCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var spec = new Argument<string>("spec") { Description = "A scenario spec (YAML file) or an embedded seed spec 'seed:NAME'." };
        var runs = new Option<int>("--runs") { Description = "Independent runs, each on fresh namespaces (1-1000).", DefaultValueFactory = _ => 1 };
        var seed = new Option<int?>("--seed") { Description = "Seed of the oracle's random choices (namespace names, tags); default: chosen and printed." };
        var flowTimeout = new Option<int>("--flow-timeout")
        {
            Description = "Milliseconds a flow may take (TCP connect, echo reply, datagram arrival); below TCP's 1 s SYN retransmission.",
            DefaultValueFactory = _ => 400,
        };
        var profile = new Option<string?>("--profile")
        {
            Description = $"Compare with this kernel profile instead of the spec's: {string.Join(", ", KernelProfile.All.Select(p => p.Name))}.",
        };
        var mutant = new Option<string?>("--mutant")
        {
            Description = $"Compare with a deliberately broken model (the oracle should disagree): {string.Join(", ", KernelMutantNames.All.Select(m => m.CliName()))}.",
        };
        var verbose = new Option<bool>("--verbose") { Description = "Print every run's observation and the matching model witness, and progress on stderr." };
        var json = JsonOutput.CreateOption();
        var allowOutside = SpecAccess.CreateOption();
        var command = new Command(
            "oracle",
            "Run a scenario on the live kernel (root; private network namespaces, deleted afterwards) and check that the outcome is one the model allows.")
        {
            spec, runs, seed, flowTimeout, profile, mutant, verbose, json, allowOutside,
        };
        command.SetAction(parse =>
        {
            var runCount = parse.GetValue(runs);
            if (runCount is < 1 or > 1000)
            {
                stderr.WriteLine("error: --runs must be 1-1000");
                return (int)ExitCode.BadInput;
            }

            var timeout = parse.GetValue(flowTimeout);
            if (timeout is < 50 or > 10_000)
            {
                stderr.WriteLine("error: --flow-timeout must be 50-10000 ms");
                return (int)ExitCode.BadInput;
            }

            KernelProfile? kernelProfile = null;
            if (parse.GetValue(profile) is { } profileName && (kernelProfile = KernelProfile.Find(profileName)) is null)
            {
                stderr.WriteLine($"error: unknown kernel profile '{profileName}'; known: {string.Join(", ", KernelProfile.All.Select(p => p.Name))}");
                return (int)ExitCode.BadInput;
            }

            var kernelMutant = KernelMutant.None;
            if (parse.GetValue(mutant) is { } mutantName && !KernelMutantNames.TryParse(mutantName, out kernelMutant))
            {
                stderr.WriteLine($"error: unknown mutant '{mutantName}'; known: {string.Join(", ", KernelMutantNames.All.Select(m => m.CliName()))}");
                return (int)ExitCode.BadInput;
            }

            if (!TryLoad(parse.GetValue(spec)!, stderr, out var loaded, SpecAccess.Options(parse.GetValue(allowOutside))))
            {
                return (int)ExitCode.BadInput;
            }

            AgentLaunch launch;
            try
            {
                launch = AgentLaunch.ForAssembly(typeof(OracleCommand).Assembly);
            }
            catch (OracleUnavailableException e)
            {
                stderr.WriteLine($"error: the kernel oracle cannot run here: {e.Message}");
                return (int)ExitCode.BadInput;
            }

            var seedValue = parse.GetValue(seed) ?? Random.Shared.Next();
            var loud = parse.GetValue(verbose);
            var options = new OracleOptions
            {
                Agent = launch,
                Runs = runCount,
                Profile = kernelProfile,
                Mutant = kernelMutant,
                Seed = seedValue,
                FlowTimeout = TimeSpan.FromMilliseconds(timeout),
                Log = loud ? line => stderr.WriteLine($"oracle: {line}") : null,
            };
            return Run(loaded!, options, stdout, stderr, loud, parse.GetValue(json));
        });
        return command;
    }

    private static int Run(ScenarioSpec spec, OracleOptions options, TextWriter stdout, TextWriter stderr, bool verbose, bool json)
    {
        using var interrupted = new CancellationTokenSource();
        var signals = new List<PosixSignalRegistration>();
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            // Let the run unwind: its finally blocks kill the agents and delete the namespaces.
            signals.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                interrupted.Cancel();
            }));
        }

        try
        {
            var report = OracleRunner.Run(spec, options, interrupted.Token);
            var code = report.AllAgree ? ExitCode.Holds : ExitCode.Violated;
            if (json)
            {
                return JsonOutput.Write(stdout, "oracle", code, Json(report, code));
            }

            OracleReportWriter.Write(report, stdout, verbose);
            return (int)code;
        }
        catch (OracleUnavailableException e)
        {
            stderr.WriteLine($"error: the kernel oracle cannot run here: {e.Message}");
            return (int)ExitCode.BadInput;
        }
        catch (UnsupportedScenarioException e)
        {
            stderr.WriteLine($"error: {spec.File}: the oracle cannot run this scenario: {e.Message}");
            return (int)ExitCode.BadInput;
        }
        catch (OracleFailureException e)
        {
            stderr.WriteLine($"error: the kernel run failed (seed {options.Seed}): {e.Message}");
            return (int)ExitCode.Inconclusive;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine($"oracle: interrupted (seed {options.Seed}); every namespace and agent of the run has been removed");
            return (int)ExitCode.Inconclusive;
        }
        finally
        {
            OracleResources.ReleaseAll();
            foreach (var registration in signals)
            {
                registration.Dispose();
            }

            stderr.Flush();
        }
    }

    private static System.Text.Json.Nodes.JsonObject Json(OracleReport report, ExitCode code)
    {
        var runs = new System.Text.Json.Nodes.JsonArray();
        foreach (var run in report.Runs)
        {
            runs.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["number"] = run.Number,
                ["agree"] = run.Comparison.Agree,
                ["differences"] = JsonOutput.Strings(run.Comparison.Differences),
                ["elapsedMs"] = JsonOutput.Ms(run.Elapsed),
            });
        }

        return new System.Text.Json.Nodes.JsonObject
        {
            ["verdict"] = JsonOutput.Verdict(code),
            ["spec"] = report.Spec.File,
            ["scenario"] = report.Spec.Name,
            ["seed"] = report.Seed,
            ["kernelRelease"] = report.KernelRelease,
            ["agreed"] = report.Agreed,
            ["runs"] = runs,
        };
    }

    private static bool TryLoad(string name, TextWriter stderr, out ScenarioSpec? spec, Specs.Input.SpecLoadOptions options)
    {
        spec = null;
        try
        {
            if (name.StartsWith("seed:", StringComparison.Ordinal))
            {
                var text = EmbeddedSpecs.Read(name);
                if (text is null)
                {
                    stderr.WriteLine($"error: no embedded spec '{name}'; embedded specs: {string.Join(", ", EmbeddedSpecs.Names())}");
                    return false;
                }

                spec = SpecLoader.Parse(text, name);
            }
            else
            {
                spec = SpecLoader.LoadFile(name, options);
            }

            return true;
        }
        catch (SpecException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return false;
        }
    }
}
