using Microsoft.Z3;
using NatVerify.Model;
using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Steps;
using NatVerify.Model.Tuples;
using NatVerify.Smt.Encoding;
using NatVerify.Smt.Runtime;

namespace NatVerify.Smt.Induction;

/// <summary>
/// <c>natverify prove --induction</c>: linked-tuple uniqueness is an inductive invariant of the conntrack table,
/// for tables of any size (an uninterpreted entry sort), under each kernel profile: every atomic step taken from any
/// table in which no two linked tuple nodes are equal leaves a table in which none are. Plus the null binding's
/// scope: it never changes an address or a DST port, moves a SRC port only within its class, and changes nothing
/// when the tuple is free. The steps are encoded with the same <see cref="NatEncoder"/> as bounded model checking.
/// </summary>
public static class InductionProver
{
    private static readonly Dictionary<string, string> StepDescriptions = new()
    {
        ["conntrack-in-preserves-invariant"] =
            "a conntrack lookup (join, or a new private entry; expired matches collected by nf_ct_delete) keeps linked nodes unique and no DYING entry linked",
        ["nat-setup-preserves-invariant"] =
            "NAT on the flow's unconfirmed entry (its reply rewritten; expired or evicted entries unlinked by nf_ct_delete) keeps linked nodes unique and no DYING entry linked",
        ["ctnetlink-delete-preserves-invariant"] =
            "conntrack -D (nf_ct_delete of any set of linked entries) keeps linked nodes unique and no DYING entry linked",
        ["gc-preserves-invariant"] =
            "the GC worker (nf_ct_delete of one expired entry) keeps linked nodes unique and no DYING entry linked",
    };

    /// <summary>The obligations, in the order they are checked.</summary>
    public static IReadOnlyList<InductionQuery> Queries { get; } =
    [
        new("confirm-preserves-uniqueness",
            "confirming an entry (insert, drop, merge or NAT_CLASH entry) keeps every linked tuple node unique",
            "__nf_conntrack_confirm -> nf_ct_resolve_clash"),
        new("ctnetlink-insert-preserves-uniqueness",
            "conntrack -I keeps every linked tuple node unique",
            "ctnetlink_create_conntrack -> nf_conntrack_hash_check_insert"),
        .. TableEffects.Steps.Select(step => TableEffects.Of(step, KernelMutant.None)).Select(e => new InductionQuery(e.Id, StepDescriptions[e.Id], e.KernelFunction)),
        new("null-binding-keeps-addresses",
            "a SRC null binding changes neither address nor the DST port",
            "nf_nat_alloc_null_binding -> get_unique_tuple (SRC)"),
        new("dst-null-binding-changes-nothing",
            "a DST null binding changes no address and no port",
            "nf_nat_alloc_null_binding -> get_unique_tuple (DST)"),
        new("null-binding-port-stays-in-class",
            "a SRC null binding moves the source port only within its class (1-511, 600-1023, 1024-65535)",
            "nf_nat_l4proto_unique_tuple"),
        new("free-src-null-binding-is-identity",
            "a SRC null binding whose tuple is free (no linked node equals its reply) changes nothing",
            "get_unique_tuple -> nf_nat_used_tuple(_new) -> nf_conntrack_tuple_taken"),
        new("free-dst-null-binding-is-identity",
            "a DST null binding whose tuple is free changes nothing",
            "get_unique_tuple -> nf_nat_used_tuple -> nf_conntrack_tuple_taken"),
    ];

    /// <summary>The assumptions every obligation makes, in words.</summary>
    public static IReadOnlyList<string> Assumptions { get; } =
    [
        "tables of any size; entries are TCP or UDP (ICMP keeps its id and echo type, not encoded)",
        "the table before the step satisfies the invariant: no linked tuple node (original of a non-NAT_CLASH entry, reply of any linked entry) equals a linked node of another entry (the two nodes of a self-connection A:p -> A:p are equal, as in the kernel)",
        "the stepping flow's entry is not linked before its confirm (it is private to its CPU until then) and not DYING",
        "no linked entry is DYING: nf_ct_delete unlinks both nodes under the bucket locks in the step that sets IPS_DYING (part of the invariant the step obligations prove)",
        "the steps other than confirm and conntrack -I change the table only as their table effect (NatVerify.Model.Steps.TableEffects, which the explicit engine's transitions are tested to conform to) says; the rest is left unchanged",
        "timeouts and TCP closes change no node (their table effect), so they need no obligation",
        "the entry's tuples at confirm are arbitrary: any rule or null binding may have produced them",
    ];

