namespace NatVerify.Model;

/// <summary>Deliberately broken kernels, to show that the properties and specs can tell.</summary>
public enum KernelMutant
{
    /// <summary>The real kernel.</summary>
    None,

    /// <summary><c>nf_nat_alloc_null_binding</c> does nothing: flows that match no rule are never re-mapped.</summary>
    NoNullBinding,

    /// <summary><c>__nf_conntrack_confirm</c> links the entry without scanning for clashes.</summary>
    NoConfirmClashCheck,

    /// <summary>A DST null binding re-maps the destination port like a SRC one re-maps the source port.</summary>
    DstNullBindingChangesPort,

    /// <summary><c>nf_conntrack_tuple_taken</c> also sees other CPUs' unconfirmed entries.</summary>
    ProbeSeesUnconfirmed,

    /// <summary>
    /// Proof-only: <c>init_conntrack</c> links the new entry into the hash table at once (on a lookup miss), as if it
    /// were confirmed, without <c>__nf_conntrack_confirm</c>'s clash scan. Not explored by the explicit engine.
    /// </summary>
    InitConntrackLinksEntry,

    /// <summary>
    /// Proof-only: <c>nf_conntrack_alter_reply</c> rewrites the reply tuple of a confirmed entry in place (the
    /// <c>WARN_ON(nf_ct_is_confirmed(ct))</c> case taken) without re-hashing or a clash check. Not explored by the
    /// explicit engine.
    /// </summary>
    NatAltersConfirmedReply,

    /// <summary>
    /// Proof-only: <c>nf_ct_delete</c> (and so conntrack -D, GC and lookups that collect expired entries) unlinks the
    /// ORIGINAL node only: the DYING entry's reply node stays hashed. Not explored by the explicit engine.
    /// </summary>
    CtDeleteLeavesReplyNode,

    /// <summary>
    /// Proof-only: <c>nf_conntrack_hash_check_insert</c> (conntrack -I) looks for the new entry's ORIGINAL tuple in the
    /// hash chains but not for its REPLY tuple. Not explored by the explicit engine.
    /// </summary>
    InsertSkipsReplyCheck,

    /// <summary>
    /// Proof-only: <c>__nf_nat_alloc_null_binding</c> takes the address of the wrong side of the reply tuple (its
    /// source for a SRC manip, its destination for a DST manip), so the null binding's range is the other end's
    /// address. Not explored by the explicit engine.
    /// </summary>
    NullBindingTakesOtherAddress,

    /// <summary>
    /// Proof-only: <c>nf_nat_l4proto_unique_tuple</c> searches a key without PROTO_SPECIFIED over 1-65535 instead of
    /// its class (1-511, 600-1023, 1024-65535). Not explored by the explicit engine.
    /// </summary>
    PortSearchIgnoresClass,
}

/// <summary>CLI names of mutants.</summary>
public static class KernelMutantNames
{
    /// <summary>Every mutant except <see cref="KernelMutant.None"/>.</summary>
    public static IReadOnlyList<KernelMutant> All { get; } =
        [KernelMutant.NoNullBinding, KernelMutant.NoConfirmClashCheck, KernelMutant.DstNullBindingChangesPort, KernelMutant.ProbeSeesUnconfirmed];

    /// <summary>
    /// Mutants only <c>prove --induction</c> knows: their steps (a table change in place) have no explicit-engine
    /// counterpart, so <c>check</c>, <c>mutants</c> and BMC do not accept them.
    /// </summary>
    public static IReadOnlyList<KernelMutant> ProofOnly { get; } =
        [
            KernelMutant.InitConntrackLinksEntry, KernelMutant.NatAltersConfirmedReply, KernelMutant.CtDeleteLeavesReplyNode,
            KernelMutant.InsertSkipsReplyCheck, KernelMutant.NullBindingTakesOtherAddress, KernelMutant.PortSearchIgnoresClass,
        ];

    /// <summary>Kebab-case name, e.g. <c>no-null-binding</c>.</summary>
    public static string CliName(this KernelMutant mutant) => mutant switch
    {
        KernelMutant.None => "none",
        KernelMutant.NoNullBinding => "no-null-binding",
        KernelMutant.NoConfirmClashCheck => "no-confirm-clash-check",
        KernelMutant.DstNullBindingChangesPort => "dst-null-binding-changes-port",
        KernelMutant.ProbeSeesUnconfirmed => "probe-sees-unconfirmed",
        KernelMutant.InitConntrackLinksEntry => "init-conntrack-links-entry",
        KernelMutant.NatAltersConfirmedReply => "nat-alters-confirmed-reply",
        KernelMutant.CtDeleteLeavesReplyNode => "ct-delete-leaves-reply-node",
        KernelMutant.InsertSkipsReplyCheck => "insert-skips-reply-check",
        KernelMutant.NullBindingTakesOtherAddress => "null-binding-takes-other-address",
        KernelMutant.PortSearchIgnoresClass => "port-search-ignores-class",
        _ => throw new ArgumentOutOfRangeException(nameof(mutant)),
    };

    /// <summary>Parses a kebab-case name (not a proof-only mutant).</summary>
    public static bool TryParse(string name, out KernelMutant mutant) => TryParse(name, proofOnlyToo: false, out mutant);

    /// <summary>Parses a kebab-case name; <paramref name="proofOnlyToo"/> also accepts <see cref="ProofOnly"/> mutants.</summary>
    public static bool TryParse(string name, bool proofOnlyToo, out KernelMutant mutant)
    {
        foreach (var m in All.Prepend(KernelMutant.None).Concat(proofOnlyToo ? ProofOnly : []))
        {
            if (string.Equals(m.CliName(), name, StringComparison.OrdinalIgnoreCase))
            {
                mutant = m;
                return true;
            }
        }

        mutant = KernelMutant.None;
        return false;
    }
}
