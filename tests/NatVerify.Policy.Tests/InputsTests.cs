using NatVerify.Model.Addressing;
using NatVerify.Policy.Inputs;
using NatVerify.Specs;
using Xunit;

namespace NatVerify.Policy.Tests;

/// <summary>
/// The host-fact readers on real outputs: Fixtures/ip-addr.json, ss-tuanp.txt and ss-tulnp.txt were printed by
/// iproute2 in a private namespace with two veth interfaces (lan0 192.168.1.1/24; wan0 203.0.113.10/24 and
/// .11/24 plus an IPv6 address) and the listeners of scripts/policy-host-fixture-listeners.py.
/// </summary>
public sealed class InputsTests
{
    [Fact]
    public void Ip_addr_json_keeps_every_ipv4_address_with_its_prefix_and_reports_ipv6_as_ignored()
    {
        var assumptions = new List<string>();
        var ifs = IpAddrReader.Parse(File.ReadAllText(PolicyRepo.Fixture("ip-addr.json")), "ip-addr.json", assumptions);
        var wan = Assert.Single(ifs, i => i.Name == "wan0");
        Assert.Equal(["203.0.113.10/24", "203.0.113.11/24"], wan.Addresses.Select(a => $"{a.Address}/{a.PrefixLength}"));
        Assert.Equal("192.168.1.1", Assert.Single(Assert.Single(ifs, i => i.Name == "lan0").Addresses).Address.ToString());
        Assert.Empty(Assert.Single(ifs, i => i.Name == "lan0p").Addresses);
        Assert.Contains(assumptions, a => a.Contains("IPv6 address(es) ignored", StringComparison.Ordinal));
    }

    [Fact]
    public void Ss_tuanp_gives_listeners_unconnected_udp_as_listening_and_connected_sockets_as_clients()
    {
        var assumptions = new List<string>();
        var sockets = SsReader.Parse(File.ReadAllText(PolicyRepo.Fixture("ss-tuanp.txt")), "ss-tuanp.txt", assumptions);
        Assert.Contains(new LocalSocket(L4Protocol.Tcp, Ipv4.Parse("0.0.0.0"), 22, true, "python3"), sockets);
        Assert.Contains(new LocalSocket(L4Protocol.Udp, Ipv4.Parse("0.0.0.0"), 51820, true, "python3"), sockets);
        Assert.Contains(new LocalSocket(L4Protocol.Udp, Ipv4.Parse("203.0.113.10"), 33000, false, "python3"), sockets);
        Assert.Contains(new LocalSocket(L4Protocol.Tcp, Ipv4.Parse("192.168.1.1"), 40000, false, "python3"), sockets);
        Assert.DoesNotContain(sockets, s => s.Port == 80);
        Assert.Contains(assumptions, a => a.Contains("IPv6-only socket(s) ignored", StringComparison.Ordinal));
    }

    [Fact]
    public void Ss_tulnp_lists_only_listeners()
    {
        var sockets = SsReader.Parse(File.ReadAllText(PolicyRepo.Fixture("ss-tulnp.txt")), "ss-tulnp.txt", new List<string>());
        Assert.Equal(5, sockets.Count);
        Assert.All(sockets, s => Assert.True(s.Listening));
    }

