using System.Text;
using FsCheck;
using FsCheck.Xunit;
using NatVerify.Checker;

namespace NatVerify.Checker.Tests;

public sealed class FingerprintTests
{
    [Theory]
    [InlineData("", 0xEF46DB3751D8E999UL)]
    [InlineData("a", 0xD24EC4F1A98C6E5BUL)]
    [InlineData("abc", 0x44BC2CF5AD770999UL)]
    [InlineData("NatVerify", 0xC742003470DBE8D9UL)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x0B242D361FDA71BCUL)]
    [InlineData("four", 0xAD2C745D4CE45169UL)]
    [InlineData("NatVerify-12", 0x98A1078659D9C1CDUL)]
    [InlineData("0123456789abcdef0123456789abcdef0123", 0xC4255BA3D1AF5461UL)]
    public void Fingerprint_is_xxhash64_with_seed_0(string input, ulong expected)
    {
        // The first five from System.IO.Hashing.XxHash64, which also agreed on 6000 random inputs of length 0..299; the last
        // three (a 4-byte tail after 0, 8 and 32 bytes) from the reference algorithm, which gives the first five too.
        byte[] bytes = Encoding.UTF8.GetBytes(input);
        Assert.Equal(expected, Fingerprint.XxHash64(bytes));
        Assert.Equal(expected, Fingerprint.Of(bytes));
    }

    [Property]
    public bool Fingerprint_is_never_zero(byte[] bytes)
    {
        return Fingerprint.Of(bytes) != 0;
    }

    [Fact]
    public void Fingerprint_is_never_zero_on_all_short_inputs()
    {
        var buffer = new byte[2];
        for (int i = 0; i < 1 << 16; i++)
        {
            buffer[0] = (byte)i;
            buffer[1] = (byte)(i >> 8);
            Assert.NotEqual(0UL, Fingerprint.Of(buffer));
            Assert.NotEqual(0UL, Fingerprint.Of(buffer.AsSpan(0, 1)));
        }
    }

    [Property]
    public bool Fingerprint_changes_when_any_single_bit_flips(NonEmptyArray<byte> input, int position, int bit)
    {
        byte[] bytes = input.Get;
        byte[] flipped = (byte[])bytes.Clone();
        int index = (int)((uint)position % (uint)bytes.Length);
        flipped[index] ^= (byte)(1 << (int)((uint)bit % 8));
        return Fingerprint.Of(bytes) != Fingerprint.Of(flipped);
    }

    [Property]
    public bool Fingerprint_changes_when_a_zero_byte_is_appended(byte[] bytes)
    {
        byte[] longer = [.. bytes, 0];
        return Fingerprint.Of(bytes) != Fingerprint.Of(longer);
    }

    [Fact]
    public void Fingerprints_of_all_two_byte_inputs_are_distinct()
    {
        var seen = new HashSet<ulong>();
        var buffer = new byte[2];
        for (int i = 0; i < 1 << 16; i++)
        {
            buffer[0] = (byte)i;
            buffer[1] = (byte)(i >> 8);
            Assert.True(seen.Add(Fingerprint.Of(buffer)));
        }
    }
}
