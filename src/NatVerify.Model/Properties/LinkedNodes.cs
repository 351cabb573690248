using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NatVerify.Model.State;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Properties;

/// <summary>
/// The linked tuple nodes of a state (<see cref="Semantics.NatSemantics.LinkedNodes"/>, in the same order) and the
/// equal pairs among them, for <c>linked-tuple-uniqueness</c> and <c>reply-routing</c>: both are about two linked nodes
/// of different entries holding one tuple, and both are checked in every stored state.
/// </summary>
/// <remarks>
/// Nodes are compared by a 64-bit key first (equal tuples have equal keys; a key match is confirmed on the tuples), so
/// the pair scan of a state without collisions compares integers only. The originals' keys never change during a run
/// and are computed once. Scratch space is the caller's stack: the scan is called from several search threads at once.
/// </remarks>
internal sealed class LinkedNodes
{
    private readonly ConntrackTuple[] _originals;
    private readonly ulong[] _originalKeys;

    // Up to 64 actors (AnyCollisionByMasks): the originals' keys padded to whole vectors, and per actor the other actors
    // whose original tuple is the same one (a pair that collides as soon as both are linked; usually none at all).
    private readonly ulong[] _paddedKeys;
    private readonly ulong[] _sameOriginal;
    private readonly bool _anySameOriginal;

    // The originals' keys as bits of a 1,024-bit map (the key's top ten bits): a reply whose bit is clear in it and in the
    // bits of the replies before it equals no node at all, which is every reply of nearly every state.
    private readonly ulong[] _originalBits = new ulong[BitWords];
    private const int BitWords = 16;

    public LinkedNodes(ConntrackTuple[] originals)
    {
        _originals = originals;
        _originalKeys = [.. originals.Select(t => Key(t))];
        _paddedKeys = new ulong[Padded(originals.Length)];
        _originalKeys.CopyTo(_paddedKeys, 0);
        _sameOriginal = new ulong[originals.Length];
        foreach (var key in _originalKeys)
        {
            _originalBits[Bucket(key) >> 6] |= 1UL << Bucket(key);
        }

        if (originals.Length <= MaskActors)
        {
            for (var j = 0; j < originals.Length; j++)
            {
                for (var k = 0; k < originals.Length; k++)
                {
                    if (k != j && originals[k] == originals[j])
                    {
                        _sameOriginal[j] |= 1UL << k;
                        _anySameOriginal = true;
                    }
                }
            }
        }
    }

    // Most actors whose nodes fit the one-word masks of AnyCollisionByMasks.
    private const int MaskActors = 64;

    /// <summary>
    /// True when two nodes of different entries hold one tuple (linked-tuple-uniqueness fails); a reply node among them
    /// is what makes reply-routing fail too. The catalog's screen (<see cref="PropertyCatalog"/>) keeps the answer for
    /// the state's other checks.
    /// </summary>
    public bool Collides(NatState state)
    {
        if (state.Count > MaskActors)
        {
            return AnyCollisionByPairs(state);
        }

        return (_anySameOriginal || !NoneByBits(state)) && AnyCollisionByMasks(state);
    }

