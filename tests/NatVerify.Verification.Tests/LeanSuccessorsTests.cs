using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using Xunit;

namespace NatVerify.Verification.Tests;

/// <summary>
/// The search expands states without diagnostics (<see cref="NatSemantics.Successors(NatState, List{ValueTuple{NatStep, NatState}}, bool)"/>
/// with <c>diagnostics: false</c>: no probe lists, no formatted notes); traces are rebuilt with them. Over every reachable
/// state of every shipped spec, under the real kernel and every mutant, the lean expansion must give the same successor
/// states in the same order, with steps equal to the full ones in every field but the two only traces read:
/// <see cref="NatStep.Probes"/> and the chain decisions (<c>Chains</c>, recorded when the packet is traced).
/// </summary>
public class LeanSuccessorsTests
{
    public static TheoryData<string> Specs => Corpus.All();

    [Theory]
    [MemberData(nameof(Specs))]
    public void Lean_successors_equal_the_full_ones_but_for_probes_and_chain_decisions(string file)
    {
        foreach (var semantics in Corpus.UnderEveryMutant(file))
        {
            var seen = new HashSet<NatState> { semantics.Initial };
            var queue = new Queue<NatState>(seen);
            var full = new List<(NatStep Step, NatState Next)>();
            var lean = new List<(NatStep Step, NatState Next)>();
            while (queue.TryDequeue(out var state))
            {
                full.Clear();
                lean.Clear();
                semantics.Successors(state, full, diagnostics: true);
                semantics.Successors(state, lean, diagnostics: false);
                Assert.Equal(full.Count, lean.Count);
                for (var k = 0; k < full.Count; k++)
                {
                    var (f, l) = (full[k], lean[k]);
                    Assert.Equal(f.Next, l.Next);
                    Assert.Equal(f.Step.GetType(), l.Step.GetType());
                    Assert.Equal(SearchFields(f.Step), SearchFields(l.Step));
                    if (seen.Add(f.Next))
                    {
                        queue.Enqueue(f.Next);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Every public field of a step but the trace-only ones as text, lists element by element (records compare lists by
    /// reference).
    /// </summary>
    internal static List<string> SearchFields(NatStep step)
    {
        var fields = new List<string>();
        foreach (var property in step.GetType().GetProperties().Where(p => p.Name is not (nameof(NatStep.Probes) or "Chains")).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var value = property.GetValue(step);
            var text = value is System.Collections.IEnumerable list and not string
                ? string.Join(",", list.Cast<object?>().Select(x => x?.ToString()))
                : value?.ToString();
            fields.Add($"{property.Name}={text}");
        }

        return fields;
    }
}
