using FsCheck.Xunit;
using NatVerify.Model.Addressing;
using NatVerify.Model.Tuples;
using Xunit;

namespace NatVerify.Model.Tests;

public class TupleTests
{
    [Property(MaxTest = 500)]
    public bool Invert_is_an_involution_for_tcp_and_udp(uint s, ushort sp, uint d, ushort dp, bool udp)
    {
        var t = new ConntrackTuple(udp ? L4Protocol.Udp : L4Protocol.Tcp, new Ipv4(s), Port.Of(sp), new Ipv4(d), Port.Of(dp));
        return t.Invert().Invert() == t;
    }

    [Property(MaxTest = 500)]
    public bool Invert_is_an_involution_for_icmp_echo_and_keeps_the_id(uint s, ushort id, uint d)
    {
        var t = new ConntrackTuple(L4Protocol.Icmp, new Ipv4(s), Port.Of(id), new Ipv4(d), ConntrackTuple.IcmpEchoRequest);
        var r = t.Invert();
        return r.Invert() == t && r.SrcPort == t.SrcPort && r.DstPort == ConntrackTuple.IcmpEchoReply;
    }

    [Fact]
    public void Invert_swaps_addresses_and_ports()
    {
        var t = Build.Tcp(Build.Client, 12345, Build.Server, 80);
        Assert.Equal(Build.Tcp(Build.Server, 80, Build.Client, 12345), t.Invert());
    }

    [Theory]
    [InlineData(0, 1, 511)]
    [InlineData(80, 1, 511)]
    [InlineData(511, 1, 511)]
    [InlineData(512, 600, 1023)]
    [InlineData(599, 600, 1023)]
    [InlineData(600, 600, 1023)]
    [InlineData(1023, 600, 1023)]
    [InlineData(1024, 1024, 65535)]
    [InlineData(65535, 1024, 65535)]
    public void Port_class_follows_nf_nat_l4proto_unique_tuple(int port, int min, int max)
    {
        Assert.Equal(new PortRange(min, max), PortUniverse.KernelPortClass(port));
    }

    [Fact]
    public void Port_universe_keeps_named_ports_concrete_and_abstracts_large_intervals()
    {
        var u = PortUniverse.Create([80, 12345, 54321], []);
        Assert.Contains(80, u.Concrete);
        Assert.Contains(12345, u.Concrete);
        Assert.Contains(550, u.Concrete); // 512..599 has only 88 ports: enumerated
        var big = Assert.Single(u.Atoms, a => a.Lo == 1024);
        Assert.Equal(65535, big.Hi);
        Assert.Equal(64512 - 2, big.Unnamed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(256)]
    [InlineData(-1)]
    public void Fresh_port_refuses_an_index_outside_its_8_bits_instead_of_aliasing_the_next_atom(int index)
    {
        // Index 256 of atom 0 would otherwise be index 0 of atom 1: two different values, one representation.
        Assert.Throws<ArgumentOutOfRangeException>(() => Port.Fresh(0, index));
        var last = Port.Fresh(0, Port.MaxFreshIndex);
        Assert.Equal((0, 255), (last.Atom, last.FreshIndex));
    }

    [Fact]
    public void Port_universe_splits_atoms_at_rule_range_boundaries()
    {
        var u = PortUniverse.Create([], [new PortRange(2000, 2999)]);
        Assert.Contains(u.Atoms, a => a.Lo == 2000 && a.Hi == 2999);
        Assert.True(u.InRange(Port.Fresh(u.Atoms.ToList().FindIndex(a => a.Lo == 2000), 1), 2000, 2999));
    }

    [Fact]
    public void Cidr_contains_addresses_of_its_prefix_only()
    {
        Assert.True(Cidr.TryParse("198.51.100.0/24", out var c));
        Assert.True(c.Contains(Build.Client));
        Assert.False(c.Contains(Ipv4.Parse("203.0.113.1")));
    }
}
