using NatVerify.Checker;

namespace NatVerify.Checker.Tests.Systems;

/// <summary>
/// The Die Hard water jugs: a 3-gallon and a 5-gallon jug, starting empty; every state offers all six
/// actions (some are self-loops), so transitions = 6 x states.
/// </summary>
/// <remarks>
/// Reachable states = 16, with BFS depth at most 7.
/// Upper bound: every action leaves at least one jug empty or full (fill/empty set a jug to full/empty, and a pour
/// stops either when the source is empty or when the target is full), so a reachable (small, big) lies in
/// {0,3} x {0..5} (12 pairs) or {1,2} x {0,5} (4 pairs): at most 16.
/// Lower bound: all 16 are reached; by BFS level (number of steps):
/// 0: (0,0); 1: (3,0) (0,5); 2: (3,5) (0,3) (3,2); 3: (3,3) (0,2); 4: (1,5) (2,0); 5: (1,0) (2,5);
/// 6: (0,1) (3,4); 7: (3,1) (0,4) — 1+2+3+2+2+2+2+2 = 16.
/// So the shortest way to 4 gallons is the 6 steps to (3,4): FillBig, BigToSmall, EmptySmall, BigToSmall, FillBig, BigToSmall.
/// </remarks>
public sealed class DieHard : ITransitionSystem<(int Small, int Big), string>, IStateEncoder<(int Small, int Big)>
{
    public const int SmallCapacity = 3;
    public const int BigCapacity = 5;

    public IReadOnlyList<(int Small, int Big)> InitialStates { get; } = [(0, 0)];

    public static Invariant<(int Small, int Big)> BigNotFour { get; } =
        new("big-not-4", "The big jug never holds exactly 4 gallons", s => s.Big == 4 ? $"big jug holds 4 (small {s.Small})" : null);

    public void Successors((int Small, int Big) s, List<Transition<(int Small, int Big), string>> sink)
    {
        int toBig = Math.Min(s.Small, BigCapacity - s.Big);
        int toSmall = Math.Min(s.Big, SmallCapacity - s.Small);
        sink.Add(new("FillSmall", (SmallCapacity, s.Big)));
        sink.Add(new("FillBig", (s.Small, BigCapacity)));
        sink.Add(new("EmptySmall", (0, s.Big)));
        sink.Add(new("EmptyBig", (s.Small, 0)));
        sink.Add(new("SmallToBig", (s.Small - toBig, s.Big + toBig)));
        sink.Add(new("BigToSmall", (s.Small + toSmall, s.Big - toSmall)));
    }

    public void Encode((int Small, int Big) state, StateWriter writer)
    {
        writer.WriteByte((byte)state.Small);
        writer.WriteByte((byte)state.Big);
    }
}
