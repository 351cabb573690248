using FsCheck;
using FsCheck.Fluent;
using NatVerify.Checker.Random;
using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.Tuples;

namespace NatVerify.Properties;

/// <summary>
/// FsCheck generators for the NAT model, biased towards collisions: values come from a small
/// <see cref="Vocabulary"/>, and later actors and NAT targets often reuse an earlier actor's tuple with one field
/// changed (the seed's "thief" SNATed onto the client's source, a ctnetlink entry holding a flow's reply tuple, a
/// mirror flow, an identical flow). Shrinkers live in <see cref="NatShrink"/>.
/// </summary>
public static class NatGen
{
    private static readonly string[] AllChains = ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"];

    /// <summary>An address of the vocabulary.</summary>
    /// <param name="v">The vocabulary.</param>
    /// <returns>The generator.</returns>
    public static Gen<Ipv4> Address(Vocabulary v) => Gen.Elements(v.Addresses.ToArray());

    /// <summary>A port of the vocabulary (nine times in ten) or any port 1-65535.</summary>
    /// <param name="v">The vocabulary.</param>
    /// <returns>The generator.</returns>
    public static Gen<int> Port(Vocabulary v) => Gen.Frequency((9, Gen.Elements(v.Ports.ToArray())), (1, Gen.Choose(1, 65535)));

    /// <summary>A port range: a single port (half the time; <c>get_unique_tuple</c>'s fixed-port case) or two sorted ports.</summary>
    /// <param name="v">The vocabulary.</param>
    /// <returns>The generator.</returns>
    public static Gen<PortRange> PortRangeOf(Vocabulary v) => Gen.Frequency(
        (1, Port(v).Select(PortRange.Single)),
        (1, from a in Port(v) from b in Port(v) select new PortRange(Math.Min(a, b), Math.Max(a, b))));

    /// <summary>A protocol: mostly tcp, some udp (clash resolution), a little icmp.</summary>
    public static Gen<L4Protocol> Protocol { get; } = Gen.Frequency(
        (6, Gen.Constant(L4Protocol.Tcp)), (3, Gen.Constant(L4Protocol.Udp)), (1, Gen.Constant(L4Protocol.Icmp)));

    /// <summary>A tuple of a flow's first packet (ICMP: an echo request, the port being the echo id).</summary>
    /// <param name="v">The vocabulary.</param>
    /// <returns>The generator.</returns>
    public static Gen<ConntrackTuple> Tuple(Vocabulary v) =>
        from proto in Protocol
        from tuple in TupleOf(v, proto)
        select tuple;

    /// <summary>A tuple of the given protocol.</summary>
    /// <param name="v">The vocabulary.</param>
    /// <param name="proto">The protocol.</param>
    /// <returns>The generator.</returns>
    public static Gen<ConntrackTuple> TupleOf(Vocabulary v, L4Protocol proto) =>
        (from s in Address(v)
         from sp in Port(v)
         from d in Address(v)
         from dp in Port(v)
         select proto == L4Protocol.Icmp
             ? new ConntrackTuple(proto, s, Model.Addressing.Port.Of(sp), d, ConntrackTuple.IcmpEchoRequest)
             : new ConntrackTuple(proto, s, Model.Addressing.Port.Of(sp), d, Model.Addressing.Port.Of(dp)))
        .Where(t => !SelfInverse(t));

    /// <summary>
    /// A tuple, related to an earlier one two times in three when there are any: same destination and source
    /// address with another source port (the thief's shape), identical, mirrored, or from another source address.
    /// </summary>
    /// <param name="v">The vocabulary.</param>
    /// <param name="prior">Tuples of earlier actors.</param>
    /// <returns>The generator.</returns>
    public static Gen<ConntrackTuple> RelatedTuple(Vocabulary v, IReadOnlyList<ConntrackTuple> prior)
    {
        if (prior.Count == 0)
        {
            return Tuple(v);
        }

        var earlier = Gen.Elements(prior.ToArray());
        return Gen.Frequency(
            (3, Tuple(v)),
            (3, from t in earlier from p in Port(v) select t with { SrcPort = Model.Addressing.Port.Of(p) }),
            (1, earlier),
            (1, earlier.Select(t => t.Protocol == L4Protocol.Icmp ? t : t.Invert())),
            (1, from t in earlier from a in Address(v) select t with { SrcIp = a }))
            .Where(t => !SelfInverse(t));
    }

