using NatVerify.Model;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;

namespace NatVerify.Policy;

/// <summary><c>collision</c> and <c>udp-race</c>: the DST-manip rules.</summary>
internal static class DnatChecks
{
    private sealed record Dnat(RulePlace Place, DnatTarget Target, Region Reach);

    public static IEnumerable<Finding> Find(AnalysisContext ctx)
    {
        var dnats = new List<Dnat>();
        foreach (var place in ctx.NatPlaces)
        {
            if (place.Rule.Target is DnatTarget d && !ctx.Reach.Reach[place.Rule].IsEmpty)
            {
                dnats.Add(new Dnat(place, d, ctx.Reach.Reach[place.Rule]));
            }
        }

        var findings = new List<Finding>();
        findings.AddRange(Collisions(ctx, dnats));
        findings.AddRange(UdpRaces(ctx, dnats));
        return findings;
    }

    /// <summary>The first packets after the DST manip: destination and port replaced by the target's range.</summary>
    private static Cube Mapped(Cube c, DnatTarget d) => c with
    {
        Dst = d.Range.MapIps ? new Interval(d.Range.MinAddr.Value, d.Range.MaxAddr.Value) : c.Dst,
        DPort = d.Range.ProtoSpecified ? new Interval((uint)d.Range.MinProto, (uint)d.Range.MaxProto) : c.DPort,
    };

    private static Cube TupleOnly(Cube c) => c with { Mark = Ternary.Any, CtMark = Ternary.Any, Iif = ulong.MaxValue, Oif = ulong.MaxValue };

    private static IEnumerable<(Cube Orig, Cube Mapped)> Pieces(Dnat d)
    {
        foreach (var c in d.Reach.Cubes)
        {
            foreach (var proto in new uint[] { 6, 17 })
            {
                if (c.Proto.Contains(proto))
                {
                    var o = c with { Proto = Interval.Single(proto) };
                    yield return (o, Mapped(o, d.Target));
                }
            }
        }
    }

    private static IEnumerable<Finding> Collisions(AnalysisContext ctx, List<Dnat> dnats)
    {
        // Index by (protocol, first backend address): only rules that can share a backend are compared.
        var buckets = new Dictionary<(uint, uint), List<(Dnat D, Cube Orig, Cube Mapped)>>();
        var wide = new List<(Dnat D, Cube Orig, Cube Mapped)>();
        foreach (var d in dnats)
        {
            foreach (var (o, m) in Pieces(d))
            {
                if (m.Dst.Max - m.Dst.Min < 16)
                {
                    for (var a = m.Dst.Min; ; a++)
                    {
                        var key = (m.Proto.Min, a);
                        if (!buckets.TryGetValue(key, out var list))
                        {
                            buckets[key] = list = [];
                        }

                        list.Add((d, o, m));
                        if (a == m.Dst.Max)
                        {
                            break;
                        }
                    }
                }
                else
                {
                    wide.Add((d, o, m));
                }
            }
        }

        // One entry per rule and backend: a rule reached through many cubes is compared once per other rule.
        foreach (var key in buckets.Keys.ToList())
        {
            var list = buckets[key];
            if (list.Select(x => x.D).Distinct().Count() < 2 && wide.Count == 0)
            {
                buckets.Remove(key);
            }
        }

        var seen = new HashSet<(NatRule, NatRule)>();
        var seq = 0;
        foreach (var list in buckets.Values.Append(wide))
        {
            for (var i = 0; i < list.Count; i++)
            {
                var others = ReferenceEquals(list, wide) ? buckets.Values.SelectMany(x => x).Concat(wide) : list.Skip(i + 1).Concat(wide);
                foreach (var other in others)
                {
                    var a = list[i];
                    var b = other;
                    if (ReferenceEquals(a.D.Place.Rule, b.D.Place.Rule))
                    {
                        continue;
                    }

                    var pair = a.D.Place.Index <= b.D.Place.Index ? (a.D.Place.Rule, b.D.Place.Rule) : (b.D.Place.Rule, a.D.Place.Rule);
                    if (seen.Contains(pair))
                    {
                        continue;
                    }

                    if (TupleOnly(a.Mapped).Intersect(TupleOnly(b.Mapped)) is not { } common)
                    {
                        continue;
                    }

                    // Same original tuple (alternatives of one service) is not two tuples colliding.
                    if (a.Orig.Dst == b.Orig.Dst && a.Orig.DPort == b.Orig.DPort && a.Orig.Dst.Min == a.Orig.Dst.Max && a.Orig.DPort.Min == a.Orig.DPort.Max)
                    {
                        continue;
                    }

                    // A path whose every packet is SNATed later gets a unique tuple from the SNAT's search anyway.
                    var aPlain = ctx.Reach.NotSourceNatted(new Region([a.Mapped with { Src = common.Src, SPort = common.SPort, Dst = common.Dst, DPort = common.DPort }]));
                    var bPlain = ctx.Reach.NotSourceNatted(new Region([b.Mapped with { Src = common.Src, SPort = common.SPort, Dst = common.Dst, DPort = common.DPort }]));
                    if (aPlain.IsEmpty || bPlain.IsEmpty)
                    {
                        continue;
                    }

                    seen.Add(pair);
                    seq++;
                    yield return Collision(ctx, a.D, b.D, a.Orig, b.Orig, common, seq);
                }
            }
        }
    }

