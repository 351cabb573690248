using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NatVerify.Specs.Nft;

/// <summary>
/// Renders a rule of <c>nft -j list ruleset</c> (its <c>expr</c> array and rule-level <c>comment</c>) in the syntax
/// <c>nft list ruleset</c> prints for the same rule (libnftables' <c>rule_print</c>: statements separated by one blank,
/// the implicit <c>==</c> left out except after a bitwise operation, marks as <c>0x%08x</c>, interface names quoted,
/// sets as <c>{ a, b }</c>, nat flags comma-separated). Reports then name a rule the same way whichever notation it was
/// read from. A construct without a known text form is rendered as its JSON, so nothing is hidden.
/// </summary>
public static class NftJsonText
{
    /// <summary>The rule's statements in nft text syntax.</summary>
    /// <param name="rule">The body of a <c>{"rule": {...}}</c> object.</param>
    public static string Rule(JsonObject rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var parts = new List<string>();
        if (rule["expr"] is JsonArray exprs)
        {
            foreach (var e in exprs)
            {
                parts.Add(Statement(e));
            }
        }

        if (rule["comment"] is JsonValue c && c.TryGetValue<string>(out var comment))
        {
            parts.Add($"comment {Quote(comment)}");
        }

        return string.Join(" ", parts.Where(p => p.Length > 0));
    }

    private enum ValueType
    {
        Plain,
        Mark,
        Name,
    }

    private static string Statement(JsonNode? node)
    {
        if (node is not JsonObject o || o.Count != 1)
        {
            return Json(node);
        }

        var (kind, body) = o.First();
        switch (kind)
        {
            case "match" when body is JsonObject m:
                return Match(m);
            case "accept" or "drop" or "return" or "continue" or "notrack":
                return kind;
            case "jump" or "goto":
                return $"{kind} {Str(body?["target"])}";
            case "reject":
                return body is JsonObject r && r["type"] is not null
                    ? $"reject with {Str(r["type"])}{(r["expr"] is { } re ? " " + Str(re) : string.Empty)}"
                    : "reject";
            case "counter":
                return body switch
                {
                    JsonObject co when co["packets"] is not null => $"counter packets {Str(co["packets"])} bytes {Str(co["bytes"])}",
                    JsonValue cv when cv.TryGetValue<string>(out var name) => $"counter name {Quote(name)}",
                    _ => "counter",
                };
            case "log":
                return body is JsonObject lo && lo["prefix"] is JsonValue pv && pv.TryGetValue<string>(out var prefix)
                    ? $"log prefix {Quote(prefix)}"
                    : "log";
            case "comment":
                return $"comment {Quote(Str(body))}";
            case "mangle" when body is JsonObject mg:
            {
                var key = mg["key"];
                return $"{Expr(key)} set {Value(mg["value"], TypeOf(key))}";
            }

            case "snat" or "dnat" when body is JsonObject nat:
                return Nat(kind, nat);
            case "snat" or "dnat":
                return kind;
            case "masquerade" or "redirect":
            {
                var sb = new StringBuilder(kind);
                if (body is JsonObject mb)
                {
                    if (mb["port"] is { } port)
                    {
                        sb.Append(" to :").Append(Value(port, ValueType.Plain));
                    }

                    sb.Append(Flags(mb["flags"]));
                }

                return sb.ToString();
            }

            case "vmap" when body is JsonObject vm:
                return $"{Expr(vm["key"])} vmap {Value(vm["data"], ValueType.Plain)}";
            case "xt" when body is JsonObject xt:
                return $"xt {Str(xt["type"])} {Str(xt["name"])}";
            default:
                return Json(node);
        }
    }

    private static string Match(JsonObject m)
    {
        var op = m["op"] is null ? "==" : Str(m["op"]);
        var left = m["left"];
        var l = Expr(left);
        var r = Value(m["right"], TypeOf(left));

        // nft leaves OP_IMPLICIT/OP_EQ out after a plain selector but prints it after a bitwise operation
        // ("meta mark & 0x00004000 == 0x00000000"), where it cannot be omitted.
        var bitwise = left is JsonObject lo && lo.Count == 1 && lo.First().Key is "&" or "|" or "^";
        return op switch
        {
            "==" or "in" when !bitwise => $"{l} {r}",
            _ => $"{l} {op} {r}",
        };
    }

    private static string Nat(string kind, JsonObject nat)
    {
        var sb = new StringBuilder(kind);
        if (nat["family"] is JsonValue fv && fv.TryGetValue<string>(out var family))
        {
            sb.Append(' ').Append(family);
        }

        var addr = nat["addr"];
        var port = nat["port"];
        if (addr is not null || port is not null)
        {
            sb.Append(" to ");
            if (addr is JsonObject ao && ao["map"] is JsonObject map)
            {
                sb.Append(Expr(map["key"])).Append(" map ").Append(Value(map["data"], ValueType.Plain));
            }
            else if (addr is not null)
            {
                sb.Append(Value(addr, ValueType.Plain));
            }

            if (port is not null)
            {
                sb.Append(':').Append(Value(port, ValueType.Plain));
            }
        }

        sb.Append(Flags(nat["flags"]));
        return sb.ToString();
    }

    // print_nf_nat_flags: " random,fully-random,persistent" in that order, whatever order the JSON lists them in.
    private static string Flags(JsonNode? node)
    {
        var set = node switch
        {
            JsonArray a => a.Select(x => Str(x)).ToHashSet(StringComparer.Ordinal),
            JsonValue v when v.TryGetValue<string>(out var s) => [s],
            _ => [],
        };
        if (set.Count == 0)
        {
            return string.Empty;
        }

        var known = new[] { "random", "fully-random", "persistent" };
        var ordered = known.Where(set.Contains).Concat(set.Where(f => !known.Contains(f)).Order(StringComparer.Ordinal));
        return " " + string.Join(",", ordered);
    }

