using System.Text;
using NatVerify.Checker;
using NatVerify.Model;
using NatVerify.Model.Properties;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Specs;
using Xunit;

namespace NatVerify.Verification.Tests;

/// <summary>
/// Scenarios of more than 64 actors (<see cref="ActorSets"/>): 98 ctnetlink inserts linked one after another, then the
/// seed's thief (actor 98) and client (actor 99). The ghost set <see cref="Slot.LinkedAtSrcProbe"/> is then an interned
/// set, and no-avoidable-drop (its reader) must test actor 98's own membership: a mask truncated to 64 bits would test
/// bit 98 mod 64 = 34, whose insert is always linked, and so would call the race's unavoidable drop avoidable.
/// </summary>
public class WideScenarioTests
{
    private const int Fillers = 98;

    [Fact]
    public void A_race_after_98_inserts_drops_the_client_only_unavoidably_and_no_avoidable_drop_holds()
    {
        var result = Verifier.Check(Spec(thiefFirst: false), new CheckSettings { Options = new CheckerOptions { StopAtFirstViolation = false } });

        Assert.Equal(100, result.Semantics.Scenario.Actors.Count);
        Assert.True(result.Exhaustive);
        Assert.Equal(Verdict.Holds, result.Verdict);
        Assert.Empty(result.ViolatedProperties);
        // The property was evaluated where it matters: the client was dropped at confirm with the thief (actor 98) as its
        // reply clash partner, while insert 34 was linked at the client's probe and the thief was not.
        Assert.Contains(result.Outcomes.Joint, j => j.Outcomes[99].Kind == OutcomeKind.Dropped);
    }

    [Fact]
    public void Without_the_null_binding_the_client_dropped_on_the_thief_linked_at_its_probe_violates_no_avoidable_drop()
    {
        var result = Verifier.Check(Spec(thiefFirst: true), new CheckSettings
        {
            Mutant = KernelMutant.NoNullBinding,
            Options = new CheckerOptions { StopAtFirstViolation = false },
        });

        Assert.Contains(PropertyIds.NoAvoidableDrop, result.ViolatedProperties);
        var violation = result.ViolationOf(PropertyIds.NoAvoidableDrop)!;
        var final = violation.Trace.Final;
        Assert.Equal(Phase.Dropped, final[99].Phase);
        Assert.Equal(98, final[99].Partner);
        Assert.True(ActorSets.Contains(final[99].LinkedAtSrcProbe, 98, final.Count));
    }

    /// <summary>
    /// Run-numbered fingerprints (<see cref="NatStateEncoder.RunFingerprint"/>) number 100 slots per state, among them
    /// interned wide sets: the search explores what canonical bytes explore.
    /// </summary>
    [Fact]
    public void Run_fingerprints_past_64_actors_explore_what_canonical_bytes_explore()
    {
        var spec = Spec(thiefFirst: false);
        VerificationResult Check(bool run) => Verifier.Check(spec, new CheckSettings
        {
            RunFingerprints = run,
            Options = new CheckerOptions { StopAtFirstViolation = false },
        });
        var canonical = Check(run: false);
        var run = Check(run: true);

        Assert.True(run.Stats.RunFingerprints);
        Assert.False(canonical.Stats.RunFingerprints);
        Assert.Equal(
            (canonical.Stats.StatesStored, canonical.Stats.Transitions, canonical.Stats.MaxDepthReached, canonical.Stats.TerminalStates, canonical.Stats.ReducedExpansions),
            (run.Stats.StatesStored, run.Stats.Transitions, run.Stats.MaxDepthReached, run.Stats.TerminalStates, run.Stats.ReducedExpansions));
        Assert.Equal(canonical.Verdict, run.Verdict);
        Assert.Equal(
            canonical.Outcomes.Joint.Select(j => string.Join("|", j.Outcomes)).Order(StringComparer.Ordinal),
            run.Outcomes.Joint.Select(j => string.Join("|", j.Outcomes)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Wide_actor_sets_are_interned_by_content_and_answer_membership_past_64()
    {
        Span<ulong> a = stackalloc ulong[3];
        a[1] = 1UL << (98 - 64);
        Span<ulong> b = stackalloc ulong[2];
        b[1] = 1UL << (98 - 64);
        var x = ActorSets.Of(a, 150);
        Assert.Equal(x, ActorSets.Of(b, 150));
        Assert.True(ActorSets.Contains(x, 98, 150));
        Assert.False(ActorSets.Contains(x, 34, 150));
        Assert.Equal([98], ActorSets.Members(x, 150));
        Assert.Equal(0UL, ActorSets.Of(stackalloc ulong[3], 150));
        // At most 64 actors the value is the mask itself, as before.
        Assert.Equal(1UL << 34, ActorSets.Of(a[1..], 64));
    }

    [Fact]
    public void A_spec_of_more_actors_than_supported_is_a_located_error()
    {
        var text = SpecText(thiefFirst: false, fillers: NatSemantics.MaxActors - 1, order: false);
        var error = Assert.Throws<SpecException>(() => SpecLoader.Parse(text, "too-wide.yaml"));
        Assert.Contains("at most 1024", error.Message);
        // The first actor past the limit (fillers 0..1022, the thief, then the client at index 1024).
        var clientLine = text.Split('\n').ToList().FindIndex(l => l.Contains("- name: client")) + 1;
        Assert.Equal(clientLine, error.Line);
    }

    private static ScenarioSpec Spec(bool thiefFirst) => SpecLoader.Parse(SpecText(thiefFirst, Fillers, order: true), "wide-race.yaml");

    private static string SpecText(bool thiefFirst, int fillers, bool order)
    {
        var sb = new StringBuilder();
        sb.Append("""
            name: wide-race
            description: 98 inserts linked one after another, then the seed's thief and client.
            profile: linux-6.12
            interfaces:
              veth0: 198.51.100.1
            ruleset: |
              *nat
              :PREROUTING ACCEPT [0:0]
              :INPUT ACCEPT [0:0]
              :OUTPUT ACCEPT [0:0]
              :POSTROUTING ACCEPT [0:0]
              -A POSTROUTING -p tcp -m mark --mark 0x64 -j SNAT --to-source 198.51.100.1:12345
              COMMIT
            actors:

            """);
        for (var k = 0; k < fillers; k++)
        {
            sb.Append($"  - name: e{k}\n    conntrack: -I -p udp -s 192.0.2.1 -d 203.0.113.1 --sport {1000 + k} --dport 53 --timeout 100\n");
        }

        sb.Append("  - name: thief\n    flow: 198.51.100.1:54321 -> 198.51.100.2:80\n    mark: 0x64\n");
        sb.Append("  - name: client\n    flow: 198.51.100.1:12345 -> 198.51.100.2:80\n");
        if (order)
        {
            sb.Append("order:\n");
            for (var k = 0; k + 1 < fillers; k++)
            {
                sb.Append($"  - e{k}.start < e{k + 1}.start\n");
            }

            sb.Append($"  - e{fillers - 1}.start < thief.start\n");
            sb.Append($"  - e{fillers - 1}.start < client.start\n");
            if (thiefFirst)
            {
                sb.Append("  - thief.confirm < client.start\n");
            }
        }

        return sb.ToString();
    }
}
