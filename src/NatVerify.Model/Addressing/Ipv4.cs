using System.Globalization;

namespace NatVerify.Model.Addressing;

/// <summary>An IPv4 address held as its 32-bit big-endian value.</summary>
public readonly record struct Ipv4(uint Value) : IComparable<Ipv4>
{
    /// <summary>
    /// Parses dotted-quad notation of four decimal octets; returns false for anything else, including an octet with a
    /// leading zero: inet_aton() and iptables read '051' as octal (41), so such an address means different things to
    /// different tools and is refused (see <see cref="Hint"/>).
    /// </summary>
    public static bool TryParse(string text, out Ipv4 address)
    {
        address = default;
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        uint value = 0;
        foreach (var part in parts)
        {
            if (part.Length == 0 || part.Length > 3 || !part.All(char.IsAsciiDigit) || (part.Length > 1 && part[0] == '0')
                || !uint.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var octet) || octet > 255)
            {
                return false;
            }

            value = (value << 8) | octet;
        }

        address = new Ipv4(value);
        return true;
    }

    /// <summary>
    /// Why text that looks like a dotted quad was refused, for an error message: the leading-zero rule, or nothing.
    /// </summary>
    public static string Hint(string text) =>
        text.Split('.') is { Length: 4 } parts && parts.Any(p => p.Length > 1 && p[0] == '0' && p.All(char.IsAsciiDigit))
            ? " (an octet with a leading zero is octal for inet_aton and iptables: '010' is 8; write octets without leading zeros)"
            : string.Empty;

    /// <summary>Parses dotted-quad notation or throws <see cref="FormatException"/>.</summary>
    public static Ipv4 Parse(string text) =>
        TryParse(text, out var a) ? a : throw new FormatException($"'{text}' is not an IPv4 address");

    /// <inheritdoc />
    public int CompareTo(Ipv4 other) => Value.CompareTo(other.Value);

    /// <inheritdoc />
    public override string ToString() =>
        $"{Value >> 24}.{(Value >> 16) & 0xff}.{(Value >> 8) & 0xff}.{Value & 0xff}";
}
