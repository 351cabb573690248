using System.Globalization;
using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;

namespace NatVerify.Policy;

/// <summary>
/// The analysis behind <c>natverify policy</c>: header-space reachability of every rule (<see cref="Reachability"/>),
/// then the six finding classes of docs/policy.md decided on those sets, each finding of classes fixed-port,
/// collision, port-shadowing and udp-race backed by a witness spec the engine has verified.
/// </summary>
public static class PolicyAnalyzer
{
    /// <summary>Analyses a ruleset against the host facts.</summary>
    /// <exception cref="PolicyInternalException">A witness did not reproduce its finding under the engine (a bug).</exception>
    public static PolicyReport Analyze(NatRuleset ruleset, string rulesetFile, string format, HostContext context, PolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        var assumptions = new List<string>(context.Assumptions);
        assumptions.AddRange(ruleset.OverApproximations.Select(o => "over-approximated: " + o));
        assumptions.Add("nat chains are walked only with the packets no earlier chain of another table certainly drops or untracks on every way to them; marks set and NAT done at earlier hooks are not composed into later hooks' reachable sets (an over-approximation; it can hide a shadowed rule but never invents one)");
        var findings = new List<Finding>();
        string? inconclusive = null;
        try
        {
            var reach = new Reachability(ruleset, context, options).Run();
            var ctx = new AnalysisContext(ruleset, rulesetFile, context, options, reach);
            findings.AddRange(Shadowing.Find(ctx));
            findings.AddRange(SnatChecks.Find(ctx));
            findings.AddRange(DnatChecks.Find(ctx));
            assumptions.AddRange(reach.Assumptions);
        }
        catch (PolicyBoundException e)
        {
            inconclusive = e.Message;
        }

        var ordered = findings
            .OrderBy(f => f.Class)
            .ThenByDescending(f => f.Severity)
            .ThenBy(f => f.Rules.Count > 0 ? f.Rules[0].Line : 0)
            .ToList();
        return new PolicyReport(rulesetFile, format, options.Profile.Name, context, ordered, assumptions.Distinct().ToList(), inconclusive);
    }
}

/// <summary>A finding's witness did not reproduce under the engine: a bug in the analysis, never a finding.</summary>
public sealed class PolicyInternalException(string message) : Exception(message);

/// <summary>What every check reads.</summary>
internal sealed class AnalysisContext(NatRuleset ruleset, string file, HostContext host, PolicyOptions options, Reachability reach)
{
    public NatRuleset Ruleset { get; } = ruleset;

    public string File { get; } = file;

    public HostContext Host { get; } = host;

    public PolicyOptions Options { get; } = options;

    public Reachability Reach { get; } = reach;

    /// <summary>Witness checks by scenario (the spec without its name and description).</summary>
    public Dictionary<string, NatVerify.Verification.VerificationResult> WitnessChecks { get; } = new(StringComparer.Ordinal);

    private HashSet<(string, string)>? _natChains;

    /// <summary>The chains reachable from nat-type base chains: the rules of these are NAT rules.</summary>
    public HashSet<(string Table, string Chain)> NatChains => _natChains ??= ComputeNatChains();

    private HashSet<(string, string)> ComputeNatChains()
    {
        var set = new HashSet<(string, string)>();
        var stack = new Stack<(string, string)>();
        foreach (var bc in Ruleset.BaseChains.Where(b => b.Type == ChainType.Nat))
        {
            stack.Push((bc.Table, bc.Chain));
        }

        while (stack.Count > 0)
        {
            var key = stack.Pop();
            if (!set.Add(key) || Ruleset.Table(key.Item1) is not { } t || !t.Chains.TryGetValue(key.Item2, out var chain))
            {
                continue;
            }

            foreach (var r in chain.Rules)
            {
                if (r.Target is JumpTarget j)
                {
                    stack.Push((key.Item1, j.Chain));
                }
            }
        }

        return set;
    }

    /// <summary>The hooks whose base chains reach a chain (a rule's hook decides whether it is a DST or SRC manip).</summary>
    public HashSet<NetfilterHook> HooksOf(string table, string chain)
    {
        var hooks = new HashSet<NetfilterHook>();
        foreach (var bc in Ruleset.BaseChains.Where(b => b.Table == table))
        {
            if (Reaches(table, bc.Chain, chain, 0))
            {
                hooks.Add(bc.Hook);
            }
        }

        return hooks;
    }

    private bool Reaches(string table, string from, string to, int depth)
    {
        if (from == to)
        {
            return true;
        }

        if (depth > 64 || Ruleset.Table(table) is not { } t || !t.Chains.TryGetValue(from, out var chain))
        {
            return false;
        }

        return chain.Rules.Any(r => r.Target is JumpTarget j && Reaches(table, j.Chain, to, depth + 1));
    }

    public IEnumerable<RulePlace> NatPlaces => Reach.Places.Where(p => NatChains.Contains((p.Table.Key, p.Chain.Name)));

    public RuleRef Ref(RulePlace p) => new(p.Rule.Location?.File ?? File, p.Rule.Location?.Line ?? p.Rule.Line, p.Rule.Location?.Handle, p.Table.Key, p.Chain.Name, TextOf(p.Rule));

