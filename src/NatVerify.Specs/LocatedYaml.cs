using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace NatVerify.Specs;

/// <summary>
/// Loads JSON or YAML host-fact files into YamlDotNet's node tree (JSON is read as YAML flow syntax), so every
/// value keeps its line and column for errors.
/// </summary>
internal sealed class LocatedYaml(string file)
{
    /// <summary>The display path.</summary>
    public string File { get; } = file;

    /// <summary>Parses one document; empty text gives null.</summary>
    public YamlNode? Load(string text)
    {
        // Before the parser: YamlDotNet recurses once per nesting level.
        if (Input.NestingLimit.Check(text, yaml: true) is { } deep)
        {
            throw new SpecException(File, deep.Line, deep.Column, deep.Detail);
        }

        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(text));
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException e)
        {
            throw new SpecException(File, Clamp(e.Start.Line), Clamp(e.Start.Column), $"invalid JSON/YAML: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or NullReferenceException)
        {
            throw new SpecException(File, Clamp(scanner.CurrentPosition.Line), Clamp(scanner.CurrentPosition.Column),
                "invalid JSON/YAML: the parser could not continue here (is a '[', '{' or quote left unclosed?)");
        }

        if (stream.Documents.Count > 1)
        {
            throw Error(stream.Documents[1].RootNode, "the file holds more than one document");
        }

        return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
    }

    /// <summary>An error at <paramref name="node"/>.</summary>
    public SpecException Error(YamlNode node, string detail) => new(File, Clamp(node.Start.Line), Clamp(node.Start.Column), detail);

    /// <summary>The mapping, or a located error naming <paramref name="what"/>.</summary>
    public YamlMappingNode Mapping(YamlNode node, string what) =>
        node as YamlMappingNode ?? throw Error(node, $"{what} must be a mapping/object");

    /// <summary>The sequence, or a located error.</summary>
    public YamlSequenceNode Sequence(YamlNode node, string what) =>
        node as YamlSequenceNode ?? throw Error(node, $"{what} must be a list/array");

    /// <summary>The scalar text, or a located error.</summary>
    public string Scalar(YamlNode node, string what) =>
        node is YamlScalarNode { Value: { Length: > 0 } v } ? v : throw Error(node, $"{what} must be a non-empty scalar value");

    /// <summary>The value under <paramref name="key"/>, or null.</summary>
    public static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    /// <summary>Refuses keys outside <paramref name="allowed"/> (nothing the user wrote is silently ignored).</summary>
    public void OnlyKeys(YamlMappingNode map, string what, params string[] allowed)
    {
        foreach (var key in map.Children.Keys)
        {
            if (key is not YamlScalarNode { Value: { } k } || !allowed.Contains(k))
            {
                throw Error(key, $"unknown key in {what}; allowed keys: {string.Join(", ", allowed)}");
            }
        }
    }

    private static int Clamp(long v) => (int)Math.Clamp(v, 1, int.MaxValue);
}
