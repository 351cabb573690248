using NatVerify.Model;
using NatVerify.Model.Properties;
using NatVerify.Model.Scenario;
using NatVerify.Smt.Bmc;
using NatVerify.Specs;
using Xunit;

namespace NatVerify.Smt.Tests;

/// <summary>Bounded model checking of specs with symbolic ports, the subset it refuses, and the replay of its witnesses.</summary>
public sealed class BmcTests
{
    /// <summary>
    /// The seed race with both source ports symbolic (every 16-bit value each), every interleaving to the full depth
    /// of 8 steps: no duplicate linked tuple; the rewrite outcome is reachable and its witness replays.
    /// </summary>
    [Fact]
    public void The_seed_race_with_symbolic_ports_is_rewritten_and_never_duplicates_a_tuple()
    {
        var (spec, symbolic) = SymbolicSpec.LoadFile(Path.Combine(Support.TestSpecs, "race-thief-symbolic.yaml"));
        Assert.Equal(2, symbolic.Fields.Count);
        var report = BoundedModelChecker.Run(spec, symbolic, new BmcSettings { Bound = 8 });

        Assert.True(report.Complete);
        Assert.IsType<SmtUnsat>(report.Properties.Single(p => p.Property == PropertyIds.LinkedTupleUniqueness).Outcome);
        Assert.All(report.Properties, p => Assert.IsType<SmtUnsat>(p.Outcome));
        var rewrite = Assert.Single(report.JointOutcomes, j => j.Outcomes[0].MatchesPattern("rewritten:1024-65535"));
        Assert.True(rewrite.Replay.Reproduced, rewrite.Replay.Detail);
        Assert.All(report.JointOutcomes, j => Assert.True(j.Replay.Reproduced, j.Replay.Detail));

        // The rewrite needs the client on the thief's SNAT port.
        var client = rewrite.Witness.Assignments.Single(a => a.Field.Actor == "client");
        Assert.Equal(12345UL, client.Value);
        Assert.IsType<SmtUnsat>(report.OutcomeEnumerationEnd);
        Assert.Empty(report.ExpectationFailures);
    }