    /// <summary>
    /// True when no linked reply node can equal another node: its key's bit is set neither among the originals' keys nor
    /// among the replies before it (two originals never collide here: <see cref="_anySameOriginal"/> is false). False
    /// means only that the exact test must decide.
    /// </summary>
    private bool NoneByBits(NatState state)
    {
        Span<ulong> seen = stackalloc ulong[BitWords];
        seen.Clear();
        foreach (ref readonly var s in state.Slots)
        {
            if (!s.Linked)
            {
                continue;
            }

            var bucket = Bucket(Key(s.Reply));
            var bit = 1UL << bucket;
            var word = bucket >> 6;
            if (((_originalBits[word] | seen[word]) & bit) != 0)
            {
                return false;
            }

            seen[word] |= bit;
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bucket(ulong key) => (int)(key >> 54);

    private bool AnyCollisionByPairs(NatState state)
    {
        Span<ulong> keys = stackalloc ulong[2 * state.Count];
        Span<int> owners = stackalloc int[2 * state.Count];
        var count = Fill(state, keys, owners);
        return FirstPair(state, keys[..count], owners).A >= 0;
    }

    /// <summary>
    /// <see cref="Collides"/> for at most 64 actors, without the pair scan over every node: two originals collide when
    /// they are one tuple (known from the start), and every reply node's key is compared with all originals' keys and all
    /// later replies' keys a vector at a time; only the entries whose keys match are compared as tuples.
    /// </summary>
    private bool AnyCollisionByMasks(NatState state)
    {
        var slots = state.Slots;
        Span<ulong> replyKeys = stackalloc ulong[Padded(slots.Length)];
        replyKeys.Clear();
        ulong linked = 0, originalLinked = 0;
        for (var j = 0; j < slots.Length; j++)
        {
            ref readonly var s = ref slots[j];
            if (!s.Linked)
            {
                continue;
            }

            linked |= 1UL << j;
            if ((s.Status & CtStatus.NatClash) == 0)
            {
                originalLinked |= 1UL << j;
            }

            replyKeys[j] = Key(s.Reply);
        }

        if (_anySameOriginal)
        {
            for (var rest = originalLinked; rest != 0; rest &= rest - 1)
            {
                if ((_sameOriginal[BitOperations.TrailingZeroCount(rest)] & originalLinked) != 0)
                {
                    return true;
                }
            }
        }

        for (var rest = linked; rest != 0; rest &= rest - 1)
        {
            var j = BitOperations.TrailingZeroCount(rest);
            var key = replyKeys[j];
            var reply = slots[j].Reply;
            for (var hits = Matches(_paddedKeys, key) & originalLinked & ~(1UL << j); hits != 0; hits &= hits - 1)
            {
                if (_originals[BitOperations.TrailingZeroCount(hits)] == reply)
                {
                    return true;
                }
            }

            // Later replies only: each pair of replies once.
            for (var hits = Matches(replyKeys, key) & linked & ~((2UL << j) - 1); hits != 0; hits &= hits - 1)
            {
                if (slots[BitOperations.TrailingZeroCount(hits)].Reply == reply)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The positions of <paramref name="keys"/> (a whole number of vectors) equal to <paramref name="key"/>, as a mask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Matches(ReadOnlySpan<ulong> keys, ulong key)
    {
        var probe = Vector256.Create(key);
        var mask = 0UL;
        for (var c = 0; c < keys.Length; c += Vector256<ulong>.Count)
        {
            mask |= (ulong)Vector256.Equals(Vector256.Create(keys.Slice(c, Vector256<ulong>.Count)), probe).ExtractMostSignificantBits() << c;
        }

        return mask;
    }

    private static int Padded(int count) => (count + Vector256<ulong>.Count - 1) / Vector256<ulong>.Count * Vector256<ulong>.Count;

    /// <summary>The first pair (in node order, a &lt; b) of nodes of different entries with one tuple, or null.</summary>
    public (Node A, Node B)? FirstCollision(NatState state)
    {
        Span<ulong> keys = stackalloc ulong[2 * state.Count];
        Span<int> owners = stackalloc int[2 * state.Count];
        var count = Fill(state, keys, owners);
        var (a, b) = FirstPair(state, keys[..count], owners);
        return a < 0 ? null : (NodeOf(state, owners[a]), NodeOf(state, owners[b]));
    }

    /// <summary>The indices of the first colliding pair of nodes (a &lt; b, in node order), or (-1, -1).</summary>
    private (int A, int B) FirstPair(NatState state, ReadOnlySpan<ulong> keys, ReadOnlySpan<int> owners)
    {
        for (var a = 0; a < keys.Length; a++)
        {
            var key = keys[a];
            for (var b = a + 1; b < keys.Length; b++)
            {
                if (keys[b] == key && Collide(state, owners[a], owners[b]))
                {
                    return (a, b);
                }
            }
        }

        return (-1, -1);
    }

    /// <summary>
    /// The first linked reply node (in node order) that another entry's node equals, with the first such node (in node
    /// order, before or after it), or null.
    /// </summary>
    public (Node Reply, Node Other)? FirstMisroutedReply(NatState state)
    {
        Span<ulong> keys = stackalloc ulong[2 * state.Count];
        Span<int> owners = stackalloc int[2 * state.Count];
        var count = Fill(state, keys, owners);
        for (var r = 0; r < count; r++)
        {
            if ((owners[r] & 1) == 0)
            {
                continue;
            }

            for (var o = 0; o < count; o++)
            {
                if (keys[o] == keys[r] && Collide(state, owners[r], owners[o]))
                {
                    return (NodeOf(state, owners[r]), NodeOf(state, owners[o]));
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Writes the key and owner (actor * 2 + 1 for a reply node) of every linked node in
    /// <see cref="Semantics.NatSemantics.LinkedNodes"/> order; returns how many.
    /// </summary>
    private int Fill(NatState state, Span<ulong> keys, Span<int> owners)
    {
        var slots = state.Slots;
        var count = 0;
        for (var j = 0; j < slots.Length; j++)
        {
            ref readonly var s = ref slots[j];
            if (!s.Linked)
            {
                continue;
            }

            if ((s.Status & CtStatus.NatClash) == 0)
            {
                keys[count] = _originalKeys[j];
                owners[count++] = 2 * j;
            }

            keys[count] = Key(s.Reply);
            owners[count++] = 2 * j + 1;
        }

        return count;
    }

    /// <summary>
    /// True when two nodes with equal keys belong to different entries and hold equal tuples. A self-connection
    /// (A:p -> A:p) is its own inverse: the kernel links both of its equal nodes, since confirm only compares against
    /// other entries; uniqueness is about different entries.
    /// </summary>
    private bool Collide(NatState state, int a, int b) => a >> 1 != b >> 1 && TupleOf(state, a) == TupleOf(state, b);

    private ConntrackTuple TupleOf(NatState state, int owner) => (owner & 1) != 0 ? state.Slots[owner >> 1].Reply : _originals[owner >> 1];

    private Node NodeOf(NatState state, int owner) => new(TupleOf(state, owner), owner >> 1, (owner & 1) != 0);

    /// <summary>Mixes every field of the tuple into 64 bits: equal tuples give equal keys, unequal ones rarely do.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Key(in ConntrackTuple t)
    {
        var addresses = ((ulong)t.SrcIp.Value << 32) | t.DstIp.Value;
        var ports = ((ulong)(uint)t.SrcPort.Raw << 32) | (uint)t.DstPort.Raw;
        return addresses ^ ((ports ^ ((ulong)t.Protocol << 56)) * 0x9E3779B97F4A7C15UL);
    }

    /// <summary>One linked node: its tuple, the actor whose entry holds it, and whether it is the reply node.</summary>
    internal readonly record struct Node(ConntrackTuple Tuple, int Actor, bool IsReply);
}
