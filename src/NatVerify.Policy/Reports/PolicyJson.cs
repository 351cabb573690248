using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace NatVerify.Policy.Reports;

/// <summary>
/// The <c>--json</c> output of <c>natverify policy</c>, schema <see cref="SchemaId"/> (docs/schema/policy.schema.json;
/// a new major version for any change that removes or renames a field).
/// </summary>
public static class PolicyJson
{
    /// <summary>The value of the top-level <c>schema</c> field.</summary>
    public const string SchemaId = "natverify-policy/1";

    /// <summary>Writes the report as indented JSON.</summary>
    public static string Write(PolicyReport report, Severity failOn)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("schema", SchemaId);
            w.WriteString("ruleset", report.RulesetFile);
            w.WriteString("format", report.Format);
            w.WriteString("profile", report.Profile);
            if (report.Context.KernelVersion is { } k)
            {
                w.WriteString("kernel", k);
            }

            w.WriteString("failOn", failOn.Name());
            // The verdict word every natverify result carries (docs/json-output.md), from the same rule as the exit code.
            w.WriteString("verdict", report.Inconclusive != null ? "inconclusive" : report.Findings.Any(f => f.Severity >= failOn) ? "violated" : "holds");
            w.WriteBoolean("complete", report.Inconclusive == null);
            if (report.Inconclusive is { } why)
            {
                w.WriteString("inconclusive", why);
            }

            w.WriteStartObject("summary");
            foreach (var s in new[] { Severity.Error, Severity.Warning, Severity.Note })
            {
                w.WriteNumber(s.Name(), report.Findings.Count(f => f.Severity == s));
            }

            w.WriteEndObject();
            w.WriteStartArray("findings");
            foreach (var f in report.Findings)
            {
                w.WriteStartObject();
                w.WriteString("class", f.Class.Name());
                w.WriteString("severity", f.Severity.Name());
                w.WriteStartArray("rules");
                foreach (var r in f.Rules)
                {
                    w.WriteStartObject();
                    w.WriteString("file", r.File);
                    w.WriteNumber("line", r.Line);
                    if (r.Handle is { } h)
                    {
                        w.WriteNumber("handle", h);
                    }

                    w.WriteString("table", r.Table);
                    w.WriteString("chain", r.Chain);
                    w.WriteString("text", r.Text);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteString("message", f.Message);
                w.WriteStartObject("consequences");
                foreach (var (profile, text) in f.ConsequenceByProfile.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    w.WriteString(profile, text);
                }

                w.WriteEndObject();
                w.WriteStartObject("numbers");
                foreach (var (name, value) in f.Numbers.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    w.WriteNumber(name, value);
                }

                w.WriteEndObject();
                if (f.WitnessPath is { } wp)
                {
                    w.WriteString("witness", wp);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("assumptions");
            foreach (var a in report.Assumptions)
            {
                w.WriteStringValue(a);
            }

            w.WriteEndArray();
            w.WriteStartObject("context");
            w.WriteStartArray("interfaces");
            foreach (var i in report.Context.Interfaces)
            {
                w.WriteStartObject();
                w.WriteString("name", i.Name);
                w.WriteStartArray("addresses");
                foreach (var a in i.Addresses)
                {
                    w.WriteStringValue($"{a.Address}/{a.PrefixLength}");
                }

                w.WriteEndArray();
                if (i.Role is { } role)
                {
                    w.WriteString("role", role);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("sockets");
            foreach (var s in report.Context.Sockets)
            {
                w.WriteStartObject();
                w.WriteString("proto", s.Protocol == Model.Addressing.L4Protocol.Tcp ? "tcp" : "udp");
                w.WriteString("local", $"{s.Address}:{s.Port}");
                w.WriteString("kind", s.Listening ? "listen" : "client");
                if (s.Name is { } n)
                {
                    w.WriteString("name", n);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
