using System.Collections.Concurrent;
using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Scenario;
using NatVerify.Model.Tuples;

namespace NatVerify.Model.Semantics;

/// <summary>
/// Rule evaluation of every table at every hook a flow's first packet meets: <c>nf_hook_slow</c> runs a hook's base
/// chains in priority order (<c>ipt_do_table</c> / <c>nft_do_chain</c> per chain), the NAT core runs all nat-type
/// chains of a hook inside <c>nf_nat_inet_fn</c>. One walker serves every table and chain type.
/// </summary>
public sealed partial class NatSemantics
{
    private static readonly Ipv4 Loopback = new(0x7f000001);

    /// <summary>How the packet's conntrack looks to the rules (<c>nf_ct_get</c>).</summary>
    internal enum CtView : byte
    {
        /// <summary>No conntrack yet (before <c>nf_conntrack_in</c>) or at all (conntrack not active): state INVALID.</summary>
        None,

        /// <summary>The flow's own new, unconfirmed entry: state NEW, direction ORIGINAL, no status bit.</summary>
        New,

        /// <summary>The untracked template (<c>IP_CT_UNTRACKED</c>): state UNTRACKED.</summary>
        Untracked,
    }

    /// <summary>What a traversal ended in.</summary>
    internal enum VerdictKind : byte
    {
        /// <summary>NF_ACCEPT: the packet goes on (for nat chains: no manip set, the null binding follows).</summary>
        Accept,

        /// <summary>NF_DROP by a DROP/REJECT rule or a DROP policy.</summary>
        Drop,

        /// <summary>A NAT target set up the manip.</summary>
        Nat,

        /// <summary>A NAT target itself returned NF_DROP (MASQUERADE/REDIRECT without an address).</summary>
        TargetDrop,
    }

    /// <summary>
    /// The packet as the rules see it: its current tuple and hook, its marks and its conntrack view. <see cref="Trace"/>
    /// plays <c>skb->nf_trace</c>: when set (trace building only, never the search), every chain walk records which rule
    /// or policy decided it in <see cref="ChainVerdict.Why"/>, and the hops the walk took so far.
    /// </summary>
    internal readonly record struct Pkt(ConntrackTuple Packet, FlowActor Flow, NetfilterHook Hook, uint Mark, uint CtMark, CtView Ct, TraceHops? Trace = null)
    {
        /// <summary>
        /// The NAT bits of the entry's <c>ct-&gt;status</c> as the chains at this point see them: <c>IPS_SRC_NAT</c>
        /// (0x10) and <c>IPS_DST_NAT</c> (0x20), which <c>nf_nat_setup_info</c> sets as soon as a manip changed the tuple
        /// (before confirm, so every later chain of the same first packet sees them).
        /// </summary>
        public uint NatStatus { get; init; }
    }

    /// <summary>
    /// The jump, goto and RETURN rules a traced walk took (indices into the deciders, newest first); <see cref="Start"/>
    /// is the empty path a traced walk begins with.
    /// </summary>
    internal sealed record TraceHops(int Rule, TraceHops? Previous)
    {
        public static readonly TraceHops Start = new(-1, null);
    }

    /// <summary><c>IPS_SRC_NAT</c> and <c>IPS_DST_NAT</c> (include/uapi/linux/netfilter/nf_conntrack_common.h).</summary>
    internal const uint IpsSrcNat = 0x10, IpsDstNat = 0x20;

    /// <summary>The kernel's <c>IPS_SRC_NAT</c>/<c>IPS_DST_NAT</c> bits of a slot's status.</summary>
    internal static uint NatStatusOf(NatVerify.Model.State.CtStatus status) =>
        ((status & NatVerify.Model.State.CtStatus.SrcNat) != 0 ? IpsSrcNat : 0) | ((status & NatVerify.Model.State.CtStatus.DstNat) != 0 ? IpsDstNat : 0);

    /// <summary>The result of traversing chains.</summary>
    /// <param name="Kind">How it ended.</param>
    /// <param name="Rule">The rule whose verdict decided (NAT target, DROP, REJECT); null for ACCEPT and for policies.</param>
    /// <param name="Range">The range a NAT target passes to <c>nf_nat_setup_info</c>.</param>
    /// <param name="Mark">The packet mark after the traversal.</param>
    /// <param name="CtMark">The entry's mark after the traversal.</param>
    /// <param name="Notrack">True when a notrack statement attached the untracked template.</param>
    /// <param name="Decider">Index in <see cref="Decider"/> of the rule or policy that dropped or set notrack; -1 when none.</param>
    internal readonly record struct ChainVerdict(VerdictKind Kind, NatRule? Rule, NatRange? Range, uint Mark, uint CtMark, bool Notrack, int Decider)
    {
        public bool Drop => Kind is VerdictKind.Drop or VerdictKind.TargetDrop;

        /// <summary>
        /// For a traced packet (<see cref="Pkt.Trace"/>), the decision of every base chain the traversal ran, in order;
        /// several for one chain when verdicts with the same effect were merged (a random match decided either way).
        /// Null when not traced, so the search's verdicts and their deduplication are unchanged.
        /// </summary>
        public IReadOnlyList<ChainDecision>? Why { get; init; }
    }

    private readonly List<RuleRef> _deciders = [];
    private readonly Dictionary<NatRule, int> _ruleIndex = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<BaseChain, int> _policyIndex = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, RuleTable> _tables = new(StringComparer.Ordinal);
    // One pipeline per path, made on first use. Two search workers may ask at the same time: the first one stored wins,
    // so every caller sees the same array (the traversal caches compare pipelines by identity).
    private readonly Stage[]?[] _pipelines = new Stage[]?[Enum.GetValues<PacketPath>().Length];

    // Chain traversals are pure functions of the packet (tuple, flow, hook, marks, conntrack view and NAT status bits) and of the immutable
    // ruleset, and a search meets the same packet in many states (every interleaving of the other flows), so their
    // results are kept and shared: the lists are never changed by their readers. Bounded, so a scenario with very
    // many distinct packets only stops caching.
    private const int MaxCachedTraversals = 1 << 16;
    private readonly ConcurrentDictionary<TraversalKey, List<ChainVerdict>> _natTraversals = new(TraversalKeyComparer.Instance);
    private readonly ConcurrentDictionary<TraversalKey, List<(ChainVerdict Verdict, int Stop)>> _stageTraversals = new(TraversalKeyComparer.Instance);
    private int _cachedTraversals;

