using NatVerify.Model;
using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;

namespace NatVerify.Policy;

/// <summary><c>capacity</c>, <c>fixed-port</c> and <c>port-shadowing</c>: the SRC-manip rules.</summary>
internal static class SnatChecks
{
    /// <summary>The source-port classes of <c>nf_nat_l4proto_unique_tuple</c> when no range is given: 1-511, 600-1023, 1024-65535.</summary>
    private static readonly (string Name, int Min, int Max)[] Classes = [("1-511", 1, 511), ("600-1023", 600, 1023), ("1024-65535", 1024, 65535)];

    public static IEnumerable<Finding> Find(AnalysisContext ctx)
    {
        var seq = 0;
        foreach (var place in ctx.NatPlaces)
        {
            if (place.Rule.Target is not (SnatTarget or MasqueradeTarget))
            {
                continue;
            }

            var reach = ctx.Reach.Reach[place.Rule];
            if (reach.IsEmpty)
            {
                continue;
            }

            var (addresses, ports, flags) = place.Rule.Target switch
            {
                SnatTarget s => (s.Range.MapIps ? (long)s.Range.MaxAddr.Value - s.Range.MinAddr.Value + 1 : 1,
                    s.Range.ProtoSpecified ? new PortRange(s.Range.MinProto, s.Range.MaxProto) : (PortRange?)null, s.Range.Flags),
                MasqueradeTarget m => (1L, m.Ports, m.Flags),
                _ => throw new InvalidOperationException(),
            };
            seq++;
            yield return Capacity(ctx, place, reach, addresses, ports, flags);
            if (ports is { } p && p.Min == p.Max)
            {
                yield return FixedPort(ctx, place, reach, p.Min, seq);
            }

            if (PortShadowing(ctx, place, reach, ports, flags, seq) is { } ps)
            {
                yield return ps;
            }
        }
    }

    private static bool HasProto(Region r, uint proto) => r.Cubes.Any(c => c.Proto.Contains(proto));

    private static Finding Capacity(AnalysisContext ctx, RulePlace place, Region reach, long addresses, PortRange? ports, NatRangeFlags flags)
    {
        var numbers = new Dictionary<string, long> { ["addresses"] = addresses };
        var persistent = (flags & NatRangeFlags.Persistent) != 0;
        long ordinary;
        string pool;
        if (ports is { } p)
        {
            ordinary = p.Size;
            numbers["ports"] = p.Size;
            pool = $"the explicit range {p} ({p.Size} ports)";
        }
        else
        {
            ordinary = 64512;
            numbers["ports"] = 64512;
            numbers["portsClass1-511"] = 511;
            numbers["portsClass600-1023"] = 424;
            numbers["portsClass1024-65535"] = 64512;
            pool = "the source port's class (1-511: 511 ports, 512-1023: the 424 ports 600-1023, 1024-65535: 64512 ports; ordinary clients use the last); the low classes hold only 511 and 424 flows per destination for clients with privileged source ports";
        }

        numbers["flowsPerDestination"] = addresses * ordinary;
        numbers["flowsPerHostPerDestination"] = ordinary;
        var portless = reach.Cubes.Any(c => c.Proto.Max != c.Proto.Min || !(c.Proto.Min is 6 or 17 or 1 or 132 or 33 or 136));
        if (portless)
        {
            numbers["portlessFlowsPerDestination"] = addresses;
        }

        var severity = ordinary < ctx.Options.CapacityThreshold ? Severity.Warning : Severity.Note;
        var message =
            $"This {(place.Rule.Target is SnatTarget ? "SNAT" : "MASQUERADE")} rule holds at most {addresses} address(es) x {ordinary} ports = {addresses * ordinary} concurrent flows per destination (proto, address, port), "
            + $"with {pool}. A single internal host normally gets the ports of one address only: find_best_ips picks the address from a hash of {(persistent ? "the source only (--persistent)" : "source and destination")}, "
            + $"so one host has {ordinary} flows per destination. Entries in TIME_WAIT count against the pool until they expire (nf_nat_used_tuple sees every entry in the conntrack table)."
            + (portless ? $" Protocols without ports (GRE and others) through this rule have only the {addresses} address(es): one flow per address and destination." : string.Empty)
            + (severity == Severity.Warning ? $" That is below the threshold of {ctx.Options.CapacityThreshold} flows." : string.Empty);
        var consequences = new Dictionary<string, string>();
        foreach (var profile in KernelProfile.All)
        {
            consequences[profile.Name] = profile.CappedPortSearch
                ? "nf_nat_l4proto_unique_tuple tries a capped number of random offsets (at most 128, fewer on later rounds) in the range, so a nearly full pool fails before every port was tried and the first packet is dropped (insert_failed)."
                  + (profile.UsedTupleNew ? " From 6.5, a new TCP SYN whose reply tuple is held by a TIME_WAIT or CLOSE entry of this SNAT evicts that entry (nf_nat_used_tuple_harder) instead of failing." : string.Empty)
                : "nf_nat_l4proto_unique_tuple scans the whole range from a shared rover, so the pool is found full only when every port is taken.";
        }

        return new Finding(FindingClass.Capacity, severity, [ctx.Ref(place)], message, consequences) { Numbers = numbers };
    }

