using NatVerify.Checker;

namespace NatVerify.Reference;

/// <summary>
/// A canonicalising encoder for the nondeterministic variants: maps every state to the least packed state of its
/// orbit under the model's symmetries, so the checker stores one state per orbit (symmetry reduction).
/// </summary>
/// <remarks>
/// <para>
/// With <see cref="ChoiceMode.Nd"/> every search picks any free port of 1..K, so ports play interchangeable roles
/// except where a flow's own constants name them. Two kinds of renaming are automorphisms of the transition
/// system (they map the initial state to itself, steps to steps, and preserve the invariant):
/// </para>
/// <list type="bullet">
/// <item><description>any permutation of the <em>free</em> ports: 2..K minus every flow's source port. Port 1 is
/// fixed (T_0's single SNAT port, C_0's source port and E's reply port).</description></item>
/// <item><description>any permutation of the complete pairs (T_j, C_j) with j ≥ 1 and j+1 ≤ K, moving both flows and
/// renaming their common source port j+1 along. Pair 3 is excluded when the injector is present, because T_3's
/// original tuple is E's.</description></item>
/// </list>
/// <para>
/// The two groups commute, so the orbit minimum is the minimum over pair permutations σ of σ(s) with its free ports
/// renamed by order of first appearance (scanning flows in index order), which is canonical for the free-port group.
/// The deterministic variant picks the smallest free port, which breaks both symmetries; there the encoder is the
/// identity. Symmetry reduction preserves the reachability of violations and terminal states up to renaming.
/// </para>
/// </remarks>
public sealed class RefSymmetry : ICompactStateEncoder<ulong>
{
    private readonly RefModel _model;
    private readonly int _n;
    private readonly int _maxPort;
    private readonly bool _active;
    private readonly bool[] _isFree;
    private readonly int[] _freePorts;
    private readonly int[][] _flowMaps;
    private readonly int[][] _inverseFlowMaps;
    private readonly int[][] _portMaps;

    /// <summary>Builds the symmetry group of a model's variant.</summary>
    /// <param name="model">The model.</param>
    public RefSymmetry(RefModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        RefVariant v = model.Variant;
        _n = v.N;
        _maxPort = model.MaxPort;
        _isFree = new bool[_maxPort + 1];
        var sports = new HashSet<int>();
        for (int i = 0; i < _n; i++)
        {
            sports.Add((i / 2) + 1);
        }

        var free = new List<int>();
        for (int p = 2; p <= v.K; p++)
        {
            if (!sports.Contains(p))
            {
                _isFree[p] = true;
                free.Add(p);
            }
        }

        _freePorts = [.. free];
        var pairs = new List<int>();
        for (int j = 1; (2 * j) + 1 < _n; j++)
        {
            if (j + 1 <= v.K && !(v.Inject && j == 3))
            {
                pairs.Add(j);
            }
        }

        var flowMaps = new List<int[]>();
        var portMaps = new List<int[]>();
        foreach (int[] permutation in Permutations(pairs.Count))
        {
            int[] flowMap = new int[_n];
            int[] portMap = new int[_maxPort + 1];
            for (int i = 0; i < _n; i++)
            {
                flowMap[i] = i;
            }

            for (int p = 0; p <= _maxPort; p++)
            {
                portMap[p] = p;
            }

            for (int a = 0; a < pairs.Count; a++)
            {
                int from = pairs[a];
                int to = pairs[permutation[a]];
                flowMap[2 * from] = 2 * to;
                flowMap[(2 * from) + 1] = (2 * to) + 1;
                portMap[from + 1] = to + 1;
            }

            flowMaps.Add(flowMap);
            portMaps.Add(portMap);
        }

        _flowMaps = [.. flowMaps];
        _inverseFlowMaps = new int[_flowMaps.Length][];
        for (int g = 0; g < _flowMaps.Length; g++)
        {
            _inverseFlowMaps[g] = new int[_n];
            for (int i = 0; i < _n; i++)
            {
                _inverseFlowMaps[g][_flowMaps[g][i]] = i;
            }
        }

        _portMaps = [.. portMaps];
        _active = v.Choice == ChoiceMode.Nd && (_freePorts.Length > 1 || _flowMaps.Length > 1);
    }

    /// <summary>Gets the number of interchangeable free ports (0 for the deterministic variant).</summary>
    public int FreePorts => _active ? _freePorts.Length : 0;

    /// <summary>Gets the number of pair permutations tried per state (1 when pairs are not interchangeable).</summary>
    public int PairPermutations => _active ? _flowMaps.Length : 1;

    /// <inheritdoc />
    public void Encode(ulong state, StateWriter writer) => writer.WriteUInt64(EncodeCompact(state));

    /// <inheritdoc />
    public ulong EncodeCompact(ulong state)
    {
        if (!_active)
        {
            return state;
        }

        int n = _n;
        int width = _model.FieldBits;
        int confBase = 1 + _maxPort;
        int drop = (2 * _maxPort) + 2;

        // Decode once: per flow the field's offset (0 when it holds no port) and its port.
        Span<int> offsets = stackalloc int[n];
        Span<int> ports = stackalloc int[n];
        Span<int> fields = stackalloc int[n];
        for (int i = 0; i < n; i++)
        {
            int f = _model.Field(state, i);
            int offset = f >= 2 && f < drop ? (f <= confBase ? 1 : confBase) : 0;
            offsets[i] = offset;
            ports[i] = offset == 0 ? 0 : f - offset;
            fields[i] = f;
        }

        // The injector's bits lie above the flows' and no renaming touches them.
        ulong inj = state & ~((1UL << (n * width)) - 1);
        Span<int> rename = stackalloc int[_maxPort + 1];
        Span<int> stamp = stackalloc int[_maxPort + 1];
        ulong best = ulong.MaxValue;
        for (int g = 0; g < _flowMaps.Length; g++)
        {
            int[] source = _inverseFlowMaps[g];
            int[] portMap = _portMaps[g];
            int generation = g + 1;
            int nextFree = 0;
            ulong packed = inj;
            for (int position = 0; position < n; position++)
            {
                int from = source[position];
                int offset = offsets[from];
                int f = fields[from];
                if (offset != 0)
                {
                    int port = portMap[ports[from]];
                    if (_isFree[port])
                    {
                        if (stamp[port] != generation)
                        {
                            stamp[port] = generation;
                            rename[port] = _freePorts[nextFree++];
                        }

                        port = rename[port];
                    }

                    f = offset + port;
                }

                packed |= (ulong)f << (position * width);
            }

            if (packed < best)
            {
                best = packed;
            }
        }

        return best;
    }

    private static List<int[]> Permutations(int count)
    {
        var result = new List<int[]>();
        int[] current = new int[count];
        bool[] taken = new bool[count];
        Fill(0);
        return result;

        void Fill(int position)
        {
            if (position == count)
            {
                result.Add((int[])current.Clone());
                return;
            }

            for (int v = 0; v < count; v++)
            {
                if (!taken[v])
                {
                    taken[v] = true;
                    current[position] = v;
                    Fill(position + 1);
                    taken[v] = false;
                }
            }
        }
    }
}