    /// <summary>A flow actor with the tuple, a mark, a path and interfaces valid for the path.</summary>
    /// <param name="v">The vocabulary.</param>
    /// <param name="name">The actor's name.</param>
    /// <param name="tuple">The first packet's tuple.</param>
    /// <returns>The generator.</returns>
    public static Gen<FlowActor> Flow(Vocabulary v, string name, ConntrackTuple tuple) =>
        from mark in Gen.Elements(v.Marks.ToArray())
        from path in Gen.Frequency(
            (6, Gen.Constant(PacketPath.LocalOut)), (3, Gen.Constant(PacketPath.Forward)), (2, Gen.Constant(PacketPath.LocalIn)))
        from inIface in Interface(v, path != PacketPath.LocalOut)
        from outIface in Interface(v, path != PacketPath.LocalIn)
        select new FlowActor(name, tuple, mark, path, inIface, outIface);

    /// <summary>
    /// An interface for a flow, or none. With exactly one declared interface the spec format defaults to it, so a
    /// flow then always has it (the generated case must read back the same from its spec text).
    /// </summary>
    /// <param name="v">The vocabulary.</param>
    /// <param name="valid">Whether the flow's path has such an interface.</param>
    /// <returns>The generator.</returns>
    public static Gen<string?> Interface(Vocabulary v, bool valid)
    {
        if (!valid || v.Interfaces.Count == 0)
        {
            return Gen.Constant<string?>(null);
        }

        var names = v.Interfaces.Keys.Order(StringComparer.Ordinal).Cast<string?>().ToArray();
        return names.Length == 1 ? Gen.Constant(names[0]) : Gen.Elements([null, .. names]);
    }

    /// <summary>
    /// A <c>conntrack -I</c> entry (tcp or udp): either an entry with its own natural reply, or the seed's third
    /// experiment, an entry whose reply tuple is an earlier flow's natural reply tuple.
    /// </summary>
    /// <param name="v">The vocabulary.</param>
    /// <param name="name">The actor's name.</param>
    /// <param name="flows">Earlier flows.</param>
    /// <returns>The generator.</returns>
    public static Gen<CtnetlinkInsert> Insert(Vocabulary v, string name, IReadOnlyList<FlowActor> flows)
    {
        var plain =
            from proto in Gen.Elements(L4Protocol.Tcp, L4Protocol.Udp)
            from t in TupleOf(v, proto)
            select Make(t, t.Invert());
        var candidates = flows.Where(f => f.Original.Protocol != L4Protocol.Icmp).ToArray();
        if (candidates.Length == 0)
        {
            return plain;
        }

        var holdsReply =
            from f in Gen.Elements(candidates)
            from s in Address(v)
            from sp in Port(v)
            select Make(f.Original with { SrcIp = s, SrcPort = Model.Addressing.Port.Of(sp) }, f.Original.Invert());
        return Gen.Frequency((1, plain), (2, holdsReply.Where(c => c.Original != c.Reply)));

        CtnetlinkInsert Make(ConntrackTuple original, ConntrackTuple reply) =>
            new(name, original, reply, ConntrackText.Insert(original, reply));
    }

    /// <summary>A <c>conntrack -D</c> whose filter picks out an earlier entry by source, by source and port, or by reply destination.</summary>
    /// <param name="v">The vocabulary.</param>
    /// <param name="name">The actor's name.</param>
    /// <param name="prior">Original tuples of earlier actors.</param>
    /// <returns>The generator.</returns>
    public static Gen<CtnetlinkDelete> Delete(Vocabulary v, string name, IReadOnlyList<ConntrackTuple> prior)
    {
        var tuples = prior.Count > 0 ? Gen.Elements(prior.ToArray()) : Tuple(v);
        return from t in tuples
               from kind in Gen.Choose(0, 2)
               let ports = t.Protocol != L4Protocol.Icmp
               let filter = kind switch
               {
                   0 => new TupleFilter { Protocol = t.Protocol, Original = new PartialTuple { SrcIp = t.SrcIp } },
                   1 when ports => new TupleFilter { Protocol = t.Protocol, Original = new PartialTuple { SrcIp = t.SrcIp, SrcPort = t.SrcPort.Raw } },
                   _ when ports => new TupleFilter { Protocol = t.Protocol, Reply = new PartialTuple { DstIp = t.SrcIp, DstPort = t.SrcPort.Raw } },
                   _ => new TupleFilter { Protocol = t.Protocol, Original = new PartialTuple { DstIp = t.DstIp } },
               }
               select new CtnetlinkDelete(name, filter, ConntrackText.Delete(filter));
    }