    /// <summary>
    /// Checks every obligation for every profile given, within <paramref name="timeout"/> for the whole run (each
    /// query gets the time left) and, when given, a bound on the process's resident memory; obligations the bounds
    /// leave unanswered are unknown, naming the bound.
    /// </summary>
    /// <exception cref="SmtUnavailableException">Z3 cannot be loaded.</exception>
    public static InductionReport Run(IEnumerable<KernelProfile> profiles, KernelMutant mutant, TimeSpan timeout, long? maxMemoryBytes = null)
    {
        var budget = new RunBudget(timeout, maxMemoryBytes);
        using var z3Memory = budget.LimitZ3Memory();
        var results = new List<InductionResult>();
        foreach (var profile in profiles)
        {
            foreach (var query in Queries)
            {
                SmtOutcome outcome;
                try
                {
                    budget.Checkpoint();
                    outcome = Prove(query, profile, mutant, budget);
                }
                catch (BudgetExceededException e)
                {
                    outcome = new SmtUnknown(TimeSpan.Zero, "not answered: " + e.Message);
                }
                catch (Z3Exception e) when (e.Message.Contains("memory", StringComparison.OrdinalIgnoreCase))
                {
                    outcome = new SmtUnknown(TimeSpan.Zero, budget.MemoryOut(e.Message).Message);
                }

                results.Add(new InductionResult(query, profile, mutant, outcome));
            }
        }

        return new InductionReport(results, Assumptions);
    }

    private static SmtOutcome Prove(InductionQuery query, KernelProfile profile, KernelMutant mutant, RunBudget budget)
    {
        using var ctx = Z3Session.NewContext();
        var z = new Terms(ctx);
        var table = new UfTable(z, profile, mutant, "T");
        var nat = new NatEncoder(z, profile, mutant);
        var x = z.Var("x", table.Entry);
        var self = new SelfView(null, x, table.Orig(x), table.Reply(x), table.NatChanged(x));
        var hypotheses = new List<BoolExpr>(UniquenessInvariant(z, table)) { z.Not(table.Linked(x)), z.Not(table.Dying(x)) };
        var live = z.Ctx.MkConst("e", table.Entry);
        hypotheses.Add(table.ForAll(live, z.Implies(table.Linked(live), z.Not(table.Dying(live)))));
        var problem = new Problem(z, table, x);
        BoolExpr goal = query.Id switch
        {
            "confirm-preserves-uniqueness" => ConfirmGoal(z, nat, table, self, problem),
            "ctnetlink-insert-preserves-uniqueness" => InsertGoal(z, nat, table, self, problem),
            _ when TableEffects.Steps.Select(st => TableEffects.Of(st, mutant)).FirstOrDefault(e => e.Id == query.Id) is { } effect =>
                EffectGoal(z, table, effect, hypotheses, problem),
            "null-binding-keeps-addresses" => NullBindingGoal(z, nat, table, self, hypotheses, ManipType.Src, problem, (curr, res) =>
                z.Not(z.And(z.Eq(res.Proto, curr.Proto), z.Eq(res.SrcIp, curr.SrcIp), z.Eq(res.DstIp, curr.DstIp), z.Eq(res.DstPort, curr.DstPort)))),
            "dst-null-binding-changes-nothing" => NullBindingGoal(z, nat, table, self, hypotheses, ManipType.Dst, problem, (curr, res) => z.Not(res.Eq(z, curr))),
            "null-binding-port-stays-in-class" => NullBindingGoal(z, nat, table, self, hypotheses, ManipType.Src, problem, (curr, res) =>
            {
                var (lo, hi) = nat.ClassOf(curr.SrcPort);
                return z.And(z.Not(z.Eq(res.SrcPort, curr.SrcPort)), z.Not(z.And(z.Ule(lo, res.SrcPort), z.Ule(res.SrcPort, hi))));
            }),
            "free-src-null-binding-is-identity" => NullBindingGoal(z, nat, table, self, hypotheses, ManipType.Src, problem, (curr, res) =>
                z.And(z.Not(table.TupleTaken(curr.Invert(), self, real: true)), z.Not(res.Eq(z, curr)))),
            "free-dst-null-binding-is-identity" => NullBindingGoal(z, nat, table, self, hypotheses, ManipType.Dst, problem, (curr, res) =>
                z.And(z.Not(table.TupleTaken(curr.Invert(), self, real: true)), z.Not(res.Eq(z, curr)))),
            _ => throw new ArgumentException($"unknown query {query.Id}", nameof(query)),
        };

        // Building the goal observes no deadline (the first one also pays for loading Z3 and compiling the encoder):
        // measure before handing the solver a time limit, so a deadline passed meanwhile ends the run here.
        budget.Checkpoint();
        var solver = Z3Session.NewSolver(ctx, budget.QueryTimeout(TimeSpan.MaxValue));
        solver.Assert(hypotheses.ToArray());
        solver.Assert(table.Axioms.ToArray());
        solver.Assert(nat.Constraints.ToArray());

        // Without the goal the hypotheses must be satisfiable, or every "proof" below would be vacuous.
        Status sane;
        using (budget.Watch(ctx))
        {
            sane = Z3Session.Check(solver).Status;
        }

        if (sane == Status.UNSATISFIABLE)
        {
            throw new InvalidOperationException($"internal error: the hypotheses of {query.Id} ({profile.Name}) are contradictory; the proof would be vacuous");
        }

        budget.Checkpoint();
        solver.Assert(goal);
        (Status Status, TimeSpan Elapsed) checkResult;
        using (budget.Watch(ctx))
        {
            checkResult = Z3Session.Check(solver);
        }

        var (status, elapsed) = checkResult;
        return status switch
        {
            Status.UNSATISFIABLE => new SmtUnsat(elapsed),
            Status.SATISFIABLE => new SmtSat(elapsed, problem.Describe(query, profile, mutant, Readable(z, solver, problem))),
            _ => new SmtUnknown(elapsed, budget.Hit is { } hit ? $"{solver.ReasonUnknown}: {hit.Message}" : solver.ReasonUnknown),
        };
    }

