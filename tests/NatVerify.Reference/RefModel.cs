using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using NatVerify.Checker;

namespace NatVerify.Reference;

/// <summary>
/// The reference model of the SPIN benchmark (<c>bench/spin/MODEL.md</c>: N flows racing through conntrack and NAT
/// null binding) as a transition system for the generic engine. A state is packed into one <see cref="ulong"/>.
/// </summary>
/// <remarks>
/// <para>
/// Packing: each flow i has a field of <see cref="FieldBits"/> bits at bit i·FieldBits. Its value is 0 (pc 0),
/// 1 (pc 1: the reply is still invert(orig)), 1+p (pc 2 with reply destination (A, p)), 1+P+p (pc 3, confirmed
/// with reply destination (A, p)) or 2P+2 (pc 3, dropped: insert_failed), where P is the largest port that can
/// occur. This is a bijection onto MODEL.md's reachable states: at pc 2 the reply address is always A (the SNAT
/// address and the clients' own address), at pc 1 it is the flow's own source, a confirmed entry's address is
/// A, and dead values are 0. The injector's field (2 bits: NONE, CONF, DROP) follows the flows.
/// </para>
/// <para>
/// The confirmed table T only ever holds replies (S, 80, A, p), the originals of the confirmed flows, and E's two
/// tuples. A NAT candidate (S, 80, A, p) can only equal a reply, so <c>used</c> is a bit mask of ports. An original
/// can only clash with E's original (X, 4, S, 80), which is thief T_3's (flow 6) original.
/// </para>
/// <para>
/// Partial-order reduction (<see cref="IIndependence{TState, TAction}"/>): processes are the flows and the injector.
/// ct_in touches only its own flow, so it commutes with everything. A nat step reads the used-ness of its own
/// source port while that port is free (the result is "keep it") and of every port of 1..K otherwise; it writes
/// nothing shared. It commutes with the future of another process whose confirm can never add a reply port it
/// reads: a confirmed or dropped flow, a flow at pc 2 whose chosen port is elsewhere, or T_0 (always port 1).
/// confirm and inject write the table the invariant reads, so they are visible and never reduced.
/// </para>
/// </remarks>
public sealed class RefModel : ITransitionSystem<ulong, RefStep>, ICompactStateEncoder<ulong>, IIndependence<ulong, RefStep>
{
    /// <summary>Address A (the host; the SNAT address).</summary>
    public const int AddressA = 1;

    /// <summary>Address S (the server).</summary>
    public const int AddressS = 2;

    /// <summary>Address X (the extra host the thieves come from).</summary>
    public const int AddressX = 3;

    private const int InjNone = 0;
    private const int InjConf = 1;
    private const int InjDrop = 2;

    private readonly int _n;
    private readonly int _k;
    private readonly bool _nd;
    private readonly bool _inject;
    private readonly bool _mutant;
    private readonly int _width;
    private readonly ulong _fieldMask;
    private readonly int _injShift;
    private readonly int _confBase;
    private readonly int _drop;
    private readonly ulong _rangeMask;
    private readonly int _thiefWithEOrig;
    private readonly int[] _sport;

    /// <summary>Builds the model of a variant.</summary>
    /// <param name="variant">N, K, choice mode, injector, mutant.</param>
    /// <exception cref="ArgumentException">The state does not fit in 64 bits.</exception>
    public RefModel(RefVariant variant)
    {
        ArgumentNullException.ThrowIfNull(variant);
        variant.Validate();
        Variant = variant;
        _n = variant.N;
        _k = variant.K;
        _nd = variant.Choice == ChoiceMode.Nd;
        _inject = variant.Inject;
        _mutant = variant.Mutant;
        _sport = new int[_n];
        for (int i = 0; i < _n; i++)
        {
            _sport[i] = (i / 2) + 1;
        }

        MaxPort = Math.Max(_k, _sport[_n - 1]);
        int values = (2 * MaxPort) + 3;
        _width = BitOperations.Log2((uint)values - 1) + 1;
        if ((_n * _width) + (_inject ? 2 : 0) > 64)
        {
            throw new ArgumentException($"{variant.Name}: the state needs more than 64 bits");
        }

        _fieldMask = (1UL << _width) - 1;
        _injShift = _n * _width;
        _confBase = 1 + MaxPort;
        _drop = (2 * MaxPort) + 2;
        _rangeMask = ((1UL << _k) - 1) << 1;

        // T_3 = flow 6 has orig (X, 4, S, 80), which is E's original.
        _thiefWithEOrig = _inject && _n > 6 ? 6 : -1;
        InitialStates = [0UL];
    }