    // In front of each: a small direct-mapped table of the last traversals met, read without locks or interface calls.
    private readonly TraversalFront<List<ChainVerdict>> _natFront = new();
    private readonly TraversalFront<List<(ChainVerdict Verdict, int Stop)>> _stageFront = new();

    /// <summary>The rule or policy with the given index (what <see cref="State.Slot.DecidedBy"/> - 1 points at).</summary>
    public RuleRef Decider(int index) => _deciders[index];

    /// <summary>The rule or policy an outcome's detail names (<c>TABLE/CHAIN#N</c>, <c>TABLE/CHAIN#policy</c>), with its location; null for another detail.</summary>
    public RuleRef? DeciderNamed(string name) => _deciders.Find(d => d.Name == name);

    /// <summary>
    /// True when conntrack runs in the namespace: some loaded rule called <c>nf_ct_netns_get</c> (see
    /// <see cref="ConntrackUse"/>), or the ruleset is not taken from a dump (specs without a ruleset, rulesets built in
    /// code: conntrack is assumed loaded).
    /// </summary>
    public bool ConntrackActive { get; private set; }

    private void IndexRules()
    {
        foreach (var table in Scenario.Ruleset.Tables)
        {
            _tables[table.Key] = table;
            foreach (var chain in table.Chains.Values)
            {
                for (var n = 0; n < chain.Rules.Count; n++)
                {
                    _ruleIndex.TryAdd(chain.Rules[n], _deciders.Count);
                    _deciders.Add(new RuleRef($"{table.Name}/{chain.Name}#{n + 1}", chain.Rules[n].Text, chain.Rules[n].Location) { Source = table.Source });
                }
            }
        }

        foreach (var bc in Scenario.Ruleset.BaseChains)
        {
            var name = _tables.TryGetValue(bc.Table, out var t) ? t.Name : bc.Table;
            _policyIndex[bc] = _deciders.Count;
            _deciders.Add(new RuleRef($"{name}/{bc.Chain}#policy", bc.PolicyDrop ? "policy drop" : "policy accept", bc.Location) { Source = t?.Source });
        }

        ConntrackActive = ConntrackUse.Active(Scenario.Ruleset);
    }

    /// <summary>What runs at one point of a hook.</summary>
    internal enum StageKind : byte
    {
        /// <summary>A base chain that is not of type nat (raw, mangle, filter, security, nft filter/route chains).</summary>
        Chain,

        /// <summary><c>nf_conntrack_in</c> at NF_IP_PRI_CONNTRACK (-200) of the first hook.</summary>
        Conntrack,

        /// <summary>The NAT core (<c>nf_nat_inet_fn</c>) at NF_IP_PRI_NAT_DST (-100) or NF_IP_PRI_NAT_SRC (100).</summary>
        Nat,

        /// <summary><c>nf_confirm</c> at NF_IP_PRI_CONNTRACK_CONFIRM of the last hook.</summary>
        Confirm,
    }

    internal readonly record struct Stage(StageKind Kind, NetfilterHook Hook, int Priority, BaseChain? Chain);

    /// <summary>The hooks a flow's first packet meets, in order.</summary>
    internal static NetfilterHook[] HooksOf(PacketPath path) => path switch
    {
        PacketPath.LocalOut => [NetfilterHook.Output, NetfilterHook.PostRouting],
        PacketPath.LocalIn => [NetfilterHook.PreRouting, NetfilterHook.Input],
        _ => [NetfilterHook.PreRouting, NetfilterHook.Forward, NetfilterHook.PostRouting],
    };

    /// <summary>
    /// Every hook entry the path meets, ordered like <c>nf_hook_entries_grow</c> orders them: by hook, then priority.
    /// The kernel's own entries (conntrack, the NAT core, confirm) are registered when the first rule needing them is
    /// loaded, after the chain holding that rule, and a later registration goes first among equal priorities: at a tie
    /// the kernel's entry runs first. nat-type chains are not entries of their own: the NAT core runs them.
    /// </summary>
    internal Stage[] Pipeline(PacketPath path)
    {
        if (Volatile.Read(ref _pipelines[(int)path]) is { } known)
        {
            return known;
        }

        var hooks = HooksOf(path);
        var natCore = ConntrackActive && Scenario.Ruleset.NatTablePresent;
        var list = new List<Stage>();
        for (var h = 0; h < hooks.Length; h++)
        {
            var hook = hooks[h];
            var kernel = new List<Stage>();
            if (h == 0 && ConntrackActive)
            {
                kernel.Add(new Stage(StageKind.Conntrack, hook, HookPriority.Conntrack, null));
            }

            if (natCore && hook != NetfilterHook.Forward)
            {
                kernel.Add(new Stage(StageKind.Nat, hook, hook is NetfilterHook.PreRouting or NetfilterHook.Output ? HookPriority.NatDst : HookPriority.NatSrc, null));
            }

            if (h == hooks.Length - 1 && ConntrackActive)
            {
                kernel.Add(new Stage(StageKind.Confirm, hook, HookPriority.ConntrackConfirm, null));
            }

            var chains = Scenario.Ruleset.BaseChains.Where(b => b.Hook == hook && b.Type != ChainType.Nat)
                .Select(b => new Stage(StageKind.Chain, hook, b.Priority, b));
            // A stable sort keeps kernel entries before chains of equal priority, and chains in declaration order.
            list.AddRange(kernel.Concat(chains).OrderBy(s => s.Priority));
        }

        var stages = list.ToArray();
        return Interlocked.CompareExchange(ref _pipelines[(int)path], stages, null) ?? stages;
    }