    /// <summary>
    /// No linked node equals a linked node of another entry, stated with an inverse: the tuple of every linked node
    /// maps back to its entry, so two different entries cannot have nodes with equal tuples. Each quantifier ranges
    /// over one entry.
    /// </summary>
    private static IEnumerable<BoolExpr> UniquenessInvariant(Terms z, UfTable t)
    {
        var ctx = z.Ctx;
        var tupleSorts = new Sort[] { ctx.MkBitVecSort(8), ctx.MkBitVecSort(32), ctx.MkBitVecSort(16), ctx.MkBitVecSort(32), ctx.MkBitVecSort(16) };
        var owner = ctx.MkFuncDecl("node.owner", tupleSorts, t.Entry);
        Expr[] Args(SymTuple s) => [s.Proto, s.SrcIp, s.SrcPort, s.DstIp, s.DstPort];
        var e = ctx.MkConst("e", t.Entry);
        yield return t.ForAll(e, z.Implies(t.OriginalLinked(e), z.Eq(owner.Apply(Args(t.Orig(e))), e)));
        yield return t.ForAll(e, z.Implies(t.Linked(e), z.Eq(owner.Apply(Args(t.Reply(e))), e)));
    }

    /// <summary>The negated invariant after a step that may link <paramref name="problem"/>'s entry x.</summary>
    private static BoolExpr BrokenAfter(Terms z, UfTable t, Problem problem, BoolExpr linksOriginal, BoolExpr linksReply)
    {
        var x = problem.X;
        BoolExpr Present(Expr e, BoolExpr reply) => z.Ite(reply,
            z.Or(t.Linked(e), z.And(z.Eq(e, x), linksReply)),
            z.Or(t.OriginalLinked(e), z.And(z.Eq(e, x), linksOriginal)));
        SymTuple Node(Expr e, BoolExpr reply) => SymTuple.Ite(z, reply, t.Reply(e), t.Orig(e));
        problem.LinksOriginal = linksOriginal;
        problem.LinksReply = linksReply;
        return z.And(
            z.Not(z.Eq(problem.A, problem.B)),
            Present(problem.A, problem.ReplyA),
            Present(problem.B, problem.ReplyB),
            Node(problem.A, problem.ReplyA).Eq(z, Node(problem.B, problem.ReplyB)));
    }

