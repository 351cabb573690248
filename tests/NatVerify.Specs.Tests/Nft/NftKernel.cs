using System.Diagnostics;
using System.Globalization;
using System.Text;
using NatVerify.Model.Nat;

namespace NatVerify.Specs.Tests.Nft;

/// <summary>
/// Loads an nft source into real netfilter inside a private network namespace (prefix <c>nvn-</c>, deleted afterwards)
/// and returns what <c>nft list ruleset</c> and <c>nft -j list ruleset</c> print for it.
/// </summary>
internal static class NftKernel
{
    public static string? NftPath { get; } = Find("nft");

    public static string? IpPath { get; } = Find("ip");

    public static string? IptablesNftPath { get; } = Find("iptables-nft");

    public static bool IsRoot { get; } = Environment.UserName == "root" || GetEuid() == 0;

    public static (string Text, string Json) LoadAndDump(string source, params string[][] before)
    {
        var ns = "nvn-" + Guid.NewGuid().ToString("N")[..10];
        var dir = Directory.CreateTempSubdirectory("nvn-");
        var file = Path.Combine(dir.FullName, "ruleset.nft");
        File.WriteAllText(file, source);
        Run(IpPath!, "netns", "add", ns);
        try
        {
            foreach (var command in before)
            {
                Run(IpPath!, ["netns", "exec", ns, .. command]);
            }

            Run(IpPath!, "netns", "exec", ns, NftPath!, "-f", file);
            var text = Run(IpPath!, "netns", "exec", ns, NftPath!, "list", "ruleset");
            var json = Run(IpPath!, "netns", "exec", ns, NftPath!, "-j", "list", "ruleset");
            return (text, json);
        }
        finally
        {
            Run(IpPath!, "netns", "del", ns);
            dir.Delete(true);
        }
    }

    private static string Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill(true);
            throw new TimeoutException($"{exe} {string.Join(' ', args)} did not finish in 30 s");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{exe} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}");
        }

        return stdout.Result;
    }

    private static string? Find(string name)
    {
        foreach (var dir in new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" })
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuidNative();

    private static uint GetEuid()
    {
        try
        {
            return GetEuidNative();
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return uint.MaxValue;
        }
    }

    /// <summary>
    /// A canonical description of a parsed ruleset without locations, rule texts or the front end it came from, so
    /// the text and JSON readers can be compared.
    /// </summary>
    public static string Canonical(NatRuleset r)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"nat={r.NatTablePresent} notes=[{string.Join("; ", r.OtherTables.Select(n => System.Text.RegularExpressions.Regex.Replace(n, @"^\S+:\d+:\d+( \(handle \d+\))?: ", "RULE: ")))}] over={r.OverApproximations.Count}");
        foreach (var b in r.BaseChains)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"base {b.Table} {b.Chain} {b.Hook} {b.Priority} {b.Type} drop={b.PolicyDrop}");
        }

        foreach (var t in r.Tables)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"table {t.Key} {t.Family} {t.Name}");
            foreach (var c in t.Chains.Values)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $" chain {c.Name} base={c.BuiltIn}");
                foreach (var rule in c.Rules)
                {
                    sb.AppendLine(CultureInfo.InvariantCulture, $"  {Rule(rule)}");
                }
            }
        }

        return sb.ToString();
    }

    public static string Rule(NatRule rule) => RuleUntrimmed(rule).TrimStart();

    private static string RuleUntrimmed(NatRule rule) =>
        string.Join(" ", rule.Match.Terms.Select(Term))
        + (rule.Statements.Count > 0 ? " | " + string.Join(" ", rule.Statements.Select(Statement)) : string.Empty)
        + " => " + Target(rule.Target);

    public static string Term(MatchTerm t) => (t.Negated ? "!" : string.Empty) + t switch
    {
        ValueTerm v => $"{v.Field}={Ivs(v.Values)}",
        MaskedTerm m => $"{m.Field}&0x{m.Mask:x}={Ivs(m.Values)}",
        InterfaceTerm i => $"{(i.Output ? "out" : "in")}={string.Join(",", i.Names)}",
        AddressTypeTerm a => $"fib-{(a.Destination ? "d" : "s")}={a.Types}{(a.LimitToInInterface ? ".iif" : string.Empty)}{(a.LimitToOutInterface ? ".oif" : string.Empty)}",
        ConcatTerm c => $"({string.Join(".", c.Fields)})∈{{{string.Join(",", c.Elements.Select(e => string.Join(".", e)))}}}",
        RandomTerm r => $"random({r.Probability})",
        SelectorTerm s => $"{s.Kind}(mod {s.Modulus} off {s.Offset} seed {s.Seed} [{string.Join(".", s.Fields)}])={Ivs(s.Values)}",
        UnmodelledTerm u => $"unmodelled({u.Construct})",
        _ => t.GetType().Name,
    };

    private static string Ivs(IReadOnlyList<Interval> values) => "{" + string.Join(",", values) + "}";

    public static string Statement(RuleStatement s) => s switch
    {
        MarkStatement m => $"{m.Destination}=({m.Destination}&0x{m.Keep:x})^({m.Source}&0x{m.Take:x})^0x{m.Xor:x}",
        NotrackStatement => "notrack",
        NoOpStatement n => n.Name,
        UnmodelledStatement u => $"unmodelled({u.Construct})",
        _ => s.GetType().Name,
    };

    public static string Target(RuleTarget t) => t switch
    {
        SnatTarget s => $"snat {s.Range}",
        DnatTarget d => $"dnat {d.Range}",
        MasqueradeTarget m => $"masquerade {m.Ports} {m.Flags}",
        RedirectTarget r => $"redirect {r.Ports} {r.Flags}",
        JumpTarget j => $"{(j.IsGoto ? "goto" : "jump")} {j.Chain}",
        _ => t.GetType().Name.Replace("Target", string.Empty, StringComparison.Ordinal).ToLowerInvariant(),
    };
}

/// <summary>
/// A test that loads rulesets into the kernel with nft: reported as SKIPPED with the reason (never as passed) when not
/// root or when nft/ip are missing (scripts/setup.sh installs nftables).
/// </summary>
public sealed class NftFactAttribute : FactAttribute
{
    public NftFactAttribute()
    {
        if (!NftKernel.IsRoot)
        {
            Skip = "NOT RUN (counts as skipped, not passed): needs root to create network namespaces for nft -f.";
        }
        else if (NftKernel.NftPath is null || NftKernel.IpPath is null)
        {
            Skip = "NOT RUN (counts as skipped, not passed): nft or ip not installed; scripts/setup.sh installs nftables and iproute2.";
        }
    }

    /// <summary>Also needs iptables-nft (package iptables).</summary>
    public bool NeedsIptablesNft
    {
        get => _needsIptablesNft;
        set
        {
            _needsIptablesNft = value;
            if (value && Skip is null && NftKernel.IptablesNftPath is null)
            {
                Skip = "NOT RUN (counts as skipped, not passed): iptables-nft not installed; scripts/setup.sh installs iptables.";
            }
        }
    }

    private bool _needsIptablesNft;
}

/// <summary>Theory form of <see cref="NftFactAttribute"/>.</summary>
public sealed class NftTheoryAttribute : TheoryAttribute
{
    public NftTheoryAttribute()
    {
        var fact = new NftFactAttribute();
        Skip = fact.Skip;
    }
}
