namespace NatVerify.Cluster;

/// <summary>
/// A growable list of encoded states packed into one byte array (each state's end offset kept beside it), with a
/// fingerprint, parent fingerprint and step ordinal per state: a partition's frontier and the body of a batch.
/// </summary>
internal sealed class EncodedStates
{
    private byte[] _data = new byte[4096];
    private int[] _ends = new int[64];
    private ulong[] _fingerprints = new ulong[64];
    private ulong[] _parents = new ulong[64];
    private int[] _ordinals = new int[64];
    private int _bytes;

    public int Count { get; private set; }

    public int ByteCount => _bytes;

    public ReadOnlySpan<byte> State(int i) => _data.AsSpan(i == 0 ? 0 : _ends[i - 1], _ends[i] - (i == 0 ? 0 : _ends[i - 1]));

    public ulong Fingerprint(int i) => _fingerprints[i];

    public ulong Parent(int i) => _parents[i];

    public int Ordinal(int i) => _ordinals[i];

    public void Add(ReadOnlySpan<byte> state, ulong fingerprint, ulong parent, int ordinal)
    {
        if (Count == _ends.Length)
        {
            var size = Count * 2;
            Array.Resize(ref _ends, size);
            Array.Resize(ref _fingerprints, size);
            Array.Resize(ref _parents, size);
            Array.Resize(ref _ordinals, size);
        }

        if (_data.Length - _bytes < state.Length)
        {
            Array.Resize(ref _data, (int)Math.Min(Array.MaxLength, Math.Max((long)_data.Length * 2, (long)_bytes + state.Length)));
        }

        state.CopyTo(_data.AsSpan(_bytes));
        _bytes += state.Length;
        _ends[Count] = _bytes;
        _fingerprints[Count] = fingerprint;
        _parents[Count] = parent;
        _ordinals[Count] = ordinal;
        Count++;
    }

    public void Clear()
    {
        Count = 0;
        _bytes = 0;
    }

    /// <summary>Copies the list into a message and empties it.</summary>
    public StateBatch Drain()
    {
        var batch = new StateBatch
        {
            Data = _data.AsSpan(0, _bytes).ToArray(),
            Ends = _ends.AsSpan(0, Count).ToArray(),
            Fingerprints = _fingerprints.AsSpan(0, Count).ToArray(),
            Parents = _parents.AsSpan(0, Count).ToArray(),
            Ordinals = _ordinals.AsSpan(0, Count).ToArray(),
        };
        Clear();
        return batch;
    }

    /// <summary>Bytes held by the arrays (for the memory bound and the documented per-state cost).</summary>
    public long Capacity => _data.Length + (_ends.Length * (4L + 8 + 8 + 4));
}
