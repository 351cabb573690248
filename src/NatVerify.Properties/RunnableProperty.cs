namespace NatVerify.Properties;

/// <summary>A property of any case type, ready to run with a seed and a case count.</summary>
/// <param name="Name">The property's name.</param>
/// <param name="Statement">What it claims.</param>
/// <param name="Run">Runs it: (seed, count) to report.</param>
public sealed record RunnableProperty(string Name, string Statement, Func<ulong, int, PropertyReport> Run)
{
    /// <summary>Wraps a typed definition.</summary>
    /// <typeparam name="T">The case type.</typeparam>
    /// <param name="property">The definition.</param>
    /// <param name="cancellationToken">Stops a run between cases (<see cref="PropertyRunner.Run{T}"/>).</param>
    /// <returns>The runnable property.</returns>
    public static RunnableProperty Of<T>(PropertyDefinition<T> property, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(property);
        return new RunnableProperty(property.Name, property.Statement, (seed, count) => PropertyRunner.Run(property, seed, count, cancellationToken: cancellationToken));
    }
}
