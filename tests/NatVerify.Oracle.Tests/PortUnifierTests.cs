using NatVerify.Model.Addressing;
using NatVerify.Model.Tuples;
using NatVerify.Oracle.Comparison;
using Xunit;

namespace NatVerify.Oracle.Tests;

/// <summary>Fresh ports match a kernel number by class and freshness only, consistently and injectively.</summary>
public class PortUnifierTests
{
    // Named: 80, 12345; atoms 1-79, 81-511, 600-1023, 1024-12344, 12346-65535 (512-599 are enumerated).
    private static readonly PortUniverse Universe = PortUniverse.Create([80, 12345], []);

    private static Port FreshIn(int number, int index = 1) =>
        Port.Fresh(Universe.Atoms.Select((a, i) => (a, i)).Single(x => x.a.Lo <= number && number <= x.a.Hi).i, index);

    [Fact]
    public void Concrete_model_port_matches_only_itself()
    {
        var unifier = new PortUnifier(Universe);
        Assert.True(unifier.Unify(Port.Of(80), 80));
        Assert.False(unifier.Unify(Port.Of(80), 81));
    }

    [Fact]
    public void Fresh_port_matches_an_unnamed_number_of_its_atom_and_stays_bound()
    {
        var unifier = new PortUnifier(Universe);
        var fresh = FreshIn(40000);
        Assert.True(unifier.Unify(fresh, 50487));
        Assert.True(unifier.Unify(fresh, 50487));
        Assert.False(unifier.Unify(fresh, 50488));
        Assert.Equal(50487, unifier.Bindings[fresh]);
    }

    [Theory]
    [InlineData(12345)] // named by the scenario: never what a fresh port stands for
    [InlineData(1000)] // another class
    [InlineData(550)] // 512-599 are concrete ports of the universe
    public void Fresh_port_does_not_match_named_or_out_of_atom_numbers(int kernel)
    {
        var unifier = new PortUnifier(Universe);
        Assert.False(unifier.Unify(FreshIn(40000), kernel));
        Assert.Empty(unifier.Bindings);
    }

    [Fact]
    public void Two_different_fresh_ports_never_match_the_same_number()
    {
        var unifier = new PortUnifier(Universe);
        Assert.True(unifier.Unify(FreshIn(40000, 1), 50000));
        Assert.False(unifier.Unify(FreshIn(40000, 2), 50000));
        Assert.True(unifier.Unify(FreshIn(40000, 2), 50001));
    }

    [Fact]
    public void Failed_tuple_unification_binds_nothing_and_restore_undoes_bindings()
    {
        var unifier = new PortUnifier(Universe);
        var ip1 = Ipv4.Parse("198.51.100.1");
        var ip2 = Ipv4.Parse("198.51.100.2");
        var model = new ConntrackTuple(L4Protocol.Tcp, ip2, Port.Of(80), ip1, FreshIn(40000));
        Assert.False(unifier.Unify(model, new ConntrackTuple(L4Protocol.Tcp, ip2, Port.Of(81), ip1, Port.Of(40001))));
        Assert.Empty(unifier.Bindings);
        var saved = unifier.Save();
        Assert.True(unifier.Unify(model, new ConntrackTuple(L4Protocol.Tcp, ip2, Port.Of(80), ip1, Port.Of(40001))));
        unifier.Restore(saved);
        Assert.Empty(unifier.Bindings);
    }
}
