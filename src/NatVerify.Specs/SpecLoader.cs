// Scenario spec format
// ====================
//
// A spec is one YAML document, a mapping with these keys (any other key is an error that lists the allowed ones):
//
//   name: seed-thief-first               # required; [a-z0-9-]+
//   description: |                       # required; free text (trailing whitespace is dropped)
//     The thief is SNATed onto ...
//   profile: linux-6.12                  # optional; default linux-6.12; one of KernelProfile.All (case-insensitive)
//   tags: [seed, oracle]                 # optional; list of distinct strings
//   interfaces:                          # optional; interface name -> IPv4 address, a.b.c.d or a.b.c.d/nn
//     eth0: 198.51.100.1                 #   (the prefix length is checked, then dropped: only the address is kept)
//   addresses-file: addrs.json           # instead of 'interfaces': 'ip -j addr show' output, read like ruleset-file;
//                                        #   every link's IPv4 addresses with prefixes; lo and IPv6 left out
//   ruleset: |                           # optional; iptables-save text, as a literal block scalar ('|') so that
//     *nat                               #   errors point at the right line and column of the spec
//     :PREROUTING ACCEPT [0:0]
//     :POSTROUTING ACCEPT [0:0]
//     -A POSTROUTING -p tcp -m mark --mark 0x64 -j SNAT --to-source 198.51.100.1:12345
//     COMMIT
//   ruleset-file: rules.v4               # instead of 'ruleset': a regular file in the spec's directory (or below),
//                                        #   at most 4 MiB; never in a spec embedded
//                                        #   in a trace; errors in
//                                        #   it are reported against that file. Both keys -> error. Neither -> the
//                                        #   namespace has no NAT at all (NatRuleset.None).
//   actors:                              # required; non-empty list; names [a-z0-9_-]+, unique
//     - name: thief                      # a flow actor: the first packet of a connection
//       flow: 198.51.100.1:54321 -> 198.51.100.2:80
//       proto: tcp                       # tcp | udp | icmp; default tcp
//       icmp-id: 7                       # required for icmp, forbidden otherwise; icmp flows are written
//                                        #   'a.b.c.d -> a.b.c.d' (no ports) and are echo requests
//       mark: 0x64                       # optional; decimal or 0x hex (32-bit); default 0
//       path: local-out                  # local-out (default) | forward | local-in
//       in: eth1                         # optional; forward/local-in only; must be a declared interface;
//                                        #   default: the only declared interface if there is exactly one, else none
//       out: eth0                        # optional; local-out/forward only; same rules as 'in'
//     - name: insert                     # a ctnetlink actor: 'conntrack' arguments, the word 'conntrack' optional
//       conntrack: -I --protonum 6 --timeout 100 --reply-src 198.51.100.2 --reply-dst 198.51.100.1 --state SYN_SENT --reply-port-dst 12345 --reply-port-src 80 --src 192.0.2.1 --dst 198.51.100.2
//     - name: cleanup                    # only -I (--create) and -D (--delete) are modelled
//       conntrack: -D -p tcp --orig-src 192.0.2.1
//     - name: thief-timeout              # an entry timeout; the target is another actor that is a flow or a -I insert
//       timeout: thief
//   schedule: interleaved                # interleaved (default) | sequential (actors run one after another, in list order)
//   order:                               # optional; "A.milestone < B.milestone" with A != B, both actors;
//     - client.start < thief.start       #   milestones start | dst-nat | src-nat | confirm; actors that are not
//     - thief.confirm < client.src-nat   #   flows only have start
//   properties: [linked-tuple-uniqueness]  # optional; distinct ids of PropertyIds.All; default: all of them
//   expect:                              # optional
//     verdict: holds                     # holds | violated | inconclusive
//     violated: linked-tuple-uniqueness  # only with 'verdict: violated'; a property this spec checks
//     outcomes:                          # actor -> non-empty list of distinct outcome patterns: the exact set of
//       client: [rewritten]              #   that actor's outcomes over all terminal states
//       thief: [kept]
//     combinations:                      # optional; the exact set of joint outcomes; every entry names the same
//       - { client: rewritten, thief: kept }  # actors, and no entry is listed twice
//     mutants:                           # optional; mutant CLI name (KernelMutantNames, not 'none') -> a property
//       no-null-binding: no-avoidable-drop    # this spec checks that the mutant must violate
//
// An outcome pattern is an OutcomeKind CLI name (kept, rewritten, nat, dropped, merged, clash-entry, joined,
// blocked, inserted, exists, deleted, not-found, expired, skipped), optionally followed by ':' and a detail
// string, e.g. 'rewritten:1024-65535'. Only the kind is validated; the pattern is kept as written.
//
// ctnetlink semantics (as the conntrack tool fills in missing parts):
//   -I needs -p. Tuple options: -s/--src/--orig-src, -d/--dst/--orig-dst, --sport/--orig-port-src,
//   --dport/--orig-port-dst, -r/--reply-src, -q/--reply-dst, --reply-port-src, --reply-port-dst; for icmp
//   --icmp-id (required) and --icmp-type 8 / --icmp-code 0. Only the original tuple given -> reply is its
//   inverse; only the reply given -> original is its inverse; both given -> every address is required and a port
//   left out is 0 (what conntrack-tools 1.4.7 inserts on 6.18: the seed's entry shows sport=0 dport=0).
//   -t/--timeout, -u/--status, --state, -m/--mark, --zone 0, -f ipv4 are accepted. NAT options, other zones and
//   other commands (-L, -F, -U, -E, ...) are errors. -D takes the same tuple options, all optional, as a filter
//   (--mark is an error for -D: the model's filters cover tuples only).
//
// ruleset: iptables-save syntax, every table (raw, mangle, nat, filter, security); see IptablesSaveParser and
// NatRuleParser for the matches and targets. Constructs the semantics does not interpret yet (RuleSupport) are
// errors at their location.
//
// Values are plain strings: quoting is allowed but never needed. An empty value (e.g. 'mark:' with nothing after
// it, or '~') counts as missing a value and is an error. Every error is reported as FILE:LINE:COLUMN: DETAIL,
// pointing inside a value (e.g. at a bad port) where the value is written on one line without escapes.

