namespace NatVerify.Checker;

/// <summary>
/// Optional, implemented by a system with per-process successors (<see cref="IProcessSuccessors{TState, TAction}"/>)
/// whose future footprints depend on a small part of the state (typically the process's own local state). The lazy
/// stubborn-set search keeps each process's future footprint from one expanded state to the next on the same thread
/// and recomputes it only when <see cref="SameFuture"/> says it may have changed, which consecutive breadth-first states
/// (siblings and cousins that differ in a process or two) seldom do. The reduction is unchanged: the footprint used is
/// exactly the one <see cref="IStepFootprints{TState, TAction}.FutureFootprint"/> would add.
/// </summary>
/// <typeparam name="TState">The state type.</typeparam>
public interface IStableFutures<TState>
{
    /// <summary>
    /// Returns true only when <see cref="IStepFootprints{TState, TAction}.FutureFootprint"/> adds the same regions, in the
    /// same order, for <paramref name="process"/> in <paramref name="state"/> as in <paramref name="previous"/>. False is
    /// always safe (the footprint is recomputed); it must be cheaper than computing the footprint to pay off.
    /// </summary>
    /// <param name="previous">A state in which the process's future footprint was computed.</param>
    /// <param name="state">The state being expanded.</param>
    /// <param name="process">The process.</param>
    /// <returns>True when the future footprint is certainly unchanged.</returns>
    bool SameFuture(TState previous, TState state, int process);
}