    /// <summary>
    /// Runs the chain stages of <paramref name="stages"/> from <paramref name="from"/> up to the next conntrack, NAT or
    /// confirm stage (or the end; with <paramref name="throughKernel"/> kernel stages are passed over, as they are for a
    /// packet without conntrack). Each chain's ACCEPT goes on to the next (<c>nf_hook_slow</c>); a DROP ends the packet.
    /// Returns every distinct end (random matches branch) and the index of the stage where each stopped.
    /// </summary>
    /// <remarks>The list behind the result is shared between calls with the same arguments: callers must not change it.</remarks>
    internal StageEnds RunStages(Stage[] stages, int from, Pkt pkt, bool throughKernel = false)
    {
        if (!throughKernel && (from >= stages.Length || stages[from].Kind != StageKind.Chain))
        {
            // No chain before the next kernel stage (the common case: conntrack, then the NAT core, then confirm): the
            // one end ComputeStages would return, the packet as it came, without a traversal, a cache lookup or a list.
            return new StageEnds((PassedThrough(pkt.Mark, pkt.CtMark), from));
        }

        // A traced packet records its decisions (Why), which the search's cached results do not carry: never cached.
        if (pkt.Trace is not null)
        {
            return new StageEnds(ComputeStages(stages, from, pkt, throughKernel));
        }

        var key = new TraversalKey(stages, from, throughKernel, pkt);
        var hash = TraversalKeyComparer.Hash(key);
        if (_stageFront.TryGet(key, hash, out var front))
        {
            return new StageEnds(front);
        }

        if (!_stageTraversals.TryGetValue(key, out var known))
        {
            known = ComputeStages(stages, from, pkt, throughKernel);
            Remember(_stageTraversals, key, known);
        }

        _stageFront.Put(key, hash, known);
        return new StageEnds(known);
    }

    /// <summary>
    /// The one end of a run of stages without a chain: the packet passes with its marks as they are. Callers that know no
    /// chain follows use it directly, without building the packet <see cref="RunStages"/> would take.
    /// </summary>
    internal static ChainVerdict PassedThrough(uint mark, uint ctMark) => new(VerdictKind.Accept, null, null, mark, ctMark, false, -1);

    /// <summary>
    /// The ends of a run of stages (<see cref="RunStages"/>): a list shared through the traversal cache, or the one end of
    /// a run without a chain, held inline so that it allocates nothing.
    /// </summary>
    internal readonly struct StageEnds
    {
        private readonly List<(ChainVerdict Verdict, int Stop)>? _list;
        private readonly (ChainVerdict Verdict, int Stop) _single;

        public StageEnds(List<(ChainVerdict Verdict, int Stop)> list) => _list = list;

        public StageEnds((ChainVerdict Verdict, int Stop) single) => _single = single;

        public int Count => _list?.Count ?? 1;

        public (ChainVerdict Verdict, int Stop) this[int index] => _list is not null ? _list[index]
            : index == 0 ? _single : throw new ArgumentOutOfRangeException(nameof(index));

        public Enumerator GetEnumerator() => new(this);

        /// <summary>Enumerates the ends in order.</summary>
        public struct Enumerator(StageEnds ends)
        {
            private int _index = -1;

            public readonly (ChainVerdict Verdict, int Stop) Current => ends[_index];

            public bool MoveNext() => ++_index < ends.Count;
        }
    }

    private List<(ChainVerdict Verdict, int Stop)> ComputeStages(Stage[] stages, int from, Pkt pkt, bool throughKernel)
    {
        var stop = from;
        while (stop < stages.Length && (stages[stop].Kind == StageKind.Chain || throughKernel))
        {
            stop++;
        }

        var alive = new List<ChainVerdict> { new(VerdictKind.Accept, null, null, pkt.Mark, pkt.CtMark, false, -1) };
        var done = new List<(ChainVerdict, int)>();
        for (var s = from; s < stop; s++)
        {
            if (stages[s].Kind != StageKind.Chain)
            {
                continue;
            }

            var next = new List<ChainVerdict>();
            foreach (var v in alive)
            {
                var at = pkt with { Hook = stages[s].Hook, Mark = v.Mark, CtMark = v.CtMark, Ct = v.Notrack ? CtView.Untracked : pkt.Ct };
                foreach (var r in WalkBase(stages[s].Chain!, at))
                {
                    if (r.Kind == VerdictKind.Accept)
                    {
                        Add(next, r with { Notrack = r.Notrack || v.Notrack, Decider = r.Notrack ? r.Decider : v.Decider, Why = Join(v.Why, r.Why) });
                    }
                    else if (r.Kind == VerdictKind.Nat)
                    {
                        // The kernel refuses this ruleset at load time (nft_nat_validate, xt_check_target's table check).
                        throw new InvalidOperationException($"a NAT target in {stages[s].Chain!.Table} {stages[s].Chain!.Chain}, which is not a nat chain");
                    }
                    else
                    {
                        AddAt(done, r with { Why = Join(v.Why, r.Why) }, s);
                    }
                }
            }

            alive = next;
        }

        foreach (var v in alive)
        {
            done.Add((v, stop));
        }

        return done;
    }

    /// <summary>
    /// <c>nf_nat_inet_fn</c> for a new entry: the nat-type chains of the packet's hook in priority order (the
    /// iptables nat table's and every nft nat chain, all in the NAT core's one list); a chain's ACCEPT goes on to the
    /// next nat chain, the first NAT target that sets up the manip ends the loop (<c>nf_nat_initialized</c>), a DROP
    /// drops. When no chain set it up, the null binding follows.
    /// </summary>
    /// <remarks>The list is shared between calls with the same packet: callers must not change it.</remarks>
    internal List<ChainVerdict> EvaluateNat(Pkt pkt)
    {
        if (pkt.Trace is not null)
        {
            return ComputeNat(pkt);
        }

        var key = new TraversalKey(null, 0, false, pkt);
        var hash = TraversalKeyComparer.Hash(key);
        if (_natFront.TryGet(key, hash, out var front))
        {
            return front;
        }

        if (!_natTraversals.TryGetValue(key, out var known))
        {
            known = ComputeNat(pkt);
            Remember(_natTraversals, key, known);
        }

        _natFront.Put(key, hash, known);
        return known;
    }

