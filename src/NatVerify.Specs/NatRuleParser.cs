using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;

namespace NatVerify.Specs;

/// <summary>
/// Parses the options of one <c>-A CHAIN ...</c> line of the nat table into a match and a target, the way
/// iptables' option parser and the NAT targets' checks would accept or refuse them.
/// </summary>
internal sealed class NatRuleParser
{
    /// <summary>At most this many addresses in a NAT address range: the model enumerates every address of a range.</summary>
    public const int MaxAddressRange = 16;

    private static readonly Dictionary<string, string> Canonical = new(StringComparer.Ordinal)
    {
        ["-p"] = "-p", ["--protocol"] = "-p",
        ["-s"] = "-s", ["--source"] = "-s", ["--src"] = "-s",
        ["-d"] = "-d", ["--destination"] = "-d", ["--dst"] = "-d",
        ["-i"] = "-i", ["--in-interface"] = "-i",
        ["-o"] = "-o", ["--out-interface"] = "-o",
        ["-m"] = "-m", ["--match"] = "-m",
        ["-j"] = "-j", ["--jump"] = "-j",
        ["-g"] = "-g", ["--goto"] = "-g",
        ["--sport"] = "--sport", ["--source-port"] = "--sport",
        ["--dport"] = "--dport", ["--destination-port"] = "--dport",
        ["--mark"] = "--mark",
        ["--comment"] = "--comment",
        ["--mode"] = "--mode",
        ["--probability"] = "--probability",
        ["--every"] = "--every",
        ["--packet"] = "--packet",
        ["--to-source"] = "--to-source",
        ["--to-destination"] = "--to-destination",
        ["--to-ports"] = "--to-ports",
        ["--random"] = "--random",
        ["--random-fully"] = "--random-fully",
        ["--persistent"] = "--persistent",
        ["-f"] = "-f", ["--fragment"] = "-f",
        ["-c"] = "-c", ["--set-counters"] = "-c",
    };

    private static readonly HashSet<string> Negatable = new(StringComparer.Ordinal)
    {
        "-p", "-s", "-d", "-i", "-o", "--sport", "--dport", "--mark", "--probability",
    };

    // Which target options each NAT target accepts (libxt_SNAT, libxt_DNAT, libxt_MASQUERADE, libxt_REDIRECT).
    private static readonly Dictionary<string, string[]> TargetOptions = new(StringComparer.Ordinal)
    {
        ["SNAT"] = ["--to-source", "--random", "--random-fully", "--persistent"],
        ["DNAT"] = ["--to-destination", "--random", "--persistent"],
        ["MASQUERADE"] = ["--to-ports", "--random", "--random-fully"],
        ["REDIRECT"] = ["--to-ports", "--random"],
    };

    private static readonly HashSet<string> TargetOptionNames = new(StringComparer.Ordinal)
    {
        "--to-source", "--to-destination", "--to-ports", "--random", "--random-fully", "--persistent",
    };

    private readonly IReadOnlyList<ArgToken> _tokens;
    private readonly string _chain;
    private readonly bool _builtInChain;
    private readonly IReadOnlySet<string> _userChains;
    private readonly Func<int, string, SpecException> _fail;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly HashSet<string> _modules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ArgToken> _targetArgs = new(StringComparer.Ordinal);

    private RuleMatch _match = RuleMatch.Any;
    private ArgToken? _targetToken;
    private string? _targetKind;
    private RuleTarget? _simpleTarget;
    private NatRangeFlags _flags;

    /// <summary>Prepares to parse the options of one rule.</summary>
    /// <param name="tokens">The rule's arguments after <c>-A CHAIN</c>.</param>
    /// <param name="chain">The chain the rule is appended to.</param>
    /// <param name="builtInChain">True for PREROUTING, INPUT, OUTPUT and POSTROUTING.</param>
    /// <param name="userChains">User chains of the nat table declared so far.</param>
    /// <param name="fail">Builds the error for a 0-based offset in the rule's line.</param>
    public NatRuleParser(
        IReadOnlyList<ArgToken> tokens, string chain, bool builtInChain, IReadOnlySet<string> userChains,
        Func<int, string, SpecException> fail)
    {
        _tokens = tokens;
        _chain = chain;
        _builtInChain = builtInChain;
        _userChains = userChains;
        _fail = fail;
    }