    private static Finding Collision(AnalysisContext ctx, Dnat a, Dnat b, Cube origA, Cube origB, Cube common, int seq)
    {
        var proto = common.Proto.Min == 6 ? "tcp" : "udp";
        var backendPort = common.DPort.Contains(80) ? 80u : Math.Max(common.DPort.Min, 1u);
        var dportA = a.Target.Range.ProtoSpecified ? Math.Max(origA.DPort.Min, 1u) : backendPort;
        var dportB = b.Target.Range.ProtoSpecified ? Math.Max(origB.DPort.Min, 1u) : backendPort;
        var message =
            $"Two DNAT paths map different original tuples onto one reply tuple before the SRC manip: a client {(common.Src.Min == common.Src.Max ? new Model.Addressing.Ipv4(common.Src.Min).ToString() : "address")}:port reaching both "
            + $"rules is sent to the same backend {new Model.Addressing.Ipv4(common.Dst.Min)}:{backendPort}/{proto}. nf_nat_setup_info accepts a DNAT result without a uniqueness check for a one-address, one-port range; "
            + "the SRC null binding (nf_nat_alloc_null_binding, get_unique_tuple) then re-ports the second flow, so the backend sees a different source port; with both first packets in flight, one is dropped at confirm (__nf_conntrack_confirm, insert_failed).";
        var name = $"policy-collision-{seq}";
        var refA = ctx.Ref(a.Place);
        var refB = ctx.Ref(b.Place);
        var (text, path) = Witnesses.Build(
            ctx, name,
            $"Witness for collision: rules {refA.File}:{refA.Line} ({AnalysisContext.TextOf(a.Place.Rule)}) and {refB.File}:{refB.Line} ({AnalysisContext.TextOf(b.Place.Rule)}). One client address:port reaches both and both go to one backend; the second is re-ported by the null binding or dropped at confirm.",
            new Dictionary<string, string> { ["veth0"] = "198.51.100.1" },
            [
                $"-A OUTPUT -d 198.51.100.3/32 -p {proto} --dport {dportA} -j DNAT --to-destination 203.0.113.1:{backendPort}",
                $"-A OUTPUT -d 198.51.100.4/32 -p {proto} --dport {dportB} -j DNAT --to-destination 203.0.113.1:{backendPort}",
            ],
            [
                new WitnessFlow("first", $"198.51.100.1:40000 -> 198.51.100.3:{dportA}", proto, "local-out", null, null, 0),
                new WitnessFlow("second", $"198.51.100.1:40000 -> 198.51.100.4:{dportB}", proto, "local-out", null, null, 0),
            ],
            sequential: false,
            o => Witnesses.Any(o, x => x.Kind is OutcomeKind.Dropped or OutcomeKind.Rewritten || x.Detail == "sport-rewritten"),
            "a re-port by the null binding or a drop at confirm");
        return new Finding(FindingClass.Collision, Severity.Warning, [refA, refB], message, new Dictionary<string, string>())
        {
            WitnessSpec = text,
            WitnessPath = path,
        };
    }

    /// <summary>
    /// A random draw is a chain with a random-only match (<c>statistic --mode random</c>, <c>numgen random</c>); its
    /// alternatives are that rule and the rules after it. Two DNATs under different alternatives race when one UDP
    /// first packet reaches both with random draws "may match" and never when the draws always match.
    /// </summary>
    private static IEnumerable<Finding> UdpRaces(AnalysisContext ctx, List<Dnat> dnats)
    {
        var byRule = new Dictionary<NatRule, Dnat>(ReferenceEqualityComparer.Instance);
        foreach (var d in dnats.Where(d => d.Reach.Cubes.Any(c => c.Proto.Contains(17))))
        {
            byRule[d.Place.Rule] = d;
        }

        if (byRule.Count < 2)
        {
            yield break;
        }

        var udpOnly = new Region([Cube.Full with { Proto = Interval.Single(17) }]);
        var reported = new HashSet<NatRule>(ReferenceEqualityComparer.Instance);
        var seq = 0;
        foreach (var table in ctx.Ruleset.Tables)
        {
            foreach (var chain in table.Chains.Values)
            {
                if (!ctx.NatChains.Contains((table.Key, chain.Name)))
                {
                    continue;
                }

                var first = -1;
                for (var i = 0; i < chain.Rules.Count && first < 0; i++)
                {
                    if (ctx.Reach.MatchOf(chain.Rules[i]).Random)
                    {
                        first = i;
                    }
                }

                if (first < 0)
                {
                    continue;
                }

                var alternatives = chain.Rules.Skip(first)
                    .Select(r => (Rule: r, Dnats: DnatsUnder(table, r, 0).Where(byRule.ContainsKey).Select(x => byRule[x]).ToList()))
                    .Where(l => l.Dnats.Count > 0).ToList();
                var group = new List<Dnat>();
                for (var i = 0; i < alternatives.Count; i++)
                {
                    // The packet goes to alternative i or passes on to a later one only by the draw of rule i: its
                    // match must be inexact through random terms alone.
                    if (!ctx.Reach.MatchOf(alternatives[i].Rule).Random)
                    {
                        continue;
                    }

                    for (var j = i + 1; j < alternatives.Count; j++)
                    {
                        foreach (var a in alternatives[i].Dnats)
                        {
                            foreach (var b in alternatives[j].Dnats)
                            {
                                if (a.Target.Range == b.Target.Range || group.Contains(a) && group.Contains(b))
                                {
                                    continue;
                                }

                                if (a.Reach.Intersects(b.Reach.Intersect(udpOnly)))
                                {
                                    if (!group.Contains(a))
                                    {
                                        group.Add(a);
                                    }

                                    if (!group.Contains(b))
                                    {
                                        group.Add(b);
                                    }
                                }
                            }
                        }
                    }
                }

                if (group.Count < 2 || group.All(g => reported.Contains(g.Place.Rule)))
                {
                    continue;
                }

                foreach (var g in group)
                {
                    reported.Add(g.Place.Rule);
                }

                seq++;
                yield return UdpRace(ctx, group, seq);
            }
        }
    }

