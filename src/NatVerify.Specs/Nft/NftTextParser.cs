using System.Globalization;
using System.Text.Json.Nodes;
using NatVerify.Model.Nat;

namespace NatVerify.Specs.Nft;

/// <summary>
/// Reads <c>nft list ruleset</c> output (and hand-written files in the same layout: one rule per line, tokens
/// separated by blanks as nft prints them) onto the rule model. The text is first turned into libnftables' JSON schema
/// objects (the shape <c>nft -j</c> prints), then lowered by the same code as the JSON reader, so both forms mean the
/// same thing. Every rule keeps its file, line and column (and <c># handle N</c> when listed with <c>-a</c>).
/// </summary>
public static class NftTextParser
{
    /// <summary>Largest input accepted, checked before tokenizing.</summary>
    public const int MaxChars = 32 * 1024 * 1024;

    /// <summary>Deepest brace nesting accepted.</summary>
    public const int MaxDepth = 32;

    /// <summary>Parses an nft text ruleset; bad or unmodelled input is a located <see cref="SpecException"/>.</summary>
    /// <param name="text">The ruleset text.</param>
    /// <param name="file">Display name for locations.</param>
    /// <param name="options">Over-approximation choice; default: every unmodelled construct is an error.</param>
    /// <param name="firstLine">Line of <paramref name="text"/>'s first line in <paramref name="file"/> (inline rulesets in a spec).</param>
    /// <param name="firstColumn">Column added to every column (indentation of an inline ruleset).</param>
    public static NatRuleset Parse(string text, string file, NftParseOptions? options = null, int firstLine = 1, int firstColumn = 1)
    {
        if (text.Length > MaxChars)
        {
            throw new SpecException(file, firstLine, firstColumn, $"nft ruleset is {text.Length} characters; the limit is {MaxChars}");
        }

        ArgumentNullException.ThrowIfNull(text);
        var tokens = Tokenize(text, file, firstLine, firstColumn);
        var parser = new Parser(tokens, file, options ?? NftParseOptions.Default);
        var items = parser.Ruleset();
        try
        {
            return new NftLowering(file, RuleSource.NftText, options ?? NftParseOptions.Default).Lower(items);
        }
        catch (Exception ex) when (ex is InvalidCastException or InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            throw new SpecException(file, firstLine, firstColumn, $"unexpected construct in the ruleset: {ex.Message}", ex);
        }
    }

    private enum T
    {
        Word,
        Str,
        LBrace,
        RBrace,
        Comma,
        Semi,
        Newline,
        End,
    }

    private sealed record Token(T Kind, string Text, int Line, int Column, long? Handle = null)
    {
        /// <summary>False when the token follows the previous one without a blank ("a,b"): rule texts keep the spacing.</summary>
        public bool Spaced { get; init; } = true;
    }

    private static List<Token> Tokenize(string text, string file, int firstLine, int firstColumn)
    {
        var tokens = new List<Token>();
        var line = firstLine;
        var lineStart = 0;
        var i = 0;
        var prevEnd = -1;
        int Col(int at) => at - lineStart + (line == firstLine ? firstColumn : firstColumn);
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                tokens.Add(new Token(T.Newline, "\n", line, Col(i)));
                line++;
                lineStart = i + 1;
                i++;
                continue;
            }

            if (c is ' ' or '\t' or '\r')
            {
                i++;
                continue;
            }

            if (c == '#')
            {
                var end = text.IndexOf('\n', i);
                end = end < 0 ? text.Length : end;
                var comment = text[i..end].Trim();
                const string handlePrefix = "# handle ";
                if (comment.StartsWith(handlePrefix, StringComparison.Ordinal)
                    && long.TryParse(comment[handlePrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var handle)
                    && tokens.Count > 0)
                {
                    // Attach to the rule's last token; the parser moves it onto the rule.
                    tokens[^1] = tokens[^1] with { Handle = handle };
                }

                i = end;
                continue;
            }

            if (c == '"')
            {
                var start = i;
                i++;
                var sb = new System.Text.StringBuilder();
                while (i < text.Length && text[i] != '"' && text[i] != '\n')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    sb.Append(text[i]);
                    i++;
                }

                if (i >= text.Length || text[i] != '"')
                {
                    throw new SpecException(file, line, Col(start), "unterminated quoted string");
                }

                i++;
                tokens.Add(new Token(T.Str, sb.ToString(), line, Col(start)) { Spaced = start != prevEnd });
                prevEnd = i;
                continue;
            }

