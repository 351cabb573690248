using NatVerify.Model.State;

namespace NatVerify.Model.Semantics;

/// <summary>
/// The ghost quotient: the bookkeeping fields of a slot reduced to what any property or later step can still observe,
/// so that states differing only in unobservable bookkeeping are one (used with partial-order reduction, whose
/// commuting steps would otherwise leave different bookkeeping behind).
/// </summary>
public sealed partial class NatSemantics
{
    /// <summary>
    /// True when <see cref="ObservableGhosts"/> may be used: under the real kernel and the mutants that leave linked
    /// entries' tuples alone (the argument below needs a linked entry's nodes to be fixed).
    /// </summary>
    public bool GhostQuotientSound => Mutant is KernelMutant.None or KernelMutant.NoNullBinding or KernelMutant.NoConfirmClashCheck
        or KernelMutant.DstNullBindingChangesPort;

    /// <summary>
    /// Slot <paramref name="i"/> of <paramref name="state"/> with its ghost fields reduced to what can still be observed;
    /// two states whose slots agree after this are bisimilar for every property, outcome and step of this class:
    /// <list type="bullet">
    /// <item><see cref="Slot.BySourceOrder"/> becomes the rank among entries of the same original source (protocol,
    /// address, port): <c>find_appropriate_src</c> only compares entries of one source (the kernel's bysource chain holds
    /// other sources too, but <c>same_src</c> skips them), and the next entry is always the newest.</item>
    /// <item><see cref="CtStatus.SrcProbeFree"/> is kept only with <see cref="CtStatus.SrcNullBinding"/> (the only
    /// property reading it, null-binding-identity-when-free, reads them together), and
    /// <see cref="CtStatus.SrcSearchFailed"/> only without <see cref="CtStatus.SrcFixedPort"/> (no-avoidable-drop, its
    /// only reader, ignores fixed-port manips; a one-port search keeps the same tuple whether it fails or not).</item>
    /// <item><see cref="Slot.LinkedAtSrcProbe"/> is read only by no-avoidable-drop, for the clash partner of a flow
    /// dropped at confirm with a reply-bucket clash, after a SRC manip that was neither fixed-port nor a failed search.
    /// A dropped flow keeps its partner's bit; a flow waiting for confirm keeps the bits of entries linked now with a
    /// node equal to its reply (only those can be that partner: an entry linked at the probe has fixed nodes, and once
    /// unlinked is never linked again); every other slot keeps none.</item>
    /// </list>
    /// </summary>
    public Slot ObservableGhosts(NatState state, int i)
    {
        var s = state[i];
        var status = s.Has(CtStatus.SrcNullBinding) ? s.Status : s.Status & ~CtStatus.SrcProbeFree;
        if (s.Has(CtStatus.SrcFixedPort))
        {
            status &= ~CtStatus.SrcSearchFailed;
        }

        var mask = 0UL;
        if (s.LinkedAtSrcProbe != 0 && !s.Has(CtStatus.SrcFixedPort) && !s.Has(CtStatus.SrcSearchFailed))
        {
            if (state.Count > ActorSets.InlineActors)
            {
                mask = WideObservableLinked(state, s);
            }
            else if (s.Phase == Phase.Dropped && s.Partner >= 0 && s.Partner < state.Count)
            {
                mask = s.LinkedAtSrcProbe & (1UL << s.Partner);
            }
            else if (s.Phase == Phase.SrcDone)
            {
                for (var j = 0; j < state.Count; j++)
                {
                    var o = state[j];
                    if ((s.LinkedAtSrcProbe & (1UL << j)) != 0 && o.Linked && (o.Reply == s.Reply || (o.OriginalLinked && _originals[j] == s.Reply)))
                    {
                        mask |= 1UL << j;
                    }
                }
            }
        }

        byte rank = 0;
        if (s.BySourceOrder > 0)
        {
            var key = _originals[i];
            rank = 1;
            for (var j = 0; j < state.Count; j++)
            {
                var o = _originals[j];
                var order = state[j].BySourceOrder;
                if (order > 0 && order < s.BySourceOrder && o.Protocol == key.Protocol && o.SrcIp == key.SrcIp && o.SrcPort == key.SrcPort)
                {
                    rank++;
                }
            }
        }

        return s with { Status = status, LinkedAtSrcProbe = mask, BySourceOrder = rank };
    }

    /// <summary>The observable part of <see cref="Slot.LinkedAtSrcProbe"/> (as above) for a scenario of more than 64 actors.</summary>
    private ulong WideObservableLinked(NatState state, Slot s)
    {
        var n = state.Count;
        Span<ulong> words = stackalloc ulong[ActorSets.WordsFor(n)];
        if (s.Phase == Phase.Dropped && s.Partner >= 0 && s.Partner < n)
        {
            if (ActorSets.Contains(s.LinkedAtSrcProbe, s.Partner, n))
            {
                words[s.Partner >> 6] |= 1UL << (s.Partner & 63);
            }
        }
        else if (s.Phase == Phase.SrcDone)
        {
            for (var j = 0; j < n; j++)
            {
                var o = state[j];
                if (o.Linked && (o.Reply == s.Reply || (o.OriginalLinked && _originals[j] == s.Reply)) && ActorSets.Contains(s.LinkedAtSrcProbe, j, n))
                {
                    words[j >> 6] |= 1UL << (j & 63);
                }
            }
        }

        return ActorSets.Of(words, n);
    }
}
