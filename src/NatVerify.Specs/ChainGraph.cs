using NatVerify.Model.Nat;

namespace NatVerify.Specs;

/// <summary>
/// Structural checks over the parsed chain graph of every table of a ruleset, run once where a spec gets its ruleset (not inside
/// the iptables or nft parsers, so every ruleset syntax gets them).
/// </summary>
public static class ChainGraph
{
    /// <summary>
    /// The first jump or goto that closes a loop between chains, with the loop's chains in order (the first chain
    /// repeated at the end), or null when the graph has none. The kernel refuses such a table when it is loaded:
    /// <c>mark_source_chains()</c> in net/ipv4/netfilter/ip_tables.c walks every jump from the built-in chains and fails
    /// <c>translate_table()</c> with ELOOP when a chain is reached again on the walk's own path.
    /// </summary>
    public static (NatRule Rule, IReadOnlyList<string> Loop)? FindLoop(NatRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);

        // Chains are scoped by table (a jump never leaves its table); rulesets built without tables carry the nat
        // table's chains only.
        IEnumerable<IReadOnlyDictionary<string, NatChain>> tables = ruleset.Tables.Count > 0
            ? ruleset.Tables.Select(t => t.Chains)
            : [ruleset.Chains];
        foreach (var chains in tables)
        {
            if (FindLoop(chains) is { } loop)
            {
                return loop;
            }
        }

        return null;
    }

    private static (NatRule Rule, IReadOnlyList<string> Loop)? FindLoop(IReadOnlyDictionary<string, NatChain> chains)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on the current path, 2 finished
        var path = new List<string>();

        // Iterative depth-first search: the graph comes from user input and may be as deep as it has chains.
        foreach (var start in chains.Keys.Order(StringComparer.Ordinal))
        {
            if (state.ContainsKey(start))
            {
                continue;
            }

            var stack = new Stack<(string Chain, int Next)>();
            stack.Push((start, 0));
            state[start] = 1;
            path.Add(start);
            while (stack.Count > 0)
            {
                var (chain, next) = stack.Pop();
                var rules = chains.TryGetValue(chain, out var c) ? c.Rules : [];
                var descended = false;
                for (var i = next; i < rules.Count; i++)
                {
                    if (rules[i].Target is not JumpTarget jump || !chains.ContainsKey(jump.Chain))
                    {
                        continue;
                    }

                    var s = state.GetValueOrDefault(jump.Chain);
                    if (s == 1)
                    {
                        var from = path.IndexOf(jump.Chain);
                        return (rules[i], [.. path.Skip(from), jump.Chain]);
                    }

                    if (s == 0)
                    {
                        stack.Push((chain, i + 1));
                        stack.Push((jump.Chain, 0));
                        state[jump.Chain] = 1;
                        path.Add(jump.Chain);
                        descended = true;
                        break;
                    }
                }

                if (!descended)
                {
                    state[chain] = 2;
                    path.RemoveAt(path.Count - 1);
                }
            }
        }

        return null;
    }

    /// <summary>Throws a located error when the ruleset's chains jump in a loop.</summary>
    /// <param name="ruleset">The parsed ruleset.</param>
    /// <param name="file">The file its rules' line numbers refer to.</param>
    /// <param name="firstColumn">Where column 1 of a ruleset line sits in that file.</param>
    /// <exception cref="SpecException">A jump or goto closes a loop.</exception>
    public static void CheckNoLoops(NatRuleset ruleset, string file, int firstColumn = 1)
    {
        if (FindLoop(ruleset) is not { } loop)
        {
            return;
        }

        var text = loop.Rule.Text;
        var at = Math.Max(text.IndexOf(((JumpTarget)loop.Rule.Target).IsGoto ? "-g" : "-j", StringComparison.Ordinal), 0);
        throw new SpecException(
            file, loop.Rule.Line, firstColumn + at,
            $"jump loop between chains {string.Join(" -> ", loop.Loop)}: the kernel refuses to load such a table (mark_source_chains, ELOOP)");
    }
}
