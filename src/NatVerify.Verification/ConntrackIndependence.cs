using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.State;
using NatVerify.Model.Steps;

namespace NatVerify.Verification;

/// <summary>
/// The independence the NAT model offers partial-order reduction (<see cref="CheckerOptions.PartialOrderReduction"/>):
/// a flow's <c>nf_conntrack_in</c> step is reduced when nothing any other actor can ever do affects it, and it affects
/// nothing any other actor or property reads. All other steps are always expanded.
/// </summary>
/// <remarks>
/// <para>
/// Processes: actor i is process i; the GC worker collecting actor j's expired entry is process Count + j.
/// </para>
/// <para>
/// <c>nf_conntrack_in</c> (<see cref="ConntrackIn"/>) reads only the linked nodes equal to the flow's original tuple
/// (<c>__nf_conntrack_find_get</c>; a hit joins, an expired hit is collected) and writes only the flow's phase.
/// When no other actor can ever link a node equal to that original tuple, the lookup always misses and collects
/// nothing, whatever the others do: a flow or ctnetlink insert whose original tuple equals it, a flow whose reply
/// could (its reply source is its destination after DNAT: the original destination, any DNAT range, or a REDIRECT
/// address), or an inserted entry whose given reply equals it, each rule this out (checked once per scenario).
/// The new phase (Created, or SrcDone without a nat table) is read by order constraints (monotone: it can only enable
/// later steps, never disable one), and by no probe, no property (properties read linked nodes, NAT status bits and
/// the Dropped/DstDone phases) and no canonicalisation (reply tuples are untouched). Under the
/// <see cref="KernelMutant.ProbeSeesUnconfirmed"/> mutant other flows' probes see unconfirmed entries, so nothing is
/// reduced. Progress is the sum of phase ranks plus the expired/removed bits, which every step increases.
/// </para>
/// </remarks>
public sealed partial class ConntrackSystem : IIndependence<NatState, NatStep>
{
    private bool[]? _isolatedLookup;

    /// <inheritdoc />
    public int ProcessCount => 2 * Semantics.Scenario.Actors.Count;

    /// <inheritdoc />
    public int ProcessOf(NatStep action) => action is GcStep gc ? Semantics.Scenario.Actors.Count + gc.Target : action.Actor;

    /// <inheritdoc />
    public bool IsVisible(NatState state, NatStep action) =>
        action is not ConntrackIn c || c.JoinedEntry >= 0 || c.Collected.Count > 0 || c.Ended is not null;

    /// <inheritdoc />
    public bool CommutesWithFutureOf(NatState state, int process, int other)
    {
        var actors = Semantics.Scenario.Actors.Count;
        return process < actors
            && state[process].Phase == Phase.NotStarted
            && Semantics.Scenario.Actors[process] is FlowActor
            && Semantics.Mutant != KernelMutant.ProbeSeesUnconfirmed
            && IsolatedLookup()[process];
    }

    /// <inheritdoc />
    public long Progress(NatState state)
    {
        long progress = 0;
        foreach (var slot in state.Slots)
        {
            // A retransmission sends a flow back to NotStarted; its attempt count outweighs every phase of every slot.
            progress += (long)slot.Attempt * 4096;
            progress += (long)slot.Phase * 4;
            progress += slot.Has(CtStatus.Expired) ? 1 : 0;
            progress += slot.Has(CtStatus.Removed) ? 1 : 0;
        }

        return progress;
    }

    /// <summary>Per actor: true when no other actor can ever link a node equal to its original tuple.</summary>
    private bool[] IsolatedLookup()
    {
        if (_isolatedLookup is { } known)
        {
            return known;
        }

        var scenario = Semantics.Scenario;
        var count = scenario.Actors.Count;
        var result = new bool[count];
        for (var i = 0; i < count; i++)
        {
            if (scenario.Actors[i] is not FlowActor)
            {
                continue;
            }

            var orig = Semantics.Original(i);
            var isolated = true;
            for (var j = 0; j < count && isolated; j++)
            {
                if (j == i)
                {
                    continue;
                }

                isolated = scenario.Actors[j] switch
                {
                    FlowActor => Semantics.Original(j) != orig && !MayBeReplySource(scenario, Semantics.Original(j), orig.SrcIp),
                    CtnetlinkInsert insert => insert.Original != orig && insert.Reply != orig,
                    _ => true,
                };
            }

            result[i] = isolated;
        }

        _isolatedLookup = result;
        return result;
    }

    /// <summary>
    /// Whether a flow's reply source (its destination after the DST manip) may be <paramref name="address"/>: its own
    /// destination, or any address a DNAT or REDIRECT rule of the ruleset can map to.
    /// </summary>
    private static bool MayBeReplySource(ScenarioModel scenario, Model.Tuples.ConntrackTuple original, Ipv4 address)
    {
        if (original.DstIp == address)
        {
            return true;
        }

        foreach (var chain in scenario.Ruleset.Tables.SelectMany(t => t.Chains.Values))
        {
            foreach (var rule in chain.Rules)
            {
                switch (rule.Target)
                {
                    case DnatTarget { Range.MapIps: true } d when d.Range.MinAddr.Value <= address.Value && address.Value <= d.Range.MaxAddr.Value:
                        return true;
                    case RedirectTarget when address.Value == 0x7f000001 || scenario.InterfaceAddresses.Values.Contains(address)
                        || scenario.Interfaces.SelectMany(i => i.Addresses).Any(a => a.Address == address):
                        return true;
                    case NetmapTarget n when n.To.Contains(address):
                        return true;
                }
            }
        }

        return false;
    }
}
