using System.Diagnostics;
using Microsoft.Z3;
using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;
using NatVerify.Model.State;
using NatVerify.Model.Tuples;
using NatVerify.Smt.Encoding;
using NatVerify.Smt.Runtime;
using NatVerify.Specs;
using PhaseKind = NatVerify.Model.State.Phase;

namespace NatVerify.Smt.Bmc;

/// <summary>
/// <c>natverify prove --bmc K</c>: unrolls the spec's scenario K steps with a symbolic scheduler and symbolic
/// fields, asks Z3 whether any checked property can fail in any of the states 0..K, and enumerates the joint
/// outcomes of terminal states. Every satisfying assignment is decoded into a concrete scenario and schedule and
/// replayed on the explicit engine, which must reproduce it.
/// </summary>
public static class BoundedModelChecker
{
    /// <summary>Runs every query.</summary>
    /// <exception cref="BmcUnsupportedException">The scenario is outside the encoded subset.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The bound is negative or above <see cref="BmcSubset.MaxBound"/>.</exception>
    /// <exception cref="SmtUnavailableException">Z3 cannot be loaded.</exception>
    public static BmcReport Run(ScenarioSpec spec, SymbolicSpec symbolic, BmcSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(settings.Bound);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(settings.Bound, BmcSubset.MaxBound);
        BmcSubset.Check(spec.Model);
        var profile = settings.Profile ?? spec.Profile;
        var mutant = settings.Mutant;
        var properties = settings.Properties ?? spec.Properties;

        var budget = new RunBudget(settings.RunTimeout, settings.MaxMemoryBytes);
        using var z3Memory = budget.LimitZ3Memory();
        using var ctx = Z3Session.NewContext();
        var z = new Terms(ctx);
        var encodeClock = Stopwatch.StartNew();
        BmcEncoder? enc = null;
        var encodeTime = TimeSpan.Zero;
        var propertyResults = new List<BmcPropertyResult>();
        var joint = new List<BmcJointOutcome>();
        SmtOutcome? end = null;
        BmcBound? endedBy = null;
        var stage = "while building the encoding";
        try
        {
            budget.Checkpoint();
            enc = new BmcEncoder(z, spec.Model, profile, mutant, symbolic, settings.Bound, budget.Checkpoint);
            var baseFormula = enc.Assertions.ToArray();
            Solver Fresh()
            {
                // A fresh solver per query: Z3's incremental mode (push/pop) skips the bit-vector preprocessing that
                // makes these queries fast (port-classes at its full depth: 70 s incremental, 3 s fresh).
                budget.Checkpoint();
                var s = Z3Session.NewSolver(ctx, budget.QueryTimeout(settings.QueryTimeout));
                s.Assert(baseFormula);
                return s;
            }

            // One query under the watchdog; a bound hit during it ends the run after its (unknown) answer is kept.
            (Status Status, TimeSpan Elapsed) Check(Solver solver)
            {
                (Status, TimeSpan) result;
                using (budget.Watch(ctx))
                {
                    result = Z3Session.Check(solver);
                }

                return result;
            }

            string Reason(Solver solver) => budget.Hit is { } hit
                ? $"{solver.ReasonUnknown}: the {(hit.Kind == Checker.BoundKind.Timeout ? "time" : "memory")} bound ended the run"
                : solver.ReasonUnknown;

            var solver = Fresh();
            encodeTime = encodeClock.Elapsed;

            // The unrolling must admit a run (at worst all idle); otherwise every "holds" below would be vacuous.
            stage = "while checking that the unrolling admits a run";
            if (Check(solver).Status == Status.UNSATISFIABLE)
            {
                throw new InvalidOperationException($"internal error: the BMC unrolling of {spec.Name} admits no run; its answers would be vacuous");
            }

            budget.Checkpoint();
            foreach (var property in properties)
            {
                stage = $"at the query for {property}";
                var violations = Enumerable.Range(0, settings.Bound + 1).Select(t =>
                {
                    budget.Checkpoint();
                    return enc.Violation(property, t);
                }).ToArray();
                solver = Fresh();
                solver.Assert(z.Or(violations));
                var (status, elapsed) = Check(solver);
                switch (status)
                {
                    case Status.UNSATISFIABLE:
                        propertyResults.Add(new BmcPropertyResult(property, new SmtUnsat(elapsed), null));
                        break;
                    case Status.SATISFIABLE:
                        var model = solver.Model;
                        var last = Enumerable.Range(0, violations.Length).First(t => model.Eval(violations[t], true).IsTrue);
                        var witness = Decode(model, enc, last, $"a violation of {property}");
                        var replay = WitnessReplayer.ReplayViolation(witness, profile, mutant, property);
                        propertyResults.Add(new BmcPropertyResult(property, new SmtSat(elapsed, witness), replay));
                        break;
                    default:
                        propertyResults.Add(new BmcPropertyResult(property, new SmtUnknown(elapsed, Reason(solver)), null));
                        break;
                }

                budget.Checkpoint();
            }

            if (settings.Outcomes)
            {
                stage = "while enumerating joint outcomes";
                var terminal = enc.NoneEnabled(settings.Bound);
                var codes = Enumerable.Range(0, enc.Actors.Length).Select(i => enc.OutcomeCode(settings.Bound, i)).ToArray();
                var blocked = new List<BoolExpr>();
                while (true)
                {
                    if (joint.Count >= settings.MaxJointOutcomes)
                    {
                        break;
                    }

                    solver = Fresh();
                    solver.Assert(terminal);
                    solver.Assert(blocked.ToArray());
                    var (status, elapsed) = Check(solver);
                    if (status == Status.UNSATISFIABLE)
                    {
                        end = new SmtUnsat(elapsed);
                        break;
                    }

                    if (status != Status.SATISFIABLE)
                    {
                        end = new SmtUnknown(elapsed, Reason(solver));
                        break;
                    }

                    var model = solver.Model;
                    var values = codes.Select(c => ((BitVecNum)model.Eval(c, true)).UInt64).ToArray();
                    var outcomes = values.Select(v => BmcOutcomes.ToOutcome(v, enc.Semantics)).ToList();
                    var witness = Decode(model, enc, settings.Bound, "{" + string.Join(", ", outcomes.Select((o, i) => $"{enc.Actors[i].Actor.Name}: {o}")) + "}");
                    var replay = WitnessReplayer.ReplayOutcome(witness, profile, mutant, outcomes);
                    joint.Add(new BmcJointOutcome(outcomes, witness, replay, elapsed));

                    // Block this joint outcome and look for another.
                    blocked.Add(z.Not(z.And(codes.Select((c, i) => z.Eq(c, z.Bv(values[i], BmcOutcomes.CodeBits))))));
                    budget.Checkpoint();
                }
            }

            budget.Checkpoint();
        }
        catch (BudgetExceededException e)
        {
            endedBy = new BmcBound(e.Kind, $"{e.Message} The run stopped {stage}.");
        }
        catch (Z3Exception e) when (e.Message.Contains("memory", StringComparison.OrdinalIgnoreCase))
        {
            endedBy = new BmcBound(Checker.BoundKind.MaxMemory, $"{budget.MemoryOut(e.Message).Message} The run stopped {stage}.");
        }
        catch (OutOfMemoryException e)
        {
            endedBy = new BmcBound(Checker.BoundKind.MaxMemory, $"An allocation failed ({e.Message}). The run stopped {stage}.");
        }

        if (endedBy is not null)
        {
            if (enc is null)
            {
                encodeTime = encodeClock.Elapsed;
            }

            // Every property without an answer is reported unknown, naming the bound: nothing is proved for it.
            var unanswered = endedBy.Kind == Checker.BoundKind.Timeout ? "not answered: the time bound ended the run" : "not answered: the memory bound ended the run";
            foreach (var property in properties.Where(p => propertyResults.All(r => r.Property != p)).ToList())
            {
                propertyResults.Add(new BmcPropertyResult(property, new SmtUnknown(TimeSpan.Zero, unanswered), null));
            }

            if (settings.Outcomes && end is null)
            {
                end = new SmtUnknown(TimeSpan.Zero, unanswered);
            }
        }

        var partial = new BmcReport
        {
            Spec = spec,
            Symbolic = symbolic,
            Profile = profile,
            Mutant = mutant,
            Bound = settings.Bound,
            FullDepth = BmcSubset.FullDepth(spec.Model),
            Assertions = enc?.Assertions.Count ?? 0,
            EncodeTime = encodeTime,
            EndedBy = endedBy,
            Properties = propertyResults,
            JointOutcomes = joint,
            OutcomeEnumerationEnd = end,
            ExpectationFailures = [],
            ExpectationNotes = [],
        };
        var (failures, notes) = BmcExpectations.Evaluate(partial, settings.Outcomes);
        return partial with { ExpectationFailures = failures, ExpectationNotes = notes };
    }