    private static BoolExpr ConfirmGoal(Terms z, NatEncoder nat, UfTable t, SelfView self, Problem problem)
    {
        var c = nat.Confirm(t, self);
        problem.Step = c;
        return BrokenAfter(z, t, problem, c.Inserted, z.Or(c.Inserted, c.ClashEntry));
    }

    private static BoolExpr InsertGoal(Terms z, NatEncoder nat, UfTable t, SelfView self, Problem problem)
    {
        var inserted = z.Not(nat.HashCheckInsert(t, self).Found);
        problem.Inserted = inserted;
        return BrokenAfter(z, t, problem, inserted, inserted);
    }

    /// <summary>
    /// The table after a step, built from its <see cref="TableEffect"/>: the entries it may unlink (constrained by the
    /// effect's selection; <c>nf_ct_delete</c> marks them DYING and unlinks both nodes, or only the ORIGINAL one under
    /// the mutant), whether it links its own entry, which reply it may rewrite (to any tuple of the entry's protocol:
    /// sound whatever <c>get_unique_tuple</c> picks); every other attribute of every entry is unchanged (the frame).
    /// The goal is the negated invariant afterwards: two different entries with equal linked nodes, or a DYING entry
    /// with a linked node. Selections are instantiated at the entries the goal names (a, b, the rewritten one, the
    /// DYING witness), which is equivalent to quantifying them: nothing else reads them.
    /// </summary>
    private static BoolExpr EffectGoal(Terms z, UfTable t, TableEffect effect, List<BoolExpr> hyps, Problem problem)
    {
        var x = problem.X;
        var ctx = z.Ctx;
        var selected = ctx.MkFuncDecl("unlinked-by-step", t.Entry, ctx.MkBoolSort());
        var evicted = z.Var("evicted", t.Entry);
        var collected = z.Var("collected", t.Entry);
        var rewritten = effect.Rewrites == ReplyRewrite.AnyEntryInPlace ? z.Var("rewritten", t.Entry) : x;
        var dying = z.Var("dying-witness", t.Entry);
        if (effect.Unlinks == UnlinkSelection.OneExpired)
        {
            hyps.Add(z.And(t.Linked(collected), t.Expired(collected)));
        }

        BoolExpr Sel(Expr e) => effect.Unlinks switch
        {
            UnlinkSelection.None => z.False,
            UnlinkSelection.OneExpired => z.Eq(e, collected),
            _ => (BoolExpr)selected.Apply(e),
        };

        var relevant = new[] { problem.A, problem.B, rewritten, dying, x };
        foreach (var e in relevant)
        {
            var allowed = effect.Unlinks switch
            {
                UnlinkSelection.MetByLookup => t.Linked(e), // the TCP state is not encoded: any linked entry met
                UnlinkSelection.ExpiredMetOrEvicted => z.And(t.Linked(e), z.Or(t.Expired(e), z.Eq(e, evicted))),
                UnlinkSelection.AnyLinked => t.Linked(e),
                _ => z.True,
            };
            hyps.Add(z.Implies(Sel(e), allowed));
        }

        BoolExpr selfLinks = effect.Links switch
        {
            SelfLink.None => z.False,
            SelfLink.BothOnLookupMiss => z.Not(t.FindLinked(t.Orig(x), new SelfView(null, x, t.Orig(x), t.Reply(x), t.NatChanged(x)), skipExpired: true).Found),
            _ => throw new InvalidOperationException($"{effect.Id}: {effect.Links} is encoded by its own obligation"),
        };
        var newReply = SymTuple.Vars(z, "new-reply") with { Proto = t.Orig(rewritten).Proto };
        var rewrites = effect.Rewrites != ReplyRewrite.None;

        BoolExpr LinkedAfter(Expr e) => z.Or(
            z.And(t.Linked(e), effect.UnlinkLeavesReplyNode ? z.True : z.Not(Sel(e))),
            z.And(z.Eq(e, x), selfLinks));
        BoolExpr ClashAfter(Expr e) => z.And(
            z.Or(t.NatClash(e), z.And(Sel(e), z.Bool(effect.UnlinkLeavesReplyNode))),
            z.Not(z.And(z.Eq(e, x), selfLinks)));
        BoolExpr OriginalLinkedAfter(Expr e) => z.And(LinkedAfter(e), z.Not(ClashAfter(e)));
        BoolExpr DyingAfter(Expr e) => z.Or(t.Dying(e), Sel(e));
        SymTuple ReplyAfter(Expr e) => rewrites ? SymTuple.Ite(z, z.Eq(e, rewritten), newReply, t.Reply(e)) : t.Reply(e);
        BoolExpr Present(Expr e, BoolExpr reply) => z.Ite(reply, LinkedAfter(e), OriginalLinkedAfter(e));
        SymTuple Node(Expr e, BoolExpr reply) => SymTuple.Ite(z, reply, ReplyAfter(e), t.Orig(e));

        problem.Effect = (effect, Sel, LinkedAfter, DyingAfter, rewrites ? rewritten : null, newReply, dying, selfLinks);
        var duplicate = z.And(
            z.Not(z.Eq(problem.A, problem.B)),
            Present(problem.A, problem.ReplyA),
            Present(problem.B, problem.ReplyB),
            Node(problem.A, problem.ReplyA).Eq(z, Node(problem.B, problem.ReplyB)));
        return z.Or(duplicate, z.And(LinkedAfter(dying), DyingAfter(dying)));
    }