    /// <summary>Parses the rule; <paramref name="ruleOffset"/> locates errors about the rule as a whole.</summary>
    public (RuleMatch Match, RuleTarget Target) Parse(int ruleOffset)
    {
        ArgToken? negation = null;
        var i = 0;
        while (i < _tokens.Count)
        {
            var token = _tokens[i];
            if (token.Text == "!")
            {
                if (negation is not null)
                {
                    throw Fail(token, "'!' given twice");
                }

                if (i + 1 >= _tokens.Count)
                {
                    throw Fail(token, "'!' must be followed by the option it negates");
                }

                negation = token;
                i++;
                continue;
            }

            if (!token.Text.StartsWith('-') || token.Text.Length < 2)
            {
                throw Fail(token, $"unexpected argument '{token.Text}': expected an option");
            }

            if (!Canonical.TryGetValue(token.Text, out var option))
            {
                throw Fail(token, $"unknown or unmodelled option {token.Text}");
            }

            var negated = negation is not null;
            if (negation is { } bang && !Negatable.Contains(option))
            {
                throw Fail(bang, $"{token.Text} cannot be negated");
            }

            negation = null;
            i = ParseOption(option, token, negated, i);
        }

        if (_targetToken is not { } targetToken || _targetKind is null)
        {
            throw _fail(ruleOffset, "rule has no -j target (counting-only rules are not modelled)");
        }

        if (_modules.Contains("statistic") && _match.RandomProbability is null)
        {
            throw _fail(ruleOffset, "-m statistic needs --mode random --probability P");
        }

        return (_match, BuildTarget(targetToken, _targetKind));
    }

    private int ParseOption(string option, ArgToken token, bool negated, int i)
    {
        // -m and --comment may repeat (different modules, several comments); everything else only once.
        if (option is not ("-m" or "--comment" or "-c") && !_seen.Add(option))
        {
            throw Fail(token, $"{token.Text} given twice");
        }

        switch (option)
        {
            case "-p":
            {
                var arg = Argument(token, i);
                if (!L4ProtocolNames.TryParse(arg.Text, out var protocol))
                {
                    throw Fail(arg, $"protocol {arg.Text} is not modelled (only tcp, udp and icmp)");
                }

                _match = _match with { Protocol = new Condition<L4Protocol>(protocol, negated) };
                return i + 2;
            }

            case "-s":
            case "-d":
            {
                var arg = Argument(token, i);
                var cidr = ParseCidr(arg);
                _match = option == "-s"
                    ? _match with { Source = new Condition<Cidr>(cidr, negated) }
                    : _match with { Destination = new Condition<Cidr>(cidr, negated) };
                return i + 2;
            }

            case "-i":
            case "-o":
                return ParseInterface(option, token, negated, i);

            case "-m":
                ParseModule(Argument(token, i));
                return i + 2;

            case "--sport":
            case "--dport":
            {
                RequireTcpOrUdp(token, $"{token.Text} needs -p tcp or -p udp before it");
                var arg = Argument(token, i);
                var range = ParseMatchPorts(arg);
                _match = option == "--sport"
                    ? _match with { SourcePort = new Condition<PortRange>(range, negated) }
                    : _match with { DestinationPort = new Condition<PortRange>(range, negated) };
                return i + 2;
            }

            case "--mark":
            {
                if (!_modules.Contains("mark"))
                {
                    throw Fail(token, "--mark needs -m mark before it");
                }

                var arg = Argument(token, i);
                _match = _match with { Mark = new Condition<MarkMatch>(ParseMark(arg), negated) };
                return i + 2;
            }

            case "--mode":
            {
                RequireModule(token, "statistic");
                var arg = Argument(token, i);
                if (arg.Text != "random")
                {
                    throw Fail(arg, $"statistic --mode {arg.Text} is not modelled (only --mode random)");
                }

                return i + 2;
            }

            case "--probability":
            {
                RequireModule(token, "statistic");
                var arg = Argument(token, i);
                if (!double.TryParse(arg.Text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var p)
                    || double.IsNaN(p) || p < 0 || p > 1)
                {
                    throw Fail(arg, $"bad probability '{arg.Text}': a number from 0 to 1");
                }

                _match = _match with { RandomProbability = new Condition<double>(p, negated) };
                return i + 2;
            }

            case "--every":
            case "--packet":
                throw Fail(token, "statistic --mode nth is not modelled (only --mode random)");

            case "--comment":
                if (!_modules.Contains("comment"))
                {
                    throw Fail(token, "--comment needs -m comment before it");
                }

                // Comments do not affect matching; only check that the argument is there.
                Argument(token, i);
                return i + 2;

            case "-j":
            case "-g":
                ParseTarget(option, token, Argument(token, i));
                return i + 2;

            case "-f":
                throw Fail(token, "fragment matching (-f) is not modelled");

            case "-c":
            {
                // iptables-restore's "-c packets bytes" counters: accepted and ignored.
                var packets = Argument(token, i);
                if (i + 2 >= _tokens.Count || !_tokens[i + 2].Text.All(char.IsAsciiDigit) || !packets.Text.All(char.IsAsciiDigit))
                {
                    throw Fail(token, "-c needs two counters: -c PACKETS BYTES");
                }

                return i + 3;
            }

            default:
                return ParseTargetOption(option, token, i);
        }
    }