    /// <summary>Decodes the model's run up to time <paramref name="last"/> into a concrete scenario, schedule and states.</summary>
    private static BmcWitness Decode(Microsoft.Z3.Model model, BmcEncoder enc, int last, string goal)
    {
        ulong Num(BitVecExpr e) => ((BitVecNum)model.Eval(e, true)).UInt64;
        bool Bool(BoolExpr e) => model.Eval(e, true).IsTrue;
        ConntrackTuple Tuple(SymTuple t) => new(
            (L4Protocol)Num(t.Proto), new Ipv4((uint)Num(t.SrcIp)), Port.Of((int)Num(t.SrcPort)), new Ipv4((uint)Num(t.DstIp)), Port.Of((int)Num(t.DstPort)));

        var scenario = DecodeScenario(enc, Tuple);
        var assignments = enc.SymbolicValues.Select(v => new SymbolicAssignment(v.Field, Num(v.Value))).ToList();
        var states = new List<IReadOnlyList<WitnessSlot>>();
        for (var t = 0; t <= last; t++)
        {
            states.Add(enc.States[t].Select(s =>
            {
                var status = CtStatus.None;
                foreach (var f in SymSlot.AllFlags)
                {
                    if (Bool(s.Flag(f)))
                    {
                        status |= Bit(f);
                    }
                }

                var partner = (int)Num(s.Partner);
                ulong linked = 0;
                for (var j = 0; j < s.LinkedAtSrcProbe.Length; j++)
                {
                    if (Bool(s.LinkedAtSrcProbe[j]))
                    {
                        linked |= 1UL << j;
                    }
                }

                return new WitnessSlot(
                    (PhaseKind)Num(s.Phase), Tuple(s.Reply), Tuple(s.PreSrc), partner == (int)SymSlot.NoPartner ? -1 : partner, status, (int)Num(s.BySource), linked,
                    (int)Num(s.Attempt))
                {
                    Mark = (uint)Num(s.Mark),
                    CtMark = (uint)Num(s.CtMark),
                    DecidedBy = (int)Num(s.DecidedBy),
                };
            }).ToList());
        }

        var steps = new List<WitnessStep>();
        for (var t = 0; t < last; t++)
        {
            var actor = (int)Num(enc.Schedule[t]);
            if (actor >= enc.Actors.Length)
            {
                continue;
            }

            var info = enc.Actors[actor];
            var kind = states[t][actor].Phase switch
            {
                PhaseKind.NotStarted => info.Actor switch
                {
                    FlowActor => "conntrack-in",
                    ConnectionClose => "close",
                    CtnetlinkDelete => "ctnetlink-delete",
                    _ => "ctnetlink-insert",
                },
                PhaseKind.Retrying => "retransmit",
                PhaseKind.Created => "dst-nat",
                PhaseKind.DstDone => "src-nat",
                _ => "confirm",
            };
            steps.Add(new WitnessStep(t, actor, info.Actor.Name, kind));
        }

        // Idle steps leave the state unchanged; the replay walks the real steps between the distinct states.
        var compact = new List<IReadOnlyList<WitnessSlot>> { states[0] };
        compact.AddRange(steps.Select(s => states[s.Time + 1]));
        return new BmcWitness(scenario, assignments, steps, compact, goal);
    }