    /// <summary>
    /// The actors of a scenario, 1-4 of them (flows mostly; ctnetlink inserts and deletes and entry timeouts too),
    /// each built knowing the earlier ones so that their tuples collide.
    /// </summary>
    /// <param name="v">The vocabulary.</param>
    /// <returns>The generator.</returns>
    public static Gen<IReadOnlyList<Actor>> Actors(Vocabulary v) =>
        Gen.Frequency((1, Gen.Constant(1)), (5, Gen.Constant(2)), (5, Gen.Constant(3)), (2, Gen.Constant(4)))
            .SelectMany(n => ActorsOf(v, n));

    private static Gen<IReadOnlyList<Actor>> ActorsOf(Vocabulary v, int n)
    {
        Gen<IReadOnlyList<Actor>> gen = Gen.Constant<IReadOnlyList<Actor>>([]);
        for (var i = 0; i < n; i++)
        {
            gen = gen.SelectMany(prior => NextActor(v, prior).Select(a => (IReadOnlyList<Actor>)[.. prior, a]));
        }

        return gen;
    }

    private static Gen<Actor> NextActor(Vocabulary v, IReadOnlyList<Actor> prior)
    {
        var name = $"a{prior.Count}";
        var flows = prior.OfType<FlowActor>().ToList();
        var tuples = prior.Select(OriginalOf).OfType<ConntrackTuple>().ToList();
        var targets = prior.Where(a => a is FlowActor or CtnetlinkInsert).Select(a => a.Name).ToArray();
        var options = new List<(int, Gen<Actor>)>
        {
            (12, RelatedTuple(v, tuples).SelectMany(t => Flow(v, name, t)).Select(a => (Actor)a)),
            (3, Insert(v, name, flows).Select(a => (Actor)a)),
        };
        if (tuples.Count > 0)
        {
            options.Add((1, Delete(v, name, tuples).Select(a => (Actor)a)));
        }

        if (targets.Length > 0)
        {
            options.Add((2, Gen.Elements(targets).Select(t => (Actor)new EntryTimeout(name, t))));
        }

        return Gen.Frequency(options.ToArray());
    }

    private static ConntrackTuple? OriginalOf(Actor actor) => actor switch
    {
        FlowActor f => f.Original,
        CtnetlinkInsert c => c.Original,
        _ => null,
    };

    /// <summary>
    /// 0-3 nat rules. Targets: SNAT (often onto an earlier flow's source address and port: the thief), DNAT (often to a
    /// flow's destination), MASQUERADE, REDIRECT, ACCEPT, RETURN; ranges with single ports, port ranges, address pairs
    /// and the random/random-fully/persistent flags; matches on protocol, addresses, ports, mark and interfaces.
    /// </summary>
    /// <param name="v">The vocabulary.</param>
    /// <param name="actors">The scenario's actors (their tuples feed the targets).</param>
    /// <returns>The generator.</returns>
    public static Gen<IReadOnlyList<GeneratedRule>> Rules(Vocabulary v, IReadOnlyList<Actor> actors) =>
        Gen.Frequency((2, Gen.Constant(0)), (4, Gen.Constant(1)), (3, Gen.Constant(2)), (1, Gen.Constant(3)))
            .SelectMany(n => Gen.ListOf(Rule(v, actors), n).Select(list => (IReadOnlyList<GeneratedRule>)[.. list]));

    /// <summary>One rule; see <see cref="Rules"/>.</summary>
    /// <param name="v">The vocabulary.</param>
    /// <param name="actors">The scenario's actors.</param>
    /// <returns>The generator.</returns>
    public static Gen<GeneratedRule> Rule(Vocabulary v, IReadOnlyList<Actor> actors)
    {
        var flows = actors.OfType<FlowActor>().Select(f => f.Original).ToArray();
        var kinds = Gen.Frequency(
            (5, Gen.Constant("SNAT")), (2, Gen.Constant("DNAT")), (2, Gen.Constant("MASQUERADE")),
            (1, Gen.Constant("REDIRECT")), (1, Gen.Constant("ACCEPT")), (1, Gen.Constant("RETURN")));
        return from kind in kinds
               from chain in ChainFor(kind)
               from match in Match(v, chain, flows)
               from target in Target(v, kind, match, flows)
               select new GeneratedRule(chain, match, target);
    }

    private static Gen<string> ChainFor(string kind) => kind switch
    {
        "SNAT" => Gen.Frequency((4, Gen.Constant("POSTROUTING")), (1, Gen.Constant("INPUT"))),
        "MASQUERADE" => Gen.Constant("POSTROUTING"),
        "DNAT" or "REDIRECT" => Gen.Elements("OUTPUT", "PREROUTING"),
        _ => Gen.Elements(AllChains),
    };