    private void RequireModule(ArgToken token, string module)
    {
        if (!_modules.Contains(module))
        {
            throw Fail(token, $"{token.Text} needs -m {module} before it");
        }
    }

    private int ParseInterface(string option, ArgToken token, bool negated, int i)
    {
        var arg = Argument(token, i);
        if (!IsInterfaceName(arg.Text))
        {
            throw Fail(arg, $"bad interface name '{arg.Text}': 1-15 characters, no spaces or '/', '+' only at the end");
        }

        // iptables refuses an in-interface where packets have none yet and an out-interface where they have none.
        if (option == "-i" && _chain is "POSTROUTING" or "OUTPUT")
        {
            throw Fail(token, $"{token.Text} is not valid in {_chain}: packets there have no input interface");
        }

        if (option == "-o" && _chain is "PREROUTING" or "INPUT")
        {
            throw Fail(token, $"{token.Text} is not valid in {_chain}: packets there have no output interface yet");
        }

        var condition = new Condition<string>(arg.Text, negated);
        _match = option == "-i" ? _match with { InInterface = condition } : _match with { OutInterface = condition };
        return i + 2;
    }

    private void ParseModule(ArgToken arg)
    {
        switch (arg.Text)
        {
            case "tcp":
            case "udp":
                var wanted = arg.Text == "tcp" ? L4Protocol.Tcp : L4Protocol.Udp;
                if (_match.Protocol is not { Negated: false } p || p.Value != wanted)
                {
                    throw Fail(arg, $"-m {arg.Text} needs -p {arg.Text} before it");
                }

                break;
            case "mark":
            case "comment":
            case "statistic":
                break;
            case "multiport":
                throw Fail(arg, "match module multiport is not modelled; write one rule per port or port range");
            case "icmp":
                throw Fail(arg, "match module icmp is not modelled: rules cannot match ICMP types (flows are echo requests)");
            default:
                throw Fail(arg, $"match module {arg.Text} is not modelled (supported: tcp, udp, mark, comment, statistic)");
        }

        if (!_modules.Add(arg.Text))
        {
            throw Fail(arg, $"-m {arg.Text} given twice");
        }
    }

    private void ParseTarget(string option, ArgToken token, ArgToken arg)
    {
        if (_targetToken is not null)
        {
            throw Fail(token, "a rule has only one target (-j or -g)");
        }

        _targetToken = arg;
        var name = arg.Text;
        if (option == "-g")
        {
            if (!_userChains.Contains(name))
            {
                throw Fail(arg, $"-g {name}: no user chain {name} is declared in the nat table");
            }

            _targetKind = "chain";
            _simpleTarget = new JumpTarget(name, true);
            return;
        }

        switch (name)
        {
            case "SNAT":
                RequireChain(arg, "POSTROUTING", "INPUT");
                break;
            case "DNAT":
            case "REDIRECT":
                RequireChain(arg, "PREROUTING", "OUTPUT");
                break;
            case "MASQUERADE":
                RequireChain(arg, "POSTROUTING");
                break;
            case "ACCEPT":
                _simpleTarget = new AcceptTarget();
                break;
            case "RETURN":
                _simpleTarget = new ReturnTarget();
                break;
            case "DROP":
            case "REJECT":
                throw Fail(arg, $"-j {name} is not valid in the nat table");
            default:
                if (_userChains.Contains(name))
                {
                    _simpleTarget = new JumpTarget(name, false);
                    break;
                }

                if (IptablesSaveParser.NatBuiltInChains.Contains(name))
                {
                    throw Fail(arg, $"-j {name}: cannot jump to the built-in chain {name}");
                }

                throw Fail(arg,
                    $"-j {name}: no chain {name} is declared in the nat table and {name} is not a modelled target "
                    + "(SNAT, DNAT, MASQUERADE, REDIRECT, ACCEPT, RETURN)");
        }

        _targetKind = name;
    }

    private void RequireChain(ArgToken arg, params string[] allowed)
    {
        if (_builtInChain && !allowed.Contains(_chain))
        {
            throw Fail(arg, $"-j {arg.Text} is only valid in {string.Join(" and ", allowed)} (or user chains), not in {_chain}");
        }
    }

