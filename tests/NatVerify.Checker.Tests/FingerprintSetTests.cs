using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NatVerify.Checker;

namespace NatVerify.Checker.Tests;

public sealed class FingerprintSetTests
{
    [Property(MaxTest = 300)]
    public Property Fingerprint_set_agrees_with_a_HashSet_on_random_adds_and_lookups_including_growth()
    {
        return Prop.ForAll(Scenarios().ToArbitrary(), s =>
        {
            var set = new FingerprintSet(s.Capacity);
            AgreesWithHashSet(set, s.Operations);
            int capacity = set.Capacity;
            Assert.Equal(0, capacity & (capacity - 1));
            Assert.True(set.Count <= capacity * 7L / 10);
            Assert.Equal(capacity * 8L, set.Bytes);
        });
    }

    [Property(MaxTest = 300)]
    public Property Fingerprint_set_growing_in_place_agrees_with_a_HashSet_on_random_adds_and_lookups()
    {
        // The same operations, on a set whose table moves into a reservation at 4 slots and from then on doubles in
        // place: every growth past the first rehashes within the table (FingerprintSet.GrowInPlace).
        return Prop.ForAll(Scenarios().ToArbitrary(), s =>
        {
            var set = new FingerprintSet(s.Capacity, reserveFrom: 4);
            AgreesWithHashSet(set, s.Operations);
            Assert.Equal(OperatingSystem.IsLinux() && set.Capacity >= 4, set.GrowsInPlace);
        });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void Fingerprint_set_growing_in_place_keeps_probe_runs_that_wrap_past_the_end_or_start_far_from_home(int seed)
    {
        // Keys are built to hash to chosen home slots (the inverse of the set's Fibonacci multiplier), so that long
        // probe runs start at the last slots and wrap to the first, and entries sit far below their homes' doubles:
        // the two cases the in-place rehash must set aside and insert after its pass.
        const ulong spread = 0x9E3779B97F4A7C15UL;
        ulong inverse = spread;
        for (int i = 0; i < 6; i++)
        {
            inverse *= 2 - (spread * inverse);
        }

        var random = new System.Random(seed);
        var set = new FingerprintSet(64, reserveFrom: 64);
        var reference = new HashSet<ulong>();
        void Add(ulong product)
        {
            ulong key = product * inverse;
            if (key != 0)
            {
                Assert.Equal(reference.Add(key), set.Add(key));
            }
        }

        for (int round = 0; round < 6; round++)
        {
            int capacity = set.Capacity;
            int shift = 64 - System.Numerics.BitOperations.Log2((uint)capacity);
            // A third of the room on the last two homes (the run wraps), a sixth on home 0, the rest anywhere.
            int room = (capacity * 7 / 10) - (int)set.Count;
            for (int i = 0; i < room / 3; i++)
            {
                Add(((ulong)(capacity - 1 - random.Next(2)) << shift) | ((ulong)random.NextInt64() >>> (64 - shift)));
            }

            for (int i = 0; i < room / 6; i++)
            {
                Add((ulong)random.NextInt64() >>> (64 - shift));
            }

            while (set.Capacity == capacity)
            {
                Add((ulong)random.NextInt64() * 2 + 1);
            }

            Assert.All(reference, key => Assert.True(set.Contains(key)));
            Assert.Equal(reference.Count, set.Count);
        }

        Assert.Equal(OperatingSystem.IsLinux(), set.GrowsInPlace);
        Assert.Equal(64 << 6, set.Capacity);
    }

    [Fact]
    public void Fingerprint_set_keeps_every_element_across_many_growths()
    {
        var set = new FingerprintSet(1);
        for (ulong i = 1; i <= 200_000; i++)
        {
            Assert.True(set.Add(i * 0x100000000UL));
        }

        Assert.Equal(200_000, set.Count);
        Assert.Equal(1 << 19, set.Capacity);
        for (ulong i = 1; i <= 200_000; i++)
        {
            Assert.True(set.Contains(i * 0x100000000UL));
            Assert.False(set.Add(i * 0x100000000UL));
            Assert.False(set.Contains((i * 0x100000000UL) + 1));
        }
    }

    [Fact]
    public void Fingerprint_set_rejects_zero_and_never_contains_it()
    {
        var set = new FingerprintSet();
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Add(0));
        Assert.False(set.Contains(0));
        Assert.Equal(0, set.Count);
    }

    // A starting capacity and up to 2,000 adds and lookups: small keys collide often (exercising duplicates),
    // arbitrary keys exercise the whole range.
    private static Gen<(int Capacity, (bool Add, ulong Key)[] Operations)> Scenarios()
    {
        Gen<ulong> smallKey = Gen.Choose(1, 64).Select(i => (ulong)i);
        Gen<ulong> anyKey = ArbMap.Default.GeneratorFor<ulong>().Select(k => k == 0 ? 1UL : k);
        Gen<(bool Add, ulong Key)> operation = Gen.Zip(
            Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false))),
            Gen.Frequency((1, smallKey), (1, anyKey)));
        return Gen.Zip(Gen.Choose(1, 16), Gen.ArrayOf(operation).Resize(2000));
    }

    private static void AgreesWithHashSet(FingerprintSet set, (bool Add, ulong Key)[] operations)
    {
        var reference = new HashSet<ulong>();
        foreach ((bool add, ulong key) in operations)
        {
            bool actual = add ? set.Add(key) : set.Contains(key);
            bool expected = add ? reference.Add(key) : reference.Contains(key);
            Assert.Equal(expected, actual);
            Assert.Equal(reference.Count, set.Count);
        }

        Assert.All(reference, key => Assert.True(set.Contains(key)));
    }
}
