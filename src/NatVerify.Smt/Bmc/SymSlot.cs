using Microsoft.Z3;
using NatVerify.Model.State;
using NatVerify.Smt.Encoding;

namespace NatVerify.Smt.Bmc;

/// <summary>
/// One actor's slot (<see cref="Slot"/>) as terms: phase, reply tuple, the ghost pre-SRC tuple, clash partner,
/// status flags (with the TCP state a close left and the Removed bit), the bysource time stamp (0 when absent), which
/// actors were linked at its SRC probe and the retransmission counter (<c>Slot.Attempt</c>).
/// </summary>
internal sealed class SymSlot
{
    // Five bits: Untracked (16) and Filtered (17) are phases too.
    public const uint PhaseBits = 5;
    public const uint IndexBits = 8;
    public const ulong NoPartner = 0xff;
    public const uint AttemptBits = 8;

    public static readonly IReadOnlyList<SlotFlag> AllFlags = Enum.GetValues<SlotFlag>();

    public required BitVecExpr Phase { get; init; }

    public required SymTuple Reply { get; init; }

    public required SymTuple PreSrc { get; init; }

    public required BitVecExpr Partner { get; init; }

    public required BoolExpr[] Flags { get; init; }

    public required BitVecExpr BySource { get; init; }

    public required BoolExpr[] LinkedAtSrcProbe { get; init; }

    public required BitVecExpr Attempt { get; init; }
    // ---- rules of every table (chain encoding): the first packet's marks and the deciding rule ----

    /// <summary><c>Slot.Mark</c>: the packet mark as the rules left it (0 before the first step and once terminal).</summary>
    public required BitVecExpr Mark { get; init; }

    /// <summary><c>Slot.CtMark</c>: the unconfirmed entry's mark.</summary>
    public required BitVecExpr CtMark { get; init; }

    /// <summary><c>Slot.DecidedBy</c>: 1 + the index of the rule or policy that filtered or untracked the flow; 0 when none.</summary>
    public required BitVecExpr DecidedBy { get; init; }

    public const uint DeciderBits = 16;

    // ---- end of the chain-encoding fields ----

    public BoolExpr Flag(SlotFlag f) => Flags[(int)f];

    /// <summary>
    /// Fresh variables for a slot (the protocol is the actor's constant). An ICMP entry's type/code fields are the
    /// initial ones: NAT changes only addresses and the echo id. A portless entry's keys stay 0 (<c>ConntrackTuple</c> of
    /// GRE version 0 and the generic tracker).
    /// </summary>
    public static SymSlot Vars(Terms z, string name, SymTuple initialReply, SymTuple orig, int actors, bool retries)
    {
        SymTuple Tuple(string n, SymTuple initial) => new(
            initial.Proto, z.BvVar($"{n}.src", 32), initial.IsPortless ? initial.SrcPort : z.BvVar($"{n}.sport", 16), z.BvVar($"{n}.dst", 32),
            initial.IsIcmp || initial.IsPortless ? initial.DstPort : z.BvVar($"{n}.dport", 16));
        return new SymSlot
        {
            Phase = z.BvVar($"{name}.phase", PhaseBits),
            Reply = Tuple($"{name}.reply", initialReply),
            PreSrc = Tuple($"{name}.presrc", orig),
            Partner = z.BvVar($"{name}.partner", IndexBits),
            Flags = AllFlags.Select(f => z.BoolVar($"{name}.{f}")).ToArray(),
            BySource = z.BvVar($"{name}.bysource", IndexBits),
            LinkedAtSrcProbe = Enumerable.Range(0, actors).Select(j => z.BoolVar($"{name}.linked@probe.{j}")).ToArray(),
            Attempt = retries ? z.BvVar($"{name}.attempt", AttemptBits) : z.Bv(0, AttemptBits),
            Mark = z.BvVar($"{name}.mark", 32),
            CtMark = z.BvVar($"{name}.ctmark", 32),
            DecidedBy = z.BvVar($"{name}.decided-by", DeciderBits),
        };
    }