    private static (string Proto, uint Dport, uint Mark) Sample(Region reach)
    {
        var c = reach.Cubes.FirstOrDefault(x => x.Proto.Contains(6)) is { Proto.Max: > 0 } tcp ? tcp
            : reach.Cubes.FirstOrDefault(x => x.Proto.Contains(17));
        var proto = c.Proto.Contains(6) ? "tcp" : "udp";
        var dport = c.DPort.Contains(80) ? 80u : Math.Max(c.DPort.Min, 1u);
        return (proto, dport, c.Mark.Sample);
    }

    private static Finding FixedPort(AnalysisContext ctx, RulePlace place, Region reach, int port, int seq)
    {
        var (to, addressText) = place.Rule.Target switch
        {
            SnatTarget s when s.Range.MapIps => ($"-j SNAT --to-source 198.51.100.1:{port}", $"{s.Range.MinAddr}"),
            SnatTarget => ($"-j SNAT --to-source 198.51.100.1:{port}", "the packet's own source address"),
            _ => ($"-j MASQUERADE --to-ports {port}", "the out interface's address"),
        };
        var sockets = ctx.Host.Sockets
            .Where(s => s.Port == port && (s.Address.Value == 0 || (place.Rule.Target is SnatTarget { Range.MapIps: true } st && st.Range.MinAddr.Value <= s.Address.Value && s.Address.Value <= st.Range.MaxAddr.Value)))
            .ToList();
        var socketText = sockets.Count == 0
            ? " The context lists no local socket on that port."
            : $" Local socket(s) on that port: {string.Join(", ", sockets.Select(s => $"{s.Protocol.Name()} {s.Address}:{s.Port}{(s.Name is null ? string.Empty : " (" + s.Name + ")")}"))}: when such a socket's own flow matches no NAT rule, its source port is silently rewritten by the null binding (or, in the other order, the rule's flow is dropped).";
        var message =
            $"This rule maps every flow to {addressText} port {port} only. Two concurrent flows of the rule to the same destination (proto, address, port) get the same reply tuple: "
            + "get_unique_tuple/nf_nat_l4proto_unique_tuple find no other port, nf_nat_setup_info keeps the taken tuple, and the second first packet is dropped at confirm by __nf_conntrack_confirm (insert_failed)."
            + socketText;
        var (proto, dport, mark) = Sample(reach);
        var markMatch = mark != 0 ? $" -m mark --mark 0x{mark:x}" : string.Empty;
        var name = $"policy-fixed-port-{seq}";
        var (text, path) = Witnesses.Build(
            ctx, name,
            $"Witness for fixed-port: rule {ctx.Ref(place).File}:{ctx.Ref(place).Line} ({AnalysisContext.TextOf(place.Rule)}). Two flows of the rule from one host to one destination both get port {port}; the second is dropped at confirm (insert_failed).",
            new Dictionary<string, string> { ["veth0"] = "198.51.100.1" },
            [$"-A POSTROUTING -d 198.51.100.2/32 -p {proto}{markMatch} {to}"],
            [
                new WitnessFlow("first", $"198.51.100.1:40001 -> 198.51.100.2:{dport}", proto, "local-out", null, null, mark),
                new WitnessFlow("second", $"198.51.100.1:40002 -> 198.51.100.2:{dport}", proto, "local-out", null, null, mark),
            ],
            sequential: true,
            o => Witnesses.Any(o, x => x.Kind == OutcomeKind.Dropped),
            "the second flow dropped at confirm");
        return new Finding(FindingClass.FixedPort, Severity.Error, [ctx.Ref(place)], message, new Dictionary<string, string>())
        {
            WitnessSpec = text,
            WitnessPath = path,
        };
    }

