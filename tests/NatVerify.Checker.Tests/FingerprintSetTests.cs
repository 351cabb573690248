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
        // Small keys collide often (exercising duplicates); arbitrary keys exercise the whole range.
        Gen<ulong> smallKey = Gen.Choose(1, 64).Select(i => (ulong)i);
        Gen<ulong> anyKey = ArbMap.Default.GeneratorFor<ulong>().Select(k => k == 0 ? 1UL : k);
        Gen<(bool Add, ulong Key)> operation = Gen.Zip(
            Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false))),
            Gen.Frequency((1, smallKey), (1, anyKey)));
        Gen<(int Capacity, (bool Add, ulong Key)[] Operations)> scenario = Gen.Zip(
            Gen.Choose(1, 16),
            Gen.ArrayOf(operation).Resize(2000));

        return Prop.ForAll(scenario.ToArbitrary(), s =>
        {
            var set = new FingerprintSet(s.Capacity);
            var reference = new HashSet<ulong>();
            foreach ((bool add, ulong key) in s.Operations)
            {
                bool actual = add ? set.Add(key) : set.Contains(key);
                bool expected = add ? reference.Add(key) : reference.Contains(key);
                Assert.Equal(expected, actual);
                Assert.Equal(reference.Count, set.Count);
            }

            foreach (ulong key in reference)
            {
                Assert.True(set.Contains(key));
            }

            int capacity = set.Capacity;
            Assert.Equal(0, capacity & (capacity - 1));
            Assert.True(set.Count <= capacity * 7L / 10);
            Assert.Equal(capacity * 8L, set.Bytes);
        });
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
}
