using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;

namespace NatVerify.Specs.Nft;

/// <summary>Options shared by the nft text and JSON readers.</summary>
public sealed record NftParseOptions
{
    /// <summary>
    /// Lower a construct the model does not interpret to an Unmodelled term/statement/target (listed in
    /// <see cref="NatRuleset.OverApproximations"/>) instead of failing with a located error.
    /// </summary>
    public bool OverApproximate { get; init; }

    /// <summary>Default options: every unmodelled construct is an error.</summary>
    public static NftParseOptions Default { get; } = new();
}

/// <summary>One top-level object of a ruleset in libnftables' JSON schema (<c>table</c>, <c>chain</c>, <c>set</c>, <c>map</c>, <c>rule</c>) and where it came from.</summary>
internal sealed record NftItem(string Kind, JsonObject Body, RuleLocation Location);

/// <summary>
/// Lowers a ruleset written in libnftables' JSON schema (the form <c>nft -j list ruleset</c> prints and the form the
/// text reader builds) onto the shared rule model. One lowering for both front ends, so text and JSON cannot drift
/// apart in meaning. Expression meanings follow the kernel expressions named in docs/kernel-mapping.md
/// (<c>nft_payload.c</c>, <c>nft_meta.c</c>, <c>nft_ct.c</c>, <c>nft_fib.c</c>, <c>nft_numgen.c</c>, <c>nft_hash.c</c>,
/// <c>nft_lookup.c</c>, <c>nft_bitwise.c</c>, <c>nft_cmp.c</c>, <c>nft_range.c</c>, <c>nft_nat.c</c>,
/// <c>nft_masq.c</c>, <c>nft_redir.c</c>, <c>nft_immediate.c</c>).
/// </summary>
internal sealed class NftLowering
{
    private readonly NftParseOptions _options;
    private readonly RuleSource _source;
    private readonly string _file;
    private readonly Dictionary<(string Family, string Table), TableBuilder> _tables = new();
    private readonly List<(string Family, string Table)> _tableOrder = [];
    private readonly List<string> _notes = [];
    private readonly List<string> _over = [];
    private readonly HashSet<(string Family, string Table)> _skipped = [];

    public NftLowering(string file, RuleSource source, NftParseOptions options)
    {
        _file = file;
        _source = source;
        _options = options;
    }

    private sealed class TableBuilder
    {
        public required string Family { get; init; }

        public required string Name { get; init; }

        public required RuleLocation Location { get; init; }

        public Dictionary<string, (JsonObject Body, RuleLocation Location)> Sets { get; } = new();

        /// <summary>The table's ct helper objects by name: the helper type (ftp, tftp...) and its L4 protocol.</summary>
        public Dictionary<string, (string Type, string Protocol)> Helpers { get; } = new(StringComparer.Ordinal);

        public List<string> ChainOrder { get; } = [];

        public Dictionary<string, List<NatRule>> Rules { get; } = new();

        public List<BaseChain> Bases { get; } = [];
    }

    public NatRuleset Lower(IReadOnlyList<NftItem> items)
    {
        // Sets and chains are declared before rules in a listing, but a rule may name a set declared later in a
        // hand-written file; collect declarations first.
        foreach (var item in items.Where(i => i.Kind == "table"))
        {
            Table(item);
        }

        foreach (var item in items.Where(i => i.Kind is "set" or "map"))
        {
            if (Owner(item) is { } t)
            {
                t.Sets[Str(item.Body, "name", item.Location)] = (item.Body, item.Location);
            }
        }

        foreach (var item in items.Where(i => i.Kind == "ct helper"))
        {
            if (Owner(item) is { } t)
            {
                t.Helpers[Str(item.Body, "name", item.Location)] = (Str(item.Body, "type", item.Location), (string?)item.Body["protocol"] ?? string.Empty);
            }
        }

        foreach (var item in items.Where(i => i.Kind == "chain"))
        {
            Chain(item);
        }

        foreach (var item in items.Where(i => i.Kind == "rule"))
        {
            Rule(item);
        }

        foreach (var item in items.Where(i => i.Kind is not ("table" or "set" or "map" or "chain" or "rule" or "metainfo" or "ct helper")))
        {
            if (Owner(item, required: false) is null && item.Body["family"] is not null && _skipped.Contains(((string?)item.Body["family"] ?? "", (string?)item.Body["table"] ?? "")))
            {
                continue;
            }

            Unsupported(item.Location, $"'{item.Kind}' object (stateful objects, flowtables and the like are not modelled)", allowOver: false);
        }

        var tables = new List<RuleTable>();
        var bases = new List<BaseChain>();
        foreach (var key in _tableOrder)
        {
            var t = _tables[key];
            var chains = t.ChainOrder.ToDictionary(
                c => c,
                c => new NatChain(c, t.Bases.Any(b => b.Chain == c), t.Rules[c]),
                StringComparer.Ordinal);
            tables.Add(new RuleTable(TableKey(t.Family, t.Name), t.Family, t.Name, _source, chains) { Location = t.Location });
            bases.AddRange(t.Bases);
        }

        bases.Sort((a, b) => a.Hook != b.Hook ? a.Hook.CompareTo(b.Hook) : a.Priority.CompareTo(b.Priority));
        var natPresent = bases.Any(b => b.Type == ChainType.Nat);
        return new NatRuleset(false, new Dictionary<string, NatChain>(), _notes.ToArray())
        {
            NatTablePresent = natPresent,
            ConntrackFromRules = true,
            Tables = tables,
            BaseChains = bases,
            OverApproximations = _over.ToArray(),
        };
    }

    /// <summary>Key of an nft table in <see cref="NatRuleset.Tables"/>: <c>nft FAMILY NAME</c>.</summary>
    public static string TableKey(string family, string name) => $"nft {family} {name}";

    private void Table(NftItem item)
    {
        var family = Str(item.Body, "family", item.Location);
        var name = Str(item.Body, "name", item.Location);
        switch (family)
        {
            case "ip" or "inet":
                break;
            case "ip6":
                // nf_hook() runs NFPROTO_IPV6 hooks only for IPv6 packets; the model carries IPv4 only.
                Skip(family, name, "hooks only IPv6 packets (NFPROTO_IPV6)");
                return;
            case "arp":
                Skip(family, name, "hooks only ARP packets (NFPROTO_ARP), never IPv4 conntrack or NAT");
                return;
            case "bridge":
                // br_netfilter's bridge family sees frames being bridged; the model has no bridges.
                Skip(family, name, "hooks only frames forwarded by a bridge (NFPROTO_BRIDGE); the model has no bridge ports");
                return;
            case "netdev":
                // Deferred until its chains are seen: an ingress/egress base chain sees every IPv4 packet.
                Skip(family, name, "has no base chain (a netdev base chain would see IPv4 packets at ingress/egress)");
                return;
            default:
                throw new SpecException(_file, item.Location.Line, item.Location.Column, $"unknown table family '{family}'");
        }

        var key = (family, name);
        if (_tables.ContainsKey(key))
        {
            return;
        }

        _tables[key] = new TableBuilder { Family = family, Name = name, Location = item.Location };
        _tableOrder.Add(key);
    }

