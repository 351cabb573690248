namespace NatVerify.Checker;

/// <summary>A path through a transition system: an initial state followed by labelled steps.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
/// <param name="Initial">The initial state the path starts from.</param>
/// <param name="Steps">The steps taken, in order; each step's <c>Next</c> is the state reached.</param>
public sealed record Trace<TState, TAction>(TState Initial, IReadOnlyList<Transition<TState, TAction>> Steps)
{
    /// <summary>Gets the last state of the path (the initial state when there are no steps).</summary>
    public TState Final => Steps.Count == 0 ? Initial : Steps[Steps.Count - 1].Next;

    /// <summary>Gets the number of steps.</summary>
    public int Length => Steps.Count;
}
