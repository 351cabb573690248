using System.Runtime.CompilerServices;

namespace NatVerify.Checker;

/// <summary>
/// The breadth-first queue of states waiting to be expanded: bare state objects, or, when the encoder can decode
/// (<see cref="IStatePacker{TState}"/>), their packed bytes, unpacked when dequeued.
/// </summary>
internal sealed class Frontier<TState>
{
    private readonly ChunkedQueue<TState>? _objects;
    private readonly ChunkedByteQueue? _bytes;
    private readonly IStatePacker<TState>? _packer;
    private readonly StateWriter? _writer;

    public Frontier(IStateEncoder<TState> encoder)
    {
        // A compact (64-bit) encoder's states are already small values: nothing to gain from packing them.
        if (encoder is IStatePacker<TState> packer && encoder is not ICompactStateEncoder<TState>)
        {
            _packer = packer;
            _bytes = new ChunkedByteQueue();
            _writer = new StateWriter(256);
        }
        else
        {
            _objects = new ChunkedQueue<TState>();
        }
    }

    public long Count => _objects?.Count ?? _bytes!.Count;

    /// <summary>Gets the largest number of states queued at once.</summary>
    public long Peak => _objects?.Peak ?? _bytes!.Peak;

    /// <summary>Gets the largest number of bytes of packed states queued at once (0 when states are queued as objects).</summary>
    public long PeakBytes => _bytes?.PeakBytes ?? 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enqueue(TState state)
    {
        if (_objects is not null)
        {
            _objects.Enqueue(state);
            return;
        }

        StateWriter writer = _writer!;
        writer.Reset();
        _packer!.Pack(state, writer);
        _bytes!.Enqueue(writer.Written);
    }

    /// <summary>Queues a state already packed by the encoder (<see cref="IRunFingerprinter{TState}.RunFingerprint"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EnqueuePacked(ReadOnlySpan<byte> packed) => _bytes!.Enqueue(packed);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryDequeue(out TState state)
    {
        if (_objects is not null)
        {
            return _objects.TryDequeue(out state);
        }

        if (!_bytes!.TryDequeue(out ReadOnlySpan<byte> record))
        {
            state = default!;
            return false;
        }

        state = _packer!.Unpack(record);
        return true;
    }
}
