using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;
using NatVerify.Model.Tuples;

namespace NatVerify.Specs;

/// <summary>
/// Parses a <c>conntrack</c> command line (with or without the leading word <c>conntrack</c>) into the ctnetlink
/// actor it stands for: <c>-I</c> becomes a <see cref="CtnetlinkInsert"/>, <c>-D</c> a <see cref="CtnetlinkDelete"/>.
/// </summary>
public static class ConntrackCommandParser
{
    private static readonly Dictionary<string, string> Canonical = new(StringComparer.Ordinal)
    {
        ["-p"] = "-p", ["--protonum"] = "-p", ["--proto"] = "-p",
        ["-s"] = "-s", ["--src"] = "-s", ["--orig-src"] = "-s",
        ["-d"] = "-d", ["--dst"] = "-d", ["--orig-dst"] = "-d",
        ["-r"] = "-r", ["--reply-src"] = "-r",
        ["-q"] = "-q", ["--reply-dst"] = "-q",
        ["--sport"] = "--sport", ["--orig-port-src"] = "--sport",
        ["--dport"] = "--dport", ["--orig-port-dst"] = "--dport",
        ["--reply-port-src"] = "--reply-port-src",
        ["--reply-port-dst"] = "--reply-port-dst",
        ["--icmp-id"] = "--icmp-id",
        ["--icmp-type"] = "--icmp-type",
        ["--icmp-code"] = "--icmp-code",
        ["-t"] = "-t", ["--timeout"] = "-t",
        ["-u"] = "-u", ["--status"] = "-u",
        ["--state"] = "--state",
        ["-m"] = "-m", ["--mark"] = "-m",
        ["-w"] = "-w", ["--zone"] = "-w",
        ["-f"] = "-f", ["--family"] = "-f",
    };

    private static readonly Dictionary<string, string> Commands = new(StringComparer.Ordinal)
    {
        ["-I"] = "-I", ["--create"] = "-I",
        ["-D"] = "-D", ["--delete"] = "-D",
        ["-L"] = "-L", ["--dump"] = "-L",
        ["-G"] = "-G", ["--get"] = "-G",
        ["-U"] = "-U", ["--update"] = "-U",
        ["-E"] = "-E", ["--event"] = "-E",
        ["-F"] = "-F", ["--flush"] = "-F",
        ["-C"] = "-C", ["--count"] = "-C",
        ["-S"] = "-S", ["--stats"] = "-S",
        ["-R"] = "-R", ["--load-file"] = "-R",
        ["-A"] = "-A", ["--add"] = "-A",
    };

    private static readonly HashSet<string> NatOptions = new(StringComparer.Ordinal)
    {
        "-n", "--src-nat", "-g", "--dst-nat", "-j", "--any-nat",
    };

    private static readonly HashSet<string> TcpStates = new(StringComparer.Ordinal)
    {
        "NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",
        "LISTEN", "SYN_SENT2",
    };

    private static readonly HashSet<string> StatusBits = new(StringComparer.Ordinal)
    {
        "EXPECTED", "ASSURED", "SEEN_REPLY", "FIXED_TIMEOUT", "UNSET",
    };

