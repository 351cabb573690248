using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NatVerify.Model.State;

/// <summary>
/// Sets of actors as the ghost field <see cref="Slot.LinkedAtSrcProbe"/> stores them, in one <c>ulong</c> whatever the
/// scenario's size: with at most <see cref="InlineActors"/> actors the value is the bit mask itself (bit i = actor i),
/// exactly as before wider scenarios were supported, so those states, their encodings and their counts are unchanged;
/// with more actors it is a handle of an interned set (0 always means the empty set).
/// </summary>
/// <remarks>
/// The interning keeps <see cref="Slot"/> a plain value without references (a reference would make every slot copy
/// and every slot array a GC-scanned one) and keeps slot equality, hashing and the packed queue exact: two handles are
/// equal exactly when their sets are. Handles are numbered by first use in this process and the table only grows (one
/// entry per distinct set any search reached); they mean nothing in another process, so states of more than
/// <see cref="InlineActors"/> actors are not shipped between machines (NatVerify.Cluster refuses them).
/// </remarks>
public static class ActorSets
{
    /// <summary>Most actors whose sets are stored inline as a bit mask.</summary>
    public const int InlineActors = 64;

    private static readonly object Gate = new();
    private static readonly Dictionary<WideKey, ulong> Handles = new();

    // Handle -> the set's words (handle 0: the empty set). Replaced, never changed in place, when it grows, so readers
    // need no lock: a handle they hold was published before the array that contains it.
    private static ulong[][] _sets = [[]];
    private static int _count = 1;

    /// <summary>True when actor <paramref name="actor"/> is in the set <paramref name="set"/> of a scenario of <paramref name="actors"/> actors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Contains(ulong set, int actor, int actors)
    {
        if (actors <= InlineActors)
        {
            return (uint)actor < InlineActors && (set & (1UL << actor)) != 0;
        }

        var words = Words(set);
        var w = actor >> 6;
        return actor >= 0 && w < words.Length && (words[w] & (1UL << (actor & 63))) != 0;
    }

    /// <summary>How many actors the set holds.</summary>
    public static int Count(ulong set, int actors)
    {
        if (actors <= InlineActors)
        {
            return BitOperations.PopCount(set);
        }

        var count = 0;
        foreach (var w in Words(set))
        {
            count += BitOperations.PopCount(w);
        }

        return count;
    }

    /// <summary>The members of the set in ascending order.</summary>
    public static IEnumerable<int> Members(ulong set, int actors)
    {
        if (actors <= InlineActors)
        {
            for (var bits = set; bits != 0; bits &= bits - 1)
            {
                yield return BitOperations.TrailingZeroCount(bits);
            }

            yield break;
        }

        var words = Words(set).ToArray();
        for (var w = 0; w < words.Length; w++)
        {
            for (var bits = words[w]; bits != 0; bits &= bits - 1)
            {
                yield return (w << 6) + BitOperations.TrailingZeroCount(bits);
            }
        }
    }

    /// <summary>Words needed for a set of a scenario of <paramref name="actors"/> actors (1 when inline).</summary>
    public static int WordsFor(int actors) => actors <= InlineActors ? 1 : (actors + 63) >> 6;

    /// <summary>
    /// The stored value of the set whose bit i of word i/64 is actor i: the first word itself when the scenario has at
    /// most <see cref="InlineActors"/> actors, else the handle of the interned set.
    /// </summary>
    public static ulong Of(ReadOnlySpan<ulong> words, int actors)
    {
        if (actors <= InlineActors)
        {
            return words.IsEmpty ? 0 : words[0];
        }

        var length = words.Length;
        while (length > 0 && words[length - 1] == 0)
        {
            length--;
        }

        return length == 0 ? 0 : Intern(words[..length]);
    }

    /// <summary>The words of an interned set (trailing zero words trimmed; empty for handle 0).</summary>
    public static ReadOnlySpan<ulong> Words(ulong handle)
    {
        var sets = Volatile.Read(ref _sets);
        if (handle >= (ulong)sets.Length || sets[handle] is not { } words)
        {
            throw new ArgumentOutOfRangeException(nameof(handle), $"{handle} is not an interned actor set of this process");
        }

        return words;
    }

    private static ulong Intern(ReadOnlySpan<ulong> words)
    {
        lock (Gate)
        {
            var key = new WideKey(words.ToArray());
            if (Handles.TryGetValue(key, out var handle))
            {
                return handle;
            }

            var sets = _sets;
            if (_count == sets.Length)
            {
                var grown = new ulong[sets.Length * 2][];
                sets.CopyTo(grown, 0);
                sets = grown;
            }

            handle = (ulong)_count;
            sets[_count++] = key.Words;
            Volatile.Write(ref _sets, sets);
            Handles.Add(key, handle);
            return handle;
        }
    }

    /// <summary>Content equality for the intern table.</summary>
    private readonly struct WideKey(ulong[] words) : IEquatable<WideKey>
    {
        public ulong[] Words { get; } = words;

        public bool Equals(WideKey other) => Words.AsSpan().SequenceEqual(other.Words);

        public override bool Equals(object? obj) => obj is WideKey k && Equals(k);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.AddBytes(MemoryMarshal.AsBytes(Words.AsSpan()));
            return hash.ToHashCode();
        }
    }
}
