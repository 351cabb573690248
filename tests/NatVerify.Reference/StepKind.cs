namespace NatVerify.Reference;

/// <summary>The four kinds of atomic step of the reference model (MODEL.md, "Transitions").</summary>
public enum StepKind : byte
{
    /// <summary><c>ct_in_i</c>: the flow creates its unconfirmed entry; touches only the flow's own variables.</summary>
    CtIn,

    /// <summary><c>nat_i</c>: the flow picks its reply destination (SNAT rule or null binding), reading the confirmed table.</summary>
    Nat,

    /// <summary><c>confirm_i</c>: the flow's entry is inserted, or dropped on a clash (insert_failed).</summary>
    Confirm,

    /// <summary><c>inject</c>: the ctnetlink entry E is inserted, or refused with -EEXIST.</summary>
    Inject,
}