    private static IEnumerable<NatRule> DnatsUnder(RuleTable table, NatRule rule, int depth)
    {
        if (rule.Target is DnatTarget)
        {
            yield return rule;
        }
        else if (rule.Target is JumpTarget j && depth < 16 && table.Chains.TryGetValue(j.Chain, out var called))
        {
            foreach (var r in called.Rules)
            {
                foreach (var d in DnatsUnder(table, r, depth + 1))
                {
                    yield return d;
                }
            }
        }
    }

    private static Finding UdpRace(AnalysisContext ctx, List<Dnat> group, int seq)
    {
        var cube = group[0].Reach.Intersect(group[1].Reach).Cubes.First(c => c.Proto.Contains(17));
        var dport = cube.DPort.Contains(53) ? 53u : Math.Max(cube.DPort.Min, 1u);
        uint BackendPort(Dnat d) => d.Target.Range.ProtoSpecified ? (uint)d.Target.Range.MinProto : dport;
        var message =
            $"A UDP service is DNATed at random to {group.Count} backends ({string.Join(", ", group.Select(g => g.Target.Range.ToString()))}). Two first packets of one socket sent back to back "
            + "(a resolver's A and AAAA queries) each get their own unconfirmed entry with the same original tuple, and the random draw (statistic_mt / nft_ng_random) can send them to different backends; "
            + "the second one clashes at confirm (__nf_conntrack_confirm, nf_ct_resolve_clash).";
        var consequences = new Dictionary<string, string>();
        foreach (var p in KernelProfile.All)
        {
            consequences[p.Name] = p.ClashHarder
                ? "From 5.6 the loser becomes a reply-only NAT_CLASH entry with a short timeout (nf_ct_resolve_clash_harder): both answers come back, counted as clash_resolve."
                : "Before 5.6 the second packet is dropped with insert_failed (__nf_ct_resolve_clash cannot merge entries with different replies) and the client waits for its retry timeout: the classic \"DNS 5 second delay\".";
        }

        var name = $"policy-udp-race-{seq}";
        var refs = group.Select(g => ctx.Ref(g.Place)).ToList();
        var (text, path) = Witnesses.Build(
            ctx, name,
            $"Witness for udp-race: rules {string.Join("; ", refs.Select(r => $"{r.File}:{r.Line} ({r.Text})"))}. Two first packets of one UDP socket, drawn to different backends, clash at confirm.",
            new Dictionary<string, string> { ["veth0"] = "198.51.100.1" },
            [
                $"-A OUTPUT -d 198.51.100.53/32 -p udp --dport {dport} -m statistic --mode random --probability 0.50000000000 -j DNAT --to-destination 203.0.113.1:{BackendPort(group[0])}",
                $"-A OUTPUT -d 198.51.100.53/32 -p udp --dport {dport} -j DNAT --to-destination 203.0.113.2:{BackendPort(group[1])}",
            ],
            [
                new WitnessFlow("q1", $"198.51.100.1:5353 -> 198.51.100.53:{dport}", "udp", "local-out", null, null, 0),
                new WitnessFlow("q2", $"198.51.100.1:5353 -> 198.51.100.53:{dport}", "udp", "local-out", null, null, 0),
            ],
            sequential: false,
            o => Witnesses.Any(o, x => x.Kind is OutcomeKind.Dropped or OutcomeKind.ClashEntry),
            "a clash at confirm (drop or NAT_CLASH entry)");
        return new Finding(FindingClass.UdpRace, Severity.Warning, refs, message, consequences)
        {
            WitnessSpec = text,
            WitnessPath = path,
        };
    }
}