    private int ParseTargetOption(string option, ArgToken token, int i)
    {
        if (!TargetOptionNames.Contains(option))
        {
            throw Fail(token, $"unknown or unmodelled option {token.Text}");
        }

        if (_targetToken is not { } target)
        {
            throw Fail(token, $"{token.Text} must follow the -j target it belongs to");
        }

        if (!TargetOptions.TryGetValue(target.Text, out var allowed) || _targetKind == "chain" || !allowed.Contains(option))
        {
            throw Fail(token, $"{token.Text} is not an option of -j {target.Text}");
        }

        switch (option)
        {
            case "--random":
                _flags |= NatRangeFlags.ProtoRandom;
                return i + 1;
            case "--random-fully":
                _flags |= NatRangeFlags.ProtoRandomFully;
                return i + 1;
            case "--persistent":
                _flags |= NatRangeFlags.Persistent;
                return i + 1;
            default:
                // The range is parsed once the whole rule is read, so a later -p still counts.
                _targetArgs[option] = Argument(token, i);
                return i + 2;
        }
    }

    private RuleTarget BuildTarget(ArgToken targetToken, string kind)
    {
        switch (kind)
        {
            case "SNAT":
            case "DNAT":
            {
                var option = kind == "SNAT" ? "--to-source" : "--to-destination";
                if (!_targetArgs.TryGetValue(option, out var arg))
                {
                    throw Fail(targetToken, $"-j {kind} needs {option}");
                }

                var range = ParseNatRange(arg);
                return kind == "SNAT" ? new SnatTarget(range) : new DnatTarget(range);
            }

            case "MASQUERADE":
            case "REDIRECT":
            {
                PortRange? ports = null;
                var flags = _flags;
                if (_targetArgs.TryGetValue("--to-ports", out var arg))
                {
                    RequireTcpOrUdp(arg, "--to-ports needs -p tcp or -p udp");
                    ports = ParseNatPorts(arg, arg.Text, 0);
                    flags |= NatRangeFlags.ProtoSpecified;
                }

                return kind == "MASQUERADE" ? new MasqueradeTarget(ports, flags) : new RedirectTarget(ports, flags);
            }

            default:
                return _simpleTarget!;
        }
    }

    private NatRange ParseNatRange(ArgToken arg)
    {
        var text = arg.Text;
        var colon = text.IndexOf(':');
        var addressText = colon < 0 ? text : text[..colon];
        var flags = _flags;
        Ipv4 min = default, max = default;
        int minPort = 0, maxPort = 0;
        if (addressText.Length == 0 && colon < 0)
        {
            throw Fail(arg, "empty NAT range: expected ADDR[-ADDR][:PORT[-PORT]]");
        }

        if (addressText.Length > 0)
        {
            var dash = addressText.IndexOf('-');
            var minText = dash < 0 ? addressText : addressText[..dash];
            if (!Ipv4.TryParse(minText, out min))
            {
                throw _fail(arg.OffsetOf(0), $"bad address '{minText}' in NAT range '{text}'{Ipv4.Hint(minText)}");
            }

            max = min;
            if (dash >= 0)
            {
                var maxText = addressText[(dash + 1)..];
                if (!Ipv4.TryParse(maxText, out max))
                {
                    throw _fail(arg.OffsetOf(dash + 1), $"bad address '{maxText}' in NAT range '{text}'{Ipv4.Hint(maxText)}");
                }

                if (max.CompareTo(min) < 0)
                {
                    throw _fail(arg.OffsetOf(dash + 1), $"address range '{addressText}' ends before it starts");
                }

                var count = (long)max.Value - min.Value + 1;
                if (count > MaxAddressRange)
                {
                    throw _fail(arg.OffsetOf(0),
                        $"address range '{addressText}' has {NumberText.Show(count)} addresses; the model enumerates "
                        + $"every address of a range, so at most {MaxAddressRange} are allowed");
                }
            }

            flags |= NatRangeFlags.MapIps;
        }

        if (colon >= 0)
        {
            RequireTcpOrUdp(arg, "a NAT port range needs -p tcp or -p udp");
            var ports = ParseNatPorts(arg, text[(colon + 1)..], colon + 1);
            minPort = ports.Min;
            maxPort = ports.Max;
            flags |= NatRangeFlags.ProtoSpecified;
        }

        return new NatRange(flags, min, max, minPort, maxPort);
    }

