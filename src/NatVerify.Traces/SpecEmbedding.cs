using System.Security.Cryptography;
using System.Text;
using NatVerify.Specs;
using YamlDotNet.RepresentationModel;

namespace NatVerify.Traces;

/// <summary>Embeds a spec's text in a trace (self-contained, hashed) and loads it back.</summary>
public static class SpecEmbedding
{
    /// <summary>
    /// The embedded form of a spec loaded from <paramref name="yamlText"/>: the text as written, or, when it names a
    /// <c>ruleset-file</c> or <c>addresses-file</c>, the spec written back by <see cref="SpecWriter"/> with the ruleset and
    /// the interfaces inlined, so that a
    /// trace never depends on another file.
    /// </summary>
    public static EmbeddedSpec Embed(ScenarioSpec spec, string yamlText, string source)
    {
        var text = UsesOtherFiles(yamlText) ? SpecWriter.Write(SpecDraft.From(spec)) : yamlText;
        return new EmbeddedSpec(spec.Name, source, Sha256(text), text);
    }

    /// <summary>Embeds a spec written from a draft (the minimiser's output).</summary>
    public static EmbeddedSpec Embed(SpecDraft draft, string source)
    {
        var text = SpecWriter.Write(draft);
        return new EmbeddedSpec(draft.Name, source, Sha256(text), text);
    }

    /// <summary>Lower-case hex SHA-256 of the text's UTF-8 bytes.</summary>
    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// Parses the embedded spec after checking its hash.
    /// </summary>
    /// <param name="embedded">The embedded spec.</param>
    /// <param name="traceFile">The trace file's display path; errors in the spec are reported as <c>TRACE#spec:LINE:COL</c>.</param>
    /// <exception cref="TraceFormatException">The text does not match its hash.</exception>
    /// <exception cref="SpecException">The text is not a valid spec.</exception>
    public static ScenarioSpec Load(EmbeddedSpec embedded, string traceFile)
    {
        var actual = Sha256(embedded.Text);
        if (!string.Equals(actual, embedded.Sha256, StringComparison.Ordinal))
        {
            throw new TraceFormatException(traceFile, $"the embedded spec's text does not match its sha256 (recorded {embedded.Sha256}, actual {actual}): the trace was edited; to replay against another spec use --spec FILE");
        }

        return SpecLoader.Parse(embedded.Text, traceFile + "#spec", Specs.Input.SpecLoadOptions.Embedded);
    }

    private static bool UsesOtherFiles(string yamlText)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yamlText));
            return stream.Documents.Count > 0
                && stream.Documents[0].RootNode is YamlMappingNode map
                && map.Children.Keys.OfType<YamlScalarNode>().Any(k => k.Value is "ruleset-file" or "addresses-file");
        }
        catch (YamlDotNet.Core.YamlException)
        {
            // The text parsed as a spec a moment ago; if YamlDotNet disagrees now, keep the text as written.
            return false;
        }
    }
}