    private static BoolExpr NullBindingGoal(
        Terms z, NatEncoder nat, UfTable t, SelfView self, List<BoolExpr> hyps, ManipType manip, Problem problem, Func<SymTuple, SymTuple, BoolExpr> broken)
    {
        // The packet's tuple before the manip; the entry's reply is its inverse, as after init_conntrack or a DST manip.
        var curr = SymTuple.Vars(z, $"curr.{manip}") with { Proto = self.Orig.Proto };
        hyps.Add(self.Reply.Eq(z, curr.Invert()));
        var range = nat.NullBindingRange(curr, manip);
        var choice = z.BvVar($"port-choice.{manip}", 16);
        var result = nat.Mutant == KernelMutant.NoNullBinding
            ? new UniqueResult(curr, z.False)
            : nat.GetUniqueTuple(t, self, curr, range, manip, nullBinding: true, choice, z.True);
        problem.NullBindings.Add((manip, curr, result));
        return broken(curr, result.Tuple);
    }

    /// <summary>
    /// Re-checks a satisfiable query with the counterexample pushed towards the shape of the seed scenarios
    /// (addresses in 198.51.100.0/24, ports from 1024, searches that found a free port), dropping preferences
    /// that cannot hold; falls back to the first model.
    /// </summary>
    private static Microsoft.Z3.Model Readable(Terms z, Solver solver, Problem problem)
    {
        var first = solver.Model;
        var addresses = new List<BoolExpr>();
        var ports = new List<BoolExpr>();
        foreach (var tuple in problem.Tuples())
        {
            addresses.Add(z.Eq(z.BvAnd(tuple.SrcIp, z.Bv(0xffffff00, 32)), z.Bv(0xc6336400, 32)));
            addresses.Add(z.Eq(z.BvAnd(tuple.DstIp, z.Bv(0xffffff00, 32)), z.Bv(0xc6336400, 32)));
            ports.Add(z.Ule(z.Bv(1024, 16), tuple.SrcPort));
            ports.Add(z.Ule(z.Bv(1024, 16), tuple.DstPort));
        }

        var searches = problem.NullBindings.Select(nb => z.Not(nb.Result.Failed)).ToList();
        foreach (var prefs in new[] { addresses.Concat(ports).Concat(searches), addresses.Concat(searches), addresses })
        {
            solver.Push();
            solver.Assert(prefs.ToArray());
            var status = solver.Check();
            var model = status == Status.SATISFIABLE ? solver.Model : null;
            solver.Pop();
            if (model is not null)
            {
                return model;
            }
        }

        return first;
    }