    private static Gen<Condition<T>?> Maybe<T>(int none, int some, Gen<T> value, bool negatable = true)
        where T : notnull =>
        Gen.Frequency(
            (none, Gen.Constant<Condition<T>?>(null)),
            (some, from x in value
                   from negated in negatable ? Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true))) : Gen.Constant(false)
                   select (Condition<T>?)new Condition<T>(x, negated)));

    private static Gen<RuleMatch> Match(Vocabulary v, string chain, ConntrackTuple[] flows)
    {
        var protocols = Gen.Frequency(
            (2, Gen.Constant<Condition<L4Protocol>?>(null)),
            (4, Gen.Constant<Condition<L4Protocol>?>(new Condition<L4Protocol>(L4Protocol.Tcp, false))),
            (2, Gen.Constant<Condition<L4Protocol>?>(new Condition<L4Protocol>(L4Protocol.Udp, false))),
            (1, Gen.Constant<Condition<L4Protocol>?>(new Condition<L4Protocol>(L4Protocol.Tcp, true))));
        var sources = flows.Length > 0
            ? Gen.Frequency((1, Address(v)), (1, Gen.Elements(flows).Select(f => f.SrcIp)))
            : Address(v);
        var cidr = from a in sources
                   from wide in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
                   select wide ? new Cidr(new Ipv4(a.Value & 0xffffff00), 24) : new Cidr(a, 32);
        var marks = from value in Gen.Elements(v.Marks.ToArray()) select new MarkMatch(value, uint.MaxValue);
        var inValid = chain is "PREROUTING" or "INPUT";
        var names = v.Interfaces.Keys.Order(StringComparer.Ordinal).ToArray();
        var ifaces = names.Length > 0 ? Gen.Elements(names) : Gen.Constant("veth0");
        return from proto in protocols
               let ported = proto is { Negated: false, Value: L4Protocol.Tcp or L4Protocol.Udp }
               from mark in Maybe(1, 2, marks)
               from src in Maybe(4, 1, cidr)
               from dst in Maybe(4, 1, cidr)
               from sport in ported ? Maybe(5, 1, PortRangeOf(v)) : Gen.Constant<Condition<PortRange>?>(null)
               from dport in ported ? Maybe(4, 1, PortRangeOf(v)) : Gen.Constant<Condition<PortRange>?>(null)
               from iface in Maybe(6, 1, ifaces)
               select new RuleMatch
               {
                   Protocol = proto,
                   Mark = mark,
                   Source = src,
                   Destination = dst,
                   SourcePort = sport,
                   DestinationPort = dport,
                   InInterface = inValid ? iface : null,
                   OutInterface = inValid ? null : iface,
               };
    }

    private static Gen<RuleTarget> Target(Vocabulary v, string kind, RuleMatch match, ConntrackTuple[] flows)
    {
        var ported = match.Protocol is { Negated: false, Value: L4Protocol.Tcp or L4Protocol.Udp };
        var noPorts = Gen.Constant<PortRange?>(null);
        var ports = ported
            ? Gen.Frequency((3, noPorts), (3, Port(v).Select(p => (PortRange?)PortRange.Single(p))), (1, PortRangeOf(v).Select(r => (PortRange?)r)))
            : noPorts;
        var flags = Gen.Frequency(
            (6, Gen.Constant(NatRangeFlags.None)), (1, Gen.Constant(NatRangeFlags.ProtoRandom)),
            (1, Gen.Constant(NatRangeFlags.ProtoRandomFully)), (1, Gen.Constant(NatRangeFlags.Persistent)));
        switch (kind)
        {
            case "SNAT":
            {
                // The thief: SNAT onto an earlier flow's own source address and port.
                var onto = flows.Length > 0 && ported
                    ? Gen.Frequency((3, Gen.Elements(flows).Select(f => (f.SrcIp, (PortRange?)PortRange.Single(f.SrcPort.Raw)))),
                        (2, from a in Address(v) from p in ports select (a, p)))
                    : from a in Address(v) from p in ports select (a, p);
                return from target in onto
                       from pair in Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true)))
                       from f in flags
                       select (RuleTarget)new SnatTarget(Range(target.Item1, pair, target.Item2, f));
            }

            case "DNAT":
            {
                var to = flows.Length > 0 ? Gen.Frequency((1, Address(v)), (1, Gen.Elements(flows).Select(t => t.DstIp))) : Address(v);
                return from a in to
                       from p in ports
                       from f in flags
                       select (RuleTarget)new DnatTarget(Range(a, false, p, f & ~NatRangeFlags.ProtoRandomFully));
            }

            case "MASQUERADE":
                return from p in ports
                       from f in flags
                       select (RuleTarget)new MasqueradeTarget(p, Flags(p, f & ~NatRangeFlags.Persistent));
            case "REDIRECT":
                return from p in ports
                       from f in flags
                       select (RuleTarget)new RedirectTarget(p, Flags(p, f & NatRangeFlags.ProtoRandom));
            case "ACCEPT":
                return Gen.Constant<RuleTarget>(new AcceptTarget());
            default:
                return Gen.Constant<RuleTarget>(new ReturnTarget());
        }
    }

    /// <summary>The flags the parser records for MASQUERADE/REDIRECT: PROTO_SPECIFIED exactly when --to-ports is given.</summary>
    private static NatRangeFlags Flags(PortRange? ports, NatRangeFlags flags) =>
        ports is null ? flags : flags | NatRangeFlags.ProtoSpecified;

    private static NatRange Range(Ipv4 address, bool pair, PortRange? ports, NatRangeFlags flags)
    {
        var max = pair && address.Value != uint.MaxValue ? new Ipv4(address.Value + 1) : address;
        flags |= NatRangeFlags.MapIps;
        if (ports is { } p)
        {
            return new NatRange(flags | NatRangeFlags.ProtoSpecified, address, max, p.Min, p.Max);
        }

        return new NatRange(flags, address, max, 0, 0);
    }

    /// <summary>
    /// A schedule: up to 16 choices, a third of them 0 ("keep going with the first enabled step"), the rest small
    /// indexes into the successor list, so both long runs of one actor and frequent switches occur.
    /// </summary>
    public static Gen<ChoiceSchedule> Schedule { get; } =
        from n in Gen.Choose(0, 16)
        from choices in Gen.ListOf(Gen.Frequency((3, Gen.Constant(0)), (3, Gen.Choose(1, 3)), (1, Gen.Choose(4, 12))), n)
        select new ChoiceSchedule(0, [.. choices]);

    /// <summary>A whole case with a generated ruleset (a nat table 19 times in 20).</summary>
    /// <param name="v">The vocabulary.</param>
    /// <returns>The generator.</returns>
    public static Gen<ScenarioCase> Case(Vocabulary v) =>
        from natTable in Gen.Frequency((19, Gen.Constant(true)), (1, Gen.Constant(false)))
        from actors in Actors(v)
        from rules in natTable ? Rules(v, actors) : Gen.Constant<IReadOnlyList<GeneratedRule>>([])
        from schedule in Schedule
        select new ScenarioCase(v.Interfaces, natTable, rules, null, actors, schedule);

    /// <summary>A case with the user's ruleset kept as it is: only actors and schedules are generated.</summary>
    /// <param name="v">The vocabulary (usually <see cref="Vocabulary.FromSpec"/>).</param>
    /// <param name="ruleset">The user's ruleset.</param>
    /// <returns>The generator.</returns>
    public static Gen<ScenarioCase> CaseWith(Vocabulary v, FixedRuleset ruleset) =>
        from actors in Actors(v)
        from schedule in Schedule
        select new ScenarioCase(v.Interfaces, ruleset.Ruleset.NatTablePresent, [], ruleset, actors, schedule);

    /// <summary>An arbitrary case: generator, and the shrinker with schedule projection (<see cref="NatShrink.Case(SuiteSettings)"/>).</summary>
    /// <param name="settings">Vocabulary, fixed ruleset (if any), profile and mutant.</param>
    /// <returns>The arbitrary.</returns>
    public static Arbitrary<ScenarioCase> CaseArbitrary(SuiteSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var v = settings.Vocabulary;
        return Arb.From(settings.Ruleset is { } r ? CaseWith(v, r) : Case(v), NatShrink.Case(settings));
    }

    /// <summary>
    /// True for a tuple equal to its own inverse (<c>A:p -> A:p</c>, a TCP/UDP self-connection). The kernel confirms
    /// such an entry with two equal tuple nodes (<c>__nf_conntrack_confirm</c> compares only with other entries), which
    /// the catalogue's uniqueness and reply-routing statements do not exempt; generators leave them out (see
    /// docs/property-testing.md).
    /// </summary>
    /// <param name="t">The tuple.</param>
    /// <returns>True when <c>t == t.Invert()</c>.</returns>
    public static bool SelfInverse(ConntrackTuple t) => t == t.Invert();
}
