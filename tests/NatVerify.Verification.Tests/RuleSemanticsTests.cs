using NatVerify.Model.Addressing;
using NatVerify.Specs;
using Xunit;

namespace NatVerify.Verification.Tests;

/// <summary>
/// Rulesets as users write them, end to end from the spec text: the iptables and nft forms of one ruleset give the
/// same outcome set; interfaces with several addresses feed MASQUERADE and addrtype.
/// </summary>
public class RuleSemanticsTests
{
    private const string Actors = """
        actors:
          - name: blocked
            flow: 198.51.100.1:40000 -> 198.51.100.2:81
            mark: 0x9
          - name: web
            flow: 198.51.100.1:40001 -> 198.51.100.2:80
          - name: quiet
            flow: 198.51.100.1:40002 -> 198.51.100.2:80
            mark: 0x1
        """;

    private static string Spec(string ruleset) =>
        "name: t\ndescription: d\ninterfaces:\n  veth0: 198.51.100.1\nruleset: |\n"
        + string.Concat(ruleset.Trim().Split('\n').Select(l => "  " + l + "\n"))
        + Actors.Replace("\r", "", StringComparison.Ordinal);

    private const string Iptables = """
        *raw
        :OUTPUT ACCEPT [0:0]
        -A OUTPUT -m mark --mark 0x1 -j CT --notrack
        COMMIT
        *mangle
        :OUTPUT ACCEPT [0:0]
        -A OUTPUT -p tcp -m tcp --dport 80 -j MARK --set-xmark 0x64/0xff
        COMMIT
        *filter
        :OUTPUT ACCEPT [0:0]
        -A OUTPUT -m mark --mark 0x9 -j DROP
        COMMIT
        *nat
        :POSTROUTING ACCEPT [0:0]
        -A POSTROUTING -p tcp -m mark --mark 0x64 -j SNAT --to-source 198.51.100.1:12345
        COMMIT
        """;

    private const string Nft = """
        table ip t {
          chain raw_out {
            type filter hook output priority raw; policy accept;
            meta mark 0x00000001 notrack
          }
          chain mangle_out {
            type route hook output priority mangle; policy accept;
            tcp dport 80 meta mark set meta mark & 0xffffff00 | 0x00000064
          }
          chain filter_out {
            type filter hook output priority filter; policy accept;
            meta mark 0x00000009 drop
          }
          chain post {
            type nat hook postrouting priority srcnat; policy accept;
            meta l4proto tcp meta mark 0x00000064 snat to 198.51.100.1:12345
          }
        }
        """;

    [Fact]
    public void Iptables_and_nft_forms_of_one_ruleset_give_the_same_outcomes()
    {
        var fromIptables = Verifier.Check(SpecLoader.Parse(Spec(Iptables), "ipt.yaml"), new CheckSettings());
        var fromNft = Verifier.Check(SpecLoader.Parse(Spec(Nft), "nft.yaml"), new CheckSettings());
        Assert.True(fromIptables.Exhaustive);
        Assert.True(fromNft.Exhaustive);
        static List<string> Kinds(VerificationResult r) =>
            r.Outcomes.Joint.Select(j => string.Join(" ", j.Outcomes.Select(o => o.Kind))).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Kinds(fromIptables), Kinds(fromNft));
        // mangle marks port 80 only: the blocked flow (port 81) keeps 0x9 and filter drops it after conntrack.
        Assert.Equal(["Filtered Nat Untracked"], Kinds(fromIptables));
    }

    [Fact]
    public void Spec_interfaces_may_list_several_addresses_and_masquerade_picks_by_subnet()
    {
        const string spec = """
            name: t
            description: d
            interfaces:
              veth0: [203.0.113.1/24, 198.51.100.9/24]
            ruleset: |
              *nat
              :POSTROUTING ACCEPT [0:0]
              -A POSTROUTING -o veth0 -j MASQUERADE
              COMMIT
            actors:
              - name: a
                flow: 192.0.2.5:40000 -> 198.51.100.2:80
                path: forward
                out: veth0
            """;
        var parsed = SpecLoader.Parse(spec, "multi.yaml");
        var iface = Assert.Single(parsed.Model.Interfaces);
        Assert.Equal(2, iface.Addresses.Count);
        var result = Verifier.Check(parsed, new CheckSettings());
        var witness = Assert.Single(result.Outcomes.Joint).Witness;
        Assert.Equal(Ipv4.Parse("198.51.100.9"), witness.Final[0].Reply.DstIp);
    }

    [Fact]
    public void A_listed_address_given_twice_is_a_located_error()
    {
        const string spec = "name: t\ndescription: d\ninterfaces:\n  veth0: [198.51.100.1, 198.51.100.1]\nactors:\n  - name: a\n    flow: 198.51.100.1:1 -> 198.51.100.2:2\n";
        var e = Assert.Throws<SpecException>(() => SpecLoader.Parse(spec, "dup.yaml"));
        Assert.Equal(4, e.Line);
        Assert.Contains("listed twice", e.Message, StringComparison.Ordinal);
    }
}
