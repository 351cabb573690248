namespace NatVerify.Specs.Tests;

/// <summary>Mangled specs fail with a located <see cref="SpecException"/>, never with anything else.</summary>
public class RobustnessTests
{
    private const string Spec = """
        name: seed-thief-first
        description: |
          text
        tags: [seed]
        interfaces:
          eth0: 198.51.100.1/24
        ruleset: |
          *nat
          :POSTROUTING ACCEPT [0:0]
          :U - [0:0]
          -A POSTROUTING ! -s 10.0.0.0/8 -p tcp -m tcp --sport 1:1023 -m mark --mark 0x64/0xff -j SNAT --to-source 198.51.100.1-198.51.100.2:12345-12346 --random
          -A PREROUTING -p udp -j DNAT --to-destination 10.0.0.1:53
          -A POSTROUTING -m comment --comment "a b" -j U
          -A U -o eth0 -p tcp -j MASQUERADE --to-ports 1024-2000
          COMMIT
        actors:
          - name: client
            flow: 198.51.100.1:12345 -> 198.51.100.2:80
          - name: ping
            flow: 10.0.0.1 -> 10.0.0.2
            proto: icmp
            icmp-id: 7
            path: forward
            mark: 0x1
          - name: insert
            conntrack: -I --protonum 6 --reply-src 198.51.100.2 --reply-dst 198.51.100.1 --reply-port-dst 12345 --reply-port-src 80 --src 192.0.2.1 --dst 198.51.100.2
          - name: cleanup
            conntrack: -D -p tcp --orig-src 192.0.2.1 --dport 80
          - name: t
            timeout: client
        order:
          - client.start < insert.start
          - client.confirm < ping.src-nat
        properties: [linked-tuple-uniqueness, no-avoidable-drop]
        expect:
          verdict: violated
          violated: linked-tuple-uniqueness
          outcomes:
            client: [rewritten, "dropped:x"]
          combinations:
            - { client: rewritten, insert: inserted }
          mutants:
            no-null-binding: no-avoidable-drop
        """;

    [Fact]
    public void Unmangled_robustness_spec_is_valid()
    {
        Assert.Equal(5, SpecLoader.Parse(Spec, "r.yaml").Model.Actors.Count);
    }

    [Fact]
    public void Every_single_character_mangling_parses_or_fails_with_a_located_error()
    {
        char[] replacements = [' ', ':', '-', '0', 'x', '"', '[', '\n', '!', '.', '/'];
        for (var i = 0; i < Spec.Length; i++)
        {
            Check(Spec.Remove(i, 1));
            foreach (var c in replacements)
            {
                Check(Spec[..i] + c + Spec[(i + 1)..]);
            }
        }
    }

    private static void Check(string text)
    {
        try
        {
            SpecLoader.Parse(text, "r.yaml");
        }
        catch (SpecException ex)
        {
            Assert.False(ex.Detail.StartsWith("internal error", StringComparison.Ordinal), $"{ex.Message}\n--- input ---\n{text}");
            Assert.True(ex.Line >= 1 && ex.Column >= 1, ex.Message);
        }
    }
}