    /// <summary>Gets the variant.</summary>
    public RefVariant Variant { get; }

    /// <summary>Gets the largest port that can occur: K, or a client's own source port if that is larger.</summary>
    public int MaxPort { get; }

    /// <summary>Gets the width of one flow's field in bits.</summary>
    public int FieldBits => _width;

    /// <summary>Gets the number of bits of a packed state.</summary>
    public int StateBits => _injShift + (_inject ? 2 : 0);

    /// <inheritdoc />
    public IReadOnlyList<ulong> InitialStates { get; }

    /// <inheritdoc />
    public int ProcessCount => _n + (_inject ? 1 : 0);

    /// <summary>The invariant of MODEL.md: the tuples of all confirmed entries (both directions) are pairwise distinct.</summary>
    public Invariant<ulong> TupleUniqueness => new(
        "tuple-uniqueness",
        "The original and reply tuples of all confirmed entries are pairwise distinct",
        DuplicateTuple);

    /// <summary>Gets the program counter (0 to 3) of a flow.</summary>
    /// <param name="state">A packed state.</param>
    /// <param name="flow">The flow index.</param>
    /// <returns>The flow's pc.</returns>
    public int Pc(ulong state, int flow)
    {
        int f = Field(state, flow);
        return f <= 1 ? f : f < _confBase + 1 ? 2 : 3;
    }

    /// <summary>Gets whether a flow ended with insert_failed (st = DROP).</summary>
    /// <param name="state">A packed state.</param>
    /// <param name="flow">The flow index.</param>
    /// <returns>True when the flow was dropped at confirm.</returns>
    public bool Dropped(ulong state, int flow) => Field(state, flow) == _drop;

    /// <summary>Gets the port of a confirmed flow's reply destination (A, port), or 0 when it is not confirmed.</summary>
    /// <param name="state">A packed state.</param>
    /// <param name="flow">The flow index.</param>
    /// <returns>The port or 0.</returns>
    public int ConfirmedPort(ulong state, int flow)
    {
        int f = Field(state, flow);
        return f > _confBase && f < _drop ? f - _confBase : 0;
    }