    /// <summary>Parses <paramref name="command"/>, whose first character sits at <paramref name="line"/>:<paramref name="column"/> of <paramref name="file"/>.</summary>
    /// <param name="name">The actor's name.</param>
    /// <param name="command">The command, e.g. <c>-D -p tcp --orig-src 192.0.2.1</c>.</param>
    /// <param name="file">Display path used in errors.</param>
    /// <param name="line">1-based line of the command's first character.</param>
    /// <param name="column">1-based column of the command's first character.</param>
    /// <returns>A <see cref="CtnetlinkInsert"/> for <c>-I</c> or a <see cref="CtnetlinkDelete"/> for <c>-D</c>.</returns>
    /// <exception cref="SpecException">The command is malformed, not -I/-D, or uses something the model does not cover.</exception>
    public static Actor Parse(string name, string command, string file, int line, int column)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(file);
        try
        {
            return new Reader(name, command, file, line, column).Read();
        }
        catch (Exception ex) when (ex is not SpecException)
        {
            throw new SpecException(file, line, column, $"internal error while parsing the conntrack command: {ex.Message}", ex);
        }
    }

    /// <summary>The options one command gave, with the tokens they came from for error locations.</summary>
    private sealed class Reader(string name, string command, string file, int line, int column)
    {
        private readonly Dictionary<string, ArgToken> _options = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ArgToken> _values = new(StringComparer.Ordinal);
        private ArgToken? _command;
        private L4Protocol? _protocol;

        public Actor Read()
        {
            // One command line: a newline or other control character would end the command wherever the arguments
            // are written (a kernel script, a terminal), and conntrack itself never sees one in an argument.
            for (var i = 0; i < command.Length; i++)
            {
                if (char.IsControl(command[i]) && command[i] != '\t' || command[i] is '\u2028' or '\u2029')
                {
                    throw Fail(i, $"control character U+{(int)command[i]:X4} in the conntrack command (it must be one line)");
                }
            }

            if (!ArgTokenizer.TryTokenize(command, out var tokens, out var quote))
            {
                throw Fail(quote, "unterminated quote");
            }

            var start = tokens.Count > 0 && tokens[0].Text == "conntrack" ? 1 : 0;
            if (start >= tokens.Count)
            {
                throw Fail(0, "empty conntrack command: expected -I or -D and its options");
            }

            ReadOptions(tokens, start);
            if (_command is not { } commandToken)
            {
                throw Fail(tokens[start].Offset, "no conntrack command: expected -I (--create) or -D (--delete)");
            }

            CheckProtocolOptions();
            var text = command.Trim();
            if (Commands[commandToken.Text] == "-I")
            {
                var (original, reply) = InsertTuples(commandToken);
                return new CtnetlinkInsert(name, original, reply, text)
                {
                    TcpState = _values.TryGetValue("--state", out var tcpState) ? tcpState.Text : null,
                };
            }

            if (_options.TryGetValue("-m", out var mark))
            {
                throw Fail(mark.Offset, "conntrack -D --mark is not modelled: delete filters cover tuples only");
            }

            var filter = new TupleFilter
            {
                Protocol = _protocol,
                Original = new PartialTuple
                {
                    SrcIp = Address("-s"), DstIp = Address("-d"),
                    SrcPort = PortOrId("--sport") ?? PortOrId("--icmp-id"), DstPort = PortOrId("--dport"),
                },
                Reply = new PartialTuple
                {
                    SrcIp = Address("-r"), DstIp = Address("-q"),
                    SrcPort = PortOrId("--reply-port-src"), DstPort = PortOrId("--reply-port-dst"),
                },
            };
            return new CtnetlinkDelete(name, filter, text);
        }

        private void ReadOptions(List<ArgToken> tokens, int start)
        {
            var i = start;
            while (i < tokens.Count)
            {
                var token = tokens[i];
                var text = token.Text;
                string? inlineValue = null;
                var equals = text.IndexOf('=');
                if (text.StartsWith("--", StringComparison.Ordinal) && equals > 0)
                {
                    // getopt_long's --option=value form.
                    inlineValue = text[(equals + 1)..];
                    text = text[..equals];
                }

                if (Commands.TryGetValue(text, out var commandName))
                {
                    if (_command is { } earlier)
                    {
                        throw Fail(token.Offset, $"only one command per line: {earlier.Text} and {text}");
                    }

                    if (commandName is not ("-I" or "-D"))
                    {
                        throw Fail(token.Offset, $"conntrack {text}: only -I and -D are modelled");
                    }

                    _command = token with { Text = text };
                    i++;
                    continue;
                }

                if (NatOptions.Contains(text))
                {
                    throw Fail(token.Offset, $"{text} is not modelled: inserted entries carry no NAT manips");
                }

                if (!Canonical.TryGetValue(text, out var option))
                {
                    throw Fail(token.Offset, text.StartsWith('-')
                        ? $"unknown or unmodelled conntrack option {text}"
                        : $"unexpected argument '{text}': expected an option");
                }

                if (!_options.TryAdd(option, token with { Text = text }))
                {
                    throw Fail(token.Offset, $"{text} given twice");
                }

                ArgToken value;
                if (inlineValue is not null)
                {
                    value = new ArgToken(inlineValue, token.Offset + equals + 1, token.Verbatim);
                    i++;
                }
                else
                {
                    if (i + 1 >= tokens.Count || (tokens[i + 1].Verbatim && tokens[i + 1].Text.StartsWith('-')))
                    {
                        throw Fail(token.Offset, $"option {text} needs an argument");
                    }

                    value = tokens[i + 1];
                    i += 2;
                }

                _values[option] = value;
                CheckValue(option, text, value);
            }
        }

        // Values that need no other option to be understood are checked as they are read.
        private void CheckValue(string option, string text, ArgToken value)
        {
            switch (option)
            {
                case "-p":
                    if (!L4ProtocolNames.TryParse(value.Text, out var protocol))
                    {
                        throw Fail(value.Offset, $"protocol {value.Text} is not modelled (only tcp, udp and icmp)");
                    }

                    _protocol = protocol;
                    break;
                case "-s" or "-d" or "-r" or "-q":
                    if (!Ipv4.TryParse(value.Text, out _))
                    {
                        throw Fail(value.Offset, $"bad IPv4 address '{value.Text}' for {text}{Ipv4.Hint(value.Text)}");
                    }

                    break;
                case "--sport" or "--dport" or "--reply-port-src" or "--reply-port-dst" or "--icmp-id":
                    if (!NumberText.TryParseDecimal(value.Text, 0, 65535, out _))
                    {
                        throw Fail(value.Offset, $"bad value '{value.Text}' for {text}: expected 0-65535");
                    }

                    break;
                case "--icmp-type":
                    CheckFixed(value, text, 8, "only echo requests (type 8) are modelled");
                    break;
                case "--icmp-code":
                    CheckFixed(value, text, 0, "echo requests have code 0");
                    break;
                case "-t":
                    if (!NumberText.TryParseDecimal(value.Text, 0, int.MaxValue, out _))
                    {
                        throw Fail(value.Offset, $"bad timeout '{value.Text}': expected seconds");
                    }

                    break;
                case "-u":
                    foreach (var bit in value.Text.Split(','))
                    {
                        if (!StatusBits.Contains(bit))
                        {
                            throw Fail(value.Offset, $"unknown status '{bit}' (known: {string.Join(", ", StatusBits)})");
                        }
                    }

                    break;
                case "--state":
                    if (!TcpStates.Contains(value.Text))
                    {
                        throw Fail(value.Offset, $"unknown TCP state '{value.Text}' (known: {string.Join(", ", TcpStates)})");
                    }

                    break;
                case "-m":
                {
                    var slash = value.Text.IndexOf('/');
                    var ok = slash < 0
                        ? NumberText.TryParseUInt32(value.Text, out _)
                        : NumberText.TryParseUInt32(value.Text[..slash], out _) && NumberText.TryParseUInt32(value.Text[(slash + 1)..], out _);
                    if (!ok)
                    {
                        throw Fail(value.Offset, $"bad mark '{value.Text}': expected a decimal or 0x hex number");
                    }

                    break;
                }

                case "-w":
                    if (value.Text != "0")
                    {
                        throw Fail(value.Offset, $"{text} {value.Text} is not modelled: the model has only zone 0");
                    }

                    break;
                case "-f":
                    if (value.Text != "ipv4")
                    {
                        throw Fail(value.Offset, $"family {value.Text} is not modelled: the model is IPv4 only");
                    }

                    break;
            }
        }

        private void CheckFixed(ArgToken value, string text, int expected, string why)
        {
            if (!NumberText.TryParseDecimal(value.Text, 0, 255, out var number) || number != expected)
            {
                throw Fail(value.Offset, $"{text} {value.Text} is not modelled: {why}");
            }
        }

        // Options that only make sense for one protocol need -p naming it, as the conntrack tool's protocol modules do.
        private void CheckProtocolOptions()
        {
            foreach (var option in new[] { "--sport", "--dport", "--reply-port-src", "--reply-port-dst" })
            {
                if (_options.TryGetValue(option, out var token) && _protocol is not (L4Protocol.Tcp or L4Protocol.Udp))
                {
                    throw Fail(token.Offset, $"{token.Text} needs -p tcp or -p udp");
                }
            }

            foreach (var option in new[] { "--icmp-id", "--icmp-type", "--icmp-code" })
            {
                if (_options.TryGetValue(option, out var token) && _protocol != L4Protocol.Icmp)
                {
                    throw Fail(token.Offset, $"{token.Text} needs -p icmp");
                }
            }

            if (_options.TryGetValue("--state", out var state) && _protocol != L4Protocol.Tcp)
            {
                throw Fail(state.Offset, $"{state.Text} needs -p tcp");
            }
        }

        private (ConntrackTuple Original, ConntrackTuple Reply) InsertTuples(ArgToken commandToken)
        {
            if (_protocol is not { } protocol)
            {
                throw Fail(commandToken.Offset, $"{commandToken.Text} needs -p (--protonum)");
            }

            var hasOriginal = new[] { "-s", "-d", "--sport", "--dport" }.Any(_options.ContainsKey);
            var hasReply = new[] { "-r", "-q", "--reply-port-src", "--reply-port-dst" }.Any(_options.ContainsKey);
            if (!hasOriginal && !hasReply)
            {
                throw Fail(commandToken.Offset, $"{commandToken.Text} needs the original tuple (--src, --dst ...) or the reply tuple (--reply-src, --reply-dst ...)");
            }

            if (protocol == L4Protocol.Icmp)
            {
                return IcmpTuples(hasOriginal);
            }

            if (!hasReply)
            {
                var original = new ConntrackTuple(
                    protocol, RequiredAddress("-s", "--src (-s)"), Port.Of(RequiredPort("--sport", "--sport (--orig-port-src)")),
                    RequiredAddress("-d", "--dst (-d)"), Port.Of(RequiredPort("--dport", "--dport (--orig-port-dst)")));
                return (original, original.Invert());
            }

            if (!hasOriginal)
            {
                var reply = new ConntrackTuple(
                    protocol, RequiredAddress("-r", "--reply-src (-r)"), Port.Of(RequiredPort("--reply-port-src", "--reply-port-src")),
                    RequiredAddress("-q", "--reply-dst (-q)"), Port.Of(RequiredPort("--reply-port-dst", "--reply-port-dst")));
                return (reply.Invert(), reply);
            }

            // Both directions given: addresses are all required; a port left out is 0, as conntrack-tools 1.4.7
            // sends it (observed on 6.18: the seed's insert lists "sport=0 dport=0" for its original tuple).
            var origSrc = RequiredAddress("-s", "--src (-s)");
            var origDst = RequiredAddress("-d", "--dst (-d)");
            var replySrc = RequiredAddress("-r", "--reply-src (-r)");
            var replyDst = RequiredAddress("-q", "--reply-dst (-q)");
            var o = new ConntrackTuple(
                protocol, origSrc, Port.Of(PortOrId("--sport") ?? 0), origDst, Port.Of(PortOrId("--dport") ?? 0));
            var r = new ConntrackTuple(
                protocol, replySrc, Port.Of(PortOrId("--reply-port-src") ?? 0), replyDst, Port.Of(PortOrId("--reply-port-dst") ?? 0));
            return (o, r);
        }

        private (ConntrackTuple Original, ConntrackTuple Reply) IcmpTuples(bool hasOriginal)
        {
            var id = Port.Of(PortOrId("--icmp-id") ?? throw Missing("--icmp-id"));
            var hasReply = _options.ContainsKey("-r") || _options.ContainsKey("-q");
            ConntrackTuple original, reply;
            if (hasOriginal && hasReply)
            {
                original = new ConntrackTuple(
                    L4Protocol.Icmp, RequiredAddress("-s", "--src (-s)"), id, RequiredAddress("-d", "--dst (-d)"), ConntrackTuple.IcmpEchoRequest);
                reply = new ConntrackTuple(
                    L4Protocol.Icmp, RequiredAddress("-r", "--reply-src (-r)"), id, RequiredAddress("-q", "--reply-dst (-q)"), ConntrackTuple.IcmpEchoReply);
            }
            else if (hasOriginal)
            {
                original = new ConntrackTuple(
                    L4Protocol.Icmp, RequiredAddress("-s", "--src (-s)"), id, RequiredAddress("-d", "--dst (-d)"), ConntrackTuple.IcmpEchoRequest);
                reply = original.Invert();
            }
            else
            {
                reply = new ConntrackTuple(
                    L4Protocol.Icmp, RequiredAddress("-r", "--reply-src (-r)"), id, RequiredAddress("-q", "--reply-dst (-q)"), ConntrackTuple.IcmpEchoReply);
                original = reply.Invert();
            }

            return (original, reply);
        }

        private Ipv4 RequiredAddress(string option, string display) => Address(option) ?? throw Missing(display);

        private int RequiredPort(string option, string display) => PortOrId(option) ?? throw Missing(display);

        private Ipv4? Address(string option) =>
            _values.TryGetValue(option, out var value) ? Ipv4.Parse(value.Text) : null;

        private int? PortOrId(string option) =>
            _values.TryGetValue(option, out var value) && NumberText.TryParseDecimal(value.Text, 0, 65535, out var port) ? port : null;

        private SpecException Missing(string display) =>
            Fail(_command?.Offset ?? 0, $"{_command?.Text} is missing {display}");

        private SpecException Fail(int offset, string message) => new(file, line, column + offset, message);
    }
}