    // NAT port ranges are written P or P-Q with 1 <= P <= Q <= 65535 (libxt_SNAT's parse_to, libxt_MASQUERADE).
    private PortRange ParseNatPorts(ArgToken arg, string text, int start)
    {
        if (text.Length == 0)
        {
            throw _fail(arg.OffsetOf(start), "missing port after ':' in NAT range");
        }

        var dash = text.IndexOf('-');
        var minText = dash < 0 ? text : text[..dash];
        if (!NumberText.TryParseDecimal(minText, 1, 65535, out var min))
        {
            throw _fail(arg.OffsetOf(start), $"bad port '{minText}': NAT ports are 1-65535");
        }

        var max = min;
        if (dash >= 0)
        {
            var maxText = text[(dash + 1)..];
            if (!NumberText.TryParseDecimal(maxText, 1, 65535, out max))
            {
                throw _fail(arg.OffsetOf(start + dash + 1), $"bad port '{maxText}': NAT ports are 1-65535");
            }

            if (max < min)
            {
                throw _fail(arg.OffsetOf(start + dash + 1), $"port range '{text}' ends before it starts");
            }
        }

        return new PortRange(min, max);
    }

    // Match port ranges are N, N:M, N: or :M (xtables' parse_port_range), 0-65535.
    private PortRange ParseMatchPorts(ArgToken arg)
    {
        var text = arg.Text;
        if (text.Contains('-'))
        {
            throw Fail(arg, $"bad port range '{text}': match port ranges are written N:M");
        }

        var colon = text.IndexOf(':');
        var minText = colon < 0 ? text : text[..colon];
        var maxText = colon < 0 ? text : text[(colon + 1)..];
        var min = 0;
        if ((colon < 0 || minText.Length > 0) && !NumberText.TryParseDecimal(minText, 0, 65535, out min))
        {
            throw Fail(arg, $"bad port '{minText}': ports are 0-65535");
        }

        var max = 65535;
        if ((colon < 0 || maxText.Length > 0) && !NumberText.TryParseDecimal(maxText, 0, 65535, out max))
        {
            throw _fail(arg.OffsetOf(colon + 1), $"bad port '{maxText}': ports are 0-65535");
        }

        if (max < min)
        {
            throw Fail(arg, $"port range '{text}' ends before it starts");
        }

        return new PortRange(min, max);
    }

    private MarkMatch ParseMark(ArgToken arg)
    {
        var text = arg.Text;
        var slash = text.IndexOf('/');
        var valueText = slash < 0 ? text : text[..slash];
        if (!NumberText.TryParseUInt32(valueText, out var value))
        {
            throw Fail(arg, $"bad mark '{valueText}': expected a 32-bit decimal or 0x hex number");
        }

        var mask = uint.MaxValue;
        if (slash >= 0 && !NumberText.TryParseUInt32(text[(slash + 1)..], out mask))
        {
            throw _fail(arg.OffsetOf(slash + 1), $"bad mark mask '{text[(slash + 1)..]}': expected a 32-bit decimal or 0x hex number");
        }

        return new MarkMatch(value, mask);
    }

    private Cidr ParseCidr(ArgToken arg)
    {
        var text = arg.Text;
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (!Ipv4.TryParse(addressText, out _))
        {
            throw Fail(arg, $"bad address '{text}': expected a.b.c.d or a.b.c.d/len{Ipv4.Hint(addressText)}");
        }

        if (!Cidr.TryParse(text, out var cidr))
        {
            throw _fail(arg.OffsetOf(slash + 1), $"bad prefix length '{text[(slash + 1)..]}': expected 0-32");
        }

        return cidr;
    }

    private void RequireTcpOrUdp(ArgToken at, string message)
    {
        if (_match.Protocol is not { Negated: false } p || p.Value == L4Protocol.Icmp)
        {
            throw Fail(at, message);
        }
    }

    private ArgToken Argument(ArgToken option, int i)
    {
        if (i + 1 >= _tokens.Count)
        {
            throw Fail(option, $"option {option.Text} needs an argument");
        }

        var arg = _tokens[i + 1];
        if (arg.Text == "!")
        {
            throw Fail(arg, $"'!' goes before the option it negates (! {option.Text} ...)");
        }

        // No argument of a modelled option starts with '-', so this is the next option, not a value.
        if (arg.Verbatim && arg.Text.StartsWith('-'))
        {
            throw Fail(option, $"option {option.Text} needs an argument");
        }

        return arg;
    }

    private static bool IsInterfaceName(string name)
    {
        if (name.Length is 0 or > 15)
        {
            return false;
        }

        for (var k = 0; k < name.Length; k++)
        {
            var c = name[k];
            if (char.IsWhiteSpace(c) || c == '/' || (c == '+' && k != name.Length - 1))
            {
                return false;
            }
        }

        return true;
    }

    private SpecException Fail(ArgToken at, string message) => _fail(at.Offset, message);
}
