namespace NatVerify.Checker;

/// <summary>
/// A first-in first-out queue of variable-length byte records (a 1-4 byte length, then the bytes) in chunks of
/// 1 MiB; drained chunks are reused by the tail, so after its peak the queue allocates nothing. A record never
/// spans two chunks.
/// </summary>
internal sealed class ChunkedByteQueue
{
    private const int ChunkSize = 1 << 20;
    private const int MaxRecord = (1 << 28) - 1;

    private readonly Queue<Chunk> _full = new();
    private readonly Stack<Chunk> _spare = new();
    private Chunk _head;
    private Chunk _tail;
    private int _headIndex;
    private long _count;
    private long _bytes;
    private long _peak;
    private long _peakBytes;

    public ChunkedByteQueue()
    {
        _head = new Chunk(ChunkSize);
        _tail = _head;
    }

    public long Count => _count;

    /// <summary>Gets the largest number of records queued at once.</summary>
    public long Peak => _peak;

    /// <summary>Gets the largest number of payload bytes (records and their lengths) queued at once.</summary>
    public long PeakBytes => _peakBytes;

    public void Enqueue(ReadOnlySpan<byte> record)
    {
        if (record.Length > MaxRecord)
        {
            throw new InsufficientMemoryException($"A state encoding of {record.Length} bytes exceeds the frontier's record limit of {MaxRecord} bytes.");
        }

        int size = LengthSize(record.Length) + record.Length;
        if (_tail.End + size > _tail.Data.Length)
        {
            NewTail(size);
        }

        byte[] data = _tail.Data;
        int at = _tail.End;
        int length = record.Length;
        while (length >= 0x80)
        {
            data[at++] = (byte)(length | 0x80);
            length >>= 7;
        }

        data[at++] = (byte)length;
        record.CopyTo(data.AsSpan(at));
        _tail.End = at + record.Length;
        _bytes += size;
        if (++_count > _peak)
        {
            _peak = _count;
        }

        if (_bytes > _peakBytes)
        {
            _peakBytes = _bytes;
        }
    }

    /// <summary>
    /// Removes the oldest record and returns its bytes; the span stays valid until the next
    /// <see cref="Enqueue"/> or <see cref="TryDequeue"/>.
    /// </summary>
    public bool TryDequeue(out ReadOnlySpan<byte> record)
    {
        if (_count == 0)
        {
            record = default;
            return false;
        }

        if (_headIndex == _head.End)
        {
            NextHead();
        }

        byte[] data = _head.Data;
        int at = _headIndex;
        int length = 0;
        int shift = 0;
        byte b;
        do
        {
            b = data[at++];
            length |= (b & 0x7f) << shift;
            shift += 7;
        }
        while (b >= 0x80);

        record = new ReadOnlySpan<byte>(data, at, length);
        _headIndex = at + length;
        _bytes -= _headIndex - (at - LengthSize(length));
        _count--;
        return true;
    }

    private static int LengthSize(int length) => length < 0x80 ? 1 : length < 0x4000 ? 2 : length < 0x200000 ? 3 : 4;

    private void NewTail(int size)
    {
        Chunk chunk = size <= ChunkSize && _spare.Count > 0 ? _spare.Pop() : new Chunk(Math.Max(ChunkSize, size));
        chunk.End = 0;
        if (!ReferenceEquals(_tail, _head))
        {
            _full.Enqueue(_tail);
        }

        // The head chunk is never in _full; chunks between head and tail are, in order.
        _tail = chunk;
    }

    private void NextHead()
    {
        Chunk drained = _head;
        _head = _full.Count > 0 ? _full.Dequeue() : _tail;
        _headIndex = 0;
        if (drained.Data.Length == ChunkSize && !ReferenceEquals(drained, _tail))
        {
            _spare.Push(drained);
        }
    }

    private sealed class Chunk(int size)
    {
        public byte[] Data { get; } = new byte[size];

        public int End { get; set; }
    }
}
