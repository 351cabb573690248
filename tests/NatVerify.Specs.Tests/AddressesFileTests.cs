using NatVerify.Model.Addressing;
using NatVerify.Specs.Input;
using Xunit;

namespace NatVerify.Specs.Tests;

/// <summary>
/// <c>addresses-file:</c> gives a spec's interfaces as <c>ip -j addr show</c> prints them, under the rules of
/// <c>ruleset-file</c>: a file in the spec's directory, never from a spec embedded in a trace, located errors.
/// </summary>
public class AddressesFileTests
{
    // Trimmed real 'ip -j addr show' output of a host: loopback, two IPv4 addresses and an IPv6 one on veth0, a bridge
    // with only IPv6.
    private const string IpAddrShow = """
        [{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"qdisc":"noqueue","operstate":"UNKNOWN","group":"default","txqlen":1000,"link_type":"loopback","address":"00:00:00:00:00:00","broadcast":"00:00:00:00:00:00","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host","label":"lo","valid_life_time":4294967295,"preferred_life_time":4294967295}]},
         {"ifindex":2,"link_index":3,"ifname":"veth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether","address":"7e:4b:0d:36:2a:11","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":0,"addr_info":[{"family":"inet","local":"198.51.100.1","prefixlen":24,"scope":"global","label":"veth0","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet","local":"203.0.113.1","prefixlen":24,"scope":"global","label":"veth0","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet6","local":"fe80::7c4b:dff:fe36:2a11","prefixlen":64,"scope":"link","valid_life_time":4294967295,"preferred_life_time":4294967295}]},
         {"ifindex":4,"ifname":"br0","flags":["BROADCAST","MULTICAST","UP"],"mtu":1500,"qdisc":"noqueue","operstate":"DOWN","group":"default","txqlen":1000,"link_type":"ether","address":"02:42:ac:11:00:01","broadcast":"ff:ff:ff:ff:ff:ff","addr_info":[{"family":"inet6","local":"fe80::42:acff:fe11:1","prefixlen":64,"scope":"link","valid_life_time":4294967295,"preferred_life_time":4294967295}]}]
        """;

    private const string Spec = """
        name: from-ip-addr
        description: Interfaces from ip -j addr show.
        addresses-file: addrs.json
        actors:
          - name: a
            flow: 198.51.100.1:1000 -> 203.0.113.2:80
        """;

    [Fact]
    public void Every_ipv4_address_of_every_link_is_read_in_the_kernels_order_without_loopback_or_ipv6_only_links()
    {
        var spec = InDirectory(Spec, addresses: IpAddrShow, (dir, path) => SpecLoader.LoadFile(path));
        var veth = Assert.Single(spec.Model.Interfaces);
        Assert.Equal("veth0", veth.Name);
        Assert.Equal([new(Ipv4.Parse("198.51.100.1"), 24), new(Ipv4.Parse("203.0.113.1"), 24)], veth.Addresses);
        Assert.Equal(Ipv4.Parse("198.51.100.1"), spec.Model.InterfaceAddresses["veth0"]);

        // With one interface declared, a flow's out interface defaults to it, as with 'interfaces:'.
        Assert.Equal("veth0", Assert.IsType<Model.Scenario.FlowActor>(spec.Model.Actors[0]).OutInterface);
    }

    [Fact]
    public void Interfaces_and_addresses_file_together_are_refused_at_the_key()
    {
        var text = Spec + "\ninterfaces:\n  eth0: 198.51.100.1\n";
        var ex = InDirectory(text, IpAddrShow, (dir, path) => SpecAssert.Fails(() => SpecLoader.LoadFile(path), 3, 1, "give either 'interfaces' or 'addresses-file', not both"));
        Assert.EndsWith("s.yaml", ex.File, StringComparison.Ordinal);
    }

    [Fact]
    public void An_embedded_spec_may_not_name_an_addresses_file()
    {
        SpecAssert.Fails(() => SpecLoader.Parse(Spec, "trace.json#spec", SpecLoadOptions.Embedded), 3, 17, "'addresses-file' is not allowed here: a spec embedded in a trace must be self-contained");
    }

    [Fact]
    public void An_addresses_file_outside_the_specs_directory_is_refused()
    {
        InDirectory(Spec.Replace("addrs.json", "../addrs.json", StringComparison.Ordinal), IpAddrShow,
            (dir, path) => SpecAssert.Fails(() => SpecLoader.LoadFile(path), 3, 17, "'addresses-file' must name a file in the spec's directory or below it"));
    }

    [Fact]
    public void A_file_that_is_not_ip_addr_output_is_refused_without_showing_its_content()
    {
        var ex = InDirectory(Spec, "secret-token: hunter2\n", (dir, path) => SpecAssert.Fails(() => SpecLoader.LoadFile(path), 3, 17, "is not 'ip -j addr show' output"));
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_address_in_the_file_is_reported_at_its_line_and_column_in_that_file()
    {
        var bad = "[\n {\"ifname\": \"veth0\", \"addr_info\": [\n  {\"family\": \"inet\", \"local\": \"198.51.100.300\", \"prefixlen\": 24}]}]\n";
        var ex = InDirectory(Spec, bad, (dir, path) => SpecAssert.Fails(() => SpecLoader.LoadFile(path), 3, 31, "is not an IPv4 address"));
        Assert.EndsWith("addrs.json", ex.File, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostile_addresses_files_are_located_errors_before_the_parser_reads_them()
    {
        // Nested 100,000 deep: refused by the depth limit at the 65th bracket, in the addresses file.
        var deep = InDirectory(Spec, new string('[', 100_000) + new string(']', 100_000), (dir, path) => SpecAssert.Fails(() => SpecLoader.LoadFile(path), 1, 65, "nesting deeper than 64 levels"));
        Assert.EndsWith("addrs.json", deep.File, StringComparison.Ordinal);

        // An interface name with a newline and a command substitution never reaches a kernel script.
        InDirectory(Spec, "[{\"ifname\": \"eth0\\n$(id)\", \"addr_info\": [{\"family\": \"inet\", \"local\": \"198.51.100.1\", \"prefixlen\": 24}]}]",
            (dir, path) => SpecAssert.Fails(() => SpecLoader.LoadFile(path), 3, 17, "names an interface that is not a valid name"));

        // A file over the size limit is refused before it is read.
        InDirectory(Spec, new string(' ', 4 * 1024 * 1024 + 1), (dir, path) => SpecAssert.Fails(() => SpecLoader.LoadFile(path), 3, 17, "larger than the limit"));
    }

    private static T InDirectory<T>(string spec, string addresses, Func<string, string, T> run)
    {
        var dir = Directory.CreateTempSubdirectory("natverify-addrs-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "addrs.json"), addresses);
            var path = Path.Combine(dir.FullName, "s.yaml");
            File.WriteAllText(path, spec);
            return run(dir.FullName, path);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
