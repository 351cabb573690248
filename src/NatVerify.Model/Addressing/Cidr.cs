namespace NatVerify.Model.Addressing;

/// <summary>An IPv4 prefix as used by iptables' <c>-s</c>/<c>-d</c> matches.</summary>
public readonly record struct Cidr(Ipv4 Network, int PrefixLength)
{
    private uint Mask => PrefixLength == 0 ? 0u : uint.MaxValue << (32 - PrefixLength);

    /// <summary>True when the address lies inside the prefix.</summary>
    public bool Contains(Ipv4 address) => (address.Value & Mask) == (Network.Value & Mask);

    /// <summary>Parses <c>a.b.c.d</c> or <c>a.b.c.d/n</c> (n in 0..32).</summary>
    public static bool TryParse(string text, out Cidr cidr)
    {
        cidr = default;
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        var length = 32;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], out length) || length < 0 || length > 32))
        {
            return false;
        }

        if (!Ipv4.TryParse(addressText, out var address))
        {
            return false;
        }

        cidr = new Cidr(address, length);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => PrefixLength == 32 ? Network.ToString() : $"{Network}/{PrefixLength}";
}