    private static ScenarioModel DecodeScenario(BmcEncoder enc, Func<SymTuple, ConntrackTuple> tuple)
    {
        var actors = enc.Actors.Select(a => a.Actor switch
        {
            FlowActor f => (Actor)(f with { Original = tuple(a.Orig) }),
            CtnetlinkInsert c => c with { Original = tuple(a.Orig), Reply = tuple(a.InitialReply) },
            var other => other,
        }).ToList();
        return enc.Scenario with { Actors = actors };
    }

    private static CtStatus Bit(SlotFlag f) => f switch
    {
        SlotFlag.SrcNat => CtStatus.SrcNat,
        SlotFlag.DstNat => CtStatus.DstNat,
        SlotFlag.SrcNatDone => CtStatus.SrcNatDone,
        SlotFlag.DstNatDone => CtStatus.DstNatDone,
        SlotFlag.NatClash => CtStatus.NatClash,
        SlotFlag.SrcNullBinding => CtStatus.SrcNullBinding,
        SlotFlag.DstNullBinding => CtStatus.DstNullBinding,
        SlotFlag.RuleApplied => CtStatus.RuleApplied,
        SlotFlag.SrcProbeFree => CtStatus.SrcProbeFree,
        SlotFlag.SrcFixedPort => CtStatus.SrcFixedPort,
        SlotFlag.SrcSearchFailed => CtStatus.SrcSearchFailed,
        SlotFlag.ClashOnReply => CtStatus.ClashOnReply,
        SlotFlag.Removed => CtStatus.Removed,
        SlotFlag.TcpTimeWait => CtStatus.TcpTimeWait,
        SlotFlag.TcpClose => CtStatus.TcpClose,
        SlotFlag.EvictedBySnat => CtStatus.EvictedBySnat,
        SlotFlag.DroppedByTarget => CtStatus.DroppedByTarget,
        _ => throw new ArgumentOutOfRangeException(nameof(f)),
    };
}