    private void Remember<T>(ConcurrentDictionary<TraversalKey, T> cache, TraversalKey key, T value)
    {
        if (Volatile.Read(ref _cachedTraversals) < MaxCachedTraversals && cache.TryAdd(key, value))
        {
            Interlocked.Increment(ref _cachedTraversals);
        }
    }

    private List<ChainVerdict> ComputeNat(Pkt pkt)
    {
        var alive = new List<ChainVerdict> { new(VerdictKind.Accept, null, null, pkt.Mark, pkt.CtMark, false, -1) };
        var done = new List<ChainVerdict>();
        foreach (var bc in Scenario.Ruleset.BaseChains.Where(b => b.Hook == pkt.Hook && b.Type == ChainType.Nat).OrderBy(b => b.Priority))
        {
            var next = new List<ChainVerdict>();
            foreach (var v in alive)
            {
                foreach (var r in WalkBase(bc, pkt with { Mark = v.Mark, CtMark = v.CtMark }))
                {
                    Add(r.Kind == VerdictKind.Accept ? next : done, r with { Why = Join(v.Why, r.Why) });
                }
            }

            alive = next;
        }

        foreach (var v in alive)
        {
            Add(done, v);
        }

        return done;
    }

    /// <summary>What a traversal depends on besides the immutable ruleset: the stages (a pipeline, by identity) and the packet.</summary>
    private readonly record struct TraversalKey(Stage[]? Stages, int From, bool ThroughKernel, Pkt Pkt);

    /// <summary>Compares the pipeline and the flow by identity (both are fixed objects of this semantics), the rest by value.</summary>
    private sealed class TraversalKeyComparer : IEqualityComparer<TraversalKey>
    {
        public static readonly TraversalKeyComparer Instance = new();

        public bool Equals(TraversalKey x, TraversalKey y) =>
            ReferenceEquals(x.Stages, y.Stages) && x.From == y.From && x.ThroughKernel == y.ThroughKernel
            && ReferenceEquals(x.Pkt.Flow, y.Pkt.Flow) && x.Pkt.Packet == y.Pkt.Packet && x.Pkt.Hook == y.Pkt.Hook
            && x.Pkt.Mark == y.Pkt.Mark && x.Pkt.CtMark == y.Pkt.CtMark && x.Pkt.Ct == y.Pkt.Ct && x.Pkt.NatStatus == y.Pkt.NatStatus;

        public int GetHashCode(TraversalKey k) => Hash(k);

        /// <summary>
        /// A multiply-xorshift mix of the packet's fields, the flow's identity and the stage index: the traversal caches
        /// hash every NAT successor's packet, and <see cref="HashCode.Combine{T1, T2, T3, T4, T5, T6, T7, T8}"/> over the
        /// record fields (the tuple hashing itself field by field) was most of their cost. Equal keys hash equally.
        /// </summary>
        public static int Hash(in TraversalKey k)
        {
            const ulong M = 0x9E3779B97F4A7C15UL;
            var p = k.Pkt.Packet;
            var h = ((ulong)p.SrcIp.Value << 32) | p.DstIp.Value;
            h = (h * M) ^ (((ulong)(uint)p.SrcPort.Raw << 32) | (uint)p.DstPort.Raw);
            h = (h * M) ^ (((ulong)k.Pkt.Mark << 32) | k.Pkt.CtMark);
            h = (h * M) ^ ((ulong)(byte)p.Protocol | ((ulong)(byte)k.Pkt.Hook << 8) | ((ulong)(byte)k.Pkt.Ct << 16) | ((ulong)(k.Pkt.NatStatus & 0xff) << 24)
                | ((ulong)(uint)k.From << 32));
            h = (h * M) ^ (uint)System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(k.Pkt.Flow) ^ (k.ThroughKernel ? 1UL << 63 : 0);
            h *= M;
            return (int)(h >> 32) ^ (int)h;
        }
    }

    /// <summary>
    /// A direct-mapped table of immutable (key, result) entries in front of a traversal cache: a lookup is an array read
    /// and a key comparison, with no lock, no interface call and no allocation. Threads may overwrite each other's entries
    /// (a reference store is atomic and an entry never changes), which only costs a later miss.
    /// </summary>
    private sealed class TraversalFront<T>
        where T : class
    {
        private const int Size = 1 << 12;
        private readonly Entry?[] _entries = new Entry?[Size];

        public bool TryGet(in TraversalKey key, int hash, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out T value)
        {
            var e = Volatile.Read(ref _entries[hash & (Size - 1)]);
            if (e is not null && e.Hash == hash && TraversalKeyComparer.Instance.Equals(e.Key, key))
            {
                value = e.Value;
                return true;
            }

            value = null;
            return false;
        }

        public void Put(in TraversalKey key, int hash, T value) => Volatile.Write(ref _entries[hash & (Size - 1)], new Entry(key, hash, value));

        private sealed class Entry(TraversalKey key, int hash, T value)
        {
            public readonly TraversalKey Key = key;
            public readonly int Hash = hash;
            public readonly T Value = value;
        }
    }

    /// <summary>The return stack of a chain traversal (immutable, so branches can share it).</summary>
    private sealed record Frame(NatChain Chain, int Next, Frame? Parent);

    private List<ChainVerdict> WalkBase(BaseChain bc, Pkt pkt)
    {
        var verdicts = new List<ChainVerdict>();
        var table = _tables[bc.Table];
        if (!table.Chains.TryGetValue(bc.Chain, out var chain))
        {
            // A base chain without rules: ipt_do_table / nft_do_chain reach its end at once and its policy decides (DROP too).
            verdicts.Add(Policy(bc, pkt, false, -1));
            return verdicts;
        }

        var budget = 100_000;
        Walk(table, bc, chain, 0, null, pkt, false, -1, verdicts, ref budget);
        return verdicts;
    }

