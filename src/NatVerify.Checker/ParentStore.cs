namespace NatVerify.Checker;

/// <summary>
/// How each stored state was reached, for rebuilding traces by re-execution: its parent's id and the index of
/// the step within the parent's successor list (for initial states, the index into the initial states).
/// </summary>
/// <remarks>
/// Breadth-first search stores about 5 bytes per state: one ordinal byte, plus the id of the first child
/// of every expanded state. Its children get consecutive ids in expansion order, so a child's parent is the last
/// expanded state whose first child is not after it (a binary search). Depth-first ids are not consecutive per
/// parent, so that mode stores the parent id (4 bytes) explicitly. Ordinals of 255 and more are kept aside.
/// </remarks>
internal sealed class ParentStore
{
    private const byte Overflow = byte.MaxValue;

    private readonly bool _consecutiveChildren;
    private readonly ChunkedList<byte> _ordinals = new();
    private readonly ChunkedList<int> _links = new();
    private readonly Dictionary<int, int> _largeOrdinals = [];
    private int _roots;

    /// <summary>Creates a store; <paramref name="consecutiveChildren"/> is true for breadth-first ids.</summary>
    public ParentStore(bool consecutiveChildren)
    {
        _consecutiveChildren = consecutiveChildren;
    }

    public int Count => _ordinals.Count;

    public long Bytes => _ordinals.Bytes + _links.Bytes + (_largeOrdinals.Count * 16L);

    /// <summary>Records an initial state (all roots come before any child in breadth-first mode).</summary>
    public void AddRoot(int initialIndex)
    {
        int id = _ordinals.Count;
        AddOrdinal(id, initialIndex);
        if (_consecutiveChildren)
        {
            _roots = id + 1;
        }
        else
        {
            _links.Add(-1);
        }
    }

    /// <summary>Records a child; in breadth-first mode parents must add children in increasing parent order.</summary>
    public void AddChild(int parentId, int ordinal)
    {
        int id = _ordinals.Count;
        AddOrdinal(id, ordinal);
        if (_consecutiveChildren)
        {
            // Childless states before this parent get the same first child, which gives them empty ranges.
            while (_links.Count <= parentId)
            {
                _links.Add(id);
            }
        }
        else
        {
            _links.Add(parentId);
        }
    }

    /// <summary>The parent id (-1 for an initial state) and the ordinal of a stored state.</summary>
    public (int Parent, int Ordinal) Lookup(int id)
    {
        byte small = _ordinals[id];
        int ordinal = small == Overflow ? _largeOrdinals[id] : small;
        if (!_consecutiveChildren)
        {
            return (_links[id], ordinal);
        }

        if (id < _roots)
        {
            return (-1, ordinal);
        }

        // The last parent whose first child is <= id.
        int lo = 0;
        int hi = _links.Count - 1;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo + 1) >> 1);
            if (_links[mid] <= id)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return (lo, ordinal);
    }

    private void AddOrdinal(int id, int ordinal)
    {
        if (ordinal >= Overflow)
        {
            _ordinals.Add(Overflow);
            _largeOrdinals[id] = ordinal;
        }
        else
        {
            _ordinals.Add((byte)ordinal);
        }
    }
}
