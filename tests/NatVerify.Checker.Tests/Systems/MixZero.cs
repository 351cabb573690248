using NatVerify.Checker;

namespace NatVerify.Checker.Tests.Systems;

/// <summary>
/// A compact-encoded chain Z -> Z+1 -> Z+2 -> Z, where Z is the one value whose <see cref="Fingerprint.Mix"/> is 0
/// (the fingerprint table cannot hold 0): three states, three transitions, a cycle back to Z.
/// </summary>
public sealed class MixZero : ITransitionSystem<ulong, string>, ICompactStateEncoder<ulong>
{
    public static ulong Zero { get; } = Unmix(0);

    public IReadOnlyList<ulong> InitialStates { get; } = [Zero];

    public void Successors(ulong state, List<Transition<ulong, string>> sink)
    {
        sink.Add(new("next", state == Zero + 2 ? Zero : state + 1));
    }

    public void Encode(ulong state, StateWriter writer) => writer.WriteUInt64(state);

    public ulong EncodeCompact(ulong state) => state;

    /// <summary>The inverse of the MurmurHash3 finaliser: xor-shifts by 33 are involutions, odd multipliers invert mod 2^64.</summary>
    public static ulong Unmix(ulong value)
    {
        value ^= value >> 33;
        value *= Inverse(0xC4CEB9FE1A85EC53UL);
        value ^= value >> 33;
        value *= Inverse(0xFF51AFD7ED558CCDUL);
        value ^= value >> 33;
        return value;
    }

    private static ulong Inverse(ulong odd)
    {
        // Newton's iteration doubles the correct low bits each round: 5 rounds from 3 bits reach 64.
        ulong x = odd;
        for (int i = 0; i < 5; i++)
        {
            x *= 2 - (odd * x);
        }

        return x;
    }
}