    /// <summary>
    /// One base chain with jumps, gotos and returns (<c>ipt_do_table</c> / <c>nft_do_chain</c>). A matching rule runs its
    /// statements in order, then its target: NAT targets, ACCEPT, DROP and REJECT end the traversal; RETURN from the
    /// base chain and the chain's end apply the policy. A random match branches: every distinct verdict is returned.
    /// </summary>
    private void Walk(RuleTable table, BaseChain bc, NatChain chain, int index, Frame? stack, Pkt pkt, bool notrack, int notrackBy,
        List<ChainVerdict> verdicts, ref int budget)
    {
        while (true)
        {
            if (--budget < 0)
            {
                throw new InvalidOperationException("chain traversal does not terminate (a jump loop)");
            }

            if (index >= chain.Rules.Count)
            {
                if (stack is null)
                {
                    Add(verdicts, Policy(bc, pkt, notrack, notrackBy));
                    return;
                }

                (chain, index, stack) = (stack.Chain, stack.Next, stack.Parent);
                continue;
            }

            var rule = chain.Rules[index++];
            var match = Matches(rule.Match, pkt);
            if (match == Tri.No)
            {
                continue;
            }

            if (match == Tri.Maybe)
            {
                // The random match may fail: explore the rest of the chain from here as a separate branch.
                Walk(table, bc, chain, index, stack, pkt, notrack, notrackBy, verdicts, ref budget);
            }

            foreach (var statement in rule.Statements)
            {
                switch (statement)
                {
                    // connmark_tg / nft_ct_set_eval: without a conntrack there is no ct->mark to read or write.
                    case MarkStatement m when (m.Destination == MarkRegister.CtMark || m.Source == MarkRegister.CtMark) && pkt.Ct != CtView.New:
                        break;
                    case MarkStatement m:
                        var (mark, ctMark) = m.Apply(pkt.Mark, pkt.CtMark);
                        pkt = pkt with { Mark = mark, CtMark = ctMark };
                        break;
                    // xt_ct_target / nft_notrack_eval: only a packet without a conntrack gets the untracked template.
                    case NotrackStatement when pkt.Ct == CtView.None:
                        notrack = true;
                        notrackBy = _ruleIndex[rule];
                        pkt = pkt with { Ct = CtView.Untracked };
                        break;
                    case NotrackStatement or NoOpStatement:
                        break;
                    default:
                        throw new InvalidOperationException($"statement {statement} is not interpreted (RuleSupport refuses it)");
                }
            }

            switch (rule.Target)
            {
                case SnatTarget s:
                    Add(verdicts, Nat(bc, rule, s.Range, pkt, notrack));
                    return;
                case DnatTarget d:
                    Add(verdicts, Nat(bc, rule, d.Range, pkt, notrack));
                    return;
                case MasqueradeTarget m:
                    foreach (var address in MasqueradeAddresses(pkt))
                    {
                        Add(verdicts, address is { } a ? Nat(bc, rule, RangeFor(a, m.Ports, m.Flags), pkt, notrack)
                            : Traced(new ChainVerdict(VerdictKind.TargetDrop, rule, null, pkt.Mark, pkt.CtMark, notrack, _ruleIndex[rule]), bc, pkt, ChainEnd.TargetDrop, _ruleIndex[rule]));
                    }

                    return;
                case RedirectTarget r:
                    Add(verdicts, RedirectAddress(pkt.Hook, AddressesOf(pkt.Flow.InInterface)) is { } local
                        ? Nat(bc, rule, RangeFor(local, r.Ports, r.Flags), pkt, notrack)
                        : Traced(new ChainVerdict(VerdictKind.TargetDrop, rule, null, pkt.Mark, pkt.CtMark, notrack, _ruleIndex[rule]), bc, pkt, ChainEnd.TargetDrop, _ruleIndex[rule]));
                    return;
                case NetmapTarget n:
                    Add(verdicts, Nat(bc, rule, NetmapRange(n, pkt), pkt, notrack));
                    return;
                case AcceptTarget:
                    Add(verdicts, Traced(new ChainVerdict(VerdictKind.Accept, null, null, pkt.Mark, pkt.CtMark, notrack, notrackBy), bc, pkt, ChainEnd.Accept, _ruleIndex[rule]));
                    return;
                case DropTarget or RejectTarget:
                    Add(verdicts, Traced(new ChainVerdict(VerdictKind.Drop, rule, null, pkt.Mark, pkt.CtMark, notrack, _ruleIndex[rule]), bc, pkt, ChainEnd.Drop, _ruleIndex[rule]));
                    return;
                case ContinueTarget:
                    break;
                case ReturnTarget:
                    pkt = Hop(pkt, rule);
                    if (stack is null)
                    {
                        Add(verdicts, Policy(bc, pkt, notrack, notrackBy));
                        return;
                    }

                    (chain, index, stack) = (stack.Chain, stack.Next, stack.Parent);
                    break;
                case JumpTarget j:
                    pkt = Hop(pkt, rule);
                    if (!j.IsGoto)
                    {
                        stack = new Frame(chain, index, stack);
                    }

                    chain = table.Chains[j.Chain];
                    index = 0;
                    break;
                default:
                    throw new InvalidOperationException($"target {rule.Target} is not interpreted (RuleSupport refuses it)");
            }
        }
    }

    private ChainVerdict Nat(BaseChain bc, NatRule rule, NatRange range, Pkt pkt, bool notrack) =>
        Traced(new(VerdictKind.Nat, rule, range, pkt.Mark, pkt.CtMark, notrack, -1), bc, pkt, ChainEnd.Nat, _ruleIndex[rule]);

    private ChainVerdict Policy(BaseChain bc, Pkt pkt, bool notrack, int notrackBy) => bc.PolicyDrop
        ? Traced(new ChainVerdict(VerdictKind.Drop, null, null, pkt.Mark, pkt.CtMark, notrack, _policyIndex[bc]), bc, pkt, ChainEnd.PolicyDrop, _policyIndex[bc])
        : Traced(new ChainVerdict(VerdictKind.Accept, null, null, pkt.Mark, pkt.CtMark, notrack, notrackBy), bc, pkt, ChainEnd.PolicyAccept, _policyIndex[bc]);

    /// <summary>A traced packet records a jump, goto or RETURN rule it took (<c>nft_trace_packet</c> / <c>trace_packet</c> would log it).</summary>
    private Pkt Hop(Pkt pkt, NatRule rule) => pkt.Trace is null ? pkt : pkt with { Trace = new TraceHops(_ruleIndex[rule], pkt.Trace) };

