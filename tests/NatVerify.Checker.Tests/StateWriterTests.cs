using NatVerify.Checker;

namespace NatVerify.Checker.Tests;

public sealed class StateWriterTests
{
    [Fact]
    public void State_writer_writes_little_endian_values_and_reset_reuses_the_buffer()
    {
        var writer = new StateWriter(1);
        writer.WriteByte(0xAB);
        writer.WriteUInt16(0x0102);
        writer.WriteInt32(-2);
        writer.WriteUInt32(0x03040506);
        writer.WriteInt64(0x0708090A0B0C0D0E);
        writer.WriteBoolean(true);

        Assert.Equal(
            [0xAB, 0x02, 0x01, 0xFE, 0xFF, 0xFF, 0xFF, 0x06, 0x05, 0x04, 0x03, 0x0E, 0x0D, 0x0C, 0x0B, 0x0A, 0x09, 0x08, 0x07, 0x01],
            writer.Written.ToArray());

        writer.Reset();
        Assert.Equal(0, writer.Length);
        writer.WriteString("hé");
        Assert.Equal([3, 0, 0, 0, (byte)'h', 0xC3, 0xA9], writer.Written.ToArray());
    }

    [Fact]
    public void State_writer_grows_to_hold_long_encodings()
    {
        var writer = new StateWriter(1);
        for (int i = 0; i < 10_000; i++)
        {
            writer.WriteInt32(i);
        }

        Assert.Equal(40_000, writer.Length);
        Assert.Equal(9_999, BitConverter.ToInt32(writer.Written[^4..]));
    }

    [Fact]
    public void Varints_written_in_place_equal_those_written_one_call_each_and_read_back()
    {
        ulong[] values = [0, 1, 127, 128, 300, 16_383, 16_384, uint.MaxValue, ulong.MaxValue];
        var byCall = new StateWriter(1);
        var inPlace = new StateWriter(1);
        byCall.WriteByte(9);
        inPlace.WriteByte(9);
        Span<byte> room = inPlace.GetSpan(10 * values.Length);
        int at = 0;
        foreach (ulong value in values)
        {
            byCall.WriteVarUInt64(value);
            at = StateWriter.PutVarUInt64(room, at, value);
        }

        inPlace.Advance(at);
        Assert.Equal(byCall.Written.ToArray(), inPlace.Written.ToArray());
        var reader = new StateReader(inPlace.Written[1..]);
        foreach (ulong value in values)
        {
            Assert.Equal(value, reader.ReadVarUInt64());
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => inPlace.Advance(int.MaxValue));
    }
}
