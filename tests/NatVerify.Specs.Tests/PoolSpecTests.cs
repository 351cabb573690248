using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;

namespace NatVerify.Specs.Tests;

/// <summary>The <c>pools:</c> key: entries held as a count, read with located errors and limits before anything is built.</summary>
public class PoolSpecTests
{
    private const string Head = "name: x\ndescription: d\n";
    private const string OneFlow = "actors:\n  - name: a\n    flow: 192.0.2.1:40000 -> 198.51.100.2:80\n";

    // Line 6 is the pool's first key.
    private static string Pool(string source = "203.0.113.1:2000-2063", string destination = "198.51.100.2:80", string entries = "63", string extra = "") =>
        Head + OneFlow + $"pools:\n  - name: p\n    source: {source}\n    destination: {destination}\n    entries: {entries}\n{extra}";

    private static SpecException Fails(string yaml, int line, int column, string detail) =>
        SpecAssert.Fails(() => SpecLoader.Parse(yaml, "bad.yaml"), line, column, detail);

    [Fact]
    public void Pool_is_read_with_tcp_as_default_protocol()
    {
        var spec = SpecLoader.Parse(Pool(), "ok.yaml");
        var pool = Assert.Single(spec.Model.Pools);
        Assert.Equal(new PortPool("p", L4Protocol.Tcp, Ipv4.Parse("203.0.113.1"), new PortRange(2000, 2063), Ipv4.Parse("198.51.100.2"), 80, 63), pool);
        Assert.Single(spec.Model.Actors);

        var udp = SpecLoader.Parse(Pool(extra: "    proto: udp\n"), "ok.yaml");
        Assert.Equal(L4Protocol.Udp, udp.Model.Pools[0].Protocol);
    }

    [Fact]
    public void Entries_outside_the_range_size_are_refused_before_anything_is_built()
    {
        Fails(Pool(entries: "65"), 10, 14, "bad entries '65': expected 1-64 (the ports of 2000-2063)");
        Fails(Pool(entries: "0"), 10, 14, "bad entries '0'");
        Fails(Pool(entries: "99999999999999999999"), 10, 14, "bad entries");
        Fails(Pool(entries: "-3"), 10, 14, "bad entries");
    }

    [Fact]
    public void Entries_must_fit_in_the_ports_the_spec_does_not_name()
    {
        // The flow names 2001 (its source port), inside the pool's range: 63 unnamed ports remain.
        var yaml = Head + "actors:\n  - name: a\n    flow: 203.0.113.1:2001 -> 198.51.100.2:80\n"
            + "pools:\n  - name: p\n    source: 203.0.113.1:2000-2063\n    destination: 198.51.100.2:80\n    entries: 64\n";
        Fails(yaml, 10, 14, "64 entries do not fit: the spec names 1 of the 64 ports of 2000-2063 elsewhere");
    }

    [Fact]
    public void Bad_addresses_and_ports_are_located_errors()
    {
        Fails(Pool(source: "203.0.113.1"), 8, 13, "bad source '203.0.113.1': expected ADDRESS:LO-HI");
        Fails(Pool(source: "203.0.113.300:1-2"), 8, 13, "bad source address '203.0.113.300'");
        Fails(Pool(source: "203.0.113.1:0-63"), 8, 25, "bad source port '0': ports are 1-65535");
        Fails(Pool(source: "203.0.113.1:1-65536"), 8, 27, "bad source port '65536'");
        Fails(Pool(source: "203.0.113.1:2063-2000"), 8, 25, "the first port must not be above the last");
        Fails(Pool(destination: "198.51.100.2:80-81"), 9, 33, "one port");
    }

    [Fact]
    public void Keys_protocol_names_and_counts_are_checked()
    {
        Fails(Pool(extra: "    proto: icmp\n"), 11, 12, "pool proto must be tcp or udp");
        Fails(Pool(extra: "    size: 3\n"), 11, 5, "size");
        Fails(Head + OneFlow + "pools:\n  - name: a\n    source: 203.0.113.1:2000-2063\n    destination: 198.51.100.2:80\n    entries: 1\n", 7, 11, "already the name of an actor or another pool");
        Fails(Head + OneFlow + "pools: []\n", 6, 8, "'pools' must list at least one pool");
        var many = Head + OneFlow + "pools:\n" + string.Concat(Enumerable.Range(0, 17).Select(k =>
            $"  - {{ name: p{k}, source: '203.0.113.1:{1000 + k}-{1000 + k}', destination: '198.51.100.2:80', entries: 1 }}\n"));
        Fails(many, 23, 5, "at most 16 pools");
    }

    [Fact]
    public void Overlapping_pools_of_one_destination_and_deletes_next_to_pools_are_refused()
    {
        var two = Pool(extra: "  - name: q\n    source: 203.0.113.1:2060-2100\n    destination: 198.51.100.2:80\n    entries: 1\n");
        Fails(two, 12, 13, "pool 'q' overlaps pool 'p'");
        var delete = Head + OneFlow + "  - name: d\n    conntrack: -D -p tcp\n"
            + "pools:\n  - name: p\n    source: 203.0.113.1:2000-2063\n    destination: 198.51.100.2:80\n    entries: 1\n";
        Fails(delete, 6, 11, "conntrack -D actor 'd' next to 'pools' is not modelled");
    }
}
