using NatVerify.Model.Nat;

namespace NatVerify.Policy.Tests;

/// <summary>
/// The header-space operations are exact: over a small domain (ports 0-7, marks 0-7 with every other field fixed) and
/// 300 random region pairs from a fixed seed, subtraction, intersection and coalescing give exactly the point sets of
/// their definitions.
/// </summary>
public sealed class HeaderSpaceTests
{
    private const int Seed = 20261204;

    private static Cube RandomCube(Random r)
    {
        Interval I()
        {
            var a = (uint)r.Next(8);
            var b = (uint)r.Next(8);
            return new Interval(Math.Min(a, b), Math.Max(a, b));
        }

        var care = (uint)r.Next(8);
        return Cube.Full with { SPort = I(), DPort = I(), Mark = new Ternary((uint)r.Next(8) & care, care) };
    }

    private static bool Contains(Cube c, uint sp, uint dp, uint mark) =>
        c.SPort.Contains(sp) && c.DPort.Contains(dp) && ((mark ^ c.Mark.Value) & c.Mark.Care) == 0;

    private static bool In(Region r, uint sp, uint dp, uint mark) => r.Cubes.Any(c => Contains(c, sp, dp, mark));

    [Fact]
    public void Minus_intersect_and_coalesce_are_exact_on_a_small_domain()
    {
        var random = new Random(Seed);
        for (var k = 0; k < 300; k++)
        {
            var a = new Region([RandomCube(random), RandomCube(random)]);
            var b = new Region([RandomCube(random)]);
            var minus = a.Minus(b);
            var meet = a.Intersect(b);
            var coalesced = a.Union(b).Coalesce();
            for (uint sp = 0; sp < 8; sp++)
            {
                for (uint dp = 0; dp < 8; dp++)
                {
                    for (uint m = 0; m < 8; m++)
                    {
                        var inA = In(a, sp, dp, m);
                        var inB = In(b, sp, dp, m);
                        Assert.Equal(inA && !inB, In(minus, sp, dp, m));
                        Assert.Equal(inA && inB, In(meet, sp, dp, m));
                        Assert.Equal(inA || inB, In(coalesced, sp, dp, m));
                    }
                }
            }
        }
    }

    [Fact]
    public void Ternary_from_interval_covers_exactly_the_interval()
    {
        var patterns = Ternary.FromInterval(new Interval(3, 13));
        for (uint v = 0; v < 32; v++)
        {
            Assert.Equal(v is >= 3 and <= 13, patterns.Any(t => ((v ^ t.Value) & t.Care) == 0));
        }
    }
}
