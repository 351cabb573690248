using NatVerify.Model.State;
using Xunit;

namespace NatVerify.Model.Tests;

/// <summary>
/// A recycled state's slot array goes back to its thread's pool (<see cref="NatState.Recycle"/>), and the recycled
/// state is left with no slots, so it can never be read as another state's; taking it back twice pools it once.
/// </summary>
public class StateRecyclingTests
{
    [Fact]
    public void Recycled_state_gives_its_array_to_the_next_rent_of_that_size_and_is_left_empty()
    {
        var slots = new Slot[3];
        var state = NatState.FromCanonicalSlots(slots);
        NatState.Recycle(state);

        Assert.Equal(0, state.Count);
        Assert.Same(slots, NatState.RentSlots(3));
        Assert.NotSame(slots, NatState.RentSlots(3));
    }

    [Fact]
    public void Recycling_one_state_twice_pools_its_array_once()
    {
        var slots = new Slot[2];
        var state = NatState.FromCanonicalSlots(slots);
        NatState.Recycle(state);
        NatState.Recycle(state);

        Assert.Same(slots, NatState.RentSlots(2));
        Assert.NotSame(slots, NatState.RentSlots(2));
    }

    [Fact]
    public void Rent_of_another_size_does_not_hand_out_a_pooled_array()
    {
        var slots = new Slot[4];
        NatState.Recycle(NatState.FromCanonicalSlots(slots));

        var other = NatState.RentSlots(5);
        Assert.Equal(5, other.Length);
        Assert.NotSame(slots, NatState.RentSlots(4));
    }
}