    /// <summary>The named parts of one query, for decoding a model into a counterexample to induction.</summary>
    private sealed class Problem(Terms z, UfTable table, Expr x)
    {
        public Expr X { get; } = x;

        public Expr A { get; } = z.Var("a", table.Entry);

        public Expr B { get; } = z.Var("b", table.Entry);

        public BoolExpr ReplyA { get; } = z.BoolVar("a.is-reply");

        public BoolExpr ReplyB { get; } = z.BoolVar("b.is-reply");

        public BoolExpr? LinksOriginal { get; set; }

        public BoolExpr? LinksReply { get; set; }

        public ConfirmOutcome? Step { get; set; }

        public BoolExpr? Inserted { get; set; }

        public (TableEffect Effect, Func<Expr, BoolExpr> Unlinked, Func<Expr, BoolExpr> LinkedAfter, Func<Expr, BoolExpr> DyingAfter,
            Expr? Rewritten, SymTuple NewReply, Expr DyingWitness, BoolExpr SelfLinks)? Effect { get; set; }

        public List<(ManipType Manip, SymTuple Curr, UniqueResult Result)> NullBindings { get; } = [];

        public IEnumerable<SymTuple> Tuples()
        {
            foreach (var e in new[] { X, A, B }.Concat(Effect is { Rewritten: { } rw } ? [rw] : []))
            {
                yield return table.Orig(e);
                yield return table.Reply(e);
            }

            foreach (var nb in NullBindings)
            {
                yield return nb.Curr;
            }
        }