    [Theory]
    [InlineData("tcp   LISTEN 0      4096               *:8443            *:*    users:((\"my daemon\",pid=7,fd=3))", "0.0.0.0", 8443, true, "my daemon")]
    [InlineData("udp   UNCONN 0      0      127.0.0.53%lo:53         0.0.0.0:*    users:((\"systemd-resolve\",pid=1,fd=13),(\"x\",pid=2,fd=1))", "127.0.0.53", 53, true, "systemd-resolve,x")]
    [InlineData("tcp   ESTAB  0      0      [::ffff:198.51.100.2]:443 [::ffff:192.0.2.1]:5555", "198.51.100.2", 443, false, null)]
    [InlineData("LISTEN 0      128          0.0.0.0:22        0.0.0.0:*", "0.0.0.0", 22, true, null)]
    public void Ss_address_forms_wildcard_device_suffix_mapped_and_missing_netid(string line, string address, int port, bool listening, string? name)
    {
        var assumptions = new List<string>();
        var s = Assert.Single(SsReader.Parse(line, "ss.txt", assumptions));
        Assert.Equal((address, port, listening, name), (s.Address.ToString(), s.Port, s.Listening, s.Name));
        Assert.Equal(line.Contains('%', StringComparison.Ordinal), assumptions.Any(a => a.Contains("bound to device lo", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("sctp LISTEN 0 0 0.0.0.0:1 0.0.0.0:*", 1, 1)]
    [InlineData("tcp LISTEN 0 4 0.0.0.0:99999 0.0.0.0:*", 1, 24)]
    [InlineData("tcp\n tcp LISTEN 0 4 10.0.0.1:22 0.0.0.0:* users:(oops)", 1, 4)]
    [InlineData("tcp LISTEN 0 4 0.0.0.0:22 0.0.0.0:*\ntcp LISTEN 0 4 10.0.0.300:22 0.0.0.0:*", 2, 16)]
    public void Bad_ss_lines_are_located_errors(string text, int line, int column)
    {
        var e = Assert.Throws<SpecException>(() => SsReader.Parse(text, "ss.txt", new List<string>()));
        Assert.Equal(("ss.txt", line, column), (e.File, e.Line, e.Column));
    }

    [Fact]
    public void Bad_ip_json_is_a_located_error_at_the_offending_value()
    {
        var text = "[{\"ifindex\":1,\"ifname\":\"eth0\",\n  \"addr_info\":[{\"family\":\"inet\",\"local\":\"10.0.0.999\",\"prefixlen\":8}]}]";
        var e = Assert.Throws<SpecException>(() => IpAddrReader.Parse(text, "ip.json", new List<string>()));
        Assert.Equal((2, 41), (e.Line, e.Column));
        Assert.Contains("not an IPv4 address", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_refused_before_parsing()
    {
        var text = new string('[', InputFiles.MaxNesting + 1);
        var e = Assert.Throws<SpecException>(() => IpAddrReader.Parse(text, "ip.json", new List<string>()));
        Assert.Contains("nesting deeper", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Context_file_in_yaml_and_in_json_gives_the_same_facts()
    {
        const string yaml = """
            kernel: "6.18"
            interfaces:
              - name: wan0
                addresses: [203.0.113.10/24, 203.0.113.11]
                role: wan
            sockets:
              - proto: udp
                local: "*:51820"
                kind: listen
                name: wireguard
              - { proto: tcp, local: "192.168.1.1:40000", kind: client }
            """;
        const string json = """
            {"kernel": "6.18",
             "interfaces": [{"name": "wan0", "addresses": ["203.0.113.10/24", "203.0.113.11"], "role": "wan"}],
             "sockets": [{"proto": "udp", "local": "*:51820", "kind": "listen", "name": "wireguard"},
                         {"proto": "tcp", "local": "192.168.1.1:40000", "kind": "client"}]}
            """;
        var a = ContextReader.Parse(yaml, "c.yaml");
        var b = ContextReader.Parse(json, "c.json");
        Assert.Equal("6.18", a.Kernel);
        Assert.Equal(a.Kernel, b.Kernel);
        Assert.Equal(a.Sockets, b.Sockets);
        Assert.Equal(32, a.Interfaces![0].Addresses[1].PrefixLength);
        Assert.Equal(a.Interfaces[0].Addresses, b.Interfaces![0].Addresses);
        Assert.Equal("wan", b.Interfaces[0].Role);
        Assert.Equal(new LocalSocket(L4Protocol.Udp, Ipv4.Parse("0.0.0.0"), 51820, true, "wireguard"), a.Sockets![0]);
    }

    [Theory]
    [InlineData("interfaces:\n  - name: eth0\n    rol: lan\n", 3, 5, "unknown key")]
    [InlineData("interfaces:\n  - name: eth0\n    role: dmz\n", 3, 11, "role 'dmz'")]
    [InlineData("sockets:\n  - {proto: tcp, local: 10.0.0.1, kind: listen}\n", 2, 25, "not address:port")]
    [InlineData("kernel: linux\n", 1, 9, "not a version")]
    [InlineData("sockets: [\n", 2, 1, "invalid")]
    public void Bad_context_files_are_located_errors(string text, int line, int column, string detail)
    {
        var e = Assert.Throws<SpecException>(() => ContextReader.Parse(text, "c.yaml"));
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.Contains(detail, e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_inputs_are_stated_as_assumptions()
    {
        var c = HostContextLoader.Load(null, null, null, null);
        Assert.Contains(c.Assumptions, a => a.StartsWith("no sockets given: port-shadowing judged against no listeners", StringComparison.Ordinal));
        Assert.Contains(c.Assumptions, a => a.StartsWith("no interfaces given", StringComparison.Ordinal));
        Assert.Contains(c.Assumptions, a => a.StartsWith("no kernel version given", StringComparison.Ordinal));
    }

    [Fact]
    public void Addresses_and_sockets_files_fill_the_context_and_kernel_flag_is_kept()
    {
        var c = HostContextLoader.Load(null, PolicyRepo.Fixture("ip-addr.json"), PolicyRepo.Fixture("ss-tulnp.txt"), "6.18");
        Assert.Equal("6.18", c.KernelVersion);
        Assert.Equal(5, c.Sockets.Count);
        Assert.Contains(c.Interfaces, i => i.Name == "wan0");
        Assert.Contains(c.Assumptions, a => a.Contains("no connected or client sockets", StringComparison.Ordinal));
        Assert.DoesNotContain(c.Assumptions, a => a.StartsWith("no sockets given", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("6.18", "linux-6.12")]
    [InlineData("6.12.3", "linux-6.12")]
    [InlineData("6.1", "linux-5.15")]
    [InlineData("5.10", "linux-5.15")]
    [InlineData("5.4", "linux-4.19")]
    [InlineData("4.9", "linux-4.19")]
    public void Kernel_versions_map_to_the_profile_with_their_behaviour(string version, string profile)
    {
        var (p, why) = KernelVersions.ForVersion(version);
        Assert.Equal(profile, p.Name);
        Assert.Contains(version, why, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_regular_and_oversized_files_are_refused_before_parsing()
    {
        Assert.Contains("not a regular file", Assert.Throws<SpecException>(() => InputFiles.ReadText("/dev/zero", 100)).Detail, StringComparison.Ordinal);
        var dir = PolicyRepo.TempDir();
        try
        {
            Assert.Contains("directory", Assert.Throws<SpecException>(() => InputFiles.ReadText(dir, 100)).Detail, StringComparison.Ordinal);
            var big = Path.Combine(dir, "big");
            File.WriteAllText(big, new string('x', 101));
            Assert.Contains("limit", Assert.Throws<SpecException>(() => InputFiles.ReadText(big, 100)).Detail, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("# Generated by iptables-save v1.8.11\n*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n", "iptables-save")]
    [InlineData("table ip nat {\n}\n", "nft")]
    [InlineData("{\"nftables\": [{\"metainfo\": {}}]}", "nft-json")]
    [InlineData("hello\n", null)]
    public void Ruleset_format_is_detected_from_content(string text, string? format) =>
        Assert.Equal(format, RulesetLoader.DetectFormat(text));
}