    /// <summary>The slot before the actor starts.</summary>
    public static SymSlot Initial(Terms z, SymTuple orig, SymTuple reply, int actors) => new()
    {
        Phase = z.Bv((ulong)Model.State.Phase.NotStarted, PhaseBits),
        Reply = reply,
        PreSrc = orig,
        Partner = z.Bv(NoPartner, IndexBits),
        Flags = AllFlags.Select(_ => z.False).ToArray(),
        BySource = z.Bv(0, IndexBits),
        LinkedAtSrcProbe = Enumerable.Range(0, actors).Select(_ => z.False).ToArray(),
        Attempt = z.Bv(0, AttemptBits),
        Mark = z.Bv(0, 32),
        CtMark = z.Bv(0, 32),
        DecidedBy = z.Bv(0, DeciderBits),
    };

    public static SymSlot Ite(Terms z, BoolExpr c, SymSlot a, SymSlot b) => ReferenceEquals(a, b) || z.IsTrue(c) ? a : z.IsFalse(c) ? b : new SymSlot
    {
        Phase = z.Ite(c, a.Phase, b.Phase),
        Reply = SymTuple.Ite(z, c, a.Reply, b.Reply),
        PreSrc = SymTuple.Ite(z, c, a.PreSrc, b.PreSrc),
        Partner = z.Ite(c, a.Partner, b.Partner),
        Flags = a.Flags.Select((f, i) => z.Ite(c, f, b.Flags[i])).ToArray(),
        BySource = z.Ite(c, a.BySource, b.BySource),
        LinkedAtSrcProbe = a.LinkedAtSrcProbe.Select((f, i) => z.Ite(c, f, b.LinkedAtSrcProbe[i])).ToArray(),
        Attempt = z.Ite(c, a.Attempt, b.Attempt),
        Mark = z.Ite(c, a.Mark, b.Mark),
        CtMark = z.Ite(c, a.CtMark, b.CtMark),
        DecidedBy = z.Ite(c, a.DecidedBy, b.DecidedBy),
    };

    /// <summary>Equalities binding this slot's variables to <paramref name="value"/>.</summary>
    public IEnumerable<BoolExpr> Assign(Terms z, SymSlot value)
    {
        yield return z.Eq(Phase, value.Phase);
        yield return Reply.Assign(z, value.Reply);
        yield return PreSrc.Assign(z, value.PreSrc);
        yield return z.Eq(Partner, value.Partner);
        for (var i = 0; i < Flags.Length; i++)
        {
            yield return z.Eq(Flags[i], value.Flags[i]);
        }

        yield return z.Eq(BySource, value.BySource);
        for (var i = 0; i < LinkedAtSrcProbe.Length; i++)
        {
            yield return z.Eq(LinkedAtSrcProbe[i], value.LinkedAtSrcProbe[i]);
        }

        yield return z.Eq(Attempt, value.Attempt);
        yield return z.Eq(Mark, value.Mark);
        yield return z.Eq(CtMark, value.CtMark);
        yield return z.Eq(DecidedBy, value.DecidedBy);
    }

    /// <summary>A copy with some flags or-ed in.</summary>
    public BoolExpr[] WithFlags(Terms z, params (SlotFlag Flag, BoolExpr Value)[] set)
    {
        var flags = (BoolExpr[])Flags.Clone();
        foreach (var (f, v) in set)
        {
            flags[(int)f] = z.Or(flags[(int)f], v);
        }

        return flags;
    }

    public SymSlot With(
        BitVecExpr? phase = null, SymTuple? reply = null, SymTuple? preSrc = null, BitVecExpr? partner = null,
        BoolExpr[]? flags = null, BitVecExpr? bySource = null, BoolExpr[]? linkedAtSrcProbe = null, BitVecExpr? attempt = null,
        BitVecExpr? mark = null, BitVecExpr? ctMark = null, BitVecExpr? decidedBy = null) => new()
    {
        Phase = phase ?? Phase,
        Reply = reply ?? Reply,
        PreSrc = preSrc ?? PreSrc,
        Partner = partner ?? Partner,
        Flags = flags ?? Flags,
        BySource = bySource ?? BySource,
        LinkedAtSrcProbe = linkedAtSrcProbe ?? LinkedAtSrcProbe,
        Attempt = attempt ?? Attempt,
        Mark = mark ?? Mark,
        CtMark = ctMark ?? CtMark,
        DecidedBy = decidedBy ?? DecidedBy,
    };
}
