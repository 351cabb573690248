using NatVerify.Model.Nat;
using Xunit;

namespace NatVerify.Specs.Tests;

/// <summary>kube-proxy style random endpoint selection: <c>-m statistic --mode random --probability P</c>.</summary>
public class StatisticMatchTests
{
    private static NatRuleset Parse(string rule) =>
        IptablesSaveParser.Parse($"*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:KUBE-SEP-A - [0:0]\n{rule}\nCOMMIT\n", "rules.v4");

    [Fact]
    public void Statistic_random_match_parses_its_probability()
    {
        var rules = Parse("-A OUTPUT -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-A");
        var rule = Assert.Single(rules.Chains["OUTPUT"].Rules);
        Assert.Equal(0.5, rule.Match.RandomProbability!.Value.Value);
        Assert.False(rule.Match.RandomProbability!.Value.Negated);
    }

    [Fact]
    public void Statistic_nth_mode_becomes_a_counter_selector()
    {
        var rule = Parse("-A OUTPUT -m statistic --mode nth --every 3 --packet 2 -j KUBE-SEP-A").Chains["OUTPUT"].Rules[0];
        var selector = Assert.IsType<SelectorTerm>(Assert.Single(rule.Match.Terms));
        Assert.Equal((SelectorKind.Counter, 3u), (selector.Kind, selector.Modulus));
        Assert.Equal([Interval.Single(2)], selector.Values);
    }

    [Fact]
    public void Statistic_nth_packet_must_be_below_every()
    {
        var e = Assert.Throws<SpecException>(() => Parse("-A OUTPUT -m statistic --mode nth --every 2 --packet 2 -j KUBE-SEP-A"));
        Assert.Equal(5, e.Line);
        Assert.Contains("bad --packet '2'", e.Detail);
    }

    [Fact]
    public void Probability_outside_0_to_1_is_an_error_at_its_column()
    {
        var e = Assert.Throws<SpecException>(() => Parse("-A OUTPUT -m statistic --mode random --probability 1.5 -j KUBE-SEP-A"));
        Assert.Equal(52, e.Column);
        Assert.Contains("bad probability '1.5'", e.Detail);
    }

    [Fact]
    public void Probability_without_the_statistic_module_is_an_error()
    {
        var e = Assert.Throws<SpecException>(() => Parse("-A OUTPUT --probability 0.5 -j KUBE-SEP-A"));
        Assert.Contains("needs -m statistic", e.Detail);
    }
}
