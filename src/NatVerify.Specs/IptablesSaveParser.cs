using NatVerify.Model.Nat;

namespace NatVerify.Specs;

/// <summary>
/// Parses <c>iptables-save</c> output (legacy or iptables-nft) into a <see cref="NatRuleset"/>: every table (raw,
/// mangle, nat, filter, security) with its chains, every rule with its <see cref="RuleLocation"/>, and the tables'
/// built-in chains as base chains at their standard priorities (<c>enum nf_ip_hook_priorities</c>).
/// </summary>
public static class IptablesSaveParser
{
    /// <summary>The built-in chains of the nat table, in hook order.</summary>
    internal static readonly string[] NatBuiltInChains = ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"];

    private static readonly Dictionary<string, string[]> BuiltInChains = new(StringComparer.Ordinal)
    {
        ["nat"] = NatBuiltInChains,
        ["filter"] = ["INPUT", "FORWARD", "OUTPUT"],
        ["mangle"] = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
        ["raw"] = ["PREROUTING", "OUTPUT"],
        ["security"] = ["INPUT", "FORWARD", "OUTPUT"],
    };

    private static readonly HashSet<string> OtherCommands = new(StringComparer.Ordinal)
    {
        "-I", "--insert", "-D", "--delete", "-R", "--replace", "-N", "--new-chain", "-P", "--policy",
        "-F", "--flush", "-X", "--delete-chain", "-Z", "--zero", "-E", "--rename-chain",
    };

    /// <summary>Parses iptables-save text.</summary>
    /// <param name="text">The ruleset text.</param>
    /// <param name="file">Display path used in errors.</param>
    /// <param name="firstLine">Where line 1 of <paramref name="text"/> sits in <paramref name="file"/>, so errors point into the spec.</param>
    /// <param name="firstColumn">Where column 1 of every line of <paramref name="text"/> sits in <paramref name="file"/>.</param>
    /// <returns>The nat table's chains, or <see cref="NatRuleset"/> with <c>NatTablePresent</c> false when there is no nat table.</returns>
    /// <exception cref="SpecException">The text is not well-formed or uses something the model does not cover.</exception>
    public static NatRuleset Parse(string text, string file, int firstLine = 1, int firstColumn = 1) =>
        Parse(text, file, UnmodelledHandling.Error, firstLine, firstColumn);

    /// <summary>Parses iptables-save text, lowering unmodelled constructs as <paramref name="unmodelled"/> says.</summary>
    /// <param name="text">The ruleset text.</param>
    /// <param name="file">Display path used in errors.</param>
    /// <param name="unmodelled">Error (default), or which over-approximation unmodelled matches and targets become.</param>
    /// <param name="firstLine">Where line 1 of <paramref name="text"/> sits in <paramref name="file"/>.</param>
    /// <param name="firstColumn">Where column 1 of every line sits in <paramref name="file"/>.</param>
    /// <returns>The ruleset; <see cref="NatRuleset.OverApproximations"/> lists every lowered construct.</returns>
    /// <exception cref="SpecException">The text is not well-formed or uses something the model does not cover.</exception>
    public static NatRuleset Parse(string text, string file, UnmodelledHandling unmodelled, int firstLine = 1, int firstColumn = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        try
        {
            return new Reader(file, firstLine, firstColumn, unmodelled).Read(text);
        }
        catch (Exception ex) when (ex is not SpecException)
        {
            // A parser bug must still surface as the one exception type callers handle.
            throw new SpecException(file, firstLine, firstColumn, $"internal error while parsing the ruleset: {ex.Message}", ex);
        }
    }

    /// <summary>One table as read so far.</summary>
    private sealed class TableText(string name, int line)
    {
        public string Name { get; } = name;

        public int Line { get; } = line;

        public Dictionary<string, List<NatRule>> Rules { get; } = new(StringComparer.Ordinal);

        public HashSet<string> UserChains { get; } = new(StringComparer.Ordinal);

        public List<string> UserChainOrder { get; } = [];

