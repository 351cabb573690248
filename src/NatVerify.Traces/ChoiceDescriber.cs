using NatVerify.Model.Nat;
using NatVerify.Model.Semantics;
using NatVerify.Model.Steps;

namespace NatVerify.Traces;

/// <summary>
/// The structural description of a step that a trace file records and replay matches on: it names the hook,
/// the decision and every tuple chosen, with actors by name and fresh ports as <c>fresh#k(lo-hi)</c>, so that two
/// successors of one state never share a description and a changed model is reported in the user's terms.
/// </summary>
public sealed class ChoiceDescriber(NatSemantics semantics)
{
    /// <summary>The name trace files give the conntrack GC worker.</summary>
    public const string GcWorker = "gc_worker";

    private readonly TupleFormat _format = new(semantics);

    /// <summary>The name of an actor index (<see cref="GcWorker"/> for -1).</summary>
    public string ActorName(int actor) => actor < 0 ? GcWorker
        : semantics.PoolOfEntry(actor) is { } pool ? $"an entry of pool {pool.Name}"
        : semantics.Scenario.Actors[actor].Name;

    /// <summary>The structural description of a step.</summary>
    public string Describe(NatStep step) => step switch
    {
        ConntrackIn { JoinedEntry: >= 0 } c => $"{c.Hook.ChainName()} conntrack lookup: joins the confirmed entry of {ActorName(c.JoinedEntry)}",
        ConntrackIn c => $"{c.Hook.ChainName()} conntrack lookup: new unconfirmed entry {_format.Arrow(semantics.Original(c.Actor))}",
        NatSetup s => $"{s.Hook.ChainName()} {(s.Manip == ManipType.Src ? "SRC" : "DST")} {Decision(s)}: {_format.Arrow(s.Before)} => {_format.Arrow(s.After)}{(s.SearchFailed ? " (search failed)" : string.Empty)}",
        Confirm { Result: ConfirmResult.Inserted } => "confirm: inserted",
        Confirm c => $"confirm: {ConfirmText(c.Result)}, clash on the {(c.ClashOnReply ? "reply" : "original")} tuple with {ActorName(c.ClashWith)}",
        CtnetlinkInsertStep { ClashWith: < 0 } => "conntrack -I: inserted",
        CtnetlinkInsertStep i => $"conntrack -I: EEXIST, clash with {ActorName(i.ClashWith)}",
        CtnetlinkDeleteStep { Deleted.Count: 0 } => "conntrack -D: nothing matched",
        CtnetlinkDeleteStep d => $"conntrack -D: deleted the entries of {string.Join(", ", d.Deleted.Select(ActorName))}",
        TimeoutStep { Target: < 0 } => "timeout: nothing to expire",
        TimeoutStep t => $"timeout: the entry of {ActorName(t.Target)} expires",
        GcStep g => $"gc: collects the expired entry of {ActorName(g.Target)}",
        _ => throw new ArgumentException($"unknown step type {step.GetType().Name}", nameof(step)),
    };

    /// <summary>
    /// The description with fresh-port indexes blurred (<c>fresh#*(lo-hi)</c>): two descriptions with the same shape
    /// differ at most in which anonymous port of an atom they use. Used where a trace is replayed on a changed spec.
    /// </summary>
    public static string Shape(string description) =>
        System.Text.RegularExpressions.Regex.Replace(description, @"fresh#\d+\(", "fresh#*(");

    private static string Decision(NatSetup s) => s.Decision switch
    {
        NatDecision.NullBinding => "null binding",
        NatDecision.TargetDrop => $"rule `{s.Rule}` drops",
        _ => $"rule `{s.Rule}`",
    };

    private static string ConfirmText(ConfirmResult result) => result switch
    {
        ConfirmResult.Dropped => "dropped",
        ConfirmResult.Merged => "merged",
        _ => "NAT_CLASH entry",
    };
}