    private static Finding? PortShadowing(AnalysisContext ctx, RulePlace place, Region reach, PortRange? ports, NatRangeFlags flags, int seq)
    {
        if ((flags & (NatRangeFlags.ProtoRandom | NatRangeFlags.ProtoRandomFully)) != 0)
        {
            // get_unique_tuple keeps the source port only without NF_NAT_RANGE_PROTO_RANDOM_ALL.
            return null;
        }

        var translated = new List<Interval>();
        var outNames = new List<string>();
        switch (place.Rule.Target)
        {
            case SnatTarget { Range.MapIps: true } s:
                translated.Add(new Interval(s.Range.MinAddr.Value, s.Range.MaxAddr.Value));
                break;
            case MasqueradeTarget:
                foreach (var iface in ctx.Host.Interfaces)
                {
                    var bits = ctx.Reach.Atoms.Matching(iface.Name);
                    if (bits != 0 && reach.Cubes.Any(c => (c.Oif & bits) != 0) && iface.Addresses.Count > 0)
                    {
                        // nf_nat_masquerade_ipv4 takes inet_select_addr of the out device: its primary address.
                        translated.Add(Interval.Single(iface.Addresses[0].Address.Value));
                        outNames.Add(iface.Name);
                    }
                }

                break;
            default:
                return null;
        }

        var exposed = new List<LocalSocket>();
        var safe = new List<LocalSocket>();
        foreach (var s in ctx.Host.Sockets.Where(s => s.Listening && s.Protocol is L4Protocol.Tcp or L4Protocol.Udp))
        {
            var kept = (ports is null || (ports.Value.Min <= s.Port && s.Port <= ports.Value.Max))
                && reach.Cubes.Any(c => c.Proto.Contains((uint)s.Protocol) && c.SPort.Contains((uint)s.Port));
            var onAddress = s.Address.Value == 0 || translated.Any(i => i.Contains(s.Address.Value));
            if (kept && onAddress)
            {
                exposed.Add(s);
            }
            else if (kept)
            {
                safe.Add(s);
            }
        }

        if (exposed.Count == 0 || translated.Count == 0)
        {
            return null;
        }

        string Describe(LocalSocket s) => $"{s.Protocol.Name()} {s.Address}:{s.Port}{(s.Name is null ? string.Empty : " (" + s.Name + ")")}";
        var message =
            $"This rule keeps the source ports of the hosts behind it (get_unique_tuple keeps a free in-range port without a random flag) on {string.Join(", ", translated.Select(i => new Ipv4(i.Min).ToString()))}, "
            + $"where local sockets listen: {string.Join(", ", exposed.Select(Describe))}. A host behind the NAT can use such a port as its source port; replies meant for the local service then match that flow's reply tuple "
            + "in nf_conntrack_in (resolve_normal_ct) and join its entry instead of reaching the listener."
            + (safe.Count > 0 ? $" Not exposed (bound to another address): {string.Join(", ", safe.Select(Describe))}." : string.Empty)
            + " Mitigation: a --to-ports/to :a-b range that excludes the listeners' ports, with random.";
        // The witness prefers a UDP listener: the remote peer's first datagram joins the forwarded flow's entry on the
        // kernel exactly as in the model, so the oracle can confirm it. For TCP the join needs the forwarded flow's
        // SYN unanswered (SYN_SENT: a reply-direction SYN is a simultaneous open, sS2, in tcp_conntracks); the
        // oracle serves every destination, and its remote peer would be the very socket that accepted that flow
        // (same 4-tuple: EADDRNOTAVAIL), so a TCP-only witness is checked by the engine but not tagged for the oracle.
        var victim = exposed.FirstOrDefault(s => s.Protocol == L4Protocol.Udp) ?? exposed[0];
        var proto = victim.Protocol.Name();
        var rule = place.Rule.Target is MasqueradeTarget ? "-A POSTROUTING -o wan0 -j MASQUERADE" : "-A POSTROUTING -o wan0 -j SNAT --to-source 198.51.100.1";
        var name = $"policy-port-shadowing-{seq}";
        var (text, path) = Witnesses.Build(
            ctx, name,
            $"Witness for port-shadowing: rule {ctx.Ref(place).File}:{ctx.Ref(place).Line} ({AnalysisContext.TextOf(place.Rule)}) and the listener {Describe(victim)}. A host behind the NAT sends from port {victim.Port}; the rule keeps it, and the remote peer's packet to the local service joins the forwarded flow's entry.",
            new Dictionary<string, string> { ["lan0"] = "192.0.2.1", ["wan0"] = "198.51.100.1" },
            [rule],
            [
                new WitnessFlow("inside", $"192.0.2.10:{victim.Port} -> 203.0.113.5:40000", proto, "forward", "lan0", "wan0", 0),
                new WitnessFlow("remote", $"203.0.113.5:40000 -> 198.51.100.1:{victim.Port}", proto, "local-in", "wan0", null, 0),
            ],
            sequential: true,
            o => o.Joint.Any(j => j.Outcomes[1].Kind == OutcomeKind.Joined),
            "the remote peer's packet joining the forwarded flow's entry",
            oracle: victim.Protocol == L4Protocol.Udp);
        return new Finding(FindingClass.PortShadowing, Severity.Warning, [ctx.Ref(place)], message, new Dictionary<string, string>())
        {
            WitnessSpec = text,
            WitnessPath = path,
        };
    }
}
