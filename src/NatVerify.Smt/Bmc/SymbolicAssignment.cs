namespace NatVerify.Smt.Bmc;

/// <summary>A value the solver chose for a symbolic field.</summary>
public sealed record SymbolicAssignment(SymbolicField Field, ulong Value)
{
    /// <inheritdoc />
    public override string ToString() => Field.IsPort
        ? $"{Field.Actor}.{Field.Field} = {Value}"
        : $"{Field.Actor}.{Field.Field} = {new Model.Addressing.Ipv4((uint)Value)}";
}