    /// <summary>
    /// The rule's text without the <c># handle N</c> the nft readers append (the handle is its own field of
    /// <see cref="RuleRef"/>), so a rule reads the same from <c>nft list ruleset</c>, <c>nft -a</c> and <c>nft -j</c>.
    /// </summary>
    public static string TextOf(NatRule rule)
    {
        var text = rule.Text.Trim();
        if (rule.Location?.Handle is { } h)
        {
            var suffix = $" # handle {h.ToString(CultureInfo.InvariantCulture)}";
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                text = text[..^suffix.Length];
            }
        }

        return text;
    }

    /// <summary>A rule that kills packets before a nat chain, or (rule null) the DROP policy of its base chain.</summary>
    public RuleRef KillerRef(RulePlace? rule, BaseChain chain) => rule is not null
        ? Ref(rule)
        : new RuleRef(chain.Location?.File ?? File, Math.Max(1, chain.Location?.Line ?? 1), chain.Location?.Handle, chain.Table, chain.Chain, "policy DROP");

    public RulePlace PlaceOf(NatRule rule) => Reach.Places.First(p => ReferenceEquals(p.Rule, rule));

    public static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);
}

/// <summary><c>shadowed-rule</c>.</summary>
internal static class Shadowing
{
    /// <summary>The verdict rules of a called chain that take part of <paramref name="wanted"/> (an exemption's ACCEPT/RETURN).</summary>
    private static void AddCalled(AnalysisContext ctx, RuleTable table, string chain, Region wanted, List<RulePlace> covering, int depth)
    {
        if (depth > 16 || !table.Chains.TryGetValue(chain, out var c))
        {
            return;
        }

        foreach (var r in c.Rules)
        {
            if (r.Target is ContinueTarget || !ctx.Reach.MatchOf(r).Region.Intersects(wanted))
            {
                continue;
            }

            covering.Add(ctx.PlaceOf(r));
            if (r.Target is JumpTarget j)
            {
                AddCalled(ctx, table, j.Chain, wanted, covering, depth + 1);
            }
        }
    }

    public static IEnumerable<Finding> Find(AnalysisContext ctx)
    {
        foreach (var place in ctx.NatPlaces)
        {
            var key = (place.Table.Key, place.Chain.Name);
            if (!ctx.Reach.Entry.TryGetValue(key, out var entry) || entry.IsEmpty || !ctx.Reach.Reach[place.Rule].IsEmpty)
            {
                continue;
            }

            var match = ctx.Reach.MatchOf(place.Rule).Region;
            if (match.IsEmpty)
            {
                // Contradictory on its own (e.g. -p tcp with an ICMP match): dead, but not because of other rules.
                continue;
            }

            var wanted = entry.Intersect(match);
            var covering = new List<RulePlace>();
            if (wanted.IsEmpty)
            {
                if (ctx.Reach.Callers.TryGetValue(key, out var callers))
                {
                    covering.AddRange(callers.Select(ctx.PlaceOf));
                }
            }
            else
            {
                for (var i = 0; i < place.Index; i++)
                {
                    var earlier = place.Chain.Rules[i];
                    if (earlier.Target is ContinueTarget)
                    {
                        continue;
                    }

                    if (ctx.Reach.MatchOf(earlier).Region.Intersects(wanted))
                    {
                        covering.Add(ctx.PlaceOf(earlier));
                        if (earlier.Target is JumpTarget j)
                        {
                            AddCalled(ctx, place.Table, j.Chain, wanted, covering, 0);
                        }
                    }
                }
            }

            var names = string.Join(", ", covering.Select(c => $"line {c.Rule.Location?.Line ?? c.Rule.Line} ({AnalysisContext.TextOf(c.Rule)})"));
            var killers = wanted.IsEmpty ? ctx.Reach.Killers.Where(k => k.Killed.Intersects(match)).ToList() : [];
            if (killers.Count > 0)
            {
                // The packets the rule matches are dropped or untracked in another table before they get here.
                var killerRefs = killers.Select(k => ctx.KillerRef(k.Rule, k.Chain)).Distinct().ToList();
                var killerNames = string.Join(", ", killerRefs.Select(r => $"line {r.Line} ({r.Table} {r.Chain}: {r.Text})"));
                yield return new Finding(FindingClass.ShadowedRule, Severity.Warning, [ctx.Ref(place), .. killerRefs],
                    $"No first packet can reach this rule of chain {place.Chain.Name}: every packet it matches is dropped or untracked on its way before the chain by {killerNames} (nf_hook_slow runs the base chains of a hook in priority order and PREROUTING/OUTPUT before FORWARD/INPUT/POSTROUTING; a dropped first packet is never confirmed, and an untracked one gets no NAT in nf_nat_inet_fn).",
                    new Dictionary<string, string>());
                continue;
            }

            var message = wanted.IsEmpty
                ? $"No first packet can reach this rule of chain {place.Chain.Name}: every packet that enters the chain (through {names}) fails its match, so the rule never decides anything (ipt_do_table/nft_do_chain evaluate it for no packet)."
                : $"No first packet can reach this rule of chain {place.Chain.Name}: the earlier rules {names} take every packet it matches (each alone or together), so ipt_do_table/nft_do_chain never get to it.";
            yield return new Finding(FindingClass.ShadowedRule, Severity.Warning, [ctx.Ref(place), .. covering.Select(ctx.Ref)], message, new Dictionary<string, string>());
        }
    }
}