            var kind = c switch { '{' => T.LBrace, '}' => T.RBrace, ',' => T.Comma, ';' => T.Semi, _ => T.Word };
            if (kind != T.Word)
            {
                tokens.Add(new Token(kind, c.ToString(), line, Col(i)) { Spaced = i != prevEnd });
                i++;
                prevEnd = i;
                continue;
            }

            var s = i;
            while (i < text.Length && text[i] is not (' ' or '\t' or '\r' or '\n' or '{' or '}' or ',' or ';' or '"' or '#'))
            {
                i++;
            }

            tokens.Add(new Token(T.Word, text[s..i], line, Col(s)) { Spaced = s != prevEnd });
            prevEnd = i;
        }

        tokens.Add(new Token(T.End, string.Empty, line, Col(i)));
        return tokens;
    }

    private sealed class Parser
    {
        private static readonly HashSet<string> Selectors = ["ip", "tcp", "udp", "th", "icmp", "meta", "ct", "fib", "numgen", "jhash", "symhash",
            "iif", "oif", "iifname", "oifname", "mark", "l4proto", "nfproto", "ip6", "ether", "vlan", "arp", "sctp", "dccp", "udplite",
            "icmpv6", "ah", "esp", "comp", "rt", "socket", "osf", "ipsec", "exthdr", "tcpopt", "skuid", "skgid", "cgroup", "iiftype", "oiftype",
            "pkttype", "cpu", "day", "hour", "time", "rtclassid", "sdif", "sdifname", "priority", "length", "protocol", "random", "@th", "@nh", "@ll"];

        private static readonly HashSet<string> BareMeta = ["iif", "oif", "iifname", "oifname", "mark", "l4proto", "nfproto", "skuid", "skgid",
            "iiftype", "oiftype", "pkttype", "cpu", "cgroup", "rtclassid", "sdif", "sdifname", "priority", "length", "protocol", "random", "day", "hour", "time"];

        private readonly List<Token> _t;
        private readonly string _file;
        private readonly NftParseOptions _options;
        private int _p;
        private int _depth;

        public Parser(List<Token> tokens, string file, NftParseOptions options)
        {
            _t = tokens;
            _file = file;
            _options = options;
        }

        private Token Peek => _t[_p];

        private Token PeekAt(int k) => _t[Math.Min(_p + k, _t.Count - 1)];

        private Token Next() => _t[_p < _t.Count - 1 ? _p++ : _p];

        private SpecException Error(Token at, string detail) => new(_file, at.Line, at.Column, detail);

        private void SkipBlank()
        {
            while (Peek.Kind is T.Newline or T.Semi)
            {
                _p++;
            }
        }

        private bool IsWord(string w) => Peek.Kind == T.Word && Peek.Text == w;

        /// <summary>
        /// True while a block's items continue, false at its '}'; the end of the input inside a block is an error (a
        /// loop over the items of a truncated block would otherwise never end: found by the fuzzer).
        /// </summary>
        private bool InsideBlock(string what) => Peek.Kind switch
        {
            T.RBrace => false,
            T.End => throw Error(Peek, $"unexpected end of input: the '}}' closing {what} is missing"),
            _ => true,
        };

        private Token Expect(T kind, string what)
        {
            if (Peek.Kind != kind)
            {
                throw Error(Peek, $"expected {what}, found {Describe(Peek)}");
            }

            return Next();
        }

        private string ExpectWord(string what) => Expect(T.Word, what).Text;

        private string ExpectName(string what) => Peek.Kind is T.Word or T.Str ? Next().Text : throw Error(Peek, $"expected {what}, found {Describe(Peek)}");

        private static string Describe(Token t) => t.Kind switch
        {
            T.End => "end of input",
            T.Newline => "end of line",
            T.Str => $"\"{t.Text}\"",
            _ => $"'{t.Text}'",
        };

        private void Open()
        {
            Expect(T.LBrace, "'{'");
            if (++_depth > MaxDepth)
            {
                throw Error(_t[_p - 1], $"braces nested deeper than {MaxDepth}");
            }
        }

        private void Close()
        {
            Expect(T.RBrace, "'}'");
            _depth--;
        }

        public List<NftItem> Ruleset()
        {
            var items = new List<NftItem>();
            SkipBlank();
            while (Peek.Kind != T.End)
            {
                var at = Peek;
                var word = ExpectWord("'table'");
                if (word == "flush" || word == "add" && IsWord("table"))
                {
                    // "flush ruleset" at the top of an nft -f file: the file replaces everything, which is what a dump means.
                    if (word == "flush")
                    {
                        ExpectWord("'ruleset'");
                        SkipBlank();
                        continue;
                    }

                    word = ExpectWord("'table'");
                }

                if (word != "table")
                {
                    throw Error(at, $"expected 'table', found '{word}' (only 'nft list ruleset' layout is read)");
                }

                Table(items, at);
                SkipBlank();
            }

            return items;
        }

        private RuleLocation Loc(Token t) => new(_file, t.Line, t.Column);

        private void Table(List<NftItem> items, Token at)
        {
            var family = "ip";
            var name = ExpectName("table name");
            if (Peek.Kind is T.Word or T.Str)
            {
                family = name;
                name = ExpectName("table name");
            }

            items.Add(new NftItem("table", new JsonObject { ["family"] = family, ["name"] = name }, Loc(at)));
            Open();
            SkipBlank();
            while (InsideBlock("the table"))
            {
                var kw = Peek;
                var word = ExpectWord("'chain', 'set' or 'map'");
                switch (word)
                {
                    case "chain":
                        Chain(items, family, name);
                        break;
                    case "set" or "map":
                        Set(items, family, name, word, kw);
                        break;
                    case "flags":
                        var flags = ExpectWord("table flags");
                        if (flags.Contains("dormant", StringComparison.Ordinal))
                        {
                            throw Error(kw, "table flag 'dormant' (an inactive table) is not modelled");
                        }

                        break;
                    case "comment":
                        Expect(T.Str, "comment string");
                        break;
                    case "ct" when IsWord("helper"):
                        Next();
                        CtHelper(items, family, name, kw);
                        break;
                    default:
                        throw Error(kw, $"table {family} {name}: '{word}' is not modelled (expected chain, set, map or ct helper)");
                }

                SkipBlank();
            }

            Close();
        }

        private void Chain(List<NftItem> items, string family, string table)
        {
            var at = _t[_p - 1];
            var name = ExpectName("chain name");
            var body = new JsonObject { ["family"] = family, ["table"] = table, ["name"] = name };
            var rules = new List<NftItem>();
            Open();
            SkipBlank();
            while (InsideBlock("the chain"))
            {
                if (IsWord("type") && PeekAt(2).Kind == T.Word && PeekAt(2).Text == "hook")
                {
                    Next();
                    body["type"] = ExpectWord("chain type");
                    ExpectWord("'hook'");
                    body["hook"] = ExpectWord("hook name");
                    if (IsWord("device"))
                    {
                        Next();
                        body["dev"] = ExpectName("device");
                    }

                    ExpectWord("'priority'");
                    var prio = new List<string>();
                    while (Peek.Kind == T.Word)
                    {
                        prio.Add(Next().Text);
                    }

                    var prioText = string.Join(" ", prio);
                    body["prio"] = int.TryParse(prioText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : prioText;
                    SkipBlank();
                    continue;
                }

                if (IsWord("policy") && PeekAt(1).Kind == T.Word && PeekAt(2).Kind is T.Semi or T.Newline or T.RBrace)
                {
                    Next();
                    body["policy"] = ExpectWord("policy");
                    SkipBlank();
                    continue;
                }

                if (IsWord("comment") && PeekAt(1).Kind == T.Str && PeekAt(2).Kind is T.Semi or T.Newline)
                {
                    Next();
                    Next();
                    SkipBlank();
                    continue;
                }

                rules.Add(Rule(family, table, name));
                SkipBlank();
            }

            Close();
            items.Add(new NftItem("chain", body, Loc(at)));
            items.AddRange(rules);
        }

        // A ct helper object (nft list ruleset: 'ct helper NAME { type "ftp" protocol tcp; l3proto inet }'), listed as
        // the JSON object {"ct helper": {family, table, name, type, protocol, l3proto}}.
        private void CtHelper(List<NftItem> items, string family, string table, Token at)
        {
            var body = new JsonObject { ["family"] = family, ["table"] = table, ["name"] = ExpectName("ct helper name") };
            Open();
            SkipBlank();
            while (InsideBlock("the ct helper"))
            {
                var kw = Peek;
                switch (ExpectWord("ct helper property"))
                {
                    case "type":
                        body["type"] = ExpectName("helper type");
                        ExpectWord("'protocol'");
                        body["protocol"] = ExpectWord("helper protocol");
                        break;
                    case "l3proto":
                        body["l3proto"] = ExpectWord("helper l3proto");
                        break;
                    case "comment":
                        Expect(T.Str, "comment string");
                        break;
                    case var other:
                        throw Error(kw, $"ct helper property '{other}' is not modelled (type, protocol, l3proto)");
                }

                SkipBlank();
            }

            Close();
            items.Add(new NftItem("ct helper", body, Loc(at)));
        }

        private void Set(List<NftItem> items, string family, string table, string kind, Token at)
        {
            var name = ExpectName($"{kind} name");
            var body = new JsonObject { ["family"] = family, ["table"] = table, ["name"] = name };
            Open();
            SkipBlank();
            while (InsideBlock("the set"))
            {
                var kw = Peek;
                var word = ExpectWord($"{kind} property");
                switch (word)
                {
                    case "type" or "typeof":
                        // The key/data types only matter through the elements, which carry their own syntax.
                        var sawColon = false;
                        while (Peek.Kind == T.Word)
                        {
                            sawColon |= Next().Text == ":";
                        }

                        if (kind == "map")
                        {
                            body["map"] = sawColon ? "data" : throw Error(kw, "map type needs 'KEY : DATA'");
                        }

                        break;
                    case "flags":
                        var flags = new JsonArray();
                        flags.Add(ExpectWord("flag"));
                        while (Peek.Kind == T.Comma)
                        {
                            Next();
                            flags.Add(ExpectWord("flag"));
                        }

                        body["flags"] = flags;
                        break;
                    case "elements":
                        if (Next().Text != "=")
                        {
                            throw Error(_t[_p - 1], "expected '=' after 'elements'");
                        }

                        body["elem"] = ((JsonObject)SetLiteral(kind == "map"))["set"]!.DeepClone();
                        break;
                    case "size" or "gc-interval" or "policy":
                        ExpectWord(word);
                        break;
                    case "timeout":
                        body["timeout"] = ExpectWord("timeout");
                        break;
                    case "comment":
                        Expect(T.Str, "comment");
                        break;
                    case "auto-merge" or "counter":
                        break;
                    default:
                        throw Error(kw, $"{kind} property '{word}' is not modelled");
                }

                SkipBlank();
            }

            Close();
            items.Add(new NftItem(kind, body, Loc(at)));
        }

        private NftItem Rule(string family, string table, string chain)
        {
            var first = Peek;
            var startIndex = _p;
            var exprs = new JsonArray();
            long? handle = null;
            var end = _p;
            while (end < _t.Count && _t[end].Kind is not (T.Newline or T.Semi or T.RBrace or T.End))
            {
                end++;
            }

            var lastLine = end > _p ? _t[end - 1] : first;
            handle = lastLine.Handle;
            while (Peek.Kind is not (T.Newline or T.Semi or T.RBrace or T.End))
            {
                if (Statement() is { } statement)
                {
                    exprs.Add(statement);
                }
            }

            // The rule as written, blanks collapsed: "{ tcp, udp }" and "established,related" keep their spacing.
            var sb = new System.Text.StringBuilder();
            foreach (var t in _t.Skip(startIndex).Take(_p - startIndex))
            {
                if (sb.Length > 0 && t.Spaced)
                {
                    sb.Append(' ');
                }

                sb.Append(t.Kind == T.Str ? $"\"{t.Text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"" : t.Text);
            }

            var text = sb.ToString();
            var loc = Loc(first) with { Handle = handle };
            return new NftItem("rule", new JsonObject { ["family"] = family, ["table"] = table, ["chain"] = chain, ["expr"] = exprs, ["text"] = text }, loc);
        }

        private JsonNode? Statement()
        {
            var at = Peek;
            var w = at.Kind == T.Word ? at.Text : throw Error(at, $"expected a match or statement, found {Describe(at)}");
            switch (w)
            {
                case "accept" or "drop" or "return" or "continue":
                    Next();
                    return new JsonObject { [w] = null };
                case "jump" or "goto":
                    Next();
                    return new JsonObject { [w] = new JsonObject { ["target"] = ExpectName("chain name") } };
                case "reject":
                    Next();
                    if (IsWord("with"))
                    {
                        Next();
                        while (Peek.Kind == T.Word && !IsStatementStart(Peek.Text))
                        {
                            Next();
                        }
                    }

                    return new JsonObject { ["reject"] = null };
                case "notrack":
                    Next();
                    return new JsonObject { ["notrack"] = null };
                case "counter":
                    Next();
                    while (IsWord("packets") || IsWord("bytes"))
                    {
                        Next();
                        ExpectWord("count");
                    }

                    return new JsonObject { ["counter"] = null };
                case "log":
                    Next();
                    while (Peek.Kind == T.Word && Peek.Text is "prefix" or "level" or "flags" or "group" or "snaplen" or "queue-threshold")
                    {
                        var opt = Next().Text;
                        if (opt == "prefix")
                        {
                            Expect(T.Str, "log prefix string");
                        }
                        else
                        {
                            ExpectWord(opt);
                            while (Peek.Kind == T.Comma)
                            {
                                Next();
                                ExpectWord(opt);
                            }
                        }
                    }

                    return new JsonObject { ["log"] = null };
                case "comment":
                    // A rule comment is rule metadata (NFTNL_UDATA_RULE_COMMENT), not an expression; JSON lists it as a
                    // rule property. It ends the rule.
                    Next();
                    Expect(T.Str, "comment string");
                    return null;
                case "snat" or "dnat":
                    return Nat(w);
                case "masquerade" or "redirect":
                    return MasqRedir(w);
            }

            if (w is "ct" && PeekAt(1).Text == "helper" && PeekAt(2).Text == "set")
            {
                Next();
                Next();
                Next();
                return new JsonObject { ["ct helper"] = ExpectName("ct helper name") };
            }

            if (w is "tcp" && PeekAt(1).Text == "option" && PeekAt(4).Text == "set")
            {
                // 'tcp option maxseg size set rt mtu' (fw4's MTU fixing): {"mangle": {"key": {"tcp option": ...}, "value": ...}}.
                Next();
                Next();
                var option = new JsonObject { ["name"] = ExpectWord("tcp option name"), ["field"] = ExpectWord("tcp option field") };
                ExpectWord("'set'");
                JsonNode value;
                if (IsWord("rt"))
                {
                    Next();
                    value = new JsonObject { ["rt"] = new JsonObject { ["key"] = ExpectWord("rt key") } };
                }
                else
                {
                    value = Value();
                }

                return new JsonObject { ["mangle"] = new JsonObject { ["key"] = new JsonObject { ["tcp option"] = option }, ["value"] = value } };
            }

            if ((w is "meta" && PeekAt(1).Text == "mark" || w is "ct" && PeekAt(1).Text == "mark") && PeekAt(2).Text == "set"
                || w == "mark" && PeekAt(1).Text == "set")
            {
                var key = Primary();
                ExpectWord("'set'");
                var value = Peek.Kind == T.Word && Selectors.Contains(Peek.Text) ? Arith() : Value();
                return new JsonObject { ["mangle"] = new JsonObject { ["key"] = key, ["value"] = value } };
            }

            if (Selectors.Contains(w))
            {
                return MatchOrMap();
            }

            if (w == "xt" && !_options.OverApproximate)
            {
                throw Error(at, "iptables-nft compat expression 'xt' (nft_compat.c): the listing does not show its options; read this table from 'iptables-nft-save' instead");
            }

            if (!_options.OverApproximate)
            {
                throw Error(at, $"nft statement '{w}' is not modelled");
            }

            if (w == "limit")
            {
                // 'limit rate [over] N/UNIT [burst N packets|bytes]' has a known extent: the verdict after it (fw4's
                // syn_flood 'limit ... return') stays the rule's verdict, as in the JSON listing.
                Next();
                while (Peek.Kind == T.Word && !IsStatementStart(Peek.Text))
                {
                    Next();
                }

                return new JsonObject { ["limit"] = null };
            }

            // Over-approximating: the rest of the rule belongs to the unknown statement.
            while (Peek.Kind is not (T.Newline or T.Semi or T.RBrace or T.End))
            {
                if (Peek.Kind == T.LBrace)
                {
                    SkipBraces();
                }
                else
                {
                    Next();
                }
            }

            return new JsonObject { [w] = null };
        }

        private void SkipBraces()
        {
            var depth = 0;
            do
            {
                var t = Next();
                depth += t.Kind == T.LBrace ? 1 : t.Kind == T.RBrace ? -1 : 0;
                if (t.Kind == T.End)
                {
                    throw Error(t, "unbalanced braces");
                }
            }
            while (depth > 0);
        }

        private static bool IsStatementStart(string w) => w is "accept" or "drop" or "return" or "continue" or "jump" or "goto" or "counter" or "log" or "comment";

        private JsonNode MatchOrMap()
        {
            var left = Arith();
            if (IsWord("vmap"))
            {
                Next();
                return new JsonObject { ["vmap"] = new JsonObject { ["key"] = left, ["data"] = Right(isMap: true) } };
            }

            string op;
            if (Peek.Kind == T.Word && Peek.Text is "==" or "!=" or "<" or ">" or "<=" or ">=" or "eq" or "ne" or "lt" or "gt" or "le" or "ge")
            {
                op = Next().Text switch { "eq" => "==", "ne" => "!=", "lt" => "<", "gt" => ">", "le" => "<=", "ge" => ">=", var o => o };
            }
            else
            {
                op = string.Empty;
            }

            var isSet = Peek.Kind == T.LBrace || Peek.Kind == T.Word && Peek.Text.StartsWith('@');
            var right = Right(isMap: false);
            if (op.Length == 0)
            {
                // OP_IMPLICIT: a flag test for bitmask types (ct state/status, tcp flags) against a value, a set lookup
                // (exact) against a set, equality otherwise; the same choice nft's evaluate.c makes.
                op = IsBitmask(left) && !isSet ? "in" : "==";
            }

            if (IsWord("/"))
            {
                // "tcp flags syn / syn,ack": (field & mask) == value, as nft prints a masked flag comparison.
                Next();
                var mask = Right(isMap: false);
                left = new JsonObject { ["&"] = new JsonArray(left, mask) };
                op = op == "in" ? "==" : op;
            }

            return new JsonObject { ["match"] = new JsonObject { ["op"] = op, ["left"] = left, ["right"] = right } };
        }

        private static bool IsBitmask(JsonNode left) =>
            left is JsonObject o && (o["ct"] is JsonObject ct && (string?)ct["key"] is "state" or "status"
                                     || o["payload"] is JsonObject p && (string?)p["field"] == "flags" && (string?)p["protocol"] == "tcp");

        /// <summary>An expression with optional <c>&amp;</c>, <c>|</c>, <c>^</c> operands (left-associative, as nft prints them).</summary>
        private JsonNode Arith()
        {
            var left = Concat();
            while (Peek.Kind == T.Word && Peek.Text is "&" or "|" or "^" or "and" or "or" or "xor")
            {
                var op = Next().Text switch { "and" => "&", "or" => "|", "xor" => "^", var o => o };
                var operand = Peek.Kind == T.Word && Selectors.Contains(Peek.Text) ? Concat() : Value();
                left = new JsonObject { [op] = new JsonArray(left, operand) };
            }

            return left;
        }

        private JsonNode Concat()
        {
            var first = Primary();
            if (!IsWord("."))
            {
                return first;
            }

            var parts = new JsonArray(first);
            while (IsWord("."))
            {
                Next();
                parts.Add(Primary());
            }

            return new JsonObject { ["concat"] = parts };
        }

        private JsonNode Primary()
        {
            var at = Peek;
            var w = ExpectWord("a match expression");
            switch (w)
            {
                case "ip" or "tcp" or "udp" or "th" or "icmp" or "ip6" or "sctp" or "dccp" or "udplite" or "icmpv6" or "ah" or "esp" or "ether" or "vlan" or "arp":
                    return new JsonObject { ["payload"] = new JsonObject { ["protocol"] = w, ["field"] = ExpectWord($"{w} header field") } };
                case "meta":
                    return new JsonObject { ["meta"] = new JsonObject { ["key"] = ExpectWord("meta key") } };
                case "ct":
                {
                    var key = ExpectWord("ct key");
                    var ct = new JsonObject();
                    if (key is "original" or "reply")
                    {
                        ct["dir"] = key;
                        key = ExpectWord("ct key");
                        if (key is "ip")
                        {
                            key = ExpectWord("ct key");
                        }
                    }

                    ct["key"] = key;
                    return new JsonObject { ["ct"] = ct };
                }

                case "fib":
                {
                    var flags = new JsonArray(ExpectWord("fib flag"));
                    while (IsWord("."))
                    {
                        Next();
                        flags.Add(ExpectWord("fib flag"));
                    }

                    return new JsonObject { ["fib"] = new JsonObject { ["result"] = ExpectWord("fib result"), ["flags"] = flags } };
                }

                case "numgen":
                {
                    var mode = ExpectWord("numgen mode");
                    var o = new JsonObject { ["mode"] = mode };
                    ModOffset(o);
                    return new JsonObject { ["numgen"] = o };
                }

                case "jhash":
                {
                    var o = new JsonObject { ["expr"] = Concat() };
                    ModOffset(o);
                    return new JsonObject { ["jhash"] = o };
                }

                case "symhash":
                {
                    var o = new JsonObject();
                    ModOffset(o);
                    return new JsonObject { ["symhash"] = o };
                }

                default:
                    if (BareMeta.Contains(w))
                    {
                        return new JsonObject { ["meta"] = new JsonObject { ["key"] = w } };
                    }

                    if (!_options.OverApproximate)
                    {
                        throw Error(at, $"nft expression '{w}' is not modelled");
                    }

                    return new JsonObject { [w] = new JsonObject() };
            }
        }

        private void ModOffset(JsonObject o)
        {
            ExpectWord("'mod'");
            o["mod"] = Number(ExpectWord("modulus"));
            while (IsWord("seed") || IsWord("offset"))
            {
                var k = Next().Text;
                o[k] = Number(ExpectWord(k));
            }
        }

        private JsonNode Number(string s) =>
            long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? JsonValue.Create(n) : JsonValue.Create(s);

        private JsonNode Right(bool isMap)
        {
            if (Peek.Kind == T.LBrace)
            {
                return SetLiteral(isMap);
            }

            if (Peek.Kind == T.Word && Peek.Text.StartsWith('@'))
            {
                return JsonValue.Create(Next().Text);
            }

            var first = Value();
            if (Peek.Kind != T.Comma)
            {
                return first;
            }

            var list = new JsonArray(first);
            while (Peek.Kind == T.Comma)
            {
                Next();
                list.Add(Value());
            }

            return list;
        }

        private JsonNode SetLiteral(bool isMap)
        {
            Open();
            var elems = new JsonArray();
            SkipNewlines();
            while (InsideBlock("the set literal"))
            {
                var key = ElementKey();
                SkipNewlines();
                if (IsWord(":"))
                {
                    Next();
                    var data = Peek.Kind == T.Word && Peek.Text is "accept" or "drop" or "return" or "continue" or "jump" or "goto"
                        ? Statement()!
                        : ElementKey();
                    elems.Add(new JsonArray(key, data));
                }
                else if (isMap)
                {
                    throw Error(Peek, "map element needs 'KEY : VALUE'");
                }
                else
                {
                    elems.Add(key);
                }

                // Element options as nft prints them for timeout sets.
                while (Peek.Kind == T.Word && Peek.Text is "timeout" or "expires" or "counter" or "packets" or "bytes")
                {
                    Next();
                    if (Peek.Kind == T.Word && Peek.Text is not ("timeout" or "expires" or "counter" or "packets" or "bytes" or ":"))
                    {
                        Next();
                    }
                }

                SkipNewlines();
                if (Peek.Kind == T.Comma)
                {
                    Next();
                    SkipNewlines();
                }
                else if (Peek.Kind != T.RBrace)
                {
                    throw Error(Peek, $"expected ',' or '}}' in set, found {Describe(Peek)}");
                }
            }

            Close();
            return new JsonObject { ["set"] = elems };
        }

        private void SkipNewlines()
        {
            while (Peek.Kind == T.Newline)
            {
                _p++;
            }
        }

        private JsonNode ElementKey()
        {
            var first = Value();
            if (!IsWord("."))
            {
                return first;
            }

            var parts = new JsonArray(first);
            while (IsWord("."))
            {
                Next();
                parts.Add(Value());
            }

            return new JsonObject { ["concat"] = parts };
        }

        /// <summary>One constant: number, hex, address, prefix (<c>a/n</c>), range (<c>a-b</c>), name or quoted string.</summary>
        private JsonNode Value()
        {
            var t = Next();
            if (t.Kind == T.Str)
            {
                return JsonValue.Create(t.Text);
            }

            if (t.Kind != T.Word)
            {
                throw Error(t, $"expected a value, found {Describe(t)}");
            }

            return Constant(t, t.Text);
        }

        private JsonNode Constant(Token at, string s)
        {
            var slash = s.IndexOf('/');
            if (slash > 0 && int.TryParse(s[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var len))
            {
                return new JsonObject { ["prefix"] = new JsonObject { ["addr"] = s[..slash], ["len"] = len } };
            }

            // From the second character, so a leading minus is not a range; an empty constant ("to :" with nothing
            // before the colon, found by the AFL harness) has no second character.
            var dash = s.Length > 1 ? s.IndexOf('-', 1) : -1;
            if (dash > 0 && IsScalar(s[..dash]) && IsScalar(s[(dash + 1)..]))
            {
                return new JsonObject { ["range"] = new JsonArray(Number(s[..dash]), Number(s[(dash + 1)..])) };
            }

            _ = at;
            return Number(s);
        }

        private static bool IsScalar(string s) =>
            s.Length > 0 && (char.IsAsciiDigit(s[0]) && s.All(c => char.IsAsciiDigit(c) || c == '.') || s.StartsWith("0x", StringComparison.Ordinal));

        private JsonNode Nat(string kind)
        {
            var at = Next();
            if (IsWord("ip"))
            {
                Next();
            }
            else if (IsWord("ip6"))
            {
                throw Error(Peek, $"{kind} ip6 is not modelled (IPv4 only)");
            }

            var body = new JsonObject();
            if (IsWord("to"))
            {
                Next();
                if (Peek.Kind == T.Word && Selectors.Contains(Peek.Text))
                {
                    var key = Arith();
                    ExpectWord("'map'");
                    body["addr"] = new JsonObject { ["map"] = new JsonObject { ["key"] = key, ["data"] = Right(isMap: true) } };
                }
                else
                {
                    AddrPort(body, ExpectWord("address"));
                }
            }
            else
            {
                throw Error(at, $"{kind} without 'to'");
            }

            NatFlags(body);
            return new JsonObject { [kind] = body };
        }

        private void AddrPort(JsonObject body, string s)
        {
            var at = _t[_p - 1];
            var colon = s.IndexOf(':');
            var addr = colon < 0 ? s : s[..colon];
            if (addr.Length > 0)
            {
                body["addr"] = Constant(at, addr);
            }

            if (colon >= 0)
            {
                body["port"] = Constant(at, s[(colon + 1)..]);
            }
        }

        private void NatFlags(JsonObject body)
        {
            if (Peek.Kind != T.Word || Peek.Text is not ("random" or "fully-random" or "persistent"))
            {
                return;
            }

            var flags = new JsonArray(Next().Text);
            while (Peek.Kind == T.Comma)
            {
                Next();
                flags.Add(ExpectWord("nat flag"));
            }

            body["flags"] = flags;
        }

        private JsonNode MasqRedir(string kind)
        {
            Next();
            var body = new JsonObject();
            if (IsWord("to"))
            {
                Next();
                var s = ExpectWord("':PORT'");
                if (!s.StartsWith(':'))
                {
                    throw Error(_t[_p - 1], $"{kind} to takes ':PORT' or ':PORT-PORT'");
                }

                AddrPort(body, s);
            }

            NatFlags(body);
            return new JsonObject { [kind] = body.Count == 0 ? null : body };
        }
    }
}
