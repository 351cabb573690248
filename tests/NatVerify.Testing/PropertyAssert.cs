using NatVerify.Properties;
using Xunit.Sdk;

namespace NatVerify.Testing;

/// <summary>Assertions on property reports whose failure messages carry the seeds to replay them.</summary>
public static class PropertyAssert
{
    /// <summary>Fails with the full failure text (seeds, messages, shrunk counterexample) unless every case passed.</summary>
    /// <param name="report">The report.</param>
    public static void Holds(PropertyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!report.Passed)
        {
            throw new XunitException($"{report.FailureText()}\n(test seed {TestSeed.Value}; override with {TestSeed.Variable})");
        }
    }

    /// <summary>Runs a property with the test seed and asserts it holds.</summary>
    /// <param name="property">The property.</param>
    /// <param name="count">Cases.</param>
    /// <param name="seed">The seed; the test seed when omitted.</param>
    /// <returns>The report, for further assertions.</returns>
    public static PropertyReport Holds(RunnableProperty property, int count, ulong? seed = null)
    {
        ArgumentNullException.ThrowIfNull(property);
        var report = property.Run(seed ?? TestSeed.Value, count);
        Holds(report);
        return report;
    }

    /// <summary>Runs a typed property with the test seed and asserts it holds.</summary>
    /// <typeparam name="T">The case type.</typeparam>
    /// <param name="property">The property.</param>
    /// <param name="count">Cases.</param>
    /// <param name="seed">The seed; the test seed when omitted.</param>
    /// <returns>The report.</returns>
    public static PropertyReport Holds<T>(PropertyDefinition<T> property, int count, ulong? seed = null) =>
        Holds(RunnableProperty.Of(property), count, seed);

    /// <summary>A property from a generator, shrinker and check (for tests that need no NAT case type).</summary>
    /// <typeparam name="T">The case type.</typeparam>
    /// <param name="name">Name.</param>
    /// <param name="arbitrary">Generator and shrinker.</param>
    /// <param name="check">Null when the case passes, else why not.</param>
    /// <returns>The definition.</returns>
    public static PropertyDefinition<T> Property<T>(string name, FsCheck.Arbitrary<T> arbitrary, Func<T, string?> check) =>
        new(name, name, arbitrary, check, v => v?.ToString() ?? "null", _ => "1 case");
}
