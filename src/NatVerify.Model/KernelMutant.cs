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
}

/// <summary>CLI names of mutants.</summary>
public static class KernelMutantNames
{
    /// <summary>Every mutant except <see cref="KernelMutant.None"/>.</summary>
    public static IReadOnlyList<KernelMutant> All { get; } =
        [KernelMutant.NoNullBinding, KernelMutant.NoConfirmClashCheck, KernelMutant.DstNullBindingChangesPort, KernelMutant.ProbeSeesUnconfirmed];

    /// <summary>Kebab-case name, e.g. <c>no-null-binding</c>.</summary>
    public static string CliName(this KernelMutant mutant) => mutant switch
    {
        KernelMutant.None => "none",
        KernelMutant.NoNullBinding => "no-null-binding",
        KernelMutant.NoConfirmClashCheck => "no-confirm-clash-check",
        KernelMutant.DstNullBindingChangesPort => "dst-null-binding-changes-port",
        KernelMutant.ProbeSeesUnconfirmed => "probe-sees-unconfirmed",
        _ => throw new ArgumentOutOfRangeException(nameof(mutant)),
    };

    /// <summary>Parses a kebab-case name.</summary>
    public static bool TryParse(string name, out KernelMutant mutant)
    {
        foreach (var m in All.Prepend(KernelMutant.None))
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