    private static ValueType TypeOf(JsonNode? left) => left switch
    {
        JsonObject o when o["meta"] is JsonObject meta => Str(meta["key"]) switch
        {
            "mark" => ValueType.Mark,
            "iifname" or "oifname" => ValueType.Name,
            _ => ValueType.Plain,
        },
        JsonObject o when o["ct"] is JsonObject ct && Str(ct["key"]) == "mark" => ValueType.Mark,
        JsonObject o when o.Count == 1 && o.First().Key is "&" or "|" or "^" && o.First().Value is JsonArray args && args.Count == 2 => TypeOf(args[0]),
        _ => ValueType.Plain,
    };

    private static string Expr(JsonNode? node)
    {
        if (node is not JsonObject o || o.Count != 1)
        {
            return Value(node, ValueType.Plain);
        }

        var (kind, body) = o.First();
        switch (kind)
        {
            case "payload" when body is JsonObject p:
                return p["protocol"] is not null
                    ? $"{Str(p["protocol"])} {Str(p["field"])}"
                    : $"@{Str(p["base"])},{Str(p["offset"])},{Str(p["len"])}";
            case "meta" when body is JsonObject meta:
            {
                // meta_key_is_unqualified: these keys print without the "meta" keyword.
                var key = Str(meta["key"]);
                return key is "iif" or "oif" or "iifname" or "oifname" or "iifgroup" or "oifgroup" ? key : $"meta {key}";
            }

            case "ct" when body is JsonObject ct:
                return ct["dir"] is { } dir ? $"ct {Str(dir)} {Str(ct["key"])}" : $"ct {Str(ct["key"])}";
            case "&" or "|" or "^" when body is JsonArray args && args.Count == 2:
                return $"{Expr(args[0])} {kind} {Value(args[1], TypeOf(args[0]))}";
            case "concat" when body is JsonArray parts:
                return string.Join(" . ", parts.Select(Expr));
            case "numgen" when body is JsonObject ng:
                return $"numgen {Str(ng["mode"])} mod {Str(ng["mod"])}{Offset(ng)}";
            case "jhash" when body is JsonObject jh:
                return $"jhash {Expr(jh["expr"])} mod {Str(jh["mod"])}{(jh["seed"] is { } seed ? $" seed 0x{ToUInt(seed):x}" : string.Empty)}{Offset(jh)}";
            case "symhash" when body is JsonObject sh:
                return $"symhash mod {Str(sh["mod"])}{Offset(sh)}";
            case "fib" when body is JsonObject fib:
            {
                var flags = fib["flags"] switch
                {
                    JsonArray a => string.Join(" . ", a.Select(Str)),
                    var f => Str(f),
                };
                return $"fib {flags} {Str(fib["result"])}";
            }

            default:
                return Value(node, ValueType.Plain);
        }

        static string Offset(JsonObject o) => o["offset"] is { } off && ToUInt(off) != 0 ? $" offset {Str(off)}" : string.Empty;
    }

    private static string Value(JsonNode? node, ValueType type)
    {
        switch (node)
        {
            case null:
                return string.Empty;
            case JsonObject o when o["set"] is JsonArray set:
                return set.Count == 0 ? "{ }" : "{ " + string.Join(", ", set.Select(e => Element(e, type))) + " }";
            case JsonObject o when o["set"] is { } single:
                return "{ " + Element(single, type) + " }";
            case JsonObject o when o["prefix"] is JsonObject p:
                return $"{Str(p["addr"])}/{Str(p["len"])}";
            case JsonObject o when o["range"] is JsonArray r && r.Count == 2:
                return $"{Value(r[0], type)}-{Value(r[1], type)}";
            case JsonObject o when o["concat"] is JsonArray parts:
                return string.Join(" . ", parts.Select(x => Value(x, ValueType.Plain)));
            case JsonObject o when o.Count == 1 && o.First().Key is "accept" or "drop" or "return" or "continue" or "jump" or "goto":
                return Statement(o);
            case JsonObject o when o.Count == 1 && o.First().Key is "payload" or "meta" or "ct" or "&" or "|" or "^" or "numgen" or "jhash" or "symhash":
                return Expr(o);
            case JsonObject:
                return Json(node);
            case JsonArray flags:
                // A flag list (ct state established,related).
                return string.Join(",", flags.Select(f => Value(f, type)));
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                return type == ValueType.Mark ? $"0x{ToUInt(v):x8}" : v.ToJsonString();
            case JsonValue v when v.TryGetValue<string>(out var s):
                return type == ValueType.Name && !s.StartsWith('@') ? Quote(s) : s;
            default:
                return Json(node);
        }
    }

    private static string Element(JsonNode? e, ValueType type) => e switch
    {
        // A map element [key, value]; the value of a verdict map is a verdict statement.
        JsonArray pair when pair.Count == 2 => $"{Value(pair[0], type)} : {Value(pair[1], ValueType.Plain)}",
        JsonObject o when o["elem"] is JsonObject inner => Value(inner["val"], type),
        _ => Value(e, type),
    };

    private static uint ToUInt(JsonNode node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? unchecked((uint)n)
            : 0;

    private static string Str(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v => v.ToJsonString(),
        null => string.Empty,
        _ => Json(node),
    };

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Json(JsonNode? node)
    {
        var s = node?.ToJsonString() ?? "null";
        return s.Length <= 200 ? s : s[..200] + "...";
    }
}
