using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NatVerify.Model.Nat;

namespace NatVerify.Specs.Nft;

/// <summary>
/// Reads <c>nft -j list ruleset</c> output (libnftables' JSON schema, <c>{"nftables": [...]}</c>) onto the rule model.
/// Every rule keeps the line and column of its object, its handle and its index in the <c>nftables</c> array.
/// </summary>
public static class NftJsonParser
{
    /// <summary>Largest input accepted, checked before any parsing.</summary>
    public const int MaxBytes = 64 * 1024 * 1024;

    /// <summary>Deepest nesting accepted (nft's own output stays below 20).</summary>
    public const int MaxDepth = 64;

    /// <summary>Parses a JSON ruleset; bad or unmodelled input is a located <see cref="SpecException"/>.</summary>
    /// <param name="text">The JSON text.</param>
    /// <param name="file">Display name for locations.</param>
    /// <param name="options">Over-approximation choice; default: every unmodelled construct is an error.</param>
    /// <param name="firstLine">Line of <paramref name="text"/>'s first line in <paramref name="file"/> (inline rulesets in a spec).</param>
    /// <param name="firstColumn">Column in <paramref name="file"/> of column 1 of every line of <paramref name="text"/>.</param>
    public static NatRuleset Parse(string text, string file, NftParseOptions? options = null, int firstLine = 1, int firstColumn = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length > MaxBytes)
        {
            throw new SpecException(file, 1, 1, $"JSON ruleset is {bytes.Length} bytes; the limit is {MaxBytes}");
        }

        var lines = new LineMap(bytes);
        var starts = new List<long>();
        JsonNode? root;
        try
        {
            // First pass: where each element of the top-level "nftables" array starts, for locations.
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
            var inArray = false;
            string? property = null;
            while (reader.Read())
            {
                if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName)
                {
                    property = reader.GetString();
                }
                else if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.StartArray && property == "nftables")
                {
                    inArray = true;
                }
                else if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.EndArray)
                {
                    inArray = false;
                }
                else if (inArray && reader.CurrentDepth == 2 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray
                         or JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null)
                {
                    starts.Add(reader.TokenStartIndex);
                }
            }

            // nft never writes a key twice; a JsonObject holding one throws on its first lookup (found by the AFL
            // harness), so the parse refuses it with a location instead.
            root = JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? 0) + firstLine;
            var column = (int)(ex.BytePositionInLine ?? 0) + firstColumn;
            throw new SpecException(file, line, column, $"invalid JSON: {FirstSentence(ex.Message)}");
        }

        if (root is not JsonObject top || top["nftables"] is not JsonArray array)
        {
            throw new SpecException(file, firstLine, firstColumn, "expected a JSON object with an 'nftables' array (the output of 'nft -j list ruleset')");
        }

        var items = new List<NftItem>();
        for (var i = 0; i < array.Count; i++)
        {
            var (line, column) = i < starts.Count ? lines.Position(starts[i]) : (1, 1);
            (line, column) = (line + firstLine - 1, column + firstColumn - 1);
            if (array[i] is not JsonObject o || o.Count != 1)
            {
                throw new SpecException(file, line, column, "each element of 'nftables' must be an object with one key");
            }

            var (kind, body) = o.First();
            if (kind == "metainfo")
            {
                continue;
            }

            if (body is not JsonObject b)
            {
                throw new SpecException(file, line, column, $"'{kind}' must be an object");
            }

            long? handle = b["handle"] is JsonValue hv && hv.TryGetValue<long>(out var h) ? h : null;
            var location = new RuleLocation(file, line, column) { Handle = handle, JsonIndex = i };
            if (kind == "rule")
            {
                var copy = (JsonObject)b.DeepClone();
                // Named in nft text syntax, as `nft list ruleset` prints it, so reports read the same for both notations.
                try
                {
                    copy["text"] = NftJsonText.Rule(b);
                }
                catch (Exception ex) when (ex is InvalidCastException or InvalidOperationException or FormatException or OverflowException or ArgumentException)
                {
                    // A duplicate key or a node of an unexpected shape inside the rule.
                    throw new SpecException(file, line, column, $"unexpected JSON shape in the rule: {ex.Message}", ex);
                }

                b = copy;
            }

            items.Add(new NftItem(kind, b, location));
        }

        try
        {
            return new NftLowering(file, RuleSource.NftJson, options ?? NftParseOptions.Default).Lower(items);
        }
        catch (Exception ex) when (ex is InvalidCastException or InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            // A JSON node of an unexpected shape (a number where an object belongs, ...): still a located complaint.
            throw new SpecException(file, firstLine, firstColumn, $"unexpected JSON shape in the ruleset: {ex.Message}", ex);
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    /// <summary>Byte offset to 1-based line and column (columns counted in bytes, as the JSON reader reports).</summary>
    private sealed class LineMap
    {
        private readonly List<long> _lineStarts = [0];

        public LineMap(byte[] bytes)
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                if (bytes[i] == (byte)'\n')
                {
                    _lineStarts.Add(i + 1);
                }
            }
        }

        public (int Line, int Column) Position(long offset)
        {
            var index = _lineStarts.BinarySearch(offset);
            if (index < 0)
            {
                index = ~index - 1;
            }

            return (index + 1, (int)(offset - _lineStarts[index]) + 1);
        }
    }
}
