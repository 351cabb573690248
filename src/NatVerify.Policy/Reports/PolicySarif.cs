using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace NatVerify.Policy.Reports;

/// <summary>
/// SARIF 2.1.0 output (OASIS sarif-v2.1.0): one result per finding, <c>ruleId</c> the finding class, <c>level</c>
/// its severity, and every rule involved a physical location (the ruleset file relative to the working directory,
/// the rule's line), so CI code scanning shows findings on the ruleset file.
/// </summary>
public static class PolicySarif
{
    /// <summary>The SARIF 2.1.0 JSON schema URI.</summary>
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    private static readonly (FindingClass Class, string Text)[] Descriptions =
    [
        (FindingClass.FixedPort, "An SNAT-type rule whose port range is one port: concurrent flows to one destination share a reply tuple."),
        (FindingClass.Collision, "Two rule paths map different original tuples onto one reply tuple before the SRC manip."),
        (FindingClass.Capacity, "How many concurrent flows per destination an SNAT/MASQUERADE rule can hold."),
        (FindingClass.ShadowedRule, "A NAT rule no first packet can reach."),
        (FindingClass.PortShadowing, "An SNAT/MASQUERADE keeps source ports on an address where a local socket listens."),
        (FindingClass.UdpRace, "A UDP service DNATed at random to two or more backends."),
    ];

    /// <summary>Writes the SARIF log; file URIs are made relative to <paramref name="baseDirectory"/>.</summary>
    public static string Write(PolicyReport report, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("$schema", SchemaUri);
            w.WriteString("version", "2.1.0");
            w.WriteStartArray("runs");
            w.WriteStartObject();
            w.WriteStartObject("tool");
            w.WriteStartObject("driver");
            w.WriteString("name", "natverify");
            w.WriteString("informationUri", "https://example.invalid/natverify/docs/policy.md");
            w.WriteStartArray("rules");
            foreach (var (c, text) in Descriptions)
            {
                w.WriteStartObject();
                w.WriteString("id", c.Name());
                w.WriteStartObject("shortDescription");
                w.WriteString("text", text);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartArray("results");
            foreach (var f in report.Findings)
            {
                w.WriteStartObject();
                w.WriteString("ruleId", f.Class.Name());
                w.WriteNumber("ruleIndex", Array.FindIndex(Descriptions, d => d.Class == f.Class));
                w.WriteString("level", f.Severity.Name());
                w.WriteStartObject("message");
                var text = new StringBuilder(f.Message);
                foreach (var (profile, consequence) in f.ConsequenceByProfile.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    text.Append(' ').Append(profile).Append(": ").Append(consequence);
                }

                if (f.WitnessPath is { } wp)
                {
                    text.Append(" Witness: ").Append(wp);
                }

                w.WriteString("text", text.ToString());
                w.WriteEndObject();
                w.WriteStartArray("locations");
                foreach (var r in f.Rules)
                {
                    w.WriteStartObject();
                    w.WriteStartObject("physicalLocation");
                    w.WriteStartObject("artifactLocation");
                    w.WriteString("uri", RelativeUri(r.File, baseDirectory));
                    w.WriteEndObject();
                    w.WriteStartObject("region");
                    w.WriteNumber("startLine", Math.Max(1, r.Line));
                    w.WriteEndObject();
                    w.WriteEndObject();
                    w.WriteStartObject("message");
                    w.WriteString("text", $"{r.Table} {r.Chain}: {r.Text}");
                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>A relative URI reference (RFC 3986 path segments, percent-encoded) for the file.</summary>
    public static string RelativeUri(string file, string baseDirectory)
    {
        var relative = Path.GetRelativePath(baseDirectory, Path.GetFullPath(file, baseDirectory));
        return string.Join('/', relative.Split(Path.DirectorySeparatorChar).Select(Uri.EscapeDataString));
    }
}
