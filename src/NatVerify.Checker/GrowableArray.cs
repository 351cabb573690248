using System.Runtime.CompilerServices;

namespace NatVerify.Checker;

/// <summary>A minimal growable array of values with by-reference access and truncation.</summary>
internal sealed class GrowableArray<T>
{
    private T[] _items;
    private int _count;

    public GrowableArray(int initialCapacity = 256)
    {
        _items = new T[initialCapacity];
    }

    public int Count => _count;

    public ref T this[int index] => ref _items[index];

    public void Add(T item)
    {
        if (_count == _items.Length)
        {
            Grow();
        }

        _items[_count++] = item;
    }

    public void Truncate(int count)
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(_items, count, _count - count);
        }

        _count = count;
    }

    public void Clear()
    {
        Truncate(0);
    }

    private void Grow()
    {
        int size = (int)Math.Min(Math.Max((long)_items.Length * 2, 4), Array.MaxLength);
        if (size <= _count)
        {
            throw new InsufficientMemoryException("A checker array reached the maximum array length.");
        }

        Array.Resize(ref _items, size);
    }
}
