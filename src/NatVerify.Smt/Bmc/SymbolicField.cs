using System.Globalization;
using NatVerify.Model.Addressing;

namespace NatVerify.Smt.Bmc;

/// <summary>
/// One field of a scenario that <c>natverify prove --bmc</c> treats as "any value": <c>ACTOR.FIELD</c>, optionally
/// <c>in LO-HI</c> (ports) or <c>in a.b.c.d/n</c> (addresses).
/// </summary>
/// <param name="Actor">The actor's name.</param>
/// <param name="Field">src, sport, dst, dport (the original tuple), or reply-src, reply-sport, reply-dst, reply-dport (ctnetlink inserts).</param>
/// <param name="Min">Smallest value allowed.</param>
/// <param name="Max">Largest value allowed.</param>
public sealed record SymbolicField(string Actor, string Field, ulong Min, ulong Max)
{
    /// <summary>The field names, in the order they are documented.</summary>
    public static IReadOnlyList<string> FieldNames { get; } = ["src", "sport", "dst", "dport", "reply-src", "reply-sport", "reply-dst", "reply-dport"];

    /// <summary>True for a port field (16 bits), false for an address field (32 bits).</summary>
    public bool IsPort => Field.EndsWith("port", StringComparison.Ordinal);

    /// <summary>True for a field of the reply tuple (only ctnetlink inserts have one of their own).</summary>
    public bool IsReply => Field.StartsWith("reply-", StringComparison.Ordinal);

    /// <summary>Bit width of the field.</summary>
    public uint Width => IsPort ? 16u : 32u;

    /// <summary>Parses <c>ACTOR.FIELD [in RANGE]</c>; returns an error message or null.</summary>
    public static string? TryParse(string text, out SymbolicField? field)
    {
        field = null;
        var parts = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is not (1 or 3) || (parts.Length == 3 && parts[1] != "in"))
        {
            return $"'{text}' is not ACTOR.FIELD or ACTOR.FIELD in RANGE";
        }

        var dot = parts[0].LastIndexOf('.');
        if (dot <= 0 || dot == parts[0].Length - 1)
        {
            return $"'{parts[0]}' is not ACTOR.FIELD";
        }

        var actor = parts[0][..dot];
        var name = parts[0][(dot + 1)..];
        if (!FieldNames.Contains(name))
        {
            return $"unknown field '{name}'; fields: {string.Join(", ", FieldNames)}";
        }

        var isPort = name.EndsWith("port", StringComparison.Ordinal);
        ulong min = 0, max = isPort ? 65535u : uint.MaxValue;
        if (parts.Length == 3)
        {
            var range = parts[2];
            if (isPort)
            {
                var dash = range.IndexOf('-');
                var loText = dash < 0 ? range : range[..dash];
                var hiText = dash < 0 ? range : range[(dash + 1)..];
                if (!ushort.TryParse(loText, NumberStyles.None, CultureInfo.InvariantCulture, out var lo)
                    || !ushort.TryParse(hiText, NumberStyles.None, CultureInfo.InvariantCulture, out var hi) || lo > hi)
                {
                    return $"'{range}' is not a port range LO-HI within 0-65535";
                }

                (min, max) = (lo, hi);
            }
            else
            {
                if (!Cidr.TryParse(range, out var cidr))
                {
                    return $"'{range}' is not an address or prefix a.b.c.d/n";
                }

                var mask = cidr.PrefixLength == 0 ? 0u : uint.MaxValue << (32 - cidr.PrefixLength);
                min = cidr.Network.Value & mask;
                max = min | ~mask;
            }
        }

        field = new SymbolicField(actor, name, min, max);
        return null;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var full = IsPort ? Min == 0 && Max == 65535 : Min == 0 && Max == uint.MaxValue;
        if (full)
        {
            return $"{Actor}.{Field}";
        }

        return IsPort
            ? string.Create(CultureInfo.InvariantCulture, $"{Actor}.{Field} in {Min}-{Max}")
            : $"{Actor}.{Field} in {new Ipv4((uint)Min)}-{new Ipv4((uint)Max)}";
    }
}
