namespace NatVerify.Checker;

/// <summary>One labelled step of a transition system: taking <paramref name="Action"/> leads to <paramref name="Next"/>.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
/// <param name="Action">The label of the step.</param>
/// <param name="Next">The state the step leads to.</param>
public readonly record struct Transition<TState, TAction>(TAction Action, TState Next);
