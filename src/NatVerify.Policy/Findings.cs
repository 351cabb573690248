using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;

namespace NatVerify.Policy;

/// <summary>The classes of findings <c>natverify policy</c> reports; tools match on their <c>FindingClasses.Name</c>.</summary>
public enum FindingClass
{
    /// <summary><c>fixed-port</c>: an SNAT-type rule whose port range is one port.</summary>
    FixedPort,

    /// <summary><c>collision</c>: two rule paths map different original tuples onto one reply tuple before the SRC manip.</summary>
    Collision,

    /// <summary><c>capacity</c>: how many concurrent flows per destination an SNAT/MASQUERADE rule can hold.</summary>
    Capacity,

    /// <summary><c>shadowed-rule</c>: a NAT rule no first packet can reach.</summary>
    ShadowedRule,

    /// <summary><c>port-shadowing</c>: an SNAT/MASQUERADE keeps source ports on an address where a local socket listens.</summary>
    PortShadowing,

    /// <summary><c>udp-race</c>: a UDP service DNATed at random to two or more backends.</summary>
    UdpRace,
}

/// <summary>Severity of a finding; ordered so that a larger value is more severe.</summary>
public enum Severity
{
    /// <summary><c>note</c>.</summary>
    Note,

    /// <summary><c>warning</c>.</summary>
    Warning,

    /// <summary><c>error</c>.</summary>
    Error,
}

/// <summary>Names of classes and severities as reports, JSON and SARIF spell them.</summary>
public static class FindingClasses
{
    /// <summary>The kebab-case name, e.g. <c>fixed-port</c>.</summary>
    public static string Name(this FindingClass c) => c switch
    {
        FindingClass.FixedPort => "fixed-port",
        FindingClass.Collision => "collision",
        FindingClass.Capacity => "capacity",
        FindingClass.ShadowedRule => "shadowed-rule",
        FindingClass.PortShadowing => "port-shadowing",
        _ => "udp-race",
    };

    /// <summary>The lower-case name, e.g. <c>warning</c>.</summary>
    public static string Name(this Severity s) => s.ToString().ToLowerInvariant();
}

/// <summary>A rule a finding involves: where it is, and its text and chain for people.</summary>
/// <param name="File">The ruleset file as the user named it.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Handle">nft rule handle, when known.</param>
/// <param name="Table">The table's key (<c>iptables nat</c>, <c>nft inet fw4</c>).</param>
/// <param name="Chain">The chain.</param>
/// <param name="Text">The rule as written.</param>
public sealed record RuleRef(string File, int Line, long? Handle, string Table, string Chain, string Text);

/// <summary>One finding.</summary>
/// <param name="Class">The class.</param>
/// <param name="Severity">How bad it is.</param>
/// <param name="Rules">The rules involved (for <c>shadowed-rule</c>: the shadowed rule first, then the covering rules).</param>
/// <param name="Message">One paragraph naming the kernel functions involved.</param>
/// <param name="ConsequenceByProfile">The consequence per kernel profile where they differ (profile name → text); empty when the same everywhere.</param>
public sealed record Finding(FindingClass Class, Severity Severity, IReadOnlyList<RuleRef> Rules, string Message, IReadOnlyDictionary<string, string> ConsequenceByProfile)
{
    /// <summary>Numbers for <c>capacity</c> findings (e.g. <c>addresses</c>, <c>ports</c>, <c>flowsPerDestination</c>); empty otherwise.</summary>
    public IReadOnlyDictionary<string, long> Numbers { get; init; } = new Dictionary<string, long>();

    /// <summary>The witness scenario spec written to <c>--witness-dir</c> (classes fixed-port, collision, port-shadowing, udp-race), or null.</summary>
    public string? WitnessPath { get; init; }

    /// <summary>The witness spec's text (what <see cref="WitnessPath"/> holds), or null.</summary>
    public string? WitnessSpec { get; init; }
}

/// <summary>A local socket of the host (from <c>ss -Htuanp</c> or a context file).</summary>
/// <param name="Protocol">tcp or udp.</param>
/// <param name="Address">The local address; 0.0.0.0 for the wildcard.</param>
/// <param name="Port">The local port.</param>
/// <param name="Listening">True for a listener (or an unconnected bound UDP socket); false for a bound client.</param>
/// <param name="Name">The process or a name the user gave, when known.</param>
public sealed record LocalSocket(L4Protocol Protocol, Ipv4 Address, int Port, bool Listening, string? Name);

/// <summary>The host facts the checker was given, and what it had to assume.</summary>
/// <param name="Interfaces">Interfaces with all their addresses and optional roles.</param>
/// <param name="Sockets">Local sockets.</param>
/// <param name="KernelVersion">The kernel version the user named, if any.</param>
/// <param name="Assumptions">Every fact the checker assumes that is not in the inputs, for the report.</param>
public sealed record HostContext(IReadOnlyList<InterfaceInfo> Interfaces, IReadOnlyList<LocalSocket> Sockets, string? KernelVersion, IReadOnlyList<string> Assumptions);

/// <summary>The result of <c>natverify policy</c>.</summary>
/// <param name="RulesetFile">The ruleset file.</param>
/// <param name="Format">iptables-save, nft, or nft-json.</param>
/// <param name="Profile">The kernel profile used (and the version it was picked for).</param>
/// <param name="Context">The host facts.</param>
/// <param name="Findings">Findings, most severe first, grouped by class.</param>
/// <param name="Assumptions">Everything assumed (context's plus the analysis's own), and every over-approximation.</param>
/// <param name="Inconclusive">Null when the analysis finished; otherwise which bound cut it short.</param>
public sealed record PolicyReport(string RulesetFile, string Format, string Profile, HostContext Context, IReadOnlyList<Finding> Findings, IReadOnlyList<string> Assumptions, string? Inconclusive);