    [Fact]
    public void A_violation_witness_is_decoded_into_a_concrete_run_that_the_explicit_engine_reproduces()
    {
        var (spec, _) = Support.Seed("client-first");
        var report = BoundedModelChecker.Run(spec, SymbolicSpec.None, new BmcSettings { Bound = 8, Mutant = KernelMutant.NoConfirmClashCheck });
        var result = report.Properties.Single(p => p.Property == PropertyIds.LinkedTupleUniqueness);
        var witness = (BmcWitness)Assert.IsType<SmtSat>(result.Outcome).Counterexample;
        Assert.True(result.Replay!.Reproduced, result.Replay.Detail);
        Assert.Equal(witness.Steps.Count, result.Replay.Trace.Steps.Count);
        Assert.Contains("equals", result.Replay.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_witness_that_disagrees_with_the_explicit_engine_is_not_reproduced()
    {
        var (spec, _) = Support.Seed("thief-first");
        var report = BoundedModelChecker.Run(spec, SymbolicSpec.None, new BmcSettings { Bound = 8 });
        var joint = Assert.Single(report.JointOutcomes);
        Assert.True(joint.Replay.Reproduced);

        // Claim the client kept its port although the witness's run rewrites it.
        var lie = WitnessReplayer.ReplayOutcome(joint.Witness, spec.Profile, KernelMutant.None, [joint.Outcomes[0], new(OutcomeKind.Kept, null)]);
        Assert.False(lie.Reproduced);

        // Tamper with the last state: the thief's reply port.
        var states = joint.Witness.States.ToList();
        var last = states[^1].ToList();
        last[0] = last[0] with { Reply = last[0].Reply with { DstPort = Model.Addressing.Port.Of(4242) } };
        states[^1] = last;
        var tampered = WitnessReplayer.ReplayOutcome(joint.Witness with { States = states }, spec.Profile, KernelMutant.None, joint.Outcomes);
        Assert.False(tampered.Reproduced);
        Assert.Contains("no successor", tampered.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bound_below_the_full_depth_covers_only_shorter_runs()
    {
        var (spec, _) = Support.Seed("race-unconstrained");
        var report = BoundedModelChecker.Run(spec, SymbolicSpec.None, new BmcSettings { Bound = 3 });
        Assert.False(report.Complete);
        Assert.Empty(report.JointOutcomes);
        Assert.Contains(report.ExpectationNotes, n => n.Contains("below the scenario's full depth", StringComparison.Ordinal));
    }

    [Fact]
    public void Specs_outside_the_subset_are_refused_with_the_reason()
    {
        var (timeoutFlow, _) = SymbolicSpec.LoadFile(Path.Combine(Support.TestSpecs, "timeout-flow.yaml"));
        Assert.Contains("is an entry timeout", Assert.Throws<BmcUnsupportedException>(() => BmcSubset.Check(timeoutFlow.Model)).Message, StringComparison.Ordinal);

        var masquerade = SpecLoader.Parse("""
            name: masq
            description: x
            interfaces: { eth0: 198.51.100.1 }
            ruleset: |
              *nat
              :POSTROUTING ACCEPT [0:0]
              -A POSTROUTING -o eth0 -j MASQUERADE
              COMMIT
            actors:
              - name: a
                flow: 198.51.100.1:1 -> 198.51.100.2:2
            """, "masq.yaml");
        BmcSubset.Check(masquerade.Model); // MASQUERADE is inside the subset now

        var dnatRange = SpecLoader.Parse("""
            name: dnat-range
            description: x
            ruleset: |
              *nat
              :OUTPUT ACCEPT [0:0]
              -A OUTPUT -p tcp -j DNAT --to-destination 198.51.100.2:80-81
              COMMIT
            actors:
              - name: a
                flow: 198.51.100.1:1 -> 198.51.100.2:2
            """, "dnat-range.yaml");
        BmcSubset.Check(dnatRange.Model); // the lowest-free DST search (6.x, no --random) is encoded

        var timeout = SpecLoader.Parse("""
            name: to
            description: x
            actors:
              - name: a
                flow: 198.51.100.1:1 -> 198.51.100.2:2
              - name: t
                timeout: a
            """, "to.yaml");
        Assert.Contains("timeout", Assert.Throws<BmcUnsupportedException>(() => BmcSubset.Check(timeout.Model)).Message, StringComparison.Ordinal);
    }

    /// <summary>Pools (entries held as a count) have no table slots in the encoding: refused, not encoded as absent.</summary>
    [Fact]
    public void Pools_are_refused()
    {
        var spec = SpecLoader.Parse("""
            name: p
            description: x
            actors:
              - name: a
                flow: 198.51.100.1:1 -> 198.51.100.2:2
            pools:
              - name: held
                source: 198.51.100.1:2000-2063
                destination: 198.51.100.2:2
                entries: 3
            """, "p.yaml");
        Assert.Contains("pools ('held')", Assert.Throws<BmcUnsupportedException>(() => BmcSubset.Check(spec.Model)).Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Rules outside the iptables nat table that change a first packet's fate (a filter DROP, a raw notrack, a mangle
    /// MARK read by the nat table, an nft nat chain) are encoded through the explicit engine's walk: BMC answers each as
    /// the explicit engine does at the full depth (same violated properties and joint outcomes, witnesses replayed).
    /// </summary>
    [Theory]
    [InlineData("*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -j DROP\nCOMMIT\n*nat\n-A POSTROUTING -p tcp -j SNAT --to-source 198.51.100.1\nCOMMIT")]
    [InlineData("*raw\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j CT --notrack\nCOMMIT\n*nat\n-A POSTROUTING -p tcp -j SNAT --to-source 198.51.100.1\nCOMMIT")]
    [InlineData("*mangle\n-A OUTPUT -j MARK --set-xmark 0x64/0xffffffff\nCOMMIT\n*nat\n-A POSTROUTING -p tcp -m mark --mark 0x64 -j SNAT --to-source 198.51.100.1\nCOMMIT")]
    [InlineData("table ip t {\n  chain post {\n    type nat hook postrouting priority srcnat; policy accept;\n    ip protocol tcp snat to 198.51.100.1\n  }\n}")]
    public void Rules_of_other_tables_are_answered_as_the_explicit_engine_answers(string ruleset)
    {
        var yaml = "name: r\ndescription: x\nruleset: |\n" + string.Concat(ruleset.Split('\n').Select(l => "  " + l + "\n"))
            + "actors:\n  - name: a\n    flow: 198.51.100.1:1 -> 198.51.100.2:2\n  - name: b\n    flow: 198.51.100.3:1 -> 198.51.100.2:2\n";
        var spec = SpecLoader.Parse(yaml, "r.yaml");
        BmcSubset.Check(spec.Model);
        var result = Agreement.Compare(spec, KernelMutant.None, BmcSubset.FullDepth(spec.Model));
        Assert.True(result.Differences.Count == 0, string.Join("\n", result.Differences));
        Assert.NotEmpty(result.Bmc.JointOutcomes);
    }

    /// <summary>NETMAP keeps the packet's host bits, which a packet class does not fix: refused with the reason.</summary>
    [Fact]
    public void Netmap_is_refused_by_bmc()
    {
        var spec = SpecLoader.Parse("""
            name: netmap
            description: x
            ruleset: |
              *nat
              :POSTROUTING ACCEPT [0:0]
              -A POSTROUTING -j NETMAP --to 203.0.113.0/24
              COMMIT
            actors:
              - name: a
                flow: 198.51.100.1:1 -> 198.51.100.2:2
            """, "netmap.yaml");
        Assert.Contains("NETMAP", Assert.Throws<BmcUnsupportedException>(() => BmcSubset.Check(spec.Model)).Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A ruleset in which no rule activates conntrack (nf_ct_netns_get never called): every flow passes untracked in
    /// one step, which BMC encodes; both flows of the same tuple end untracked, with nothing to violate.
    /// </summary>
    [Fact]
    public void Without_a_conntrack_activating_rule_every_flow_is_untracked()
    {
        var spec = SpecLoader.Parse("""
            name: no-ct
            description: x
            ruleset: |
              *nat
              :POSTROUTING ACCEPT [0:0]
              -A POSTROUTING -j ACCEPT
              COMMIT
            actors:
              - name: a
                flow: 198.51.100.1:1 -> 198.51.100.2:2
              - name: b
                flow: 198.51.100.1:1 -> 198.51.100.2:2
            """, "no-ct.yaml");
        Assert.Equal(2, BmcSubset.FullDepth(spec.Model));
        var report = BoundedModelChecker.Run(spec, SymbolicSpec.None, new BmcSettings { Bound = 2 });
        var joint = Assert.Single(report.JointOutcomes);
        Assert.All(joint.Outcomes, o => Assert.Equal("untracked:no-conntrack", o.ToString()));
        Assert.All(report.Properties, p => Assert.IsType<SmtUnsat>(p.Outcome));
        Assert.Empty(report.FailedReplays);
    }
}
