namespace NatVerify.Reference;

/// <summary>One step label: which flow (the injector is flow N), what kind, and for <see cref="StepKind.Nat"/> the port chosen.</summary>
/// <param name="Flow">The flow index (thieves even, clients odd), or N for the injector.</param>
/// <param name="Kind">The step kind.</param>
/// <param name="Port">The reply port chosen by a nat step (address A); 0 for other steps.</param>
public readonly record struct RefStep(int Flow, StepKind Kind, int Port)
{
    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        StepKind.Inject => "E inject",
        StepKind.Nat => $"{FlowName(Flow)} nat -> A:{Port}",
        StepKind.CtIn => $"{FlowName(Flow)} ct_in",
        _ => $"{FlowName(Flow)} confirm",
    };

    /// <summary>The MODEL.md name of a flow: T_j for even i, C_j for odd i, with j = i / 2.</summary>
    /// <param name="flow">The flow index.</param>
    /// <returns>For example "T0" or "C1".</returns>
    public static string FlowName(int flow) => (flow % 2 == 0 ? "T" : "C") + (flow / 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
