using System.Buffers.Binary;
using System.Numerics;
using NatVerify.Model.Addressing;

namespace NatVerify.Model.Semantics;

/// <summary>
/// Bob Jenkins' lookup3 hash as the kernel's <c>include/linux/jhash.h</c> has it (<c>jhash2</c>,
/// <c>__jhash_mix</c>, <c>__jhash_final</c>, <c>JHASH_INITVAL</c>), and the address choice of
/// <c>find_best_ips_proto</c> (net/netfilter/nf_nat_core.c) built on it.
/// </summary>
public static class Jhash
{
    /// <summary><c>JHASH_INITVAL</c>.</summary>
    public const uint InitVal = 0xdeadbeef;

    /// <summary><c>jhash2(k, length, initval)</c>: hashes an array of 32-bit words.</summary>
    public static uint Jhash2(ReadOnlySpan<uint> k, uint initval)
    {
        var length = (uint)k.Length;
        uint a, b, c;
        a = b = c = InitVal + (length << 2) + initval;
        while (length > 3)
        {
            a += k[0];
            b += k[1];
            c += k[2];
            Mix(ref a, ref b, ref c);
            length -= 3;
            k = k[3..];
        }

        switch (length)
        {
            case 3:
                c += k[2];
                b += k[1];
                a += k[0];
                Final(ref a, ref b, ref c);
                break;
            case 2:
                b += k[1];
                a += k[0];
                Final(ref a, ref b, ref c);
                break;
            case 1:
                a += k[0];
                Final(ref a, ref b, ref c);
                break;
        }

        return c;
    }

    /// <summary>
    /// <c>find_best_ips_proto</c> for IPv4 with <c>min != max</c>: <c>j = jhash2(&amp;tuple->src.u3, 4, persistent ? 0 :
    /// dst.u3.all[0] ^ zone->id)</c> over the 16-byte <c>union nf_inet_addr</c> (the IPv4 word then three zero words),
    /// then <c>min + reciprocal_scale(j, max - min + 1)</c>. The address words are read as the little-endian host
    /// (x86, arm64) reads network-order memory. No per-boot seed is involved ("even across reboots").
    /// </summary>
    /// <param name="source">The tuple's source address before the manip (<c>tuple->src.u3</c>).</param>
    /// <param name="destination">The tuple's destination address (<c>tuple->dst.u3</c>).</param>
    /// <param name="min">Range minimum.</param>
    /// <param name="max">Range maximum.</param>
    /// <param name="persistent">NF_NAT_RANGE_PERSISTENT: the destination is left out of the hash.</param>
    /// <param name="zone">The conntrack zone id (0 without zones).</param>
    public static Ipv4 BestAddress(Ipv4 source, Ipv4 destination, Ipv4 min, Ipv4 max, bool persistent, ushort zone = 0)
    {
        Span<uint> key = [Word(source), 0, 0, 0];
        var j = Jhash2(key, persistent ? 0 : Word(destination) ^ zone);
        var dist = max.Value - min.Value + 1;
        return new Ipv4(min.Value + (uint)(((ulong)j * dist) >> 32));
    }

    // The u32 a little-endian CPU loads from the address's network-order bytes.
    private static uint Word(Ipv4 address) => BinaryPrimitives.ReverseEndianness(address.Value);

    private static void Mix(ref uint a, ref uint b, ref uint c)
    {
        a -= c; a ^= BitOperations.RotateLeft(c, 4); c += b;
        b -= a; b ^= BitOperations.RotateLeft(a, 6); a += c;
        c -= b; c ^= BitOperations.RotateLeft(b, 8); b += a;
        a -= c; a ^= BitOperations.RotateLeft(c, 16); c += b;
        b -= a; b ^= BitOperations.RotateLeft(a, 19); a += c;
        c -= b; c ^= BitOperations.RotateLeft(b, 4); b += a;
    }

    private static void Final(ref uint a, ref uint b, ref uint c)
    {
        c ^= b; c -= BitOperations.RotateLeft(b, 14);
        a ^= c; a -= BitOperations.RotateLeft(c, 11);
        b ^= a; b -= BitOperations.RotateLeft(a, 25);
        c ^= b; c -= BitOperations.RotateLeft(b, 16);
        a ^= c; a -= BitOperations.RotateLeft(c, 4);
        b ^= a; b -= BitOperations.RotateLeft(a, 14);
        c ^= b; c -= BitOperations.RotateLeft(b, 24);
    }
}