using YamlDotNet.Core;

namespace NatVerify.Specs;

/// <summary>Loads scenario spec files (the format is described at the top of this file).</summary>
public static class SpecLoader
{
    /// <summary>Reads and parses a spec file.</summary>
    /// <param name="path">The spec's path; also its display path and the base directory of <c>ruleset-file</c>.</param>
    /// <returns>The parsed spec.</returns>
    /// <exception cref="SpecException">The file cannot be read or is not a valid spec (reading errors are reported at 1:1).</exception>
    public static ScenarioSpec LoadFile(string path) => LoadFile(path, Input.SpecLoadOptions.Default);

    /// <summary>Loads a spec file with explicit load options (which files its <c>ruleset-file</c> may name).</summary>
    /// <exception cref="SpecException">The file cannot be read or is not a valid spec.</exception>
    public static ScenarioSpec LoadFile(string path, Input.SpecLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(ReadSpecText(path), path, options);
    }

    /// <summary>
    /// Reads a spec file's text safely: a regular file only (a FIFO or device is refused before it is opened), at most
    /// <see cref="Input.InputFile.MaxSpecBytes"/>; errors never quote the file.
    /// </summary>
    /// <exception cref="SpecException">The file cannot be read (reported at 1:1).</exception>
    public static string ReadSpecText(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return Input.InputFile.ReadText(path, Input.InputFile.MaxSpecBytes);
        }
        catch (Input.InputFileException ex)
        {
            throw new SpecException(path, 1, 1, $"cannot read spec: {ex.Message}", ex);
        }
    }

    /// <summary>Parses spec text.</summary>
    /// <param name="yamlText">The YAML text.</param>
    /// <param name="file">Display path for errors, and the base directory of <c>ruleset-file</c>.</param>
    /// <returns>The parsed spec.</returns>
    /// <exception cref="SpecException">The text is not a valid spec.</exception>
    public static ScenarioSpec Parse(string yamlText, string file) => Parse(yamlText, file, Input.SpecLoadOptions.Default);

    /// <summary>Parses spec text with explicit load options (which files <c>ruleset-file</c> may name).</summary>
    /// <param name="yamlText">The YAML text.</param>
    /// <param name="file">Display path for errors, and the base directory of <c>ruleset-file</c>.</param>
    /// <param name="options">What the spec may read besides its text.</param>
    /// <returns>The parsed spec.</returns>
    /// <exception cref="SpecException">The text is not a valid spec, too large or too deeply nested.</exception>
    public static ScenarioSpec Parse(string yamlText, string file, Input.SpecLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(options);

        // Limits before the parser: YamlDotNet recurses once per nesting level and overflows the stack (which kills
        // the process) on a few tens of KB of '[' or '- - -'.
        if (yamlText.Length > Input.InputFile.MaxSpecBytes)
        {
            throw new SpecException(file, 1, 1, $"the spec is larger than the limit of {Input.InputFile.MaxSpecBytes} characters");
        }

        if (Input.NestingLimit.Check(yamlText, yaml: true) is { } deep)
        {
            throw new SpecException(file, deep.Line, deep.Column, deep.Detail);
        }

        // Only YAML syntax errors are translated. Any other exception is a bug in the reader: it reaches the CLI's
        // internal-error boundary (exit 4) rather than passing for bad input (exit 2); the fuzzers
        // (tests/NatVerify.Fuzz.Tests, scripts/afl-fuzz.sh) hold the reader to that.
        try
        {
            return new SpecReader(file, options).Read(yamlText);
        }
        catch (YamlException ex)
        {
            throw new SpecException(file, SpecReader.Clamp(ex.Start.Line), SpecReader.Clamp(ex.Start.Column), YamlMessage(ex), ex);
        }
    }

    // YamlDotNet's messages are sentences with a capital letter; the duplicate-key one gets the key quoted.
    private static string YamlMessage(YamlException ex)
    {
        const string duplicate = "Duplicate key ";
        var message = ex.Message;
        if (message.StartsWith(duplicate, StringComparison.Ordinal))
        {
            return $"duplicate key '{message[duplicate.Length..]}'";
        }

        return $"invalid YAML: {message}";
    }
}
