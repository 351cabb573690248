namespace NatVerify.Reporting;

/// <summary>One lane of a sequence diagram: an actor (a flow on its CPU, a ctnetlink writer, a timer, the GC worker) or the table.</summary>
/// <param name="Name">The lane's label (an actor name, or <c>conntrack table</c>).</param>
/// <param name="Role">What the lane stands for: <c>flow / CPU</c>, <c>ctnetlink</c>, <c>timer</c>, <c>gc worker</c> or <c>table</c>.</param>
public sealed record LaneView(string Name, string Role);
