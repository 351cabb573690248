using NatVerify.Model.Scenario;
using NatVerify.Specs;
using Xunit;

namespace NatVerify.Verification.Tests;

/// <summary>
/// The port vocabulary (concrete ports plus atoms of interchangeable unnamed ports) must contain every port a spec
/// names, or the abstraction hides outcomes: a random pick can be exactly a named port in the kernel.
/// </summary>
public class PortVocabularyTests
{
    // The client's reply tuple is taken by `conntrack -I`, so its null binding picks a random source port in
    // 1024-65535; the kernel's pick can be 40000, and then `conntrack -D --reply-port-dst 40000` deletes the client's entry.
    // The filter rule's conntrack match is what makes the kernel track at all (nf_ct_netns_get): an empty nat table alone
    // does not.
    private const string DeleteFilterSpec = """
        name: delete-filter-port
        description: a delete filter names a port the null binding may pick at random
        profile: linux-6.12
        interfaces:
          veth0: 198.51.100.1
        ruleset: |
          *filter
          :OUTPUT ACCEPT [0:0]
          -A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
          COMMIT
          *nat
          :PREROUTING ACCEPT [0:0]
          :INPUT ACCEPT [0:0]
          :OUTPUT ACCEPT [0:0]
          :POSTROUTING ACCEPT [0:0]
          COMMIT
        actors:
          - name: client
            flow: 198.51.100.1:12345 -> 198.51.100.2:80
          - name: insert
            conntrack: -I --protonum 6 --timeout 100 --reply-src 198.51.100.2 --reply-dst 198.51.100.1 --state SYN_SENT --reply-port-dst 12345 --reply-port-src 80 --src 192.0.2.1 --dst 198.51.100.2
          - name: delete
            conntrack: -D -p tcp --reply-port-dst 40000
        order:
          - client.start < insert.start
          - insert.start < client.src-nat
          - client.confirm < delete.start
        """;

    [Fact]
    public void Delete_filter_port_can_be_the_null_bindings_random_pick_so_deleted_is_an_outcome()
    {
        var result = Verifier.Check(SpecLoader.Parse(DeleteFilterSpec, "delete-filter-port.yaml"), new CheckSettings());
        Assert.True(result.Exhaustive);
        var delete = result.Outcomes.Actors.ToList().IndexOf("delete");
        var kinds = result.Outcomes.Of(delete).Select(o => o.Kind).ToHashSet();
        Assert.Contains(OutcomeKind.Deleted, kinds);
        Assert.Contains(OutcomeKind.NotFound, kinds);
    }

    /// <summary>
    /// Over every shipped spec plus the filter spec above: each literal port the parsed scenario names (flow,
    /// insert and delete-filter tuples, rule port matches and NAT port ranges' ends) is a concrete member of the
    /// universe, so no fresh port can stand for it. Derived generically by walking the parsed model.
    /// </summary>
    [Fact]
    public void Every_port_a_spec_names_is_concrete_in_its_universe()
    {
        var specs = Corpus.SpecFiles().Select(f => SpecLoader.LoadFile(f))
            .Append(SpecLoader.Parse(DeleteFilterSpec, "delete-filter-port.yaml"));
        foreach (var spec in specs)
        {
            var semantics = new Model.Semantics.NatSemantics(spec.Model, spec.Profile, Model.KernelMutant.None);
            var concrete = semantics.Ports.Concrete.ToHashSet();
            foreach (var port in LiteralPorts(spec.Model))
            {
                Assert.True(concrete.Contains(port), $"{spec.Model.Name}: port {port} is not concrete in the universe");
            }
        }
    }

    private static IEnumerable<int> LiteralPorts(ScenarioModel scenario)
    {
        foreach (var actor in scenario.Actors)
        {
            switch (actor)
            {
                case FlowActor f:
                    yield return f.Original.SrcPort.Raw;
                    if (f.Original.Protocol != Model.Addressing.L4Protocol.Icmp)
                    {
                        // An ICMP tuple's destination "port" is the echo type, never compared with a port.
                        yield return f.Original.DstPort.Raw;
                    }

                    break;
                case CtnetlinkInsert c:
                    foreach (var t in new[] { c.Original, c.Reply })
                    {
                        yield return t.SrcPort.Raw;
                        if (t.Protocol != Model.Addressing.L4Protocol.Icmp)
                        {
                            yield return t.DstPort.Raw;
                        }
                    }

                    break;
                case CtnetlinkDelete d:
                    foreach (var p in new[] { d.Filter.Original, d.Filter.Reply })
                    {
                        if (p.SrcPort is { } s)
                        {
                            yield return s;
                        }

                        if (p.DstPort is { } dp)
                        {
                            yield return dp;
                        }
                    }

                    break;
            }
        }

        // Single-port rule matches and NAT port ranges: each end is an atom boundary, and a one-port match forms
        // an interval of one unnamed port, enumerated concretely.
        foreach (var range in scenario.Ruleset.PortRanges().Where(r => r.Min == r.Max))
        {
            yield return range.Min;
        }
    }
}