    private void Skip(string family, string name, string why)
    {
        if (_skipped.Add((family, name)))
        {
            _notes.Add($"table {family} {name}: skipped, {why}");
        }
    }

    private TableBuilder? Owner(NftItem item, bool required = true)
    {
        var family = (string?)item.Body["family"];
        var table = (string?)item.Body["table"];
        if (family is null || table is null)
        {
            if (!required)
            {
                return null;
            }

            throw new SpecException(_file, item.Location.Line, item.Location.Column, $"'{item.Kind}' without 'family' and 'table'");
        }

        if (_skipped.Contains((family, table)))
        {
            return null;
        }

        if (!_tables.TryGetValue((family, table), out var t))
        {
            if (!required)
            {
                return null;
            }

            throw new SpecException(_file, item.Location.Line, item.Location.Column, $"{item.Kind} refers to table {family} {table}, which is not declared");
        }

        return t;
    }

    private void Chain(NftItem item)
    {
        var family = (string?)item.Body["family"];
        var tableName = (string?)item.Body["table"];
        if (family == "netdev" && item.Body["hook"] is not null)
        {
            throw new SpecException(_file, item.Location.Line, item.Location.Column,
                $"netdev base chain '{item.Body["name"]}' (hook {item.Body["hook"]}) sees IPv4 packets before conntrack; netdev chains are not modelled");
        }

        var t = Owner(item);
        if (t is null)
        {
            return;
        }

        var name = Str(item.Body, "name", item.Location);
        if (!t.Rules.ContainsKey(name))
        {
            t.ChainOrder.Add(name);
            t.Rules[name] = [];
        }

        if (item.Body["hook"] is null)
        {
            return;
        }

        var hook = (string?)item.Body["hook"] switch
        {
            "prerouting" => NetfilterHook.PreRouting,
            "input" => NetfilterHook.Input,
            "forward" => NetfilterHook.Forward,
            "output" => NetfilterHook.Output,
            "postrouting" => NetfilterHook.PostRouting,
            var h => throw Located(item.Location, $"base chain '{name}': hook '{h}' is not modelled (expected prerouting, input, forward, output or postrouting)"),
        };
        var type = (string?)item.Body["type"] switch
        {
            "filter" or null => ChainType.Filter,
            "nat" => ChainType.Nat,
            "route" => ChainType.Route,
            var ty => throw Located(item.Location, $"base chain '{name}': unknown chain type '{ty}'"),
        };
        var prio = item.Body["prio"] switch
        {
            JsonValue v when v.TryGetValue<int>(out var n) => n,
            JsonValue v when v.TryGetValue<string>(out var s) => NamedPriority(s, family!, hook, item.Location),
            null => 0,
            _ => throw Located(item.Location, $"base chain '{name}': priority must be a number or a name"),
        };
        var policy = (string?)item.Body["policy"] ?? "accept";
        if (policy is not ("accept" or "drop"))
        {
            throw Located(item.Location, $"base chain '{name}': policy '{policy}' (expected accept or drop)");
        }

        _ = tableName;
        t.Bases.Add(new BaseChain(TableKey(t.Family, t.Name), name, hook, prio, type, policy == "drop") { Location = item.Location });
    }