        public InductionCounterexample Describe(InductionQuery query, KernelProfile profile, KernelMutant mutant, Microsoft.Z3.Model m)
        {
            ulong Num(Expr e) => ((BitVecNum)m.Eval(e, true)).UInt64;
            bool Bool(BoolExpr e) => m.Eval(e, true).IsTrue;
            string Id(Expr e) => m.Eval(e, true).ToString();
            string Tuple(SymTuple t) => new ConntrackTuple(
                (L4Protocol)Num(t.Proto), new Ipv4((uint)Num(t.SrcIp)), Port.Of((int)Num(t.SrcPort)), new Ipv4((uint)Num(t.DstIp)), Port.Of((int)Num(t.DstPort))).ToString();

            var names = new Dictionary<string, string>();
            string Name(Expr e)
            {
                var id = Id(e);
                if (!names.TryGetValue(id, out var name))
                {
                    name = Id(X) == id ? "X" : $"E{names.Count(kv => kv.Value != "X") + 1}";
                    names[id] = name;
                }

                return name;
            }

            string Entry(Expr e)
            {
                var state = Bool(table.Linked(e))
                    ? (Bool(table.NatClash(e)) ? "linked, NAT_CLASH (reply node only)" : "linked") + (Bool(table.Expired(e)) ? ", expired" : string.Empty)
                    : Bool(table.Unconfirmed(e)) ? "unconfirmed (another CPU's private entry)" : "not linked";
                var nat = Bool(table.NatChanged(e)) ? ", NAT changed it" : Bool(table.NatDone(e)) ? ", NAT done" : string.Empty;
                return $"{Name(e)}: orig {Tuple(table.Orig(e))}   reply {Tuple(table.Reply(e))}   ({state}{nat})";
            }

            _ = Name(X);
            var lines = new List<string>
            {
                $"counterexample to induction for {query.Id} (profile {profile.Name}, mutant {mutant.CliName()}):",
                "  table before the step (satisfies the invariant):",
            };
            var shown = new HashSet<string> { Id(X) };
            void Show(Expr e)
            {
                if (shown.Add(Id(e)))
                {
                    lines.Add("    " + Entry(e));
                }
            }

            var isUniqueness = query.Id.EndsWith("uniqueness", StringComparison.Ordinal) || Effect is not null;
            var dyingLinked = Effect is { } eff0 && Bool(eff0.LinkedAfter(eff0.DyingWitness)) && Bool(eff0.DyingAfter(eff0.DyingWitness));
            if (dyingLinked)
            {
                Show(Effect!.Value.DyingWitness);
            }
            else if (isUniqueness)
            {
                Show(A);
                Show(B);
            }

            if (Effect is { Rewritten: { } rw })
            {
                Show(rw);
            }

            foreach (var (what, tuple, found, witness) in table.Lookups.Where(l => Bool(l.Found)))
            {
                Show(witness);
            }

            if (shown.Count == 1)
            {
                lines.Add("    (no entry matters: any table will do)");
            }

            lines.Add("  the stepping entry:");
            lines.Add("    " + Entry(X));
            lines.Add("  the step:");
            if (Step is { } c)
            {
                var result = Bool(c.Inserted) ? "inserted (both nodes linked)" : Bool(c.ClashEntry) ? "NAT_CLASH entry (reply node linked)"
                    : Bool(c.Merged) ? "merged (nothing linked)" : "dropped (nothing linked)";
                lines.Add($"    __nf_conntrack_confirm(X): {result}"
                    + (mutant == KernelMutant.NoConfirmClashCheck ? " without scanning for clashes (mutant no-confirm-clash-check)" : string.Empty));
            }

            if (Inserted is { } ins)
            {
                lines.Add($"    nf_conntrack_hash_check_insert(X): {(Bool(ins) ? "inserted" : "-EEXIST")}"
                    + (mutant == KernelMutant.InsertSkipsReplyCheck ? " without looking up the reply tuple (mutant insert-skips-reply-check)" : string.Empty));
            }

            if (Effect is { } eff)
            {
                lines.Add($"    {eff.Effect.KernelFunction}" + (mutant == KernelMutant.None ? string.Empty : $" (mutant {mutant.CliName()})"));
                foreach (var e in new[] { A, B, eff.DyingWitness }.Where(e => shown.Contains(Id(e))).DistinctBy(Id))
                {
                    if (Bool(eff.Unlinked(e)))
                    {
                        lines.Add($"    nf_ct_delete({Name(e)}): IPS_DYING set, " + (eff.Effect.UnlinkLeavesReplyNode ? "ORIGINAL node unlinked, reply node left hashed" : "both nodes unlinked"));
                    }
                }

                if (Bool(eff.SelfLinks))
                {
                    lines.Add("    the lookup of X's original tuple missed: X linked at once (both nodes)");
                }

                if (eff.Rewritten is { } r)
                {
                    lines.Add($"    reply of {Name(r)}{(Bool(table.Linked(r)) ? " (linked)" : string.Empty)} rewritten in place to {Tuple(eff.NewReply)}");
                }
            }

            foreach (var (what, tuple, found, witness) in table.Lookups.Where(l => Bool(l.Found)))
            {
                lines.Add($"    read: {what}({Tuple(tuple)}) found {Name(witness)}");
            }

            foreach (var (manip, curr, result) in NullBindings)
            {
                var res = Tuple(result.Tuple);
                var before = Tuple(curr);
                if (res != before || !isUniqueness)
                {
                    lines.Add($"    {manip.ToString().ToUpperInvariant()} null binding: {before}  ->  {res}" + (Bool(result.Failed) ? "  (search gave up)" : string.Empty));
                }
            }

            if (dyingLinked)
            {
                lines.Add("  after the step a DYING entry still has a linked node:");
                lines.Add($"    reply node of {Name(Effect!.Value.DyingWitness)} = {Tuple(table.Reply(Effect.Value.DyingWitness))}");
            }
            else if (isUniqueness)
            {
                string Node(Expr e, BoolExpr reply) => Bool(reply) ? $"reply node of {Name(e)}" : $"original node of {Name(e)}";
                string Tup(Expr e, BoolExpr reply) => Bool(reply) ? Tuple(table.Reply(e)) : Tuple(table.Orig(e));
                SymTuple After(Expr e, BoolExpr reply) => Effect is { Rewritten: { } rw2 } && Bool(reply) && Id(e) == Id(rw2) ? Effect.Value.NewReply
                    : Bool(reply) ? table.Reply(e) : table.Orig(e);
                lines.Add("  after the step linked nodes of two different entries are equal:");
                lines.Add($"    {Node(A, ReplyA)} = {Node(B, ReplyB)} = {(Effect is null ? Tup(A, ReplyA) : Tuple(After(A, ReplyA)))}");
            }

            return new InductionCounterexample(lines);
        }
    }
}
