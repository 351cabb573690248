using System.Runtime.CompilerServices;

namespace NatVerify.Checker;

/// <summary>
/// A first-in first-out queue stored in fixed-size chunks; drained chunks are kept for reuse by the tail, so a
/// breadth-first frontier costs one element slot per queued state, never copies, and after reaching its peak size
/// allocates no more memory (no new pages to fault in, no large-object garbage).
/// </summary>
internal sealed class ChunkedQueue<T>
{
    private const int ChunkSize = 1 << 14;

    private readonly Queue<T[]> _full = new();
    private readonly Stack<T[]> _spare = new();
    private T[] _head = new T[ChunkSize];
    private T[] _tail;
    private int _headIndex;
    private int _tailIndex;
    private long _count;
    private long _peak;

    public ChunkedQueue()
    {
        _tail = _head;
    }

    public long Count => _count;

    /// <summary>Gets the largest number of elements queued at once.</summary>
    public long Peak => _peak;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enqueue(T item)
    {
        if (_tailIndex == ChunkSize)
        {
            NewTail();
        }

        _tail[_tailIndex++] = item;
        if (++_count > _peak)
        {
            _peak = _count;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryDequeue(out T item)
    {
        if (_count == 0)
        {
            item = default!;
            return false;
        }

        if (_headIndex == ChunkSize)
        {
            NextHead();
        }

        item = _head[_headIndex];
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            _head[_headIndex] = default!;
        }

        _headIndex++;
        _count--;
        return true;
    }

    private void NewTail()
    {
        T[] chunk = _spare.Count > 0 ? _spare.Pop() : new T[ChunkSize];
        if (!ReferenceEquals(_tail, _head))
        {
            _full.Enqueue(_tail);
        }

        // The head chunk is never in _full; chunks between head and tail are, in order.
        _tail = chunk;
        _tailIndex = 0;
    }

    private void NextHead()
    {
        T[] drained = _head;
        _head = _full.Count > 0 ? _full.Dequeue() : _tail;
        _headIndex = 0;
        _spare.Push(drained);
    }
}