        public HashSet<string> DropPolicy { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> ChainLines { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>The state of one parse: the open table and every table read so far.</summary>
    private sealed class Reader(string file, int firstLine, int firstColumn, UnmodelledHandling unmodelled)
    {
        private readonly Dictionary<string, int> _tablesSeen = new(StringComparer.Ordinal);
        private readonly List<string> _otherTables = [];
        private readonly List<TableText> _tables = [];
        private readonly List<string> _overApproximations = [];
        private readonly HashSet<string> _declared = new(StringComparer.Ordinal);
        private TableText _current = new(string.Empty, 0);

        private string? _table;
        private int _tableLine;
        private HashSet<string> _chains = new(StringComparer.Ordinal);

        public NatRuleset Read(string text)
        {
            var lines = text.Split('\n');
            for (var index = 0; index < lines.Length; index++)
            {
                var line = lines[index].TrimEnd('\r');
                var trimmed = line.TrimStart();
                if (trimmed.Length == 0 || trimmed.StartsWith('#'))
                {
                    continue;
                }

                if (!ArgTokenizer.TryTokenize(line, out var tokens, out var quote))
                {
                    throw Fail(index, quote, "unterminated quote");
                }

                ReadLine(index, line, tokens);
            }

            if (_table is not null)
            {
                throw Fail(_tableLine, 0, $"table {_table} is not closed by COMMIT");
            }

            return Build();
        }

        private void ReadLine(int index, string line, List<ArgToken> tokens)
        {
            var first = tokens[0];
            if (first.Text.StartsWith('*'))
            {
                OpenTable(index, tokens);
            }
            else if (first.Text.StartsWith(':'))
            {
                DeclareChain(index, tokens);
            }
            else if (first.Text == "COMMIT")
            {
                if (_table is null)
                {
                    throw Fail(index, first.Offset, "COMMIT without an open *table");
                }

                if (tokens.Count > 1)
                {
                    throw Fail(index, tokens[1].Offset, $"unexpected '{tokens[1].Text}' after COMMIT");
                }

                _table = null;
            }
            else
            {
                ReadRule(index, line, tokens);
            }
        }

        private void OpenTable(int index, List<ArgToken> tokens)
        {
            var header = tokens[0];
            var name = header.Text[1..];
            if (_table is not null)
            {
                throw Fail(index, header.Offset,
                    $"table {_table} (line {NumberText.Show(firstLine + _tableLine)}) is not closed by COMMIT before {header.Text}");
            }

            if (name.Length == 0)
            {
                throw Fail(index, header.Offset, "missing table name after '*'");
            }

            if (!BuiltInChains.TryGetValue(name, out var builtIns))
            {
                throw Fail(index, header.Offset + 1,
                    $"unknown table '{name}' (known: {string.Join(", ", BuiltInChains.Keys)})");
            }

            if (tokens.Count > 1)
            {
                throw Fail(index, tokens[1].Offset, $"unexpected '{tokens[1].Text}' after {header.Text}");
            }

            if (_tablesSeen.TryGetValue(name, out var earlier))
            {
                throw Fail(index, header.Offset,
                    $"table {name} appears twice (first at line {NumberText.Show(firstLine + earlier)})");
            }

            _tablesSeen[name] = index;
            _table = name;
            _tableLine = index;
            _chains = new HashSet<string>(builtIns, StringComparer.Ordinal);
            _declared.Clear();
            _current = new TableText(name, index);
            _tables.Add(_current);
            if (name != "nat")
            {
                _otherTables.Add(name);
            }
        }

        private void DeclareChain(int index, List<ArgToken> tokens)
        {
            var head = tokens[0];
            if (_table is null)
            {
                throw Fail(index, head.Offset, "chain declaration before any *table line");
            }

            var name = head.Text[1..];
            if (name.Length == 0)
            {
                throw Fail(index, head.Offset, "missing chain name after ':'");
            }

            if (name.Length > 28)
            {
                throw Fail(index, head.Offset + 1, $"chain name '{name}' is longer than 28 characters");
            }

            if (!_declared.Add(name))
            {
                throw Fail(index, head.Offset + 1, $"chain {name} is declared twice");
            }

            if (tokens.Count < 2)
            {
                throw Fail(index, head.Offset,
                    $"chain declaration :{name} needs a policy (ACCEPT or DROP for built-in chains, - for user chains)");
            }

            var policy = tokens[1];
            var builtIn = BuiltInChains[_table].Contains(name);
            if (builtIn)
            {
                var allowed = _table == "nat" ? policy.Text == "ACCEPT" : policy.Text is "ACCEPT" or "DROP";
                if (!allowed)
                {
                    throw Fail(index, policy.Offset, _table == "nat"
                        ? $"policy of nat chain {name} must be ACCEPT, not '{policy.Text}'"
                        : $"policy of built-in chain {name} must be ACCEPT or DROP, not '{policy.Text}'");
                }
            }
            else if (policy.Text != "-")
            {
                throw Fail(index, policy.Offset, policy.Text is "ACCEPT" or "DROP"
                    ? $"{name} is not a built-in chain of the {_table} table; user chains have policy '-'"
                    : $"user chain {name} must have policy '-', not '{policy.Text}'");
            }

            if (tokens.Count > 2 && !IsCounters(tokens[2].Text))
            {
                throw Fail(index, tokens[2].Offset, $"bad counters '{tokens[2].Text}': expected [packets:bytes]");
            }

            if (tokens.Count > 3)
            {
                throw Fail(index, tokens[3].Offset, $"unexpected '{tokens[3].Text}' after the chain declaration");
            }

            _chains.Add(name);
            _current.ChainLines[name] = index;
            if (builtIn && policy.Text == "DROP")
            {
                _current.DropPolicy.Add(name);
            }

            if (!builtIn)
            {
                _current.UserChains.Add(name);
                _current.UserChainOrder.Add(name);
            }
        }

        private void ReadRule(int index, string line, List<ArgToken> tokens)
        {
            // iptables-save -c prefixes each rule with its [packets:bytes] counters.
            var at = tokens.Count > 1 && IsCounters(tokens[0].Text) ? 1 : 0;
            var command = tokens[at];
            if (command.Text is not ("-A" or "--append"))
            {
                if (OtherCommands.Contains(command.Text))
                {
                    throw Fail(index, command.Offset, $"{command.Text}: only -A rules are supported in iptables-save text");
                }

                throw Fail(index, command.Offset,
                    $"unrecognised line starting with '{command.Text}': expected *table, :CHAIN POLICY, -A CHAIN ..., COMMIT or a # comment");
            }

            if (_table is null)
            {
                throw Fail(index, command.Offset, "rule before any *table line");
            }

            if (at + 1 >= tokens.Count)
            {
                throw Fail(index, command.Offset, $"{command.Text} needs a chain name");
            }

            var chain = tokens[at + 1];
            if (!_chains.Contains(chain.Text))
            {
                throw Fail(index, chain.Offset,
                    $"rule in undeclared chain {chain.Text} of the {_table} table (declare it with :{chain.Text} - first)");
            }

            var lineNumber = firstLine + index;
            var parser = new NatRuleParser(
                tokens.Skip(at + 2).ToList(), _table, chain.Text, new HashSet<string>(BuiltInChains[_table], StringComparer.Ordinal),
                _current.UserChains, (offset, message) => Fail(index, offset, message),
                offset => new RuleLocation(file, lineNumber, firstColumn + offset), unmodelled);
            var (match, statements, target) = parser.Parse(command.Offset);
            _overApproximations.AddRange(parser.OverApproximations);
            if (!_current.Rules.TryGetValue(chain.Text, out var rules))
            {
                rules = [];
                _current.Rules[chain.Text] = rules;
            }

            rules.Add(new NatRule(match, target, line.Trim(), lineNumber)
            {
                Statements = statements,
                Location = new RuleLocation(file, lineNumber, firstColumn + command.Offset),
            });
        }

        private NatRuleset Build()
        {
            var tables = new List<RuleTable>();
            var baseChains = new List<BaseChain>();
            IReadOnlyDictionary<string, NatChain> natChains = new Dictionary<string, NatChain>();
            foreach (var table in _tables)
            {
                var chains = new Dictionary<string, NatChain>(StringComparer.Ordinal);
                foreach (var name in BuiltInChains[table.Name])
                {
                    chains[name] = new NatChain(name, true, RulesOf(table, name));
                }

                foreach (var name in table.UserChainOrder)
                {
                    chains[name] = new NatChain(name, false, RulesOf(table, name));
                }

                var key = "iptables " + table.Name;
                tables.Add(new RuleTable(key, "ip", table.Name, RuleSource.Iptables, chains)
                {
                    Location = new RuleLocation(file, firstLine + table.Line, firstColumn),
                });
                foreach (var name in BuiltInChains[table.Name])
                {
                    var (hook, priority, type) = BaseChainOf(table.Name, name);
                    baseChains.Add(new BaseChain(key, name, hook, priority, type, table.DropPolicy.Contains(name))
                    {
                        Location = table.ChainLines.TryGetValue(name, out var l) ? new RuleLocation(file, firstLine + l, firstColumn) : null,
                    });
                }

                if (table.Name == "nat")
                {
                    natChains = chains;
                }
            }

            return new NatRuleset(_tablesSeen.ContainsKey("nat"), natChains, _otherTables)
            {
                Tables = tables,
                BaseChains = baseChains,
                OverApproximations = [.. _overApproximations],
                ConntrackFromRules = true,
            };
        }

        // The hooks and priorities the iptables tables register (iptable_raw.c, iptable_mangle.c, iptable_nat.c,
        // iptable_filter.c, iptable_security.c; priorities from enum nf_ip_hook_priorities).
        private static (NetfilterHook Hook, int Priority, ChainType Type) BaseChainOf(string table, string chain)
        {
            var hook = chain switch
            {
                "PREROUTING" => NetfilterHook.PreRouting,
                "INPUT" => NetfilterHook.Input,
                "FORWARD" => NetfilterHook.Forward,
                "OUTPUT" => NetfilterHook.Output,
                _ => NetfilterHook.PostRouting,
            };
            return table switch
            {
                "raw" => (hook, HookPriority.Raw, ChainType.Filter),
                "mangle" => (hook, HookPriority.Mangle, hook == NetfilterHook.Output ? ChainType.Route : ChainType.Filter),
                "nat" => (hook, hook is NetfilterHook.PreRouting or NetfilterHook.Output ? HookPriority.NatDst : HookPriority.NatSrc, ChainType.Nat),
                "security" => (hook, HookPriority.Security, ChainType.Filter),
                _ => (hook, HookPriority.Filter, ChainType.Filter),
            };
        }

        private static IReadOnlyList<NatRule> RulesOf(TableText table, string chain) =>
            table.Rules.TryGetValue(chain, out var rules) ? rules : [];

        private static bool IsCounters(string text)
        {
            if (text.Length < 5 || text[0] != '[' || text[^1] != ']')
            {
                return false;
            }

            var parts = text[1..^1].Split(':');
            return parts.Length == 2 && parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit));
        }

        private SpecException Fail(int lineIndex, int offset, string message) =>
            new(file, firstLine + lineIndex, firstColumn + offset, message);
    }
}
