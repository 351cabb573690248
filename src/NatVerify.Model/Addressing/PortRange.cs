using System.Globalization;

namespace NatVerify.Model.Addressing;

/// <summary>An inclusive range of concrete port numbers, as in <c>--to-ports 1000-2000</c> or <c>--dport 1:1023</c>.</summary>
public readonly record struct PortRange(int Min, int Max)
{
    /// <summary>Number of ports in the range.</summary>
    public int Size => Max - Min + 1;

    /// <summary>A single-port range.</summary>
    public static PortRange Single(int port) => new(port, port);

    /// <inheritdoc />
    public override string ToString() => Min == Max
        ? Min.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Min}-{Max}");
}
