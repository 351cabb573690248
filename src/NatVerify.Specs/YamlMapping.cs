using YamlDotNet.RepresentationModel;

namespace NatVerify.Specs;

/// <summary>
/// A YAML mapping whose keys were checked against a fixed set: every key is a plain scalar, known, and
/// (YamlDotNet already refuses duplicates) unique. Values are looked up by key with their nodes, for locations.
/// </summary>
internal sealed class YamlMapping
{
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);

    private YamlMapping(YamlMappingNode node, string what)
    {
        Node = node;
        What = what;
    }

    /// <summary>The underlying node.</summary>
    public YamlMappingNode Node { get; }

    /// <summary>What the mapping is, for messages ("the spec", "actor 'thief'", "expect").</summary>
    public string What { get; }

    /// <summary>Checks the keys of <paramref name="node"/> against <paramref name="allowed"/>.</summary>
    public static YamlMapping Read(SpecReader reader, YamlMappingNode node, string what, IReadOnlyList<string> allowed)
    {
        var mapping = new YamlMapping(node, what);
        foreach (var (keyNode, value) in node.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } scalar)
            {
                throw reader.Error(keyNode, $"keys of {what} must be plain names, not {SpecReader.Describe(keyNode)}");
            }

            if (!allowed.Contains(key))
            {
                throw reader.Error(keyNode, $"unknown key '{key}' in {what}; allowed keys: {string.Join(", ", allowed)}");
            }

            if (!mapping._entries.TryAdd(key, (scalar, value)))
            {
                throw reader.Error(keyNode, $"duplicate key '{key}' in {what}");
            }
        }

        return mapping;
    }

    /// <summary>True when the key is present.</summary>
    public bool Has(string key) => _entries.ContainsKey(key);

    /// <summary>The value node of <paramref name="key"/>, or null when absent.</summary>
    public YamlNode? Get(string key) => _entries.TryGetValue(key, out var entry) ? entry.Value : null;

    /// <summary>The key node of <paramref name="key"/>, or null when absent.</summary>
    public YamlScalarNode? KeyNode(string key) => _entries.TryGetValue(key, out var entry) ? entry.Key : null;
}
