using System.Runtime.CompilerServices;

namespace NatVerify.Checker;

/// <summary>
/// The sleep set stored with each state whose sleep set is not empty, keyed by the state's fingerprint: an
/// open-addressing table of (fingerprint, value) pairs, 16 bytes per entry, kept at most 70% full. The value holds
/// the sleep set as a bit mask of processes 0-62 and, in bit 63, whether the state was expanded with that set. States
/// stored with an empty sleep set have no entry: a revisit can never make their set smaller.
/// </summary>
internal sealed class SleepTable
{
    /// <summary>The bit of a value that marks an expanded state; the other 63 bits are the sleep set.</summary>
    public const ulong ExpandedBit = 1UL << 63;

    private ulong[] _keys;
    private ulong[] _values;
    private int _mask;
    private int _count;

    // Fingerprint 0 marks an empty slot, so the state with fingerprint 0 is kept aside.
    private bool _hasZero;
    private ulong _zeroValue;

    public SleepTable()
    {
        _keys = new ulong[1 << 10];
        _values = new ulong[1 << 10];
        _mask = _keys.Length - 1;
    }

    /// <summary>Gets the number of entries.</summary>
    public long Count => _count + (_hasZero ? 1 : 0);

    /// <summary>Gets the bytes held by the table's arrays.</summary>
    public long Bytes => (long)_keys.Length * 16;

    /// <summary>Returns the stored value for a fingerprint, or 0 (empty sleep set, not expanded) when there is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Get(ulong fingerprint)
    {
        if (fingerprint == 0)
        {
            return _hasZero ? _zeroValue : 0;
        }

        int i = (int)Fingerprint.Mix(fingerprint) & _mask;
        while (true)
        {
            ulong key = _keys[i];
            if (key == fingerprint)
            {
                return _values[i];
            }

            if (key == 0)
            {
                return 0;
            }

            i = (i + 1) & _mask;
        }
    }

    /// <summary>Sets the value for a fingerprint (adding the entry if needed).</summary>
    public void Set(ulong fingerprint, ulong value)
    {
        if (fingerprint == 0)
        {
            _hasZero = true;
            _zeroValue = value;
            return;
        }

        int i = (int)Fingerprint.Mix(fingerprint) & _mask;
        while (true)
        {
            ulong key = _keys[i];
            if (key == fingerprint)
            {
                _values[i] = value;
                return;
            }

            if (key == 0)
            {
                _keys[i] = fingerprint;
                _values[i] = value;
                if (++_count * 10L > _keys.Length * 7L)
                {
                    Grow();
                }

                return;
            }

            i = (i + 1) & _mask;
        }
    }

    private void Grow()
    {
        ulong[] keys = _keys;
        ulong[] values = _values;
        _keys = new ulong[keys.Length * 2];
        _values = new ulong[keys.Length * 2];
        _mask = _keys.Length - 1;
        for (int j = 0; j < keys.Length; j++)
        {
            ulong key = keys[j];
            if (key == 0)
            {
                continue;
            }

            int i = (int)Fingerprint.Mix(key) & _mask;
            while (_keys[i] != 0)
            {
                i = (i + 1) & _mask;
            }

            _keys[i] = key;
            _values[i] = values[j];
        }
    }
}
