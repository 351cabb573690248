using NatVerify.Checker;

namespace NatVerify.Checker.Tests.Systems;

/// <summary>
/// A system with footprints whose successor lists are permuted per state (by the state's encoding and a seed), so
/// that sleep sets explore processes in a different order in different states; everything else is the inner system's.
/// </summary>
public sealed class Shuffled<TState, TAction>(ITransitionSystem<TState, TAction> inner, IStateEncoder<TState> encoder, IStepFootprints<TState, TAction> footprints, int seed)
    : ITransitionSystem<TState, TAction>, IStateEncoder<TState>, IStepFootprints<TState, TAction>
{
    private readonly StateWriter _writer = new();

    public IReadOnlyList<TState> InitialStates => inner.InitialStates;

    public int ProcessCount => footprints.ProcessCount;

    public void Successors(TState state, List<Transition<TState, TAction>> sink)
    {
        var list = new List<Transition<TState, TAction>>();
        inner.Successors(state, list);
        _writer.Reset();
        encoder.Encode(state, _writer);
        var random = new System.Random((int)(Fingerprint.Of(_writer.Written) ^ (ulong)seed));
        var shuffled = list.ToArray();
        random.Shuffle(shuffled);
        sink.AddRange(shuffled);
    }

    public void Encode(TState state, StateWriter writer) => encoder.Encode(state, writer);

    public int ProcessOf(TAction action) => footprints.ProcessOf(action);

    public void StepFootprint(TState state, TAction action, Footprint footprint) => footprints.StepFootprint(state, action, footprint);

    public void FutureFootprint(TState state, int process, Footprint footprint) => footprints.FutureFootprint(state, process, footprint);

    public bool IsVisible(TState state, TAction action) => footprints.IsVisible(state, action);

    public long Progress(TState state) => footprints.Progress(state);
}
