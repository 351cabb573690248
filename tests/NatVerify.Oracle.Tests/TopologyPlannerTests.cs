using NatVerify.Model.Addressing;
using NatVerify.Oracle.Model;
using NatVerify.Oracle.Planning;
using NatVerify.Specs;
using Xunit;

namespace NatVerify.Oracle.Tests;

/// <summary>How scenarios are laid out on namespaces: which addresses live where and what is served.</summary>
public class TopologyPlannerTests
{
    [Fact]
    public void Local_out_seed_puts_the_client_in_the_nat_namespace_and_the_server_behind_veth0()
    {
        var plan = Plan(OracleEnvironment.Load("specs/seed/thief-first.yaml"));
        Assert.Equal("nvo-t-nat", plan.NatNamespace);
        var peer = Assert.Single(plan.Peers);
        Assert.Equal("veth0", peer.Interface);
        Assert.Equal([Ipv4.Parse("198.51.100.2")], peer.Addresses);
        Assert.Equal(["client", "thief"], plan.ClientNamespaces.Keys.Order());
        Assert.All(plan.ClientNamespaces.Values, ns => Assert.Equal("nvo-t-nat", ns));
        Assert.Equal([80], plan.Servers[peer.Namespace].TcpPorts);
        Assert.True(plan.Serves(L4Protocol.Tcp, Ipv4.Parse("198.51.100.2"), 80));
        Assert.False(plan.Serves(L4Protocol.Tcp, Ipv4.Parse("198.51.100.2"), 81));
        Assert.Equal(["nvo-t-nat", peer.Namespace], plan.AgentNamespaces);
    }

    [Fact]
    public void Dnat_targets_are_placed_and_served_and_the_service_address_is_only_routed()
    {
        // The model predicts one backend (find_best_ips_proto's jhash2 of source and destination picks 203.0.113.2), but
        // both addresses of the DNAT range are hosted and served: a wrong prediction must show as "delivered to .1",
        // not as a packet nobody received.
        var plan = Plan(OracleEnvironment.Load("specs/oracle/udp-race-dnat-range.yaml"));
        var peer = Assert.Single(plan.Peers);
        Assert.Equal(["203.0.113.1", "203.0.113.2"], peer.Addresses.Select(a => a.ToString()));
        Assert.Equal([Ipv4.Parse("198.51.100.53")], peer.RoutedOnly);
        Assert.Equal([53], plan.Servers[peer.Namespace].UdpPorts);
        Assert.False(plan.Serves(L4Protocol.Udp, Ipv4.Parse("198.51.100.53"), 53));
    }

    [Fact]
    public void Forwarded_flow_gets_its_source_behind_the_in_interface_and_turns_forwarding_on()
    {
        var plan = Plan(OracleEnvironment.Load("specs/oracle/forward-then-router.yaml"));
        Assert.True(plan.Forwarding);
        var lan = plan.Peers.Single(p => p.Interface == "lan0");
        var wan = plan.Peers.Single(p => p.Interface == "wan0");
        Assert.Equal([Ipv4.Parse("198.51.100.10")], lan.Addresses);
        Assert.Equal([Ipv4.Parse("203.0.113.2")], wan.Addresses);
        Assert.Equal(lan.Namespace, plan.ClientNamespaces["lan-host"]);
        Assert.Equal(plan.NatNamespace, plan.ClientNamespaces["router"]);
    }

    [Fact]
    public void Local_source_that_is_no_interface_address_goes_on_the_loopback()
    {
        var plan = Plan(OracleEnvironment.Load("specs/oracle/icmp-id-rewrite.yaml"));
        Assert.Equal([Ipv4.Parse("192.0.2.1")], plan.LoopbackAddresses);
        Assert.True(plan.Servers[plan.Peers[0].Namespace].Icmp);
    }

    [Fact]
    public void Addresses_outside_the_documentation_ranges_are_refused()
    {
        var e = Assert.Throws<UnsupportedScenarioException>(() => Plan(Spec("10.0.0.1", "198.51.100.2")));
        Assert.Contains("10.0.0.1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Address_needed_in_two_namespaces_is_refused()
    {
        // 198.51.100.1 is the NAT namespace's own address and also the flow's destination behind veth0.
        var spec = SpecLoader.Parse(
            """
            name: clash
            description: a flow to a second local source address that another flow reaches as a remote host
            interfaces:
              veth0: 198.51.100.1
            actors:
              - name: out
                flow: 198.51.100.1:1000 -> 198.51.100.7:80
              - name: local
                flow: 198.51.100.7:1000 -> 198.51.100.2:80
            """,
            "clash.yaml");
        var e = Assert.Throws<UnsupportedScenarioException>(() => Plan(spec));
        Assert.Contains("198.51.100.7 would have to live in two namespaces", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_address_of_an_interface_is_configured_with_its_prefix_in_the_specs_order()
    {
        // MASQUERADE's inet_select_addr and the secondary flag depend on prefixes and order: the NAT namespace gets all
        // three addresses of wan0, not only the first, and each is the NAT namespace's own.
        var plan = Plan(OracleEnvironment.Load("specs/oracle/masquerade-primary-by-subnet.yaml"));
        var wan = plan.Peers.Single(p => p.Interface == "wan0");
        Assert.Equal(["203.0.113.1/24", "203.0.113.9/24", "192.0.2.1/24"], wan.InterfaceAddresses.Select(a => $"{a.Address}/{a.PrefixLength}"));
        Assert.Equal(Ipv4.Parse("203.0.113.1"), wan.InterfaceAddress);
        Assert.All(wan.InterfaceAddresses, a => Assert.Equal(plan.NatNamespace, plan.Owners[a.Address]));
        Assert.Equal(["192.0.2.2", "203.0.113.2"], wan.Addresses.Select(a => a.ToString()));
    }

    [Fact]
    public void One_address_per_interface_stays_a_host_address_as_the_model_reads_it()
    {
        var peer = Assert.Single(Plan(OracleEnvironment.Load("specs/seed/thief-first.yaml")).Peers);
        Assert.Equal([(Ipv4.Parse("198.51.100.1"), 32)], peer.InterfaceAddresses.Select(a => (a.Address, a.PrefixLength)));
    }

    [Fact]
    public void A_second_interface_address_outside_the_documentation_ranges_is_refused()
    {
        var spec = SpecLoader.Parse(
            """
            name: second-address
            description: the second address is not one the oracle may place
            interfaces:
              veth0: [198.51.100.1/24, 10.0.0.1/8]
            actors:
              - name: a
                flow: 198.51.100.1:1000 -> 198.51.100.2:80
            """,
            "second-address.yaml");
        var e = Assert.Throws<UnsupportedScenarioException>(() => Plan(spec));
        Assert.Contains("an address of interface veth0 is 10.0.0.1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Spec_without_interfaces_is_refused()
    {
        var spec = SpecLoader.Parse(
            """
            name: bare
            description: no interfaces
            actors:
              - name: a
                flow: 198.51.100.1:1000 -> 198.51.100.2:80
            """,
            "bare.yaml");
        Assert.Throws<UnsupportedScenarioException>(() => Plan(spec));
    }

    private static ScenarioSpec Spec(string source, string destination) => SpecLoader.Parse(
        $"""
        name: addresses
        description: addresses
        interfaces:
          veth0: {source}
        actors:
          - name: a
            flow: {source}:1000 -> {destination}:80
        """,
        "addresses.yaml");

    private static TopologyPlan Plan(ScenarioSpec spec) =>
        TopologyPlanner.Plan(spec.Model, ModelPredictions.Compute(spec).Predictions, "nvo-t");
}
