using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;

namespace NatVerify.Specs;

/// <summary>How the parsers treat a match module or target the model does not interpret.</summary>
public enum UnmodelledHandling
{
    /// <summary>A located error (exit 2): the default, so nothing is silently ignored.</summary>
    Error,

    /// <summary>Unmodelled matches become <see cref="UnmodelledTerm"/> (may match or not); unmodelled targets stay errors.</summary>
    MayMatch,

    /// <summary>As <see cref="MayMatch"/>, and unmodelled targets become <see cref="UnmodelledTarget"/> (may do anything).</summary>
    MayDoAnything,
}

/// <summary>
/// Parses the options of one <c>-A CHAIN ...</c> line of any iptables table into a match, statements and a target,
/// the way iptables' option parser and the matches' and targets' checkentry functions accept or refuse them.
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
        ["-f"] = "-f", ["--fragment"] = "-f",
        ["-c"] = "-c", ["--set-counters"] = "-c",
    };

    // Options of each match module (the libxt_* extensions), as iptables-save prints them and their long aliases.
    private static readonly Dictionary<string, string[]> ModuleOptions = new(StringComparer.Ordinal)
    {
        ["tcp"] = ["--sport", "--dport", "--source-port", "--destination-port", "--syn", "--tcp-flags"],
        ["udp"] = ["--sport", "--dport", "--source-port", "--destination-port"],
        ["icmp"] = ["--icmp-type"],
        ["mark"] = ["--mark"],
        ["connmark"] = ["--mark"],
        ["comment"] = ["--comment"],
        ["statistic"] = ["--mode", "--probability", "--every", "--packet"],
        ["multiport"] = ["--dports", "--sports", "--ports", "--destination-ports", "--source-ports"],
        ["iprange"] = ["--src-range", "--dst-range"],
        ["addrtype"] = ["--src-type", "--dst-type", "--limit-iface-in", "--limit-iface-out"],
        ["conntrack"] = ["--ctstate", "--ctdir", "--ctstatus", "--ctorigsrc", "--ctorigdst", "--ctreplsrc", "--ctrepldst",
            "--ctorigsrcport", "--ctorigdstport", "--ctreplsrcport", "--ctrepldstport", "--ctproto", "--ctexpire"],
        ["state"] = ["--state"],
    };

    // Options that take no argument.
    private static readonly HashSet<string> FlagOptions = new(StringComparer.Ordinal)
    {
        "--syn", "--limit-iface-in", "--limit-iface-out",
        "--random", "--random-fully", "--persistent", "--save-mark", "--restore-mark", "--notrack",
        "--log-tcp-sequence", "--log-tcp-options", "--log-ip-options", "--log-uid", "--log-macdecode", "--clamp-mss-to-pmtu",
    };

    // Helpers whose help() returns NF_ACCEPT untouched until the connection is established ("Until there's been traffic
    // both ways, don't look in packets": nf_conntrack_ftp.c help, nf_conntrack_irc.c help, nf_conntrack_sane.c help):
    // on a first packet they only ride along on the entry, so for tuples and NAT they are no-ops. Helpers that read a
    // first packet's payload (tftp, sip, amanda, RAS, snmp, netbios-ns...) may create expectations from it, which the
    // model does not represent: those stay located errors.
    private static readonly HashSet<string> EstablishedOnlyHelpers = new(StringComparer.Ordinal) { "ftp", "irc", "sane" };

    // Which options each target accepts (libxt_SNAT, libxt_DNAT, libxt_MASQUERADE, libxt_REDIRECT, libxt_NETMAP,
    // libxt_MARK, libxt_CONNMARK, libxt_CT, libxt_NOTRACK, libxt_LOG, libxt_NFLOG, libipt_REJECT).
    private static readonly Dictionary<string, string[]> TargetOptions = new(StringComparer.Ordinal)
    {
        ["SNAT"] = ["--to-source", "--random", "--random-fully", "--persistent"],
        ["DNAT"] = ["--to-destination", "--random", "--persistent"],
        ["MASQUERADE"] = ["--to-ports", "--random", "--random-fully"],
        ["REDIRECT"] = ["--to-ports", "--random"],
        ["NETMAP"] = ["--to"],
        ["MARK"] = ["--set-xmark", "--set-mark", "--and-mark", "--or-mark", "--xor-mark"],
        ["CONNMARK"] = ["--set-xmark", "--set-mark", "--and-mark", "--or-mark", "--xor-mark", "--save-mark", "--restore-mark",
            "--nfmask", "--ctmask", "--mask"],
        ["CT"] = ["--notrack", "--helper"],
        ["TCPMSS"] = ["--set-mss", "--clamp-mss-to-pmtu"],
        ["NOTRACK"] = [],
        ["LOG"] = ["--log-prefix", "--log-level", "--log-tcp-sequence", "--log-tcp-options", "--log-ip-options", "--log-uid",
            "--log-macdecode"],
        ["NFLOG"] = ["--nflog-group", "--nflog-prefix", "--nflog-range", "--nflog-size", "--nflog-threshold"],
        ["REJECT"] = ["--reject-with"],
        ["ACCEPT"] = [],
        ["DROP"] = [],
        ["RETURN"] = [],
    };

    // Protocols -p accepts besides tcp/udp/icmp (/etc/protocols names iptables resolves, as iptables-save prints them).
    private static readonly Dictionary<string, uint> OtherProtocols = new(StringComparer.OrdinalIgnoreCase)
    {
        ["igmp"] = 2, ["ipencap"] = 4, ["ipip"] = 4, ["egp"] = 8, ["dccp"] = 33, ["ipv6"] = 41, ["rsvp"] = 46, ["gre"] = 47,
        ["esp"] = 50, ["ah"] = 51, ["ospf"] = 89, ["pim"] = 103, ["vrrp"] = 112, ["l2tp"] = 115, ["sctp"] = 132,
        ["udplite"] = 136,
    };

    private static readonly Dictionary<string, uint> TcpFlagNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["FIN"] = 0x01, ["SYN"] = 0x02, ["RST"] = 0x04, ["PSH"] = 0x08, ["ACK"] = 0x10, ["URG"] = 0x20, ["ECE"] = 0x40,
        ["CWR"] = 0x80, ["ALL"] = 0xff, ["NONE"] = 0,
    };

    private static readonly Dictionary<string, (uint Type, uint? Code)> IcmpTypeNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["echo-reply"] = (0, null), ["pong"] = (0, null), ["destination-unreachable"] = (3, null),
        ["network-unreachable"] = (3, 0), ["host-unreachable"] = (3, 1), ["protocol-unreachable"] = (3, 2),
        ["port-unreachable"] = (3, 3), ["fragmentation-needed"] = (3, 4), ["source-quench"] = (4, null),
        ["redirect"] = (5, null), ["echo-request"] = (8, null), ["ping"] = (8, null), ["router-advertisement"] = (9, null),
        ["router-solicitation"] = (10, null), ["time-exceeded"] = (11, null), ["ttl-exceeded"] = (11, null),
        ["parameter-problem"] = (12, null), ["timestamp-request"] = (13, null), ["timestamp-reply"] = (14, null),
    };

    private static readonly Dictionary<string, CtStateBits> StateNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["INVALID"] = CtStateBits.Invalid, ["ESTABLISHED"] = CtStateBits.Established, ["RELATED"] = CtStateBits.Related,
        ["NEW"] = CtStateBits.New, ["UNTRACKED"] = CtStateBits.Untracked, ["SNAT"] = CtStateBits.Snat, ["DNAT"] = CtStateBits.Dnat,
    };

    private static readonly Dictionary<string, uint> StatusNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["NONE"] = 0, ["EXPECTED"] = 1, ["SEEN_REPLY"] = 2, ["ASSURED"] = 4, ["CONFIRMED"] = 8,
    };

    private static readonly Dictionary<string, AddressTypes> AddressTypeNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["UNSPEC"] = AddressTypes.Unspec, ["UNICAST"] = AddressTypes.Unicast, ["LOCAL"] = AddressTypes.Local,
        ["BROADCAST"] = AddressTypes.Broadcast, ["ANYCAST"] = AddressTypes.Anycast, ["MULTICAST"] = AddressTypes.Multicast,
        ["BLACKHOLE"] = AddressTypes.Blackhole, ["UNREACHABLE"] = AddressTypes.Unreachable, ["PROHIBIT"] = AddressTypes.Prohibit,
    };

    private static readonly Dictionary<string, string> NotModelledModules = new(StringComparer.Ordinal)
    {
        ["physdev"] = "bridge ports are not modelled (flows do not cross a bridge)",
        ["set"] = "ipset contents are not part of the ruleset dump",
        ["limit"] = "rate limits depend on time, which the model keeps abstract",
        ["hashlimit"] = "rate limits depend on time, which the model keeps abstract",
        ["recent"] = "the recent list is state outside conntrack",
        ["owner"] = "socket owners are not modelled",
        ["connlimit"] = "connection counting is not modelled",
    };

    private readonly IReadOnlyList<ArgToken> _tokens;
    private readonly string _table;
    private readonly string _chain;
    private readonly bool _builtInChain;
    private readonly IReadOnlySet<string> _userChains;
    private readonly IReadOnlySet<string> _builtInChains;
    private readonly Func<int, string, SpecException> _fail;
    private readonly Func<int, RuleLocation> _locate;
    private readonly UnmodelledHandling _unmodelled;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly HashSet<string> _modules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ArgToken> _targetArgs = new(StringComparer.Ordinal);
    private readonly List<MatchTerm> _terms = [];
    private readonly List<(bool Destination, AddressTypes Types, bool Negated)> _addressTypes = [];

    private RuleMatch _match = RuleMatch.Any;
    private ArgToken? _targetToken;
    private string? _targetKind;
    private RuleTarget? _simpleTarget;
    private NatRangeFlags _flags;
    private string? _module;
    private bool _limitIn;
    private bool _limitOut;
    private (ArgToken Every, ArgToken? Packet, bool Negated)? _nth;

    /// <summary>Prepares to parse the options of one rule.</summary>
    /// <param name="tokens">The rule's arguments after <c>-A CHAIN</c>.</param>
    /// <param name="table">The table (raw, mangle, nat, filter, security).</param>
    /// <param name="chain">The chain the rule is appended to.</param>
    /// <param name="builtInChains">The table's built-in chains.</param>
    /// <param name="userChains">User chains of the table declared so far.</param>
    /// <param name="fail">Builds the error for a 0-based offset in the rule's line.</param>
    /// <param name="locate">The location of a 0-based offset in the rule's line.</param>
    /// <param name="unmodelled">What to do with unmodelled matches and targets.</param>
    public NatRuleParser(
        IReadOnlyList<ArgToken> tokens, string table, string chain, IReadOnlySet<string> builtInChains,
        IReadOnlySet<string> userChains, Func<int, string, SpecException> fail, Func<int, RuleLocation> locate,
        UnmodelledHandling unmodelled)
    {
        _tokens = tokens;
        _table = table;
        _chain = chain;
        _builtInChains = builtInChains;
        _builtInChain = builtInChains.Contains(chain);
        _userChains = userChains;
        _fail = fail;
        _locate = locate;
        _unmodelled = unmodelled;
    }

    /// <summary>Constructs lowered to over-approximations while parsing (with their locations).</summary>
    public List<string> OverApproximations { get; } = [];

    /// <summary>Parses the rule; <paramref name="ruleOffset"/> locates errors about the rule as a whole.</summary>
    public (RuleMatch Match, IReadOnlyList<RuleStatement> Statements, RuleTarget Target) Parse(int ruleOffset)
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

            var negated = negation is not null;
            var bang = negation;
            negation = null;
            if (_targetToken is not null && !Canonical.ContainsKey(token.Text))
            {
                if (negated)
                {
                    throw Fail(token, $"{token.Text} cannot be negated");
                }

                i = ParseTargetOption(token, i);
                continue;
            }

            if (_module is { } current && ModuleOptions.TryGetValue(current, out var moduleOptions) && moduleOptions.Contains(token.Text))
            {
                i = ParseModuleOption(current, token, negated, i);
                continue;
            }

            if (Canonical.TryGetValue(token.Text, out var option))
            {
                if (bang is { } b && option is "-m" or "-j" or "-g" or "-c")
                {
                    throw Fail(b, $"{token.Text} cannot be negated");
                }

                i = ParseOption(option, token, negated, i);
                continue;
            }

            if (TargetOptions.Values.Any(o => o.Contains(token.Text)) && !ModuleOptions.Values.Any(o => o.Contains(token.Text)))
            {
                throw Fail(token, $"{token.Text} must follow the -j target it belongs to");
            }

            if (ModuleOptions.FirstOrDefault(m => m.Value.Contains(token.Text)).Key is { } owner && !_modules.Contains(owner))
            {
                throw Fail(token, $"{token.Text} needs -m {owner} before it");
            }

            throw Fail(token, _module is null
                ? $"unknown or unmodelled option {token.Text}"
                : $"unknown or unmodelled option {token.Text} (not an option of -m {_module})");
        }

        if (_modules.Contains("statistic") && _match.RandomProbability is null && _nth is null)
        {
            throw _fail(ruleOffset, "-m statistic needs --mode random --probability P or --mode nth --every N");
        }

        FinishMatch(ruleOffset);
        if (_targetToken is not { } targetToken || _targetKind is null)
        {
            // A rule without a target only counts (XT_CONTINUE): traversal goes on with the next rule.
            return (_match, [], new ContinueTarget());
        }

        var (statements, target) = BuildTarget(targetToken, _targetKind);
        return (_match, statements, target);
    }

    private void FinishMatch(int ruleOffset)
    {
        if (_nth is { } nth)
        {
            if (!NumberText.TryParseDecimal(nth.Every.Text, 1, int.MaxValue, out var every))
            {
                throw Fail(nth.Every, $"bad --every '{nth.Every.Text}': a number from 1");
            }

            var packet = 0;
            if (nth.Packet is { } p && (!NumberText.TryParseDecimal(p.Text, 0, every - 1, out packet)))
            {
                throw Fail(p, $"bad --packet '{p.Text}': a number from 0 to {NumberText.Show(every - 1)} (below --every)");
            }

            // statistic_mt (XT_STATISTIC_MODE_NTH): the rule's counter counts 0..every-1 and matches at --packet.
            _terms.Add(new SelectorTerm(SelectorKind.Counter, (uint)every, 0, 0, [], [Interval.Single((uint)packet)]) { Negated = nth.Negated });
        }
        else if (_modules.Contains("statistic") && _seen.Contains("--every"))
        {
            throw _fail(ruleOffset, "statistic --every needs --mode nth");
        }

        foreach (var (destination, types, negated) in _addressTypes)
        {
            _terms.Add(new AddressTypeTerm(destination, types, _limitIn, _limitOut) { Negated = negated });
        }

        if (_terms.Count > 0)
        {
            _match = _match with { Terms = [.. _terms] };
        }
    }

    private int ParseOption(string option, ArgToken token, bool negated, int i)
    {
        // -m may repeat (different modules); everything else only once.
        if (option is not ("-m" or "-c") && !_seen.Add(option))
        {
            throw Fail(token, $"{token.Text} given twice");
        }

        switch (option)
        {
            case "-p":
            {
                var arg = Argument(token, i);
                if (L4ProtocolNames.TryParse(arg.Text, out var protocol))
                {
                    _match = _match with { Protocol = new Condition<L4Protocol>(protocol, negated) };
                }
                else if (arg.Text is "all" or "0")
                {
                    if (negated)
                    {
                        throw Fail(arg, "! -p all matches no packet");
                    }
                }
                else if (OtherProtocols.TryGetValue(arg.Text, out var number)
                    || (NumberText.TryParseDecimal(arg.Text, 1, 255, out var n) && (number = (uint)n) > 0))
                {
                    // The generic tracker (nf_conntrack_proto_generic) keys these by addresses only.
                    _terms.Add(new ValueTerm(PacketField.L4Proto, [Interval.Single(number)]) { Negated = negated });
                }
                else
                {
                    throw Fail(arg, $"unknown protocol '{arg.Text}': a name from /etc/protocols or a number 0-255");
                }

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
                return _module is null ? SkipUnmodelledModule(i + 2) : i + 2;

            case "--sport":
            case "--dport":
                // iptables loads the protocol's match implicitly: -p tcp --dport 80 is -p tcp -m tcp --dport 80.
                _seen.Remove(option);
                RequireTcpOrUdp(token, $"{token.Text} needs -p tcp or -p udp before it");
                return ParseModuleOption(_match.Protocol!.Value.Value.Name(), token, negated, i);

            case "-j":
            case "-g":
                ParseTarget(option, token, Argument(token, i));
                return i + 2;

            case "-f":
                throw Fail(token, "fragment matching (-f) is not modelled");

            default:
            {
                // iptables-restore's "-c packets bytes" counters: accepted and ignored.
                var packets = Argument(token, i);
                if (i + 2 >= _tokens.Count || !_tokens[i + 2].Text.All(char.IsAsciiDigit) || !packets.Text.All(char.IsAsciiDigit))
                {
                    throw Fail(token, "-c needs two counters: -c PACKETS BYTES");
                }

                return i + 3;
            }
        }
    }

    // An unmodelled module's options run up to the next option iptables itself owns (-p, -m, -j, ...).
    private int SkipUnmodelledModule(int i)
    {
        while (i < _tokens.Count && !Canonical.ContainsKey(_tokens[i].Text)
            && !(_tokens[i].Text == "!" && i + 1 < _tokens.Count && Canonical.ContainsKey(_tokens[i + 1].Text)))
        {
            i++;
        }

        return i;
    }

    private int ParseModuleOption(string module, ArgToken token, bool negated, int i)
    {
        if (!_seen.Add(module + " " + token.Text) && token.Text != "--comment")
        {
            throw Fail(token, $"{token.Text} given twice");
        }

        var flag = FlagOptions.Contains(token.Text);
        var arg = flag ? default : Argument(token, i);
        var next = flag ? i + 1 : i + 2;
        switch (token.Text)
        {
            case "--sport" or "--source-port" or "--dport" or "--destination-port":
            {
                var range = ParseMatchPorts(arg);
                _match = token.Text is "--sport" or "--source-port"
                    ? _match with { SourcePort = new Condition<PortRange>(range, negated) }
                    : _match with { DestinationPort = new Condition<PortRange>(range, negated) };
                _seen.Add(token.Text.Contains("sport", StringComparison.Ordinal) || token.Text == "--source-port" ? "--sport" : "--dport");
                return next;
            }

            case "--syn":
                // tcp_mt: (flags & FIN|SYN|RST|ACK) == SYN.
                _terms.Add(new MaskedTerm(PacketField.TcpFlags, 0x17, [Interval.Single(0x02)]) { Negated = negated });
                return next;

            case "--tcp-flags":
            {
                if (next >= _tokens.Count)
                {
                    throw Fail(token, "--tcp-flags needs a mask and the flags that must be set: --tcp-flags MASK COMP");
                }

                var mask = ParseTcpFlags(arg);
                var comp = ParseTcpFlags(_tokens[next]);
                _terms.Add(new MaskedTerm(PacketField.TcpFlags, mask, [Interval.Single(comp & mask)]) { Negated = negated });
                return next + 1;
            }

            case "--icmp-type":
                ParseIcmpType(arg, negated);
                return next;

            case "--mark" when module == "mark":
                _match = _match with { Mark = new Condition<MarkMatch>(ParseMark(arg), negated) };
                return next;

            case "--mark":
            {
                // connmark_mt: (ct->mark & mask) == mark.
                var mark = ParseMark(arg);
                _terms.Add(new MaskedTerm(PacketField.CtMark, mark.Mask, [Interval.Single(mark.Value)]) { Negated = negated });
                return next;
            }

            case "--comment":
                // Comments do not affect matching.
                return next;

            case "--mode":
                if (arg.Text is not ("random" or "nth"))
                {
                    throw Fail(arg, $"bad statistic --mode '{arg.Text}': random or nth");
                }

                _seen.Add("mode " + arg.Text);
                return next;

            case "--probability":
            {
                if (!double.TryParse(arg.Text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var p)
                    || double.IsNaN(p) || p < 0 || p > 1)
                {
                    throw Fail(arg, $"bad probability '{arg.Text}': a number from 0 to 1");
                }

                _match = _match with { RandomProbability = new Condition<double>(p, negated) };
                return next;
            }

            case "--every":
                if (!_seen.Contains("mode nth"))
                {
                    throw Fail(token, "statistic --every needs --mode nth");
                }

                _seen.Add("--every");
                _nth = (arg, _nth?.Packet, negated);
                return next;

            case "--packet":
                if (_nth is not { } nth)
                {
                    throw Fail(token, "statistic --packet needs --every before it");
                }

                _nth = (nth.Every, arg, nth.Negated);
                return next;

            case "--dports" or "--destination-ports" or "--sports" or "--source-ports":
            {
                var destination = token.Text is "--dports" or "--destination-ports";
                var values = new List<Interval>();
                var offset = 0;
                foreach (var part in arg.Text.Split(','))
                {
                    var sub = new ArgToken(part, arg.OffsetOf(offset), arg.Verbatim);
                    var range = ParseMatchPorts(sub);
                    values.Add(new Interval((uint)range.Min, (uint)range.Max));
                    offset += part.Length + 1;
                }

                if (values.Count > 15)
                {
                    throw Fail(arg, "multiport takes at most 15 ports (a range counts twice)");
                }

                RequirePortProtocol(token);
                _terms.Add(new ValueTerm(destination ? PacketField.DstPort : PacketField.SrcPort, values) { Negated = negated });
                return next;
            }

            case "--ports":
                throw Fail(token, "multiport --ports (source or destination) is not modelled; write --sports and --dports rules");

            case "--src-range" or "--dst-range":
            {
                var dash = arg.Text.IndexOf('-');
                if (dash < 0 || !Ipv4.TryParse(arg.Text[..dash], out var low) || !Ipv4.TryParse(arg.Text[(dash + 1)..], out var high))
                {
                    throw Fail(arg, $"bad address range '{arg.Text}': expected a.b.c.d-e.f.g.h");
                }

                if (high.Value < low.Value)
                {
                    throw Fail(arg, $"address range '{arg.Text}' ends before it starts");
                }

                _terms.Add(new ValueTerm(token.Text == "--src-range" ? PacketField.SrcAddr : PacketField.DstAddr, [new Interval(low.Value, high.Value)]) { Negated = negated });
                return next;
            }

            case "--src-type" or "--dst-type":
            {
                var types = AddressTypes.None;
                var offset = 0;
                foreach (var part in arg.Text.Split(','))
                {
                    if (!AddressTypeNames.TryGetValue(part, out var t))
                    {
                        throw _fail(arg.OffsetOf(offset), $"unknown address type '{part}' (known: {string.Join(", ", AddressTypeNames.Keys)})");
                    }

                    types |= t;
                    offset += part.Length + 1;
                }

                _addressTypes.Add((token.Text == "--dst-type", types, negated));
                return next;
            }

            case "--limit-iface-in":
                RequireChainFor(token, "PREROUTING", "INPUT", "FORWARD");
                _limitIn = true;
                return next;

            case "--limit-iface-out":
                RequireChainFor(token, "POSTROUTING", "OUTPUT", "FORWARD");
                _limitOut = true;
                return next;

            case "--ctstate" or "--state":
            {
                var bits = CtStateBits.None;
                var offset = 0;
                foreach (var part in arg.Text.Split(','))
                {
                    if (!StateNames.TryGetValue(part, out var b) || (token.Text == "--state" && b is CtStateBits.Snat or CtStateBits.Dnat))
                    {
                        throw _fail(arg.OffsetOf(offset), $"unknown state '{part}'");
                    }

                    bits |= b;
                    offset += part.Length + 1;
                }

                // conntrack_mt_v3 / state_mt: the packet's state bit is one of the listed ones.
                _terms.Add(new MaskedTerm(PacketField.CtState, (uint)bits, [new Interval(1, uint.MaxValue)]) { Negated = negated });
                return next;
            }

            case "--ctstatus":
            {
                var bits = 0u;
                foreach (var part in arg.Text.Split(','))
                {
                    if (!StatusNames.TryGetValue(part, out var b))
                    {
                        throw Fail(arg, $"unknown conntrack status '{part}'");
                    }

                    bits |= b;
                }

                _terms.Add(new MaskedTerm(PacketField.CtStatus, bits, [new Interval(1, uint.MaxValue)]) { Negated = negated });
                return next;
            }

            case "--ctdir":
                if (arg.Text is not ("ORIGINAL" or "REPLY"))
                {
                    throw Fail(arg, $"bad --ctdir '{arg.Text}': ORIGINAL or REPLY");
                }

                _terms.Add(new ValueTerm(PacketField.CtDirection, [Interval.Single(arg.Text == "REPLY" ? 1u : 0u)]) { Negated = negated });
                return next;

            case "--ctorigsrc" or "--ctorigdst" or "--ctreplsrc" or "--ctrepldst":
            {
                var field = token.Text switch
                {
                    "--ctorigsrc" => PacketField.CtOrigSrc,
                    "--ctorigdst" => PacketField.CtOrigDst,
                    "--ctreplsrc" => PacketField.CtReplSrc,
                    _ => PacketField.CtReplDst,
                };
                _terms.Add(new ValueTerm(field, [RuleMatch.ToInterval(ParseCidr(arg))]) { Negated = negated });
                return next;
            }

            case "--ctorigsrcport" or "--ctorigdstport" or "--ctreplsrcport" or "--ctrepldstport":
            {
                var field = token.Text switch
                {
                    "--ctorigsrcport" => PacketField.CtOrigSrcPort,
                    "--ctorigdstport" => PacketField.CtOrigDstPort,
                    "--ctreplsrcport" => PacketField.CtReplSrcPort,
                    _ => PacketField.CtReplDstPort,
                };
                var range = ParseMatchPorts(arg);
                _terms.Add(new ValueTerm(field, [new Interval((uint)range.Min, (uint)range.Max)]) { Negated = negated });
                return next;
            }

            default:
                throw Fail(token, $"conntrack {token.Text} is not modelled");
        }
    }

    private void RequirePortProtocol(ArgToken token)
    {
        if (_match.Protocol is not { Negated: false } p || p.Value == L4Protocol.Icmp)
        {
            throw Fail(token, $"{token.Text} needs -p tcp or -p udp");
        }
    }

    private uint ParseTcpFlags(ArgToken arg)
    {
        var flags = 0u;
        foreach (var part in arg.Text.Split(','))
        {
            if (!TcpFlagNames.TryGetValue(part, out var f))
            {
                throw Fail(arg, $"unknown TCP flag '{part}' (FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, ALL, NONE)");
            }

            flags |= f;
        }

        return flags;
    }

    private void ParseIcmpType(ArgToken arg, bool negated)
    {
        var text = arg.Text;
        if (text == "any")
        {
            // icmp_type_code_match with type 0xFF matches every type.
            return;
        }

        uint type;
        uint? code = null;
        if (IcmpTypeNames.TryGetValue(text, out var named))
        {
            (type, code) = named;
        }
        else
        {
            var slash = text.IndexOf('/');
            if (!NumberText.TryParseDecimal(slash < 0 ? text : text[..slash], 0, 255, out var t))
            {
                throw Fail(arg, $"bad ICMP type '{text}': a name (echo-request...) or TYPE[/CODE]");
            }

            type = (uint)t;
            if (slash >= 0)
            {
                if (!NumberText.TryParseDecimal(text[(slash + 1)..], 0, 255, out var c))
                {
                    throw _fail(arg.OffsetOf(slash + 1), $"bad ICMP code '{text[(slash + 1)..]}': 0-255");
                }

                code = (uint)c;
            }
        }

        if (code is { } codeValue)
        {
            // Type and code must both hold, and '!' negates the pair: one concatenated term.
            _terms.Add(new ConcatTerm([PacketField.IcmpType, PacketField.IcmpCode], [[Interval.Single(type), Interval.Single(codeValue)]]) { Negated = negated });
        }
        else
        {
            _terms.Add(new ValueTerm(PacketField.IcmpType, [Interval.Single(type)]) { Negated = negated });
        }
    }

    private void RequireChainFor(ArgToken token, params string[] allowed)
    {
        if (_builtInChain && !allowed.Contains(_chain))
        {
            throw Fail(token, $"{token.Text} is only valid in {string.Join(", ", allowed)} (or user chains), not in {_chain}");
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
            case "icmp":
                if (_match.Protocol is not { Negated: false, Value: L4Protocol.Icmp })
                {
                    throw Fail(arg, "-m icmp needs -p icmp before it");
                }

                break;
            case var known when ModuleOptions.ContainsKey(known):
                break;
            default:
            {
                var why = NotModelledModules.TryGetValue(arg.Text, out var reason) ? $": {reason}" : string.Empty;
                if (_unmodelled == UnmodelledHandling.Error)
                {
                    throw Fail(arg, $"match module {arg.Text} is not modelled{why} (supported: {string.Join(", ", ModuleOptions.Keys)}; "
                        + "--assume-unmodelled may-match treats it as matching or not)");
                }

                var location = _locate(arg.Offset);
                _terms.Add(new UnmodelledTerm("-m " + arg.Text, location));
                OverApproximations.Add($"-m {arg.Text} at {location} may match or not");
                _module = null;
                return;
            }
        }

        if (!_modules.Add(arg.Text))
        {
            throw Fail(arg, $"-m {arg.Text} given twice");
        }

        _module = arg.Text;
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
                throw Fail(arg, $"-g {name}: no user chain {name} is declared in the {_table} table");
            }

            _targetKind = "chain";
            _simpleTarget = new JumpTarget(name, true);
            return;
        }

        switch (name)
        {
            case "SNAT":
                RequireTable(arg, "nat");
                RequireChain(arg, "POSTROUTING", "INPUT");
                break;
            case "DNAT":
            case "REDIRECT":
                RequireTable(arg, "nat");
                RequireChain(arg, "PREROUTING", "OUTPUT");
                break;
            case "MASQUERADE":
                RequireTable(arg, "nat");
                RequireChain(arg, "POSTROUTING");
                break;
            case "NETMAP":
                RequireTable(arg, "nat");
                break;
            case "ACCEPT":
                _simpleTarget = new AcceptTarget();
                break;
            case "RETURN":
                _simpleTarget = new ReturnTarget();
                break;
            case "DROP":
            case "REJECT":
                if (_table == "nat")
                {
                    throw Fail(arg, $"-j {name} is not valid in the nat table");
                }

                if (name == "REJECT")
                {
                    // reject_tg_reg: .hooks = LOCAL_IN | FORWARD | LOCAL_OUT.
                    RequireChain(arg, "INPUT", "FORWARD", "OUTPUT");
                }

                _simpleTarget = name == "DROP" ? new DropTarget() : new RejectTarget();
                break;
            case "CT":
            case "NOTRACK":
                // xt_CT: .table = "raw".
                RequireTable(arg, "raw");
                break;
            case "MARK":
            case "CONNMARK":
            case "LOG":
            case "NFLOG":
            case "TCPMSS":
                break;
            default:
                if (_userChains.Contains(name))
                {
                    _simpleTarget = new JumpTarget(name, false);
                    break;
                }

                if (_builtInChains.Contains(name))
                {
                    throw Fail(arg, $"-j {name}: cannot jump to the built-in chain {name}");
                }

                if (_unmodelled == UnmodelledHandling.MayDoAnything && name.Length > 0 && name.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c is '_' or '-'))
                {
                    var location = _locate(arg.Offset);
                    _simpleTarget = new UnmodelledTarget("-j " + name, location);
                    OverApproximations.Add($"-j {name} at {location} may accept, drop or continue");
                    name = "unmodelled";
                    break;
                }

                throw Fail(arg,
                    $"-j {name}: no chain {name} is declared in the {_table} table and {name} is not a modelled target "
                    + "(ACCEPT, DROP, REJECT, RETURN, SNAT, DNAT, MASQUERADE, REDIRECT, NETMAP, MARK, CONNMARK, CT --notrack, CT --helper, NOTRACK, TCPMSS, LOG, NFLOG; "
                    + "--assume-unmodelled may-do-anything treats it as doing anything)");
        }

        _targetKind = name;
    }

    private void RequireTable(ArgToken arg, string table)
    {
        if (_table != table)
        {
            throw Fail(arg, $"-j {arg.Text} is only valid in the {table} table, not in {_table}");
        }
    }

    private void RequireChain(ArgToken arg, params string[] allowed)
    {
        if (_builtInChain && !allowed.Contains(_chain))
        {
            throw Fail(arg, $"-j {arg.Text} is only valid in {string.Join(" and ", allowed)} (or user chains), not in {_chain}");
        }
    }

    private int ParseTargetOption(ArgToken token, int i)
    {
        var target = _targetToken!.Value;
        if (_targetKind == "unmodelled")
        {
            // The options of a target the model does not interpret are not checked; the target may do anything.
            return i + 1;
        }

        var option = token.Text;
        if (_targetKind == "chain" || !TargetOptions.TryGetValue(_targetKind!, out var allowed) || !allowed.Contains(option))
        {
            throw Fail(token, _targetKind == "CT"
                ? $"-j CT {option} is not modelled (only --notrack, and --helper {string.Join("/", EstablishedOnlyHelpers.Order(StringComparer.Ordinal))} alone)"
                : $"{option} is not an option of -j {target.Text}");
        }

        if (_targetArgs.ContainsKey(option))
        {
            throw Fail(token, $"{option} given twice");
        }

        switch (option)
        {
            case "--random":
                _flags |= NatRangeFlags.ProtoRandom;
                break;
            case "--random-fully":
                _flags |= NatRangeFlags.ProtoRandomFully;
                break;
            case "--persistent":
                _flags |= NatRangeFlags.Persistent;
                break;
        }

        if (FlagOptions.Contains(option))
        {
            _targetArgs[option] = token;
            return i + 1;
        }

        // Values are interpreted once the whole rule is read, so a later -p still counts.
        _targetArgs[option] = Argument(token, i);
        return i + 2;
    }

    private (IReadOnlyList<RuleStatement> Statements, RuleTarget Target) BuildTarget(ArgToken targetToken, string kind)
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
                return ([], kind == "SNAT" ? new SnatTarget(range) : new DnatTarget(range));
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

                return ([], kind == "MASQUERADE" ? new MasqueradeTarget(ports, flags) : new RedirectTarget(ports, flags));
            }

            case "NETMAP":
            {
                if (!_targetArgs.TryGetValue("--to", out var arg))
                {
                    throw Fail(targetToken, "-j NETMAP needs --to ADDR/LEN");
                }

                return ([], new NetmapTarget(ParseCidr(arg)));
            }

            case "MARK":
            case "CONNMARK":
                return ([BuildMark(targetToken, kind == "CONNMARK")], new ContinueTarget());

            case "CT":
                if (_targetArgs.TryGetValue("--helper", out var helper))
                {
                    return ([BuildHelper(helper)], new ContinueTarget());
                }

                if (!_targetArgs.ContainsKey("--notrack"))
                {
                    throw Fail(targetToken, "-j CT without --notrack or --helper is not modelled (zones, timeouts and events are not)");
                }

                return ([new NotrackStatement()], new ContinueTarget());

            case "TCPMSS":
                return ([BuildTcpmss(targetToken)], new ContinueTarget());

            case "NOTRACK":
                return ([new NotrackStatement()], new ContinueTarget());

            case "LOG":
            case "NFLOG":
                return ([new NoOpStatement(kind)], new ContinueTarget());

            default:
                return ([], _simpleTarget!);
        }
    }

    // xt_ct_tg_check with a helper: a conntrack template carrying the helper (nf_ct_helper_ext_add), which
    // init_conntrack hands to the new entry (__nf_ct_try_assign_helper); the tuple, the hash and NAT are untouched. The
    // check needs the rule's protocol (xt_ct_find_proto, not negated) and calls nf_ct_netns_get.
    private NoOpStatement BuildHelper(ArgToken helper)
    {
        if (_targetArgs.TryGetValue("--notrack", out var notrack))
        {
            throw Fail(notrack, "-j CT takes --notrack or --helper, not both");
        }

        if (!EstablishedOnlyHelpers.Contains(helper.Text))
        {
            throw Fail(helper,
                $"-j CT --helper {helper.Text} is not modelled: only helpers that wait for an established connection ({string.Join(", ", EstablishedOnlyHelpers.Order(StringComparer.Ordinal))}) "
                + "leave first packets alone; others may create expectations from a first packet's payload");
        }

        if (_match.Protocol is not { Negated: false } p || p.Value != L4Protocol.Tcp)
        {
            throw Fail(helper, $"-j CT --helper {helper.Text} needs -p tcp (the {helper.Text} helper is registered for TCP; xt_ct_set_helper)");
        }

        return new NoOpStatement("CT --helper " + helper.Text) { TakesConntrack = true };
    }

    // tcpmss_tg4 only rewrites (or adds) the MSS option of a SYN and returns XT_CONTINUE: tuples and NAT are untouched.
    // It returns NF_DROP only for a malformed TCP header, a failed skb reallocation, or a path MTU of at most 40 bytes,
    // which no IPv4 interface has (68 is the minimum). tcpmss_tg4_check wants a non-negated tcp SYN match
    // (find_syn_match) and allows --clamp-mss-to-pmtu only in FORWARD, OUTPUT and POSTROUTING.
    private NoOpStatement BuildTcpmss(ArgToken targetToken)
    {
        var clamp = _targetArgs.ContainsKey("--clamp-mss-to-pmtu");
        var set = _targetArgs.TryGetValue("--set-mss", out var mss);
        if (clamp == set)
        {
            throw Fail(targetToken, "-j TCPMSS takes exactly one of --set-mss VALUE and --clamp-mss-to-pmtu");
        }

        if (set && (!uint.TryParse(mss!.Text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) || value > 65535))
        {
            throw Fail(mss!, $"bad --set-mss value '{mss!.Text}': expected 0-65535");
        }

        if (_match.Protocol is not { Negated: false } p || p.Value != L4Protocol.Tcp
            || !_terms.OfType<MaskedTerm>().Any(t => t.Field == PacketField.TcpFlags && !t.Negated && (t.Values[0].Min & 0x02) != 0))
        {
            throw Fail(targetToken, "-j TCPMSS needs -p tcp with --syn or --tcp-flags ... SYN (tcpmss_tg4_check: it only works on SYN packets)");
        }

        if (clamp)
        {
            RequireChain(targetToken, "FORWARD", "OUTPUT", "POSTROUTING");
        }

        return new NoOpStatement("TCPMSS");
    }

    // libxt_MARK / libxt_CONNMARK lower every form to (dest & ~mask) ^ value (mark_tg, connmark_tg).
    private MarkStatement BuildMark(ArgToken targetToken, bool connmark)
    {
        var destination = connmark ? MarkRegister.CtMark : MarkRegister.Mark;
        string[] setters = ["--set-xmark", "--set-mark", "--and-mark", "--or-mark", "--xor-mark"];
        var given = setters.Where(_targetArgs.ContainsKey).ToList();
        if (connmark && (_targetArgs.ContainsKey("--save-mark") || _targetArgs.ContainsKey("--restore-mark")))
        {
            if (given.Count > 0 || (_targetArgs.ContainsKey("--save-mark") && _targetArgs.ContainsKey("--restore-mark")))
            {
                throw Fail(targetToken, "-j CONNMARK takes exactly one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark, --save-mark, --restore-mark");
            }

            var both = _targetArgs.TryGetValue("--mask", out var maskArg) ? ParseMask(maskArg) : uint.MaxValue;
            var nfmask = _targetArgs.TryGetValue("--nfmask", out var nf) ? ParseMask(nf) : both;
            var ctmask = _targetArgs.TryGetValue("--ctmask", out var ct) ? ParseMask(ct) : both;
            return _targetArgs.ContainsKey("--save-mark")
                ? new MarkStatement(MarkRegister.CtMark, MarkRegister.Mark, ~ctmask, nfmask, 0)
                : new MarkStatement(MarkRegister.Mark, MarkRegister.CtMark, ~nfmask, ctmask, 0);
        }

        if (given.Count != 1)
        {
            throw Fail(targetToken, $"-j {targetToken.Text} takes exactly one of {string.Join(", ", connmark ? [.. setters, "--save-mark", "--restore-mark"] : setters)}");
        }

        foreach (var extra in new[] { "--mask", "--nfmask", "--ctmask" })
        {
            if (_targetArgs.TryGetValue(extra, out var stray))
            {
                throw Fail(stray, $"{extra} only goes with --save-mark or --restore-mark");
            }
        }

        var option = given[0];
        var arg = _targetArgs[option];
        var mark = ParseMark(arg);
        var (value, mask) = option switch
        {
            "--set-xmark" => (mark.Value, mark.Mask),
            "--set-mark" => (mark.Value, mark.Mask | mark.Value),
            "--and-mark" => (0u, ~mark.Value),
            "--or-mark" => (mark.Value, mark.Value),
            _ => (mark.Value, 0u),
        };
        if (option is "--and-mark" or "--or-mark" or "--xor-mark" && mark.Mask != uint.MaxValue)
        {
            throw Fail(arg, $"{option} takes a value without a mask");
        }

        return new MarkStatement(destination, MarkRegister.None, ~mask, 0, value);
    }

    private uint ParseMask(ArgToken arg)
    {
        if (!NumberText.TryParseUInt32(arg.Text, out var mask))
        {
            throw Fail(arg, $"bad mask '{arg.Text}': expected a 32-bit decimal or 0x hex number");
        }

        return mask;
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
            // libxt_NAT accepts a range for tcp, udp, sctp, dccp and icmp (an ICMP range is of echo ids:
            // nf_nat_l4proto_unique_tuple searches src.u.icmp.id in it for either manip).
            if (_match.Protocol is not { Negated: false })
            {
                throw Fail(arg, "a NAT port range needs -p tcp, -p udp or -p icmp");
            }

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