    /// <summary>Gets the number of insert_failed drops in a state (flows plus the injector).</summary>
    /// <param name="state">A packed state.</param>
    /// <returns>How many of st_i are DROP.</returns>
    public int InsertFailed(ulong state)
    {
        int count = 0;
        for (int i = 0; i < _n; i++)
        {
            if (Field(state, i) == _drop)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Gets whether the injector ran and its entry was refused.</summary>
    /// <param name="state">A packed state.</param>
    /// <returns>True when inj = DROP.</returns>
    public bool InjectorDropped(ulong state) => _inject && Inj(state) == InjDrop;

    /// <summary>Gets the packed field of a flow.</summary>
    /// <param name="state">A packed state.</param>
    /// <param name="flow">The flow index.</param>
    /// <returns>The field value.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Field(ulong state, int flow) => (int)((state >> (flow * _width)) & _fieldMask);

    /// <summary>Returns the state with a flow's field replaced.</summary>
    /// <param name="state">A packed state.</param>
    /// <param name="flow">The flow index.</param>
    /// <param name="value">The new field value.</param>
    /// <returns>The new state.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong WithField(ulong state, int flow, int value)
    {
        int shift = flow * _width;
        return (state & ~(_fieldMask << shift)) | ((ulong)value << shift);
    }

    /// <summary>The injector's field: 0 NONE, 1 CONF, 2 DROP (0 without an injector).</summary>
    /// <param name="state">A packed state.</param>
    /// <returns>The injector state.</returns>
    public int Inj(ulong state) => _inject ? (int)((state >> _injShift) & 3) : InjNone;

    /// <inheritdoc />
    public void Successors(ulong state, List<Transition<ulong, RefStep>> sink)
    {
        ulong used = UsedPorts(state);
        for (int i = 0; i < _n; i++)
        {
            int f = Field(state, i);
            if (f == 0)
            {
                // ct_in: reply := invert(orig); local only.
                sink.Add(new(new RefStep(i, StepKind.CtIn, 0), WithField(state, i, 1)));
            }
            else if (f == 1)
            {
                AddNatChoices(state, i, used, sink);
            }
            else if (f <= _confBase)
            {
                int port = f - 1;
                bool clash = ((used >> port) & 1) != 0 || (i == _thiefWithEOrig && Inj(state) == InjConf);
                int next = clash && !_mutant ? _drop : _confBase + port;
                sink.Add(new(new RefStep(i, StepKind.Confirm, 0), WithField(state, i, next)));
            }
        }

        if (_inject && Inj(state) == InjNone)
        {
            // -EEXIST when E.orig (thief T_3's original) or E.reply (S, 80, A, 1) is in the table.
            bool clash = (_thiefWithEOrig >= 0 && IsConfirmed(Field(state, _thiefWithEOrig))) || (used & 2) != 0;
            ulong next = state | ((ulong)(clash ? InjDrop : InjConf) << _injShift);
            sink.Add(new(new RefStep(_n, StepKind.Inject, 0), next));
        }
    }

    /// <inheritdoc />
    public void Encode(ulong state, StateWriter writer) => writer.WriteUInt64(state);

    /// <inheritdoc />
    public ulong EncodeCompact(ulong state) => state;

    /// <inheritdoc />
    public int ProcessOf(RefStep action) => action.Flow;

    /// <inheritdoc />
    public bool IsVisible(ulong state, RefStep action) => action.Kind is StepKind.Confirm or StepKind.Inject;

    /// <inheritdoc />
    public bool CommutesWithFutureOf(ulong state, int process, int other)
    {
        if (process >= _n)
        {
            return false;
        }

        int f = Field(state, process);
        if (f == 0 || (f == 1 && process == 0))
        {
            // ct_in is local; T_0's nat maps to the single port A:1 without reading the table.
            return true;
        }

        if (f != 1)
        {
            return false;
        }

        ulong used = UsedPorts(state);
        int sport = _sport[process];
        bool keepChecked = process % 2 == 1 || (sport >= 1 && sport <= _k);
        ulong reads = keepChecked && ((used >> sport) & 1) == 0 ? 1UL << sport : _rangeMask;
        return (reads & FuturePorts(state, other)) == 0;
    }

    /// <inheritdoc />
    public long Progress(ulong state)
    {
        long progress = _inject && Inj(state) != InjNone ? 1 : 0;
        for (int i = 0; i < _n; i++)
        {
            progress += Pc(state, i);
        }

        return progress;
    }

    /// <summary>Renders a state in MODEL.md's terms, e.g. <c>T0:conf(A:1) C0:pc2(A:2) E:none</c>.</summary>
    /// <param name="state">A packed state.</param>
    /// <returns>A readable description.</returns>
    public string Describe(ulong state)
    {
        var parts = new List<string>();
        for (int i = 0; i < _n; i++)
        {
            int f = Field(state, i);
            string what = f switch
            {
                0 => "pc0",
                1 => "pc1",
                _ when f <= _confBase => string.Create(CultureInfo.InvariantCulture, $"pc2(A:{f - 1})"),
                _ when f < _drop => string.Create(CultureInfo.InvariantCulture, $"conf(A:{f - _confBase})"),
                _ => "drop",
            };
            parts.Add(RefStep.FlowName(i) + ":" + what);
        }

        if (_inject)
        {
            parts.Add("E:" + (Inj(state) switch { InjNone => "none", InjConf => "conf", _ => "drop" }));
        }

        return string.Join(' ', parts);
    }

    /// <summary>The ports p for which the reply (S, 80, A, p) is in the confirmed table, as a bit mask (bit p).</summary>
    /// <param name="state">A packed state.</param>
    /// <returns>The mask.</returns>
    public ulong UsedPorts(ulong state)
    {
        ulong used = 0;
        for (int i = 0; i < _n; i++)
        {
            int f = Field(state, i);
            if (f > _confBase && f < _drop)
            {
                used |= 1UL << (f - _confBase);
            }
        }

        if (_inject && Inj(state) == InjConf)
        {
            used |= 1UL << 1;
        }

        return used;
    }

    private bool IsConfirmed(int field) => field > _confBase && field < _drop;

    /// <summary>nat_i: one successor per element of C_i(s) (MODEL.md step 2), in ascending port order.</summary>
    private void AddNatChoices(ulong state, int i, ulong used, List<Transition<ulong, RefStep>> sink)
    {
        int sport = _sport[i];
        bool thief = i % 2 == 0;
        if (thief && i == 0)
        {
            // T_0: SNAT to A with the single port [1,1] (PROTO_SPECIFIED, min == max): no uniqueness check.
            AddNat(state, i, 1, sink);
            return;
        }

        // Thieves T_j (j >= 1) SNAT to A:[1,K]; clients take the null binding, keeping A and searching 1..K.
        bool keepChecked = !thief || (sport >= 1 && sport <= _k);
        if (keepChecked && ((used >> sport) & 1) == 0)
        {
            AddNat(state, i, sport, sink);
            return;
        }

        ulong free = ~used & _rangeMask;
        if (free == 0)
        {
            // Exhausted: an SNAT range gives lo = 1, the null binding keeps the tuple.
            AddNat(state, i, thief ? 1 : sport, sink);
            return;
        }

        if (!_nd)
        {
            AddNat(state, i, BitOperations.TrailingZeroCount(free), sink);
            return;
        }

        while (free != 0)
        {
            AddNat(state, i, BitOperations.TrailingZeroCount(free), sink);
            free &= free - 1;
        }
    }

    private void AddNat(ulong state, int i, int port, List<Transition<ulong, RefStep>> sink)
    {
        sink.Add(new(new RefStep(i, StepKind.Nat, port), WithField(state, i, 1 + port)));
    }

    /// <summary>The reply ports another process may still add to the table (bit p), while the reducing process waits.</summary>
    private ulong FuturePorts(ulong state, int process)
    {
        if (process >= _n)
        {
            return _inject && Inj(state) == InjNone ? 1UL << 1 : 0;
        }

        int f = Field(state, process);
        if (f >= _confBase + 1)
        {
            return 0;
        }

        if (f >= 2)
        {
            return 1UL << (f - 1);
        }

        if (process == 0)
        {
            return 1UL << 1;
        }

        int sport = _sport[process];
        return _rangeMask | (1UL << sport);
    }

    private string? DuplicateTuple(ulong state)
    {
        ulong seen = 0;
        for (int i = 0; i < _n; i++)
        {
            int port = ConfirmedPort(state, i);
            if (port == 0)
            {
                continue;
            }

            if (((seen >> port) & 1) != 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"two confirmed entries have the reply tuple (S, 80, A, {port}) [{Describe(state)}]");
            }

            seen |= 1UL << port;
        }

        if (_inject && Inj(state) == InjConf)
        {
            if ((seen & 2) != 0)
            {
                return $"E and a confirmed flow both have the reply tuple (S, 80, A, 1) [{Describe(state)}]";
            }

            if (_thiefWithEOrig >= 0 && IsConfirmed(Field(state, _thiefWithEOrig)))
            {
                return $"E and T3 both have the original tuple (X, 4, S, 80) [{Describe(state)}]";
            }
        }

        return null;
    }
}
