using NatVerify.Checker;

namespace NatVerify.Cluster;

/// <summary>
/// Binds a transition system, a lossless codec and invariants to the byte interface partitions use, and replays
/// parent chains into traces on the coordinator.
/// </summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TAction">The action label type.</typeparam>
/// <param name="system">The transition system; its successor order must be deterministic (ordinals index into it).</param>
/// <param name="codec">The lossless canonical encoding; fingerprints are XXH64 of these bytes.</param>
/// <param name="invariants">The invariants checked in every stored state.</param>
/// <param name="terminalLabel">Classifies terminal states (e.g. by joint outcome); null puts them all in one class.</param>
public sealed class ClusterModel<TState, TAction>(
    ITransitionSystem<TState, TAction> system,
    IStateCodec<TState> codec,
    IReadOnlyList<Invariant<TState>> invariants,
    Func<TState, string>? terminalLabel = null) : IPartitionModel
{
    [ThreadStatic]
    private static List<Transition<TState, TAction>>? _successors;

    // Partitions expand with the diagnostics-free successor function when the system has one (the single-machine
    // engine does the same); Replay uses Successors, whose order is the same, so traces carry the diagnostics.
    private readonly ISearchSuccessors<TState, TAction>? _search = system as ISearchSuccessors<TState, TAction>;

    [ThreadStatic]
    private static StateWriter? _writer;

    /// <summary>Gets the transition system.</summary>
    public ITransitionSystem<TState, TAction> System => system;

    /// <summary>Gets the invariants.</summary>
    public IReadOnlyList<Invariant<TState>> Invariants => invariants;

    /// <inheritdoc />
    public int InvariantCount => invariants.Count;

    /// <inheritdoc />
    public int EncodeInitial(int index, StateWriter writer)
    {
        var initial = system.InitialStates;
        if (index < initial.Count)
        {
            writer.Reset();
            codec.Encode(initial[index], writer);
        }

        return initial.Count;
    }

    /// <inheritdoc />
    public void Check(ReadOnlySpan<byte> state, List<(int Invariant, string Message)> failures)
    {
        if (invariants.Count == 0)
        {
            return;
        }

        var decoded = codec.Decode(state);
        for (var i = 0; i < invariants.Count; i++)
        {
            if (invariants[i].Check(decoded) is { } message)
            {
                failures.Add((i, message));
            }
        }
    }

    /// <inheritdoc />
    public int Expand(ReadOnlySpan<byte> state, ulong fingerprint, EncodedStatesSink successors, out string? terminal)
    {
        var decoded = codec.Decode(state);
        var list = _successors ??= new List<Transition<TState, TAction>>(32);
        var writer = _writer ??= new StateWriter();
        list.Clear();
        if (_search is not null)
        {
            _search.SearchSuccessors(decoded, list);
        }
        else
        {
            system.Successors(decoded, list);
        }

        for (var i = 0; i < list.Count; i++)
        {
            writer.Reset();
            codec.Encode(list[i].Next, writer);
            successors.Add(writer.Written, Fingerprint.Of(writer.Written), fingerprint, i);
        }

        terminal = list.Count == 0 ? terminalLabel?.Invoke(decoded) ?? "terminal" : null;
        var count = list.Count;
        list.Clear();
        return count;
    }

    /// <summary>Returns the fingerprint the partitions use for <paramref name="state"/>.</summary>
    public ulong FingerprintOf(TState state)
    {
        var writer = new StateWriter();
        codec.Encode(state, writer);
        return Fingerprint.Of(writer.Written);
    }

    /// <summary>
    /// Re-executes a path given as an initial state index and successor ordinals, checking that each state reached
    /// has the fingerprint its owner recorded (a mismatch means the successor order is not deterministic).
    /// </summary>
    /// <exception cref="InvalidOperationException">The replay diverged from the recorded fingerprints.</exception>
    public Trace<TState, TAction> Replay(int initialIndex, IReadOnlyList<int> ordinals, IReadOnlyList<ulong> fingerprints)
    {
        var initial = system.InitialStates[initialIndex];
        var state = initial;
        var steps = new List<Transition<TState, TAction>>(ordinals.Count);
        var list = new List<Transition<TState, TAction>>();
        for (var i = 0; i < ordinals.Count; i++)
        {
            list.Clear();
            system.Successors(state, list);
            if (ordinals[i] >= list.Count)
            {
                throw new InvalidOperationException($"Trace replay: step {i + 1} has ordinal {ordinals[i]} but the state has {list.Count} successors; the successor order is not deterministic.");
            }

            var step = list[ordinals[i]];
            if (FingerprintOf(step.Next) != fingerprints[i])
            {
                throw new InvalidOperationException($"Trace replay: step {i + 1} reached a state other than the one its partition stored; the successor order is not deterministic.");
            }

            steps.Add(step);
            state = step.Next;
        }

        return new Trace<TState, TAction>(initial, steps);
    }
}