    /// <summary>
    /// Standard priority names as nft's <c>std_prio_lookup</c> (src/rule.c) defines them for the ip/inet families;
    /// <c>NAME + N</c> / <c>NAME - N</c> offsets are added.
    /// </summary>
    internal static int NamedPriority(string text, string family, NetfilterHook hook, RuleLocation location, string? file = null)
    {
        var s = text.Replace(" ", string.Empty, StringComparison.Ordinal);
        var offset = 0;
        var cut = s.IndexOfAny(['+', '-'], 1);
        var name = s;
        if (cut > 0)
        {
            name = s[..cut];
            if (!int.TryParse(s[(cut + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out offset))
            {
                throw new SpecException(file ?? location.File, location.Line, location.Column, $"priority '{text}': bad offset");
            }

            offset = s[cut] == '-' ? -offset : offset;
        }

        if (int.TryParse(name, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var direct))
        {
            return direct + offset;
        }

        _ = family;
        int baseValue = name switch
        {
            "raw" => HookPriority.Raw,
            "mangle" => HookPriority.Mangle,
            "dstnat" => HookPriority.NatDst,
            "filter" => HookPriority.Filter,
            "security" => HookPriority.Security,
            "srcnat" => HookPriority.NatSrc,
            _ => throw new SpecException(file ?? location.File, location.Line, location.Column,
                $"priority '{text}': unknown name (expected raw, mangle, dstnat, filter, security, srcnat or a number)"),
        };
        _ = hook;
        return baseValue + offset;
    }

    private void Rule(NftItem item)
    {
        var t = Owner(item);
        if (t is null)
        {
            return;
        }

        var chain = Str(item.Body, "chain", item.Location);
        if (!t.Rules.TryGetValue(chain, out var rules))
        {
            throw Located(item.Location, $"rule in chain '{chain}', which table {t.Family} {t.Name} does not declare");
        }

        if (item.Body["expr"] is not JsonArray exprs)
        {
            throw Located(item.Location, "rule without 'expr' array");
        }

        if (Ipv6Only(exprs))
        {
            // An inet rule that tests meta nfproto ipv6 (nft_meta.c NFT_META_NFPROTO) or reads an ip6/icmpv6 header
            // (nft inserts that nfproto dependency) can never match an IPv4 packet: it has no effect on the model.
            _notes.Add($"{item.Location}: rule matches only IPv6 packets; skipped");
            return;
        }

        var text = item.Body["text"] is JsonValue tv && tv.TryGetValue<string>(out var tx) ? tx : item.Body.ToJsonString();
        var ctx = new RuleContext(t, item.Location);
        var terms = new List<MatchTerm>();
        var statements = new List<RuleStatement>();
        RuleTarget? target = null;
        List<(List<MatchTerm> Extra, RuleTarget Target)>? expansion = null;
        foreach (var node in exprs)
        {
            if (node is not JsonObject stmt || stmt.Count != 1)
            {
                throw Located(item.Location, "each rule expression must be an object with one key");
            }

            if ((target is not null || expansion is not null) && stmt.First().Key is not ("counter" or "log"))
            {
                throw Located(item.Location, $"'{stmt.First().Key}' after the rule's verdict is never reached; not modelled");
            }

            var (kind, body) = stmt.First();
            switch (kind)
            {
                case "match":
                    if (statements.Any(s => s is not NoOpStatement))
                    {
                        throw Located(item.Location, "a match after a mark/notrack statement (the statement runs before the match) is not modelled");
                    }

                    terms.AddRange(Match(ctx, ObjectBody(ctx, kind, body)));
                    break;
                case "counter" or "log" or "comment":
                    statements.Add(new NoOpStatement(kind));
                    break;
                case "notrack":
                    statements.Add(new NotrackStatement());
                    break;
                case "mangle":
                    statements.Add(Mangle(ctx, ObjectBody(ctx, kind, body)));
                    break;
                case "ct helper":
                    statements.Add(CtHelper(ctx, body));
                    break;
                case "accept":
                    target = new AcceptTarget();
                    break;
                case "drop":
                    target = new DropTarget();
                    break;
                case "reject":
                    target = new RejectTarget();
                    break;
                case "return":
                    target = new ReturnTarget();
                    break;
                case "continue":
                    target = new ContinueTarget();
                    break;
                case "jump" or "goto":
                    target = new JumpTarget(ChainRef(ctx, body), kind == "goto");
                    break;
                case "snat" or "dnat":
                    expansion = Nat(ctx, kind, body as JsonObject ?? []);
                    foreach (var (extra, natTarget) in expansion)
                    {
                        var range = natTarget switch { SnatTarget sn => sn.Range, DnatTarget dn => dn.Range, _ => null };
                        if (range is not null && range.Flags.HasFlag(NatRangeFlags.ProtoSpecified))
                        {
                            RequireTransportMatch(ctx, kind, [.. terms, .. extra]);
                        }
                    }

                    break;
                case "masquerade" or "redirect":
                    target = MasqRedir(ctx, kind, body as JsonObject);
                    if (target is MasqueradeTarget { Ports: not null } or RedirectTarget { Ports: not null })
                    {
                        RequireTransportMatch(ctx, kind, terms);
                    }

                    break;
                case "vmap":
                    expansion = VMap(ctx, ObjectBody(ctx, kind, body));
                    break;
                case "xt" when !_options.OverApproximate:
                    // nft_compat.c runs an x_tables extension inside an nft rule (iptables-nft); the JSON listing keeps
                    // only its name, not its options, so nothing faithful can be read from it.
                    throw Located(item.Location, $"iptables-nft compat expression 'xt {body?["type"]} {body?["name"]}': the nft listing does not show its options; read this table from 'iptables-nft-save' instead");
                default:
                    if (!_options.OverApproximate)
                    {
                        throw Located(item.Location, $"nft statement '{kind}' is not modelled");
                    }

                    NoteOver(item.Location, $"statement '{kind}'");
                    statements.Add(new UnmodelledStatement(kind, item.Location));
                    break;
            }
        }

        var location = item.Location;
        var handleText = location.Handle is { } h ? $" # handle {h}" : string.Empty;
        if (expansion is null)
        {
            rules.Add(new NatRule(new RuleMatch { Terms = terms }, target ?? new ContinueTarget(), text + handleText, location.Line)
            {
                Statements = statements,
                Location = location,
            });
            return;
        }

        foreach (var (extra, tgt) in expansion)
        {
            rules.Add(new NatRule(new RuleMatch { Terms = [.. terms, .. extra] }, tgt, text + handleText, location.Line)
            {
                Statements = statements,
                Location = location,
            });
        }
    }

    private static bool Ipv6Only(JsonArray exprs)
    {
        foreach (var e in exprs)
        {
            if (e is not JsonObject o || o["match"] is not JsonObject m)
            {
                continue;
            }

            var op = (string?)m["op"] ?? "==";
            if (m["left"] is JsonObject l && l["meta"] is JsonObject meta && (string?)meta["key"] == "nfproto" && m["right"] is JsonValue rv && rv.TryGetValue<string>(out var proto))
            {
                if ((op is "==" or "in" && proto == "ipv6") || (op == "!=" && proto == "ipv4"))
                {
                    return true;
                }
            }

            if (m["left"] is JsonObject lp && lp["payload"] is JsonObject p && (string?)p["protocol"] is "ip6" or "icmpv6")
            {
                return true;
            }
        }

        return false;
    }

    private sealed record RuleContext(TableBuilder Table, RuleLocation Location);

    private static string ChainRef(RuleContext ctx, JsonNode? body)
    {
        if (body is JsonObject o && (string?)o["target"] is { } target)
        {
            if (!ctx.Table.Rules.ContainsKey(target))
            {
                throw new SpecException(ctx.Location.File, ctx.Location.Line, ctx.Location.Column, $"jump/goto to chain '{target}', which table {ctx.Table.Family} {ctx.Table.Name} does not declare");
            }

            return target;
        }

        throw new SpecException(ctx.Location.File, ctx.Location.Line, ctx.Location.Column, "jump/goto without a target chain");
    }

    // ---- matches -------------------------------------------------------------------------------------------------

    private enum Kind
    {
        Address,
        Number,
        Proto,
        IcmpType,
        TcpFlags,
        CtState,
        CtStatus,
        CtDirection,
        Mark,
        Iface,
        AddrType,
    }

    private sealed record Selector(PacketField? Field, Kind Kind, uint? ImplicitProto, uint Mask, bool Bitmask);

    private IEnumerable<MatchTerm> Match(RuleContext ctx, JsonObject m)
    {
        var op = (string?)m["op"] ?? "==";
        var left = m["left"];
        var right = m["right"];
        var negated = op == "!=";
        var result = new List<MatchTerm>();

        // nft_payload.c reads tcp/udp/icmp header fields only after the dependency nft inserts (meta l4proto);
        // the listing leaves it implicit, so it is restored here.
        switch (left)
        {
            case JsonObject lo when lo["concat"] is JsonArray parts:
            {
                var fields = new List<PacketField>();
                var kinds = new List<Kind>();
                foreach (var part in parts)
                {
                    var sel = SelectorOf(ctx, part);
                    AddProto(result, sel);
                    fields.Add(sel.Field!.Value);
                    kinds.Add(sel.Kind);
                }

                var elements = Elements(ctx, right).Select(e => ConcatElement(ctx, e, kinds)).ToArray();
                result.Add(new ConcatTerm(fields, elements) { Negated = negated });
                return result;
            }

            case JsonObject lo when lo["fib"] is JsonObject fib:
            {
                var flags = FlagList(fib["flags"]);
                if ((string?)fib["result"] != "type")
                {
                    return [Unmodelled(ctx, $"fib result '{fib["result"]}' (only 'type' is modelled)")];
                }

                var types = AddressTypes.None;
                foreach (var e in Elements(ctx, right))
                {
                    types |= AddrType(ctx, e);
                }

                var dest = flags.Contains("daddr");
                if (!dest && !flags.Contains("saddr"))
                {
                    throw Located(ctx.Location, "fib needs saddr or daddr");
                }

                return [new AddressTypeTerm(dest, types, flags.Contains("iif"), flags.Contains("oif")) { Negated = negated }];
            }

            case JsonObject lo when lo["numgen"] is JsonObject ng:
            {
                var kind = (string?)ng["mode"] switch
                {
                    "random" => SelectorKind.Random,
                    "inc" => SelectorKind.Counter,
                    var mode => throw Located(ctx.Location, $"numgen mode '{mode}'"),
                };
                var values = Elements(ctx, right).Select(e => NumberInterval(ctx, e)).ToArray();
                return [new SelectorTerm(kind, U(ctx, ng["mod"]), U(ctx, ng["offset"] ?? 0), 0, [], values) { Negated = negated }];
            }

            case JsonObject lo when lo["jhash"] is JsonObject jh:
            {
                var fields = new List<PacketField>();
                var inner = jh["expr"] is JsonObject ie && ie["concat"] is JsonArray ja ? ja.ToList() : [jh["expr"]];
                foreach (var part in inner)
                {
                    var sel = SelectorOf(ctx, part);
                    AddProto(result, sel);
                    fields.Add(sel.Field!.Value);
                }

                var values = Elements(ctx, right).Select(e => NumberInterval(ctx, e)).ToArray();
                result.Add(new SelectorTerm(SelectorKind.JHash, U(ctx, jh["mod"]), U(ctx, jh["offset"] ?? 0), U(ctx, jh["seed"] ?? 0), fields, values) { Negated = negated });
                return result;
            }

            case JsonObject lo when lo["symhash"] is JsonObject sh:
            {
                var values = Elements(ctx, right).Select(e => NumberInterval(ctx, e)).ToArray();
                return [new SelectorTerm(SelectorKind.SymHash, U(ctx, sh["mod"]), U(ctx, sh["offset"] ?? 0), 0, [], values) { Negated = negated }];
            }

            case JsonObject lo when lo["&"] is JsonArray band && band.Count == 2:
            {
                // nft_bitwise.c: (field & mask) then nft_cmp.c on the result.
                var sel = SelectorOf(ctx, band[0]);
                if (sel.Field is null)
                {
                    return [Unmodelled(ctx, "bitwise match on this expression")];
                }

                AddProto(result, sel);
                var mask = Value(ctx, band[1], sel.Kind);
                var vals = Elements(ctx, right).Select(e => ValueInterval(ctx, e, sel.Kind)).ToArray();
                result.Add(new MaskedTerm(sel.Field.Value, mask, vals) { Negated = negated });
                return result;
            }
        }

        if (left is JsonObject nf && nf["meta"] is JsonObject nfm && (string?)nfm["key"] == "nfproto"
            && right is JsonValue nfv && nfv.TryGetValue<string>(out var nfproto) && (nfproto == "ipv4") == (op != "!="))
        {
            // Always true for the IPv4 packets the model carries (the IPv6-only case is skipped per rule above).
            return [];
        }

        var s = SelectorOf(ctx, left);
        if (s.Field is null && s.Kind != Kind.Iface)
        {
            return [Unmodelled(ctx, $"match on {Describe(left)}")];
        }

        AddProto(result, s);
        if (s.Kind == Kind.Iface)
        {
            var names = Elements(ctx, right).Select(e => e is JsonValue v && v.TryGetValue<string>(out var n) ? n : throw Located(ctx.Location, "interface name expected")).ToArray();
            result.Add(new InterfaceTerm(s.Mask == 1, names) { Negated = negated });
            return result;
        }

        if (s.Bitmask && (op == "in" || (op is "==" or "!=" && right is JsonArray)))
        {
            // A flag test: nft emits (field & bits) != 0 for bitmask types (ct state/status, tcp flags).
            uint bits = 0;
            foreach (var e in Elements(ctx, right))
            {
                bits |= Value(ctx, e, s.Kind);
            }

            result.Add(new MaskedTerm(s.Field!.Value, bits, [new Interval(1, bits)]) { Negated = negated });
            return result;
        }

        if (op is "<" or ">" or "<=" or ">=")
        {
            var v = Value(ctx, right, s.Kind);
            var interval = op switch
            {
                "<" => v == 0 ? throw Located(ctx.Location, "'< 0' never matches") : new Interval(0, v - 1),
                "<=" => new Interval(0, v),
                ">" => new Interval(v + 1, MaxOf(s)),
                _ => new Interval(v, MaxOf(s)),
            };
            result.Add(new ValueTerm(s.Field!.Value, [interval]));
            return result;
        }

        if (op is not ("==" or "!=" or "in"))
        {
            throw Located(ctx.Location, $"match operator '{op}' is not modelled");
        }

        var intervals = Elements(ctx, right).Select(e => ValueInterval(ctx, e, s.Kind)).ToArray();
        result.Add(s.Mask != uint.MaxValue && s.Mask != 0
            ? new MaskedTerm(s.Field!.Value, s.Mask, intervals) { Negated = negated }
            : new ValueTerm(s.Field!.Value, intervals) { Negated = negated });
        return result;
    }

    private static uint MaxOf(Selector s) => s.Field switch
    {
        PacketField.SrcPort or PacketField.DstPort => 65535,
        PacketField.L4Proto or PacketField.IcmpType or PacketField.IcmpCode or PacketField.TcpFlags => 255,
        _ => uint.MaxValue,
    };

    private static void AddProto(List<MatchTerm> result, Selector s)
    {
        if (s.ImplicitProto is { } p && !result.OfType<ValueTerm>().Any(v => v.Field == PacketField.L4Proto && !v.Negated && v.Values.Count == 1 && v.Values[0] == Interval.Single(p)))
        {
            result.Add(new ValueTerm(PacketField.L4Proto, [Interval.Single(p)]));
        }
    }

    private MatchTerm Unmodelled(RuleContext ctx, string construct)
    {
        if (!_options.OverApproximate)
        {
            throw Located(ctx.Location, $"{construct} is not modelled");
        }

        NoteOver(ctx.Location, construct);
        return new UnmodelledTerm(construct, ctx.Location);
    }

    private void NoteOver(RuleLocation location, string construct) =>
        _over.Add($"{location}: {construct} treated as an over-approximation (may match / may do anything)");

    private static string Describe(JsonNode? node) => node is JsonObject o && o.Count == 1
        ? o.First().Value is JsonObject inner && inner["protocol"] is not null
            ? $"'{inner["protocol"]} {inner["field"]}'"
            : o.First().Value is JsonObject inner2 && inner2["key"] is not null ? $"'{o.First().Key} {inner2["key"]}'" : $"'{o.First().Key}'"
        : node?.ToJsonString() ?? "nothing";

    private Selector SelectorOf(RuleContext ctx, JsonNode? node)
    {
        if (node is JsonObject o && o["payload"] is JsonObject p)
        {
            var proto = (string?)p["protocol"];
            var field = (string?)p["field"];
            return (proto, field) switch
            {
                ("ip", "saddr") => new Selector(PacketField.SrcAddr, Kind.Address, null, uint.MaxValue, false),
                ("ip", "daddr") => new Selector(PacketField.DstAddr, Kind.Address, null, uint.MaxValue, false),
                ("ip", "protocol") => new Selector(PacketField.L4Proto, Kind.Proto, null, uint.MaxValue, false),
                ("tcp", "sport") => new Selector(PacketField.SrcPort, Kind.Number, 6, uint.MaxValue, false),
                ("tcp", "dport") => new Selector(PacketField.DstPort, Kind.Number, 6, uint.MaxValue, false),
                ("udp", "sport") => new Selector(PacketField.SrcPort, Kind.Number, 17, uint.MaxValue, false),
                ("udp", "dport") => new Selector(PacketField.DstPort, Kind.Number, 17, uint.MaxValue, false),
                ("th", "sport") => new Selector(PacketField.SrcPort, Kind.Number, null, uint.MaxValue, false),
                ("th", "dport") => new Selector(PacketField.DstPort, Kind.Number, null, uint.MaxValue, false),
                ("tcp", "flags") => new Selector(PacketField.TcpFlags, Kind.TcpFlags, 6, uint.MaxValue, true),
                ("icmp", "type") => new Selector(PacketField.IcmpType, Kind.IcmpType, 1, uint.MaxValue, false),
                ("icmp", "code") => new Selector(PacketField.IcmpCode, Kind.Number, 1, uint.MaxValue, false),
                ("icmp", "id") => new Selector(PacketField.IcmpId, Kind.Number, 1, uint.MaxValue, false),
                _ => new Selector(null, Kind.Number, null, 0, false),
            };
        }

        if (node is JsonObject mo && mo["meta"] is JsonObject meta)
        {
            return (string?)meta["key"] switch
            {
                "l4proto" or "protocol" when (string?)meta["key"] == "l4proto" => new Selector(PacketField.L4Proto, Kind.Proto, null, uint.MaxValue, false),
                "mark" => new Selector(PacketField.Mark, Kind.Mark, null, uint.MaxValue, false),
                "iif" or "iifname" => new Selector(null, Kind.Iface, null, 0, false),
                "oif" or "oifname" => new Selector(null, Kind.Iface, null, 1, false),
                _ => new Selector(null, Kind.Number, null, 0, false),
            };
        }

        if (node is JsonObject co && co["ct"] is JsonObject ct)
        {
            if (ct["dir"] is not null)
            {
                var dir = (string?)ct["dir"];
                var f = ((string?)ct["key"], dir) switch
                {
                    ("saddr" or "ip saddr", "original") => PacketField.CtOrigSrc,
                    ("daddr" or "ip daddr", "original") => PacketField.CtOrigDst,
                    ("saddr" or "ip saddr", "reply") => PacketField.CtReplSrc,
                    ("daddr" or "ip daddr", "reply") => PacketField.CtReplDst,
                    ("proto-src", "original") => PacketField.CtOrigSrcPort,
                    ("proto-dst", "original") => PacketField.CtOrigDstPort,
                    ("proto-src", "reply") => PacketField.CtReplSrcPort,
                    ("proto-dst", "reply") => PacketField.CtReplDstPort,
                    _ => (PacketField?)null,
                };
                return f is null
                    ? new Selector(null, Kind.Number, null, 0, false)
                    : new Selector(f, f is PacketField.CtOrigSrc or PacketField.CtOrigDst or PacketField.CtReplSrc or PacketField.CtReplDst ? Kind.Address : Kind.Number, null, uint.MaxValue, false);
            }

            return (string?)ct["key"] switch
            {
                "state" => new Selector(PacketField.CtState, Kind.CtState, null, uint.MaxValue, true),
                "status" => new Selector(PacketField.CtStatus, Kind.CtStatus, null, uint.MaxValue, true),
                "direction" => new Selector(PacketField.CtDirection, Kind.CtDirection, null, uint.MaxValue, false),
                "mark" => new Selector(PacketField.CtMark, Kind.Mark, null, uint.MaxValue, false),
                _ => new Selector(null, Kind.Number, null, 0, false),
            };
        }

        return new Selector(null, Kind.Number, null, 0, false);
    }

    /// <summary>The elements a right-hand side stands for: one value, an anonymous set, a named set (<c>@name</c>) or a flag list.</summary>
    private IReadOnlyList<JsonNode?> Elements(RuleContext ctx, JsonNode? right)
    {
        switch (right)
        {
            case JsonObject o when o["set"] is JsonArray a:
                return a.ToList();
            case JsonObject o when o["set"] is JsonNode single:
                return [single];
            case JsonArray a:
                return a.ToList();
            case JsonValue v when v.TryGetValue<string>(out var s) && s.StartsWith('@'):
                return NamedSet(ctx, s[1..], wantMap: false).Select(e => e.Key).ToList();
            default:
                return [right];
        }
    }

    private IReadOnlyList<(JsonNode? Key, JsonNode? Data)> NamedSet(RuleContext ctx, string name, bool wantMap)
    {
        if (!ctx.Table.Sets.TryGetValue(name, out var set))
        {
            throw Located(ctx.Location, $"set or map '@{name}' is not declared in table {ctx.Table.Family} {ctx.Table.Name}");
        }

        var isMap = set.Body["map"] is not null;
        if (isMap != wantMap)
        {
            throw Located(ctx.Location, wantMap ? $"'@{name}' is a set, a map was expected" : $"'@{name}' is a map, a set was expected");
        }

        if (FlagList(set.Body["flags"]).Overlaps(["timeout", "dynamic"]) || set.Body["timeout"] is not null)
        {
            // Elements added by the packet path or expiring make the listing a snapshot, not the rule.
            _ = Unmodelled(ctx with { Location = set.Location }, $"set '@{name}' with dynamic/timeout elements");
        }

        var list = new List<(JsonNode?, JsonNode?)>();
        if (set.Body["elem"] is JsonArray elems)
        {
            foreach (var e in elems)
            {
                if (e is JsonObject eo && eo["elem"] is JsonObject inner)
                {
                    // {"elem": {"val": ..., "timeout"...}} wrapper the JSON output uses for elements with options.
                    list.Add(SplitMapElement(inner["val"], wantMap));
                }
                else
                {
                    list.Add(SplitMapElement(e, wantMap));
                }
            }
        }

        return list;
    }

    private static (JsonNode? Key, JsonNode? Data) SplitMapElement(JsonNode? e, bool isMap) =>
        isMap && e is JsonArray pair && pair.Count == 2 ? (pair[0], pair[1]) : (e, null);

    private IReadOnlyList<Interval> ConcatElement(RuleContext ctx, JsonNode? e, IReadOnlyList<Kind> kinds)
    {
        if (e is JsonObject eo && eo["elem"] is JsonObject inner)
        {
            e = inner["val"];
        }

        if (e is not JsonObject o || o["concat"] is not JsonArray parts || parts.Count != kinds.Count)
        {
            throw Located(ctx.Location, $"set element {e?.ToJsonString()} does not have {kinds.Count} concatenated parts");
        }

        return parts.Select((p, i) => ValueInterval(ctx, p, kinds[i])).ToArray();
    }

    private Interval NumberInterval(RuleContext ctx, JsonNode? e) => ValueInterval(ctx, e, Kind.Number);

    private Interval ValueInterval(RuleContext ctx, JsonNode? e, Kind kind)
    {
        switch (e)
        {
            case JsonObject o when o["elem"] is JsonObject inner:
                return ValueInterval(ctx, inner["val"], kind);
            case JsonObject o when o["prefix"] is JsonObject p:
            {
                var addr = Value(ctx, p["addr"], Kind.Address);
                var len = (int)U(ctx, p["len"]);
                if (len is < 0 or > 32)
                {
                    throw Located(ctx.Location, $"prefix length {len}");
                }

                return RuleMatch.ToInterval(new Cidr(new Ipv4(addr), len));
            }

            case JsonObject o when o["range"] is JsonArray r && r.Count == 2:
                return new Interval(Value(ctx, r[0], kind), Value(ctx, r[1], kind));
            default:
                return Interval.Single(Value(ctx, e, kind));
        }
    }

    private uint Value(RuleContext ctx, JsonNode? node, Kind kind)
    {
        if (node is JsonArray flags)
        {
            uint bits = 0;
            foreach (var f in flags)
            {
                bits |= Value(ctx, f, kind);
            }

            return bits;
        }

        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            if (!long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            {
                throw Located(ctx.Location, $"value {v.ToJsonString()} is not an integer");
            }

            return n is >= 0 and <= uint.MaxValue ? (uint)n : throw Located(ctx.Location, $"value {n} out of range");
        }

        if (node is not JsonValue sv || !sv.TryGetValue<string>(out var s))
        {
            throw Located(ctx.Location, $"value expected, found {node?.ToJsonString() ?? "nothing"}");
        }

        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && uint.TryParse(s[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex))
        {
            return hex;
        }

        if (uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var dec))
        {
            return dec;
        }

        uint? named = kind switch
        {
            Kind.Address or Kind.Mark when Ipv4.TryParse(s, out var a) => a.Value,
            Kind.Proto => s switch
            {
                "icmp" => 1, "igmp" => 2, "tcp" => 6, "udp" => 17, "gre" => 47, "esp" => 50, "ah" => 51,
                "icmpv6" or "ipv6-icmp" => 58, "sctp" => 132, "udplite" => 136, "dccp" => 33, _ => null,
            },
            Kind.IcmpType => s switch
            {
                "echo-reply" => 0, "destination-unreachable" => 3, "source-quench" => 4, "redirect" => 5,
                "echo-request" => 8, "router-advertisement" => 9, "router-solicitation" => 10, "time-exceeded" => 11,
                "parameter-problem" => 12, "timestamp-request" => 13, "timestamp-reply" => 14, "info-request" => 15,
                "info-reply" => 16, "address-mask-request" => 17, "address-mask-reply" => 18, _ => null,
            },
            Kind.TcpFlags => s switch
            {
                "fin" => 0x01, "syn" => 0x02, "rst" => 0x04, "psh" => 0x08, "ack" => 0x10, "urg" => 0x20, "ecn" => 0x40, "cwr" => 0x80, _ => null,
            },
            // NF_CT_STATE_BIT(ctinfo) as nft_ct.c computes it; untracked is NF_CT_STATE_UNTRACKED_BIT.
            Kind.CtState => s switch
            {
                "invalid" => (uint)CtStateBits.Invalid, "established" => (uint)CtStateBits.Established,
                "related" => (uint)CtStateBits.Related, "new" => (uint)CtStateBits.New, "untracked" => (uint)CtStateBits.Untracked, _ => null,
            },
            // enum ip_conntrack_status (include/uapi/linux/netfilter/nf_conntrack_common.h).
            Kind.CtStatus => s switch
            {
                "expected" => 1, "seen-reply" => 2, "assured" => 4, "confirmed" => 8, "snat" => 16, "dnat" => 32, "dying" => 512, _ => null,
            },
            Kind.CtDirection => s switch { "original" => 0, "reply" => 1, _ => null },
            _ => null,
        };
        return named ?? throw Located(ctx.Location, $"'{s}' is not a value of this field");
    }

    private static AddressTypes AddrType(RuleContext ctx, JsonNode? e) => (string?)e switch
    {
        "unspec" => AddressTypes.Unspec,
        "unicast" => AddressTypes.Unicast,
        "local" => AddressTypes.Local,
        "broadcast" => AddressTypes.Broadcast,
        "anycast" => AddressTypes.Anycast,
        "multicast" => AddressTypes.Multicast,
        "blackhole" => AddressTypes.Blackhole,
        "unreachable" => AddressTypes.Unreachable,
        "prohibit" => AddressTypes.Prohibit,
        var other => throw new SpecException(ctx.Location.File, ctx.Location.Line, ctx.Location.Column, $"fib address type '{other}' is not known"),
    };

    private static HashSet<string> FlagList(JsonNode? node) => node switch
    {
        JsonArray a => a.Select(x => (string?)x ?? string.Empty).ToHashSet(StringComparer.Ordinal),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };

    private uint U(RuleContext ctx, JsonNode? node) => Value(ctx, node, Kind.Number);

    // ---- statements ----------------------------------------------------------------------------------------------

    // Helpers whose help() returns NF_ACCEPT untouched until the connection is established (nf_conntrack_ftp.c,
    // nf_conntrack_irc.c, nf_conntrack_sane.c: "Until there's been traffic both ways, don't look in packets"), as for
    // iptables' -j CT --helper. Others may create expectations from a first packet's payload: not modelled.
    private static readonly HashSet<string> EstablishedOnlyHelpers = new(StringComparer.Ordinal) { "ftp", "irc", "sane" };

    // 'ct helper set "NAME"' (nft_ct_helper_obj_eval): attaches the table's ct helper object NAME to a new, unconfirmed
    // conntrack of the helper's protocol (before conntrack, at priority raw, there is none yet and it does nothing). The
    // tuple, hash and NAT are untouched; the object's init (nft_ct_helper_obj_init) calls nf_ct_netns_get.
    private static NoOpStatement CtHelper(RuleContext ctx, JsonNode? body)
    {
        var name = body is JsonValue v && v.TryGetValue<string>(out var n) ? n : throw Located(ctx.Location, "ct helper set needs the name of a ct helper object");
        if (!ctx.Table.Helpers.TryGetValue(name, out var helper))
        {
            throw Located(ctx.Location, $"ct helper set \"{name}\": no ct helper object {name} in table {ctx.Table.Family} {ctx.Table.Name}");
        }

        if (!EstablishedOnlyHelpers.Contains(helper.Type) || helper.Protocol != "tcp")
        {
            throw Located(ctx.Location,
                $"ct helper set \"{name}\" (type {helper.Type}, protocol {helper.Protocol}) is not modelled: only the tcp helpers that wait for an established connection "
                + $"({string.Join(", ", EstablishedOnlyHelpers.Order(StringComparer.Ordinal))}) leave first packets alone; others may create expectations from a first packet's payload");
        }

        return new NoOpStatement($"ct helper set {name}") { TakesConntrack = true };
    }

    private RuleStatement Mangle(RuleContext ctx, JsonObject m)
    {
        // 'tcp option maxseg size set ...' (fw4's MTU fixing): nft_exthdr_tcp_set_eval only lowers the MSS option of the
        // packet in place (never raises it) and on failure ends the rule (NFT_BREAK), never drops: no effect on tuples.
        if (m["key"] is JsonObject opt && opt["tcp option"] is JsonObject tcpOption
            && (string?)tcpOption["name"] == "maxseg" && (string?)tcpOption["field"] == "size")
        {
            return new NoOpStatement("tcp option maxseg size set");
        }

        var dest = m["key"] switch
        {
            JsonObject k when k["meta"] is JsonObject meta && (string?)meta["key"] == "mark" => MarkRegister.Mark,
            JsonObject k when k["ct"] is JsonObject ct && (string?)ct["key"] == "mark" && ct["dir"] is null => MarkRegister.CtMark,
            var k => throw Located(ctx.Location, $"setting {Describe(k)} is not modelled (only meta mark and ct mark)"),
        };

        // nft_bitwise.c evaluates (src & mask) ^ xor; nft prints "x & m | v" and "x ^ v"; fold to Keep/Take/Xor.
        return Fold(ctx, dest, m["value"]);
    }

    private MarkStatement Fold(RuleContext ctx, MarkRegister dest, JsonNode? value)
    {
        switch (value)
        {
            case JsonObject o when o["meta"] is JsonObject meta && (string?)meta["key"] == "mark":
                return new MarkStatement(dest, MarkRegister.Mark, 0, uint.MaxValue, 0);
            case JsonObject o when o["ct"] is JsonObject ct && (string?)ct["key"] == "mark" && ct["dir"] is null:
                return new MarkStatement(dest, MarkRegister.CtMark, 0, uint.MaxValue, 0);
            case JsonObject o when o.Count == 1 && o.First().Key is "&" or "|" or "^" && o.First().Value is JsonArray args && args.Count == 2:
            {
                var inner = Fold(ctx, dest, args[0]);
                var c = Value(ctx, args[1], Kind.Mark);
                return o.First().Key switch
                {
                    // (x & c): every bit of the result ANDed with c.
                    "&" => Rebase(inner, c, 0),
                    // (x | c) = (x & ~c) ^ c.
                    "|" => Rebase(inner, ~c, c),
                    _ => inner with { Xor = inner.Xor ^ c },
                };
            }

            default:
            {
                var c = Value(ctx, value, Kind.Mark);
                return new MarkStatement(dest, MarkRegister.None, 0, 0, c);
            }
        }

        // The statement so far computes r = (dest & Keep) ^ (src & Take) ^ Xor when Source is another register,
        // or (dest & Take) ^ Xor when Source is the destination itself; apply r' = (r & a) ^ x.
        static MarkStatement Rebase(MarkStatement s, uint a, uint x) =>
            s with { Keep = s.Keep & a, Take = s.Take & a, Xor = (s.Xor & a) ^ x };
    }

    private List<(List<MatchTerm>, RuleTarget)> Nat(RuleContext ctx, string kind, JsonObject body)
    {
        if ((string?)body["family"] is { } fam && fam != "ip")
        {
            throw Located(ctx.Location, $"{kind} to family '{fam}' is not modelled (IPv4 only)");
        }

        var flags = NatFlags(ctx, body["flags"]);
        if (body["addr"] is JsonObject ao && ao["map"] is JsonObject map)
        {
            // dnat to KEY map { k : addr }: nft_lookup with a map; a miss breaks out of the rule (NFT_BREAK), so one
            // rule per element with the key as an extra match is exact.
            var keySel = map["key"];
            var result = new List<(List<MatchTerm>, RuleTarget)>();
            foreach (var (k, data) in MapEntries(ctx, map["data"]))
            {
                var extra = Match(ctx, new JsonObject { ["op"] = "==", ["left"] = keySel?.DeepClone(), ["right"] = k?.DeepClone() }).ToList();
                result.Add((extra, NatTarget(ctx, kind, data, body["port"], flags)));
            }

            return result;
        }

        return [([], NatTarget(ctx, kind, body["addr"], body["port"], flags))];
    }

    private RuleTarget NatTarget(RuleContext ctx, string kind, JsonNode? addr, JsonNode? port, NatRangeFlags flags)
    {
        if (addr is JsonObject cc && cc["concat"] is JsonArray parts && parts.Count == 2 && port is null)
        {
            // Map data "addr . port" (type ipv4_addr . inet_service).
            addr = parts[0];
            port = parts[1];
        }

        if (addr is null)
        {
            throw Located(ctx.Location, $"{kind} without an address");
        }

        var a = ValueInterval(ctx, addr, Kind.Address);
        flags |= NatRangeFlags.MapIps;
        var (minP, maxP) = (0, 0);
        if (port is not null)
        {
            var p = ValueInterval(ctx, port, Kind.Number);
            if (p.Max > 65535)
            {
                throw Located(ctx.Location, $"port {p} out of range");
            }

            (minP, maxP) = ((int)p.Min, (int)p.Max);
            flags |= NatRangeFlags.ProtoSpecified;
        }

        var range = new NatRange(flags, new Ipv4(a.Min), new Ipv4(a.Max), minP, maxP);
        return kind == "snat" ? new SnatTarget(range) : new DnatTarget(range);
    }

    /// <summary>
    /// nft refuses a NAT statement with ports unless an earlier match of the rule fixed the transport protocol
    /// (nftables src/evaluate.c, nat_evaluate_transport: "transport protocol mapping is only valid after transport
    /// protocol match"): <c>meta l4proto</c>/<c>ip protocol</c> equal to a value or set, or a tcp/udp/... header match,
    /// which carries that dependency. A ruleset nft would not load is refused here too, not given a meaning.
    /// </summary>
    private static void RequireTransportMatch(RuleContext ctx, string kind, IEnumerable<MatchTerm> before)
    {
        if (!before.Any(t => t is ValueTerm { Field: PacketField.L4Proto, Negated: false }))
        {
            throw Located(ctx.Location, $"{kind} with ports needs a transport protocol match before it (e.g. 'meta l4proto tcp' or 'tcp dport ...'); nft refuses it: \"transport protocol mapping is only valid after transport protocol match\"");
        }
    }

    private RuleTarget MasqRedir(RuleContext ctx, string kind, JsonObject? body)
    {
        var flags = NatFlags(ctx, body?["flags"]);
        PortRange? ports = null;
        if (body?["port"] is { } port)
        {
            var p = ValueInterval(ctx, port, Kind.Number);
            if (p.Max > 65535)
            {
                throw Located(ctx.Location, $"port {p} out of range");
            }

            ports = new PortRange((int)p.Min, (int)p.Max);
            flags |= NatRangeFlags.ProtoSpecified;
        }

        return kind == "masquerade" ? new MasqueradeTarget(ports, flags) : new RedirectTarget(ports, flags);
    }

    private NatRangeFlags NatFlags(RuleContext ctx, JsonNode? node)
    {
        var flags = NatRangeFlags.None;
        foreach (var f in FlagList(node))
        {
            // NF_NAT_RANGE_* as nft_nat.c/nft_masq.c pass them to nf_nat_setup_info.
            flags |= f switch
            {
                "random" => NatRangeFlags.ProtoRandom,
                "fully-random" => NatRangeFlags.ProtoRandomFully,
                "persistent" => NatRangeFlags.Persistent,
                _ => throw Located(ctx.Location, $"nat flag '{f}' is not modelled"),
            };
        }

        return flags;
    }

    private IReadOnlyList<(JsonNode? Key, JsonNode? Data)> MapEntries(RuleContext ctx, JsonNode? data) => data switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) && s.StartsWith('@') => NamedSet(ctx, s[1..], wantMap: true),
        JsonObject o when o["set"] is JsonArray a => a.Select(e => SplitMapElement(e, true)).ToList(),
        _ => throw Located(ctx.Location, "map data must be an anonymous map or a named map (@name)"),
    };

    private List<(List<MatchTerm>, RuleTarget)> VMap(RuleContext ctx, JsonObject vmap)
    {
        var entries = MapEntries(ctx, vmap["data"]);
        var key = vmap["key"];
        var result = new List<(List<MatchTerm>, RuleTarget)>();

        // numgen/jhash/symhash keys: every lowered rule would draw the selector again. When the elements cover the
        // selector's whole range [offset, offset + mod), a packet that missed every earlier element must hold the last
        // value, so the last rule is unconditional; this keeps the set of reachable outcomes exact.
        var selector = key is JsonObject ko && ko.Count == 1 && ko.First().Key is "numgen" or "jhash" or "symhash" ? ObjectBody(ctx, ko.First().Key, ko.First().Value) : null;
        var covered = false;
        if (selector is not null)
        {
            var mod = U(ctx, selector["mod"]);
            var off = U(ctx, selector["offset"] ?? 0);
            var values = new HashSet<uint>();
            foreach (var (k, _) in entries)
            {
                var i = ValueInterval(ctx, k, Kind.Number);
                for (var x = (ulong)i.Min; x <= i.Max && values.Count <= Math.Min(mod, 1u << 20); x++)
                {
                    values.Add((uint)x);
                }
            }

            covered = mod > 0 && Enumerable.Range(0, (int)Math.Min(mod, 1u << 20)).All(x => values.Contains(off + (uint)x)) && mod <= 1u << 20;
        }

        for (var i = 0; i < entries.Count; i++)
        {
            var (k, verdict) = entries[i];
            var target = verdict switch
            {
                JsonObject vo when vo.ContainsKey("accept") => new AcceptTarget(),
                JsonObject vo when vo.ContainsKey("drop") => new DropTarget(),
                JsonObject vo when vo.ContainsKey("return") => new ReturnTarget(),
                JsonObject vo when vo.ContainsKey("continue") => new ContinueTarget(),
                JsonObject vo when vo["jump"] is { } j => new JumpTarget(ChainRef(ctx, j), false),
                JsonObject vo when vo["goto"] is { } g => (RuleTarget)new JumpTarget(ChainRef(ctx, g), true),
                _ => throw Located(ctx.Location, $"verdict map element value {verdict?.ToJsonString()} is not a verdict"),
            };
            var extra = covered && i == entries.Count - 1
                ? new List<MatchTerm>()
                : Match(ctx, new JsonObject { ["op"] = "==", ["left"] = key?.DeepClone(), ["right"] = k?.DeepClone() }).ToList();
            result.Add((extra, target));
        }

        return result;
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static string Str(JsonObject o, string name, RuleLocation location) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s)
            ? s
            : throw new SpecException(location.File, location.Line, location.Column, $"'{name}' (a string) expected");

    private void Unsupported(RuleLocation location, string what, bool allowOver)
    {
        if (allowOver && _options.OverApproximate)
        {
            NoteOver(location, what);
            return;
        }

        throw Located(location, what);
    }

    /// <summary>The body of a statement or selector that must be an object (hostile input can give null or a scalar).</summary>
    private static JsonObject ObjectBody(RuleContext ctx, string kind, JsonNode? body) =>
        body as JsonObject ?? throw Located(ctx.Location, $"'{kind}' must be an object");

    private static SpecException Located(RuleLocation location, string detail) =>
        new(location.File, location.Line, location.Column, detail);
}
