using System.Runtime.CompilerServices;

namespace NatVerify.Checker;

/// <summary>
/// An append-only list stored in fixed-size chunks. Growing never copies the elements, so a large list never
/// needs twice its size during a resize (a plain array doubling would briefly hold the old and the new copy).
/// </summary>
internal sealed class ChunkedList<T>
{
    private const int ChunkBits = 16;
    private const int ChunkSize = 1 << ChunkBits;
    private const int ChunkMask = ChunkSize - 1;

    private T[][] _chunks = new T[4][];
    private int _chunkCount;
    private int _count;

    public int Count => _count;

    /// <summary>Gets the bytes held by the allocated chunks (element size times capacity; references count as 8).</summary>
    public long Bytes => (long)_chunkCount * ChunkSize * ElementSize;

    private static int ElementSize => RuntimeHelpers.IsReferenceOrContainsReferences<T>() ? IntPtr.Size : Unsafe.SizeOf<T>();

    public ref T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref _chunks[index >> ChunkBits][index & ChunkMask];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T item)
    {
        int count = _count;
        int chunk = count >> ChunkBits;
        if (chunk == _chunkCount)
        {
            AddChunk();
        }

        _chunks[chunk][count & ChunkMask] = item;
        _count = count + 1;
    }

    /// <summary>Drops the elements from <paramref name="count"/> on (the chunks stay allocated for reuse).</summary>
    public void Truncate(int count)
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            for (int i = count; i < _count; i++)
            {
                this[i] = default!;
            }
        }

        _count = count;
    }

    private void AddChunk()
    {
        if (_chunkCount == _chunks.Length)
        {
            Array.Resize(ref _chunks, _chunks.Length * 2);
        }

        if ((long)(_chunkCount + 1) * ChunkSize > int.MaxValue)
        {
            throw new InsufficientMemoryException("A checker list reached 2^31 elements.");
        }

        _chunks[_chunkCount++] = new T[ChunkSize];
    }
}
