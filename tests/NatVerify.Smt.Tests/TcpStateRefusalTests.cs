using NatVerify.Smt.Bmc;
using NatVerify.Specs;
using Xunit;

namespace NatVerify.Smt.Tests;

/// <summary>The BMC encoding has no TCP state and no retransmissions: such specs are refused with the reason, never mis-encoded.</summary>
public class TcpStateRefusalTests
{
    [Fact]
    public void Close_actor_is_refused_by_bmc()
    {
        var spec = SpecLoader.Parse("""
            name: close
            description: x
            actors:
              - name: a
                flow: 198.51.100.1:1 -> 198.51.100.2:2
              - name: c
                close: a
            """, "close.yaml");
        var e = Assert.Throws<BmcUnsupportedException>(() => BmcSubset.Check(spec.Model));
        Assert.Contains("closes a TCP connection", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Retrying_flow_is_refused_by_bmc()
    {
        var spec = SpecLoader.Parse("""
            name: retry
            description: x
            actors:
              - name: a
                flow: 198.51.100.1:1 -> 198.51.100.2:2
                retries: 1
            """, "retry.yaml");
        var e = Assert.Throws<BmcUnsupportedException>(() => BmcSubset.Check(spec.Model));
        Assert.Contains("retransmits its SYN", e.Message, StringComparison.Ordinal);
    }
}
