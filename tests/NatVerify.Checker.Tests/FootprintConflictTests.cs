using NatVerify.Checker;
using Xunit;

namespace NatVerify.Checker.Tests;

/// <summary>
/// <see cref="Footprint.ConflictsWith"/> (which skips the pairwise scan when the key masks cannot meet) says exactly what
/// its definition says: one side writes a region that overlaps a region the other reads or writes. Checked on 20,000
/// random pairs of footprints per seed (0-4 reads and 0-4 writes per part over 70 keys, intervals of width 0-2 in [0, 9]
/// on four dimensions, one region in 50 Everything), one footprint filled region by region, the other joined from two
/// parts by <see cref="Footprint.Add"/>, both reused after <see cref="Footprint.Clear"/>.
/// </summary>
public sealed class FootprintConflictTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ConflictsWith_equals_the_pairwise_overlap_definition(int seed)
    {
        var random = new System.Random(seed);
        var a = new Footprint();
        var b = new Footprint();
        var part = new Footprint();
        var conflicts = 0;
        for (var n = 0; n < 20_000; n++)
        {
            a.Clear();
            b.Clear();
            Fill(random, a);
            part.Clear();
            Fill(random, part);
            b.Add(part);
            part.Clear();
            Fill(random, part);
            b.Add(part);

            var expected = Naive(a, b);
            conflicts += expected ? 1 : 0;
            Assert.Equal(expected, a.ConflictsWith(b));
            Assert.Equal(expected, b.ConflictsWith(a));
        }

        // Both answers are common, so the test can tell a mask that hides conflicts from one that finds too many.
        Assert.InRange(conflicts, 2_000, 18_000);
    }

    private static void Fill(System.Random random, Footprint footprint)
    {
        for (int i = random.Next(5), j = 0; j < i; j++)
        {
            footprint.Read(Next(random));
        }

        for (int i = random.Next(5), j = 0; j < i; j++)
        {
            footprint.Write(Next(random));
        }
    }

    private static Region Next(System.Random random)
    {
        if (random.Next(50) == 0)
        {
            return Region.Everything;
        }

        // Keys like the NAT model's: small kinds and protocols, and large per-actor keys.
        long key = random.Next(2) == 0 ? random.Next(6) : ((long)random.Next(64) + 1) << 32;
        long Lo() => random.Next(8);
        long lo0 = Lo(), lo1 = Lo(), lo2 = Lo(), lo3 = Lo();
        return new Region(key, lo0, lo0 + random.Next(3), lo1, lo1 + random.Next(3), lo2, lo2 + random.Next(3), lo3, lo3 + random.Next(3));
    }

    private static bool Naive(Footprint x, Footprint y) =>
        Any(x.Writes, y.Reads) || Any(x.Writes, y.Writes) || Any(x.Reads, y.Writes)
        || Any(y.Writes, x.Reads);

    private static bool Any(ReadOnlySpan<Region> p, ReadOnlySpan<Region> q)
    {
        foreach (var r in p)
        {
            foreach (var s in q)
            {
                if (r.Overlaps(s))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
