namespace NatVerify.Checker.Random;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, well-mixed 64-bit generator whose output sequence is fixed
/// by its seed on every platform and .NET version, so a printed seed replays a run exactly.
/// </summary>
public struct SplitMix64
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    private ulong _state;

    /// <summary>Creates a generator from a seed.</summary>
    /// <param name="seed">Any 64-bit value.</param>
    public SplitMix64(ulong seed)
    {
        _state = seed;
    }

    /// <summary>The finaliser of SplitMix64: a bijective 64-bit mix.</summary>
    /// <param name="z">The value to mix.</param>
    /// <returns>The mixed value.</returns>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The seed of the <paramref name="index"/>-th independent stream derived from <paramref name="seed"/>.</summary>
    /// <param name="seed">The parent seed.</param>
    /// <param name="index">The stream index.</param>
    /// <returns>A seed that differs for every (seed, index) pair with overwhelming probability.</returns>
    public static ulong Derive(ulong seed, long index) => Mix(seed + (Gamma * (ulong)(index + 1)));

    /// <summary>Returns the next 64 random bits.</summary>
    /// <returns>A uniformly distributed 64-bit value.</returns>
    public ulong NextUInt64()
    {
        _state += Gamma;
        return Mix(_state);
    }

    /// <summary>Returns a uniformly distributed integer in [0, <paramref name="bound"/>).</summary>
    /// <param name="bound">The exclusive upper bound; at least 1.</param>
    /// <returns>The value.</returns>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 1);

        // Lemire's multiply-shift with rejection: unbiased, and the same numbers on every platform.
        ulong range = (ulong)bound;
        ulong threshold = (0UL - range) % range;
        while (true)
        {
            ulong r = NextUInt64() >> 32;
            ulong m = r * range;
            if ((uint)m >= threshold)
            {
                return (int)(m >> 32);
            }
        }
    }

    /// <summary>Returns a uniformly distributed double in [0, 1).</summary>
    /// <returns>The value.</returns>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));
}
