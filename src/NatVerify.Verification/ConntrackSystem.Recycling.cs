using NatVerify.Checker;
using NatVerify.Model.State;

namespace NatVerify.Verification;

/// <summary>The search's finished states give their slot arrays back to the thread that builds the next successors.</summary>
public sealed partial class ConntrackSystem : IStateRecycler<NatState>
{
    /// <inheritdoc />
    public void Recycle(NatState state) => NatState.Recycle(state);
}