    /// <summary>Attaches, for a traced packet, which rule or policy ended the walk of <paramref name="bc"/>.</summary>
    private ChainVerdict Traced(ChainVerdict verdict, BaseChain bc, Pkt pkt, ChainEnd end, int decider)
    {
        if (pkt.Trace is null)
        {
            return verdict;
        }

        var path = new List<RuleRef>();
        for (var h = pkt.Trace; h is not null && h.Rule >= 0; h = h.Previous)
        {
            path.Add(_deciders[h.Rule]);
        }

        path.Reverse();
        var table = _tables.TryGetValue(bc.Table, out var t) ? t.Name : bc.Table;
        return verdict with { Why = [new ChainDecision(bc.Hook, $"{table}/{bc.Chain}", end, _deciders[decider], path)] };
    }

    /// <summary>The decisions of earlier chains followed by those of a later one (null when neither was traced).</summary>
    private static IReadOnlyList<ChainDecision>? Join(IReadOnlyList<ChainDecision>? earlier, IReadOnlyList<ChainDecision>? later) =>
        earlier is null ? later : later is null ? earlier : [.. earlier, .. later.Where(d => !earlier.Contains(d))];

    /// <summary>
    /// Adds a verdict unless one with the same effect is there. Traced verdicts that differ only in <see cref="ChainVerdict.Why"/>
    /// are merged (their decisions united), so a traced run yields the same verdicts, in the same order, as the search.
    /// </summary>
    private static void Add(List<ChainVerdict> verdicts, ChainVerdict verdict)
    {
        var k = IndexOfEffect(verdicts, verdict);
        if (k < 0)
        {
            verdicts.Add(verdict);
        }
        else if (verdict.Why is not null)
        {
            verdicts[k] = verdicts[k] with { Why = Join(verdicts[k].Why, verdict.Why) };
        }
    }

    private static void AddAt(List<(ChainVerdict Verdict, int Stop)> done, ChainVerdict verdict, int stop)
    {
        for (var k = 0; k < done.Count; k++)
        {
            if (done[k].Stop == stop && SameEffect(done[k].Verdict, verdict))
            {
                if (verdict.Why is not null)
                {
                    done[k] = (done[k].Verdict with { Why = Join(done[k].Verdict.Why, verdict.Why) }, stop);
                }

                return;
            }
        }

        done.Add((verdict, stop));
    }

    private static int IndexOfEffect(List<ChainVerdict> verdicts, ChainVerdict verdict)
    {
        for (var k = 0; k < verdicts.Count; k++)
        {
            if (SameEffect(verdicts[k], verdict))
            {
                return k;
            }
        }

        return -1;
    }

    private static bool SameEffect(ChainVerdict a, ChainVerdict b) =>
        a.Why is null && b.Why is null ? a == b : a with { Why = null } == b with { Why = null };

    private enum Tri
    {
        No,
        Yes,
        Maybe,
    }

    /// <summary>
    /// <c>netmap_tg_setup</c> (xt_NETMAP.c): keep the host bits of the address the hook manipulates (destination at
    /// PRE_ROUTING/LOCAL_OUT, source at POST_ROUTING/LOCAL_IN) and take the prefix from <c>--to</c>; one address, MAP_IPS.
    /// </summary>
    private static NatRange NetmapRange(NetmapTarget n, Pkt pkt)
    {
        var mask = n.To.PrefixLength == 0 ? 0u : uint.MaxValue << (32 - n.To.PrefixLength);
        var dst = pkt.Hook is NetfilterHook.PreRouting or NetfilterHook.Output;
        var old = dst ? pkt.Packet.DstIp.Value : pkt.Packet.SrcIp.Value;
        var mapped = new Ipv4((old & ~mask) | (n.To.Network.Value & mask));
        return new NatRange(NatRangeFlags.MapIps, mapped, mapped, 0, 0);
    }

    /// <summary>Every address of an interface in the kernel's order (<c>ip -j addr show</c>), from whichever form the scenario gives.</summary>
    internal IReadOnlyList<InterfaceAddress> AddressesOf(string? iface) => InterfaceAddressesOf(Scenario, iface);

    /// <summary>
    /// Every address of interface <paramref name="iface"/> of <paramref name="scenario"/> in the kernel's order
    /// (<c>ip -j addr show</c>): from <see cref="ScenarioModel.Interfaces"/> when the scenario lists them, else the one
    /// address of <see cref="ScenarioModel.InterfaceAddresses"/>; none for a null or unknown interface.
    /// </summary>
    public static IReadOnlyList<InterfaceAddress> InterfaceAddressesOf(ScenarioModel scenario, string? iface)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (iface is null)
        {
            return [];
        }

        if (scenario.Interfaces.Count > 0)
        {
            return scenario.Interfaces.FirstOrDefault(i => i.Name == iface)?.Addresses ?? [];
        }

