using NatVerify.Model.Addressing;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Semantics;

/// <summary>
/// Reusable buffers for one NAT decision's successors (<c>get_unique_tuple</c>'s choices, the entries its probes collected,
/// the port search's candidates), so that the search's hot path does not allocate them per state.
/// </summary>
/// <remarks>
/// The semantics runs on several threads at once (two breadth-first workers, the cluster's) and may be entered again
/// from code that is itself computing successors (a footprint that asks for successors), so a buffer belongs to one
/// call at a time: <see cref="Rent"/> takes the thread's spare instance (or makes a new one when it is already taken:
/// a nested call never shares buffers with the call it is nested in) and <see cref="Return"/> gives it back cleared.
/// A call that throws does not return its instance; the next call on that thread makes a new one.
/// </remarks>
internal sealed class SuccessorScratch
{
    [ThreadStatic]
    private static SuccessorScratch? _spare;

    private Port[] _candidates = new Port[32];
    private int[] _used = new int[32];
    private NatSemantics.KeyNode[] _keyNodes = new NatSemantics.KeyNode[16];

    /// <summary>The tuples <c>get_unique_tuple</c> may return, in the order the successors are built.</summary>
    public List<NatSemantics.Choice> Choices { get; } = [];

    /// <summary>Expired entries the probes collected (<c>nf_conntrack_tuple_taken</c> skips and unlinks them).</summary>
    public List<int> Collected { get; } = [];

    /// <summary>The chain verdicts after which <c>nf_conntrack_in</c> runs (the packet was neither dropped nor untracked).</summary>
    public List<NatSemantics.ChainVerdict> Tracked { get; } = [];

    /// <summary>The port search's candidates with the entry holding each (-1: free), in search order.</summary>
    public List<(ConntrackTuple Tuple, int By)> Order { get; } = [];

    /// <summary>Takes the calling thread's spare instance, or a new one when that is in use (re-entrant call) or gone.</summary>
    public static SuccessorScratch Rent()
    {
        var scratch = _spare;
        if (scratch is null)
        {
            return new SuccessorScratch();
        }

        _spare = null;
        return scratch;
    }

    /// <summary>Clears the instance (dropping its references to probes) and keeps it as the thread's spare.</summary>
    public static void Return(SuccessorScratch scratch)
    {
        scratch.Choices.Clear();
        scratch.Collected.Clear();
        scratch.Order.Clear();
        scratch.Tracked.Clear();
        _spare = scratch;
    }

    /// <summary>A candidate buffer of at least <paramref name="length"/> ports (contents undefined).</summary>
    public Port[] Candidates(int length)
    {
        if (_candidates.Length < length)
        {
            _candidates = new Port[Math.Max(length, 2 * _candidates.Length)];
        }

        return _candidates;
    }

    /// <summary>A buffer of at least <paramref name="length"/> search nodes (contents undefined).</summary>
    public NatSemantics.KeyNode[] KeyNodes(int length)
    {
        if (_keyNodes.Length < length)
        {
            _keyNodes = new NatSemantics.KeyNode[Math.Max(length, 2 * _keyNodes.Length)];
        }

        return _keyNodes;
    }

    /// <summary>An index buffer of at least <paramref name="length"/> entries (contents undefined).</summary>
    public int[] Used(int length)
    {
        if (_used.Length < length)
        {
            _used = new int[Math.Max(length, 2 * _used.Length)];
        }

        return _used;
    }
}
