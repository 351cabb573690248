using NatVerify.Model;
using NatVerify.Smt.Bmc;
using NatVerify.Specs;
using Xunit;
using Xunit.Abstractions;

namespace NatVerify.Smt.Tests;

/// <summary>
/// The slot state BMC encodes for issue 13: TCP closes (TIME_WAIT/CLOSE), reopening SYNs, <c>nf_nat_used_tuple_harder</c>'s
/// eviction, SYN retransmissions, <c>conntrack -D</c> and portless (GRE) flows. Each test runs both engines at the
/// scenario's full depth (every interleaving to its end, the spec's concrete values) and requires the same violated
/// properties, the same joint outcomes and every witness replayed (whole-state equality); then it checks that the
/// construct is not vacuous: the outcome only that construct can give is among them.
/// </summary>
public sealed class SlotStateTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("specs/oracle/tcp-fin-reopen.yaml", "b", "nat")]
    [InlineData("specs/oracle/tcp-rst-reopen.yaml", "b", "nat")]
    [InlineData("specs/oracle/tcp-single-port-reuse.yaml", "b", "nat")]
    [InlineData("specs/oracle/tcp-syn-retry.yaml", "thief", "retried:nat")]
    public void Shipped_slot_state_spec_agrees_with_the_explicit_engine(string relative, string actor, string outcome)
    {
        var spec = SpecLoader.LoadFile(Path.Combine(Support.Root, relative));
        var result = Agreement.Compare(spec, KernelMutant.None, BmcSubset.FullDepth(spec.Model));
        output.WriteLine(string.Join("\n", result.Bmc.JointOutcomes.Select(j => string.Join(" | ", j.Outcomes))));
        Assert.True(result.Differences.Count == 0, string.Join("\n", result.Differences));
        var index = spec.Model.IndexOf(actor);
        Assert.Contains(result.Bmc.JointOutcomes, j => j.Outcomes[index].ToString() == outcome);
    }

    /// <summary>
    /// Two TIME_WAIT entries hold both ports of a two-port SNAT range; the later flows get a port only by
    /// <c>nf_nat_used_tuple_harder</c>'s eviction (18 steps: Long).
    /// </summary>
    [Fact]
    [Trait("Category", "Long")]
    public void Small_range_reuse_agrees_with_the_explicit_engine() =>
        Shipped_slot_state_spec_agrees_with_the_explicit_engine("specs/oracle/tcp-small-range-reuse.yaml", "b2", "nat");

    /// <summary>
    /// A SYN on the REPLY tuple of an entry closed by a RST is invalid (<c>tcp_conntracks</c> sCL, reply direction: sIV);
    /// on a FIN-closed (TIME_WAIT) entry it reopens it: <c>nf_ct_kill</c> and a new entry.
    /// </summary>
    [Theory]
    [InlineData("rst", "invalid")]
    [InlineData("fin", "kept")]
    public void Reply_direction_syn_on_a_closed_entry_agrees(string how, string outcome)
    {
        var spec = SpecLoader.Parse($"""
            name: reply-syn
            description: x
            ruleset: |
              *nat
              :POSTROUTING ACCEPT [0:0]
              -A POSTROUTING -p udp -j SNAT --to-source 198.51.100.1
              COMMIT
            actors:
              - name: a
                flow: 198.51.100.1:40000 -> 198.51.100.2:80
              - name: c
                close: a
                how: {how}
              - name: b
                flow: 198.51.100.2:80 -> 198.51.100.1:40000
            schedule: sequential
            """, "reply-syn.yaml");
        var result = Agreement.Compare(spec, KernelMutant.None, BmcSubset.FullDepth(spec.Model));
        Assert.True(result.Differences.Count == 0, string.Join("\n", result.Differences));
        Assert.Contains(result.Bmc.JointOutcomes, j => j.Outcomes[2].ToString() == outcome);
    }

    /// <summary>
    /// specs/oracle/gre-null-binding-clash.yaml without its <c>-p gre</c> match (a match term, the chain side's part of
    /// issue 13): a GRE flow has no key, so the SRC null binding keeps the thief's reply tuple and confirm drops the
    /// client (6.12: GRE allow_clash, but no merge and the reply taken; 4.19: no allow_clash).
    /// </summary>
    [Theory]
    [InlineData("linux-6.12")]
    [InlineData("linux-4.19")]
    public void Gre_flow_without_a_key_agrees(string profile)
    {
        var spec = SpecLoader.Parse($"""
            name: gre
            description: x
            profile: {profile}
            ruleset: |
              *nat
              :POSTROUTING ACCEPT [0:0]
              -A POSTROUTING -m mark --mark 0x65 -j SNAT --to-source 198.51.100.1
              COMMIT
            actors:
              - name: thief
                flow: 192.0.2.1 -> 203.0.113.2
                proto: gre
                mark: 0x65
              - name: client
                flow: 198.51.100.1 -> 203.0.113.2
                proto: gre
            """, "gre.yaml");
        var result = Agreement.Compare(spec, KernelMutant.None, BmcSubset.FullDepth(spec.Model));
        output.WriteLine(string.Join("\n", result.Bmc.JointOutcomes.Select(j => string.Join(" | ", j.Outcomes))));
        Assert.True(result.Differences.Count == 0, string.Join("\n", result.Differences));
        Assert.Contains(result.Bmc.JointOutcomes, j => j.Outcomes[1].ToString() == "dropped");
    }

    /// <summary>
    /// Slot state and rules together: the thief's mark comes from a mangle rule, not from the actor, so its retransmitted
    /// SYN (a new first packet, <c>NatSemantics.RetransmitStep</c>) is SNATed onto the fixed port again only if the
    /// retransmission walks the rules again; <c>retried:nat</c> is among the outcomes of both engines.
    /// </summary>
    [Fact]
    public void Retransmitted_syn_walks_the_rules_again()
    {
        var spec = SpecLoader.Parse("""
            name: retry-rules
            description: x
            profile: linux-6.12
            interfaces:
              veth0: 198.51.100.1
            ruleset: |
              *mangle
              :PREROUTING ACCEPT [0:0]
              :OUTPUT ACCEPT [0:0]
              -A PREROUTING -p tcp --sport 54321 -j MARK --set-mark 0x64
              -A OUTPUT -p tcp --sport 54321 -j MARK --set-mark 0x64
              COMMIT
              *nat
              :POSTROUTING ACCEPT [0:0]
              -A POSTROUTING -p tcp -m mark --mark 0x64 -j SNAT --to-source 198.51.100.1:12345
              COMMIT
            actors:
              - name: insert
                conntrack: -I --protonum 6 --timeout 100 --reply-src 198.51.100.2 --reply-dst 198.51.100.1 --state SYN_SENT --reply-port-dst 12345 --reply-port-src 80 --src 192.0.2.1 --dst 198.51.100.2
              - name: thief
                flow: 198.51.100.1:54321 -> 198.51.100.2:80
                retries: 1
              - name: cleanup
                conntrack: -D -p tcp --orig-src 192.0.2.1
            order:
              - insert.start < thief.start
            """, "retry-rules.yaml");
        var result = Agreement.Compare(spec, KernelMutant.None, BmcSubset.FullDepth(spec.Model));
        output.WriteLine(string.Join("\n", result.Bmc.JointOutcomes.Select(j => string.Join(" | ", j.Outcomes))));
        Assert.True(result.Differences.Count == 0, string.Join("\n", result.Differences));
        Assert.Contains(result.Bmc.JointOutcomes, j => j.Outcomes[1].ToString() == "retried:nat");
    }

    /// <summary>
    /// A nat POSTROUTING rule that reads the entry's NAT bits (<c>--ctstate DNAT</c>: IPS_DST_NAT, set by the DNAT at
    /// PREROUTING) SNATs the port-forwarded flow and not the direct one; both engines pass the entry's status to the
    /// nat chains (<c>Pkt.NatStatus</c>): the witness replays its whole state, whose reply tuple shows the SNAT.
    /// </summary>
    [Fact]
    public void Nat_chain_sees_the_dnat_bit_of_the_entry()
    {
        var spec = SpecLoader.Parse("""
            name: ctstate-dnat-in-postrouting
            description: x
            profile: linux-6.12
            interfaces:
              wan0: 203.0.113.1
              lan0: 198.51.100.1
            ruleset: |
              *nat
              :PREROUTING ACCEPT [0:0]
              :POSTROUTING ACCEPT [0:0]
              -A PREROUTING -i wan0 -p tcp -m tcp --dport 2222 -j DNAT --to-destination 198.51.100.10:22
              -A POSTROUTING -m conntrack --ctstate DNAT -j SNAT --to-source 198.51.100.1
              COMMIT
            actors:
              - name: forwarded
                flow: 203.0.113.7:40000 -> 203.0.113.1:2222
                path: forward
                in: wan0
                out: lan0
              - name: direct
                flow: 203.0.113.7:40001 -> 198.51.100.10:22
                path: forward
                in: wan0
                out: lan0
            schedule: sequential
            """, "ctstate-dnat-in-postrouting.yaml");
        var result = Agreement.Compare(spec, KernelMutant.None, BmcSubset.FullDepth(spec.Model));
        output.WriteLine(string.Join("\n", result.Bmc.JointOutcomes.Select(j => string.Join(" | ", j.Outcomes))));
        Assert.True(result.Differences.Count == 0, string.Join("\n", result.Differences));
        var joint = Assert.Single(result.Bmc.JointOutcomes);
        Assert.Equal("kept", joint.Outcomes[1].ToString());
        var last = joint.Witness.States[^1];
        Assert.Equal("198.51.100.1", last[0].Reply.DstIp.ToString());
        Assert.Equal("203.0.113.7", last[1].Reply.DstIp.ToString());
    }

    /// <summary>
    /// The random agreement specs exercise the slot state: over 150 generated specs each construct appears (the
    /// generator's probabilities make about 10-20 of each), and every one parses.
    /// </summary>
    [Fact]
    public void Spec_generator_makes_every_slot_state_construct()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var seed = 0; seed < 150; seed++)
        {
            var yaml = SpecGenerator.Generate(seed);
            SpecLoader.Parse(yaml, $"gen-{seed}.yaml");
            foreach (var text in new[] { "close:", "proto: gre", "conntrack: -D", "retries:", "name: again" })
            {
                counts[text] = counts.GetValueOrDefault(text) + (yaml.Contains(text, StringComparison.Ordinal) ? 1 : 0);
            }
        }

        output.WriteLine(string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}")));
        Assert.All(counts, c => Assert.True(c.Value >= 5, $"only {c.Value} of 150 generated specs have '{c.Key}'"));
    }

    /// <summary>
    /// <c>conntrack -D</c> with a reply-direction filter (<c>PartialTuple.Matches</c> on the entry's NATed reply tuple)
    /// racing a flow: deleted when it runs after the confirm, not-found before, and the second flow then finds the tuple
    /// free or taken.
    /// </summary>
    [Fact]
    public void Delete_by_reply_filter_agrees()
    {
        var spec = SpecLoader.Parse("""
            name: delete
            description: x
            ruleset: |
              *nat
              :POSTROUTING ACCEPT [0:0]
              -A POSTROUTING -p udp -j SNAT --to-source 198.51.100.1:5000
              COMMIT
            actors:
              - name: a
                flow: 198.51.100.1:40000 -> 198.51.100.2:53
                proto: udp
              - name: d
                conntrack: -D -p udp --reply-port-dst 5000
              - name: b
                flow: 198.51.100.1:40001 -> 198.51.100.2:53
                proto: udp
            """, "delete.yaml");
        var result = Agreement.Compare(spec, KernelMutant.None, BmcSubset.FullDepth(spec.Model));
        Assert.True(result.Differences.Count == 0, string.Join("\n", result.Differences));
        Assert.Contains(result.Bmc.JointOutcomes, j => j.Outcomes[1].ToString() == "deleted");
        Assert.Contains(result.Bmc.JointOutcomes, j => j.Outcomes[1].ToString() == "not-found");
    }
}