        return scenario.InterfaceAddresses.TryGetValue(iface, out var a) ? [new InterfaceAddress(a, 32)] : [];
    }

    /// <summary>
    /// <c>nf_nat_redirect_ipv4</c>: 127.0.0.1 at LOCAL_OUT, else the first address of the in interface
    /// (<c>ifa_list</c>); null means NF_DROP. The one definition the explicit engine and the Z3 encoding share.
    /// </summary>
    public static Ipv4? RedirectAddress(NetfilterHook hook, IReadOnlyList<InterfaceAddress> inAddresses)
    {
        ArgumentNullException.ThrowIfNull(inAddresses);
        return hook == NetfilterHook.Output ? Loopback : inAddresses is [var first, ..] ? first.Address : null;
    }

    /// <summary>
    /// <c>nf_nat_masquerade_ipv4</c> -> <c>inet_select_addr(out, nexthop, RT_SCOPE_UNIVERSE)</c> as a case table over
    /// the destination: the first primary address of the out interface whose subnet holds the next hop, else the first
    /// primary address. The spec has no routes, so the next hop is the destination when some primary subnet holds it
    /// (on-link); otherwise the gateway is unknown and every primary address is possible (an over-approximation only
    /// when there are several). Secondary addresses (a later address inside an earlier address's subnet,
    /// <c>IFA_F_SECONDARY</c>) are never picked. The cases are disjoint and cover every destination; a case without
    /// an address is NF_DROP (the interface has none). The explicit engine evaluates the table on a concrete
    /// destination, the Z3 encoding turns it into formulas over a symbolic one: one definition for both.
    /// </summary>
    public static IReadOnlyList<MasqueradeCase> MasqueradeChoice(IReadOnlyList<InterfaceAddress> outAddresses)
    {
        ArgumentNullException.ThrowIfNull(outAddresses);
        var primaries = new List<InterfaceAddress>();
        foreach (var a in outAddresses)
        {
            if (!primaries.Any(p => p.PrefixLength == a.PrefixLength && new Cidr(p.Address, p.PrefixLength).Contains(a.Address)))
            {
                primaries.Add(a);
            }
        }

        var subnets = primaries.Select(p => new Cidr(p.Address, p.PrefixLength)).ToList();
        var cases = new List<MasqueradeCase>();
        for (var k = 0; k < primaries.Count; k++)
        {
            cases.Add(new MasqueradeCase(subnets[k], subnets.Take(k).ToList(), [primaries[k].Address]));
        }

        cases.Add(new MasqueradeCase(null, subnets, primaries.Select(p => p.Address).ToList()));
        return cases;
    }

    private IEnumerable<Ipv4?> MasqueradeAddresses(Pkt pkt)
    {
        var destination = pkt.Packet.DstIp;
        var chosen = MasqueradeChoice(AddressesOf(pkt.Flow.OutInterface))
            .First(c => (c.Inside is not { } inside || inside.Contains(destination)) && !c.Outside.Any(o => o.Contains(destination)));
        return chosen.Addresses.Count == 0 ? [null] : chosen.Addresses.Select(a => (Ipv4?)a);
    }

    /// <summary>The range MASQUERADE and REDIRECT pass to <c>nf_nat_setup_info</c>: the address, and the port range when given.</summary>
    public static NatRange RangeFor(Ipv4 address, PortRange? ports, NatRangeFlags flags)
    {
        flags |= NatRangeFlags.MapIps;
        if (ports is { } p)
        {
            flags |= NatRangeFlags.ProtoSpecified;
            return new NatRange(flags, address, address, p.Min, p.Max);
        }

        return new NatRange(flags, address, address, 0, 0);
    }

    private Tri Matches(RuleMatch m, Pkt pkt)
    {
        if (!MatchesDeterministic(m, pkt))
        {
            return Tri.No;
        }

        var result = m.RandomProbability is not { } r ? Tri.Yes
            : (r.Value <= 0.0) != r.Negated ? Tri.No
            : (r.Value >= 1.0) != r.Negated ? Tri.Yes
            : Tri.Maybe;
        foreach (var term in m.Terms)
        {
            if (result == Tri.No)
            {
                break;
            }

            var t = TermMatches(term, pkt);
            result = t == Tri.No ? Tri.No : t == Tri.Maybe ? Tri.Maybe : result;
        }

        return result;
    }

    private static string? InInterface(Pkt pkt) =>
        pkt.Hook is NetfilterHook.PreRouting or NetfilterHook.Input or NetfilterHook.Forward ? pkt.Flow.InInterface : null;

    private static string? OutInterface(Pkt pkt) =>
        pkt.Hook is NetfilterHook.Output or NetfilterHook.PostRouting or NetfilterHook.Forward ? pkt.Flow.OutInterface : null;

    /// <summary>
    /// One match term on a flow's first packet. Only packets of a new entry reach the nat chains (<c>nf_nat_inet_fn</c>
    /// runs them for <c>IP_CT_NEW</c> only); other chains see the conntrack view of <see cref="Pkt.Ct"/>: NEW and
    /// ORIGINAL with no status bit for the flow's own entry, INVALID before <c>nf_conntrack_in</c>, UNTRACKED after
    /// notrack (<c>conntrack_mt</c> / <c>nft_ct_get_eval</c>); without a conntrack every other ct field fails the match,
    /// negated or not (<c>connmark_mt</c>, <c>conntrack_mt</c> return false; nft breaks the rule). Marks are the
    /// packet's and entry's as earlier rules left them. A first TCP packet is a SYN; ICMP flows are echo requests
    /// (type 8, code 0). <see cref="RuleSupport"/> lists the terms this does not cover, and the spec reader refuses them.
    /// </summary>
    private Tri TermMatches(MatchTerm term, Pkt pkt)
    {
        if (pkt.Ct != CtView.New && ReadsConntrackBeyondState(term))
        {
            return Tri.No;
        }

        bool? value = term switch
        {
            ValueTerm v => v.Values.Any(i => FieldIn(v.Field, i, pkt)),
            MaskedTerm m => FieldValue(m.Field, pkt) is { } x && m.Values.Any(i => i.Contains(x & m.Mask)),
            ConcatTerm c => c.Elements.Any(e => e.Select((interval, k) => FieldIn(c.Fields[k], interval, pkt)).All(b => b)),
            InterfaceTerm i => i.Names.Any(n => InterfaceMatches(n.EndsWith('*') ? n[..^1] + "+" : n, i.Output ? OutInterface(pkt) : InInterface(pkt))),
            AddressTypeTerm a => AddressTypeMatches(a, a.Destination ? pkt.Packet.DstIp : pkt.Packet.SrcIp, pkt),
            RandomTerm r => r.Probability <= 0.0 ? false : r.Probability >= 1.0 ? true : null,
            _ => null,
        };

        return value is not { } b ? Tri.Maybe : b != term.Negated ? Tri.Yes : Tri.No;
    }

    private static bool ReadsConntrackBeyondState(MatchTerm term)
    {
        static bool Ct(PacketField f) => f >= PacketField.CtMark && f != PacketField.CtState;
        return term switch
        {
            ValueTerm v => Ct(v.Field),
            MaskedTerm m => Ct(m.Field),
            ConcatTerm c => c.Fields.Any(Ct),
            _ => false,
        };
    }

    private bool FieldIn(PacketField field, Interval interval, Pkt pkt)
    {
        var packet = pkt.Packet;
        var icmp = packet.Protocol == L4Protocol.Icmp;
        switch (field)
        {
            case PacketField.SrcPort:
                return !icmp && Ports.InRange(packet.SrcPort, (int)interval.Min, (int)Math.Min(interval.Max, 65535));
            case PacketField.DstPort:
                return !icmp && Ports.InRange(packet.DstPort, (int)interval.Min, (int)Math.Min(interval.Max, 65535));
            case PacketField.IcmpId:
                return icmp && Ports.InRange(packet.SrcPort, (int)interval.Min, (int)Math.Min(interval.Max, 65535));
            default:
                return FieldValue(field, pkt) is { } x && interval.Contains(x);
        }
    }

    private static uint? FieldValue(PacketField field, Pkt pkt) => field switch
    {
        PacketField.L4Proto => (uint)pkt.Packet.Protocol,
        PacketField.SrcAddr => pkt.Packet.SrcIp.Value,
        PacketField.DstAddr => pkt.Packet.DstIp.Value,
        PacketField.IcmpType => pkt.Packet.Protocol == L4Protocol.Icmp ? 8u : null,
        PacketField.IcmpCode => pkt.Packet.Protocol == L4Protocol.Icmp ? 0u : null,
        PacketField.TcpFlags => pkt.Packet.Protocol == L4Protocol.Tcp ? 0x02u : null,
        PacketField.Mark => pkt.Mark,
        PacketField.CtMark => pkt.CtMark,
        // conntrack_mt: the state bit of ctinfo, plus XT_CONNTRACK_STATE_SNAT/DNAT when IPS_SRC_NAT/IPS_DST_NAT is set.
        PacketField.CtState => (uint)(pkt.Ct switch
        {
            CtView.New => CtStateBits.New
                | ((pkt.NatStatus & IpsSrcNat) != 0 ? CtStateBits.Snat : 0)
                | ((pkt.NatStatus & IpsDstNat) != 0 ? CtStateBits.Dnat : 0),
            CtView.Untracked => CtStateBits.Untracked,
            _ => CtStateBits.Invalid,
        }),
        PacketField.CtDirection => 0u,

        // conntrack_mt --ctstatus / nft_ct_get_eval NFT_CT_STATUS: ct->status; of the bits a status match names, a
        // first packet's entry has at most the NAT ones (not EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED or DYING).
        PacketField.CtStatus => pkt.NatStatus,
        _ => null,
    };

    // addrtype_mt_v1 / inet_addr_type_dev_table: LOCAL when the address is one of the host's (any address of any
    // interface; on the in or out interface only with --limit-iface-*), loopback included; MULTICAST for 224.0.0.0/4;
    // UNICAST otherwise.
    private bool AddressTypeMatches(AddressTypeTerm term, Ipv4 address, Pkt pkt)
    {
        string? limit = term.LimitToInInterface ? InInterface(pkt)
            : term.LimitToOutInterface ? OutInterface(pkt)
            : null;
        var limited = term.LimitToInInterface || term.LimitToOutInterface;
        bool local;
        if (limited && limit is null)
        {
            local = false;
        }
        else if (Scenario.Interfaces.Count > 0)
        {
            local = Scenario.Interfaces.Where(i => !limited || i.Name == limit).SelectMany(i => i.Addresses).Any(a => a.Address == address)
                || (!limited && (address.Value >> 24) == 127);
        }
        else
        {
            local = Scenario.InterfaceAddresses.Where(kv => !limited || kv.Key == limit).Any(kv => kv.Value == address)
                || (!limited && (address.Value >> 24) == 127);
        }

        var type = local ? AddressTypes.Local
            : (address.Value >> 28) == 0xe ? AddressTypes.Multicast
            : AddressTypes.Unicast;
        return (term.Types & type) != 0;
    }

    private bool MatchesDeterministic(RuleMatch m, Pkt pkt)
    {
        var packet = pkt.Packet;
        if (m.Protocol is { } p && (packet.Protocol == p.Value) == p.Negated)
        {
            return false;
        }

        if (m.Source is { } s && s.Value.Contains(packet.SrcIp) == s.Negated)
        {
            return false;
        }

        if (m.Destination is { } d && d.Value.Contains(packet.DstIp) == d.Negated)
        {
            return false;
        }

        if (m.SourcePort is { } sp && (packet.Protocol == L4Protocol.Icmp
            || Ports.InRange(packet.SrcPort, sp.Value.Min, sp.Value.Max) == sp.Negated))
        {
            return false;
        }

        if (m.DestinationPort is { } dp && (packet.Protocol == L4Protocol.Icmp
            || Ports.InRange(packet.DstPort, dp.Value.Min, dp.Value.Max) == dp.Negated))
        {
            return false;
        }

        if (m.Mark is { } mark && mark.Value.Matches(pkt.Mark) == mark.Negated)
        {
            return false;
        }

        // The in-interface exists at PRE_ROUTING/LOCAL_IN/FORWARD, the out-interface at FORWARD/LOCAL_OUT/POST_ROUTING.
        if (m.InInterface is { } i && InterfaceMatches(i.Value, InInterface(pkt)) == i.Negated)
        {
            return false;
        }

        return m.OutInterface is not { } o || InterfaceMatches(o.Value, OutInterface(pkt)) != o.Negated;
    }

    private static bool InterfaceMatches(string pattern, string? iface) =>
        iface is not null && (pattern.EndsWith('+')
            ? iface.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : iface == pattern);
}

/// <summary>One case of <see cref="NatSemantics.MasqueradeChoice"/>.</summary>
/// <param name="Inside">A subnet the destination lies in (null: no condition).</param>
/// <param name="Outside">Subnets the destination lies outside of.</param>
/// <param name="Addresses">The addresses MASQUERADE may pick in this case; empty means NF_DROP.</param>
public sealed record MasqueradeCase(Cidr? Inside, IReadOnlyList<Cidr> Outside, IReadOnlyList<Ipv4> Addresses);
