using System.Globalization;

namespace NatVerify.Specs;

/// <summary>Strict number parsing shared by the spec, iptables and conntrack parsers.</summary>
internal static class NumberText
{
    /// <summary>Parses a decimal number made of ASCII digits only (no sign, no spaces) within [min, max].</summary>
    public static bool TryParseDecimal(string text, int min, int max, out int value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 10 || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var wide) || wide < min || wide > max)
        {
            return false;
        }

        value = (int)wide;
        return true;
    }

    /// <summary>Parses a 32-bit unsigned value written in decimal or as <c>0x</c> hex (marks and masks).</summary>
    public static bool TryParseUInt32(string text, out uint value)
    {
        value = 0;
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            var hex = text[2..];
            return hex.Length is > 0 and <= 8 && hex.All(char.IsAsciiHexDigit)
                && uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        return text.Length > 0 && text.All(char.IsAsciiDigit)
            && uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Formats an integer for messages without culture surprises.</summary>
    public static string Show(long value) => value.ToString(CultureInfo.InvariantCulture);
}
