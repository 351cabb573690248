using System.Globalization;

namespace NatVerify.Model.Addressing;

/// <summary>An IPv4 address held as its 32-bit big-endian value.</summary>
public readonly record struct Ipv4(uint Value) : IComparable<Ipv4>
{
    /// <summary>Parses dotted-quad notation; returns false for anything else.</summary>
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
            if (part.Length == 0 || part.Length > 3 || !part.All(char.IsAsciiDigit)
                || !uint.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var octet) || octet > 255)
            {
                return false;
            }

            value = (value << 8) | octet;
        }

        address = new Ipv4(value);
        return true;
    }

    /// <summary>Parses dotted-quad notation or throws <see cref="FormatException"/>.</summary>
    public static Ipv4 Parse(string text) =>
        TryParse(text, out var a) ? a : throw new FormatException($"'{text}' is not an IPv4 address");

    /// <inheritdoc />
    public int CompareTo(Ipv4 other) => Value.CompareTo(other.Value);

    /// <inheritdoc />
    public override string ToString() =>
        $"{Value >> 24}.{(Value >> 16) & 0xff}.{(Value >> 8) & 0xff}.{Value & 0xff}";
}
