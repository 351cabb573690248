using FsCheck;
using FsCheck.Fluent;
using NatVerify.Testing;

namespace NatVerify.Properties.Tests;

/// <summary>The property runner: seeds, replay of one case by its seed, shrinking, failure messages.</summary>
public class RunnerTests
{
    private static readonly PropertyDefinition<int> BelowFifty = new(
        "below-fifty",
        "every number is below 50",
        Arb.From(Gen.Choose(0, 1000), x => x > 0 ? [x / 2, x - 1] : []),
        x => x < 50 ? null : $"{x} is not below 50",
        x => x.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "1 number");

    [Fact]
    public void A_failure_is_shrunk_to_the_smallest_counterexample_and_its_text_carries_the_seeds()
    {
        var report = PropertyRunner.Run(BelowFifty, 7, 100);
        var failure = Assert.IsType<PropertyFailure>(report.Failure);
        Assert.Equal("50 is not below 50", failure.Message);
        Assert.Equal("50", failure.Counterexample);
        var text = report.FailureText();
        Assert.Contains("seed 7", text);
        Assert.Contains($"NATVERIFY_SEED={failure.CaseSeed}", text);
        Assert.Contains($"--seed {failure.CaseSeed} --count 1", text);
    }

    [Fact]
    public void The_seed_of_a_failing_case_replays_that_case_first()
    {
        var first = PropertyRunner.Run(BelowFifty, 12345, 100).Failure!;
        var again = PropertyRunner.Run(BelowFifty, first.CaseSeed, 1).Failure!;
        Assert.Equal(0, again.CaseIndex);
        Assert.Equal(first.OriginalMessage, again.OriginalMessage);
    }

    [Fact]
    public void A_run_is_determined_by_its_seed()
    {
        var a = PropertyRunner.Run(BelowFifty, 99, 100);
        var b = PropertyRunner.Run(BelowFifty, 99, 100);
        Assert.Equal(a.Cases, b.Cases);
        Assert.Equal(a.Failure?.CaseSeed, b.Failure?.CaseSeed);
    }

    [Fact]
    public void An_exception_in_a_check_is_a_failure_that_shrinks_only_to_exceptions()
    {
        var throwsAbove = BelowFifty with { Check = x => x < 50 ? null : throw new InvalidOperationException($"boom {x}") };
        var failure = PropertyRunner.Run(throwsAbove, 7, 100).Failure!;
        Assert.Equal("threw InvalidOperationException: boom 50", failure.Message);
    }

    [Theory]
    [InlineData(null, TestSeed.Default)]
    [InlineData("", TestSeed.Default)]
    [InlineData("42", 42UL)]
    [InlineData("0x2a", 42UL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    public void The_test_seed_comes_from_NATVERIFY_SEED_in_decimal_or_hex(string? text, ulong expected)
    {
        Assert.Equal(expected, TestSeed.Parse(text));
    }

    [Fact]
    public void A_malformed_NATVERIFY_SEED_is_an_error_not_a_silent_default()
    {
        Assert.Throws<FormatException>(() => TestSeed.Parse("seven"));
    }
}
