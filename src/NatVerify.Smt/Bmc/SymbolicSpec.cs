// The 'symbolic' key of a scenario spec
// =====================================
//
// natverify prove --bmc reads one optional top-level key that SpecLoader does not know; it is parsed here from the
// YAML text and blanked out (line numbers kept) before the rest of the spec goes to SpecLoader, which rejects
// unknown keys. Either a list of fields:
//
//   symbolic:
//     - client.sport                    # any 16-bit value
//     - thief.sport in 1024-65535       # a port range
//     - client.src in 198.51.100.0/24   # an address prefix (any 32-bit value without 'in')
//
// or a mapping that groups them by kind (each entry must then be of that kind):
//
//   symbolic: { ports: [client.sport, thief.sport], addresses: [client.src] }
//
// Fields: src, sport, dst, dport of a flow's or ctnetlink insert's original tuple, and reply-src, reply-sport,
// reply-dst, reply-dport of a ctnetlink insert's reply tuple. A field listed twice is an error. 'natverify check'
// does not read this key, so a spec that has it is only for 'prove' (SpecLoader rejects it).

using NatVerify.Model.Scenario;
using NatVerify.Specs;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace NatVerify.Smt.Bmc;

/// <summary>The fields of a spec that bounded model checking treats symbolically (format at the top of this file).</summary>
public sealed class SymbolicSpec
{
    /// <summary>The name of the top-level key.</summary>
    public const string Key = "symbolic";

    private SymbolicSpec(IReadOnlyList<SymbolicField> fields) => Fields = fields;

    /// <summary>No symbolic field: every value is the spec's.</summary>
    public static SymbolicSpec None { get; } = new([]);

    /// <summary>The symbolic fields, in the order given.</summary>
    public IReadOnlyList<SymbolicField> Fields { get; }

    /// <summary>
    /// Reads a spec file for <c>prove</c>: the <c>symbolic</c> key (if any) and the scenario spec without it.
    /// </summary>
    /// <exception cref="SpecException">The file cannot be read, the key is malformed, or the rest is not a valid spec.</exception>
    public static (ScenarioSpec Spec, SymbolicSpec Symbolic) LoadFile(string path) => LoadFile(path, Specs.Input.SpecLoadOptions.Default);

    /// <summary>Reads a spec file for <c>prove</c> with explicit load options (which files <c>ruleset-file</c> may name).</summary>
    /// <exception cref="SpecException">The file cannot be read, the key is malformed, or the rest is not a valid spec.</exception>
    public static (ScenarioSpec Spec, SymbolicSpec Symbolic) LoadFile(string path, Specs.Input.SpecLoadOptions options) =>
        Parse(SpecLoader.ReadSpecText(path), path, options);

    /// <summary>Parses spec text with an optional <c>symbolic</c> key; see <see cref="LoadFile(string)"/>.</summary>
    public static (ScenarioSpec Spec, SymbolicSpec Symbolic) Parse(string yamlText, string file) => Parse(yamlText, file, Specs.Input.SpecLoadOptions.Default);

    /// <summary>Parses spec text with an optional <c>symbolic</c> key and explicit load options.</summary>
    public static (ScenarioSpec Spec, SymbolicSpec Symbolic) Parse(string yamlText, string file, Specs.Input.SpecLoadOptions options)
    {
        var (stripped, fields) = Extract(yamlText, file);
        var spec = SpecLoader.Parse(stripped, file, options);
        var accepted = new List<SymbolicField>();
        foreach (var (field, line, column) in fields)
        {
            var error = new SymbolicSpec(accepted).ValidateField(spec.Model, field);
            if (error is not null)
            {
                throw new SpecException(file, line, column, error);
            }

            accepted.Add(field);
        }

        return (spec, new SymbolicSpec(accepted));
    }

    /// <summary>Adds fields given on the command line (<c>--symbolic</c>), validated against the scenario.</summary>
    /// <exception cref="ArgumentException">A field is malformed, unknown for its actor, or given twice.</exception>
    public SymbolicSpec With(ScenarioModel scenario, IEnumerable<string> texts)
    {
        var fields = Fields.ToList();
        foreach (var text in texts)
        {
            var error = SymbolicField.TryParse(text, out var field);
            error ??= new SymbolicSpec(fields).ValidateField(scenario, field!);
            if (error is not null)
            {
                throw new ArgumentException($"--symbolic {text}: {error}");
            }

            fields.Add(field!);
        }

        return new SymbolicSpec(fields);
    }

    /// <summary>The symbolic field of an actor, or null when the spec's value is used.</summary>
    public SymbolicField? Find(string actor, string field) => Fields.FirstOrDefault(f => f.Actor == actor && f.Field == field);

    private string? ValidateField(ScenarioModel scenario, SymbolicField field)
    {
        var index = scenario.IndexOf(field.Actor);
        if (index < 0)
        {
            return $"no actor '{field.Actor}'; actors: {string.Join(", ", scenario.Actors.Select(a => a.Name))}";
        }

        switch (scenario.Actors[index])
        {
            case FlowActor when field.IsReply:
                return $"{field.Actor} is a flow: its reply tuple is the inverse of its original one; use src, sport, dst or dport";
            case FlowActor or CtnetlinkInsert:
                break;
            default:
                return $"{field.Actor} has no tuple (only flows and ctnetlink inserts do)";
        }

        return Fields.Any(f => f.Actor == field.Actor && f.Field == field.Field)
            ? $"{field.Actor}.{field.Field} is listed twice"
            : null;
    }

    private static (string Stripped, List<(SymbolicField Field, int Line, int Column)> Fields) Extract(string text, string file)
    {
        var fields = new List<(SymbolicField, int, int)>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException)
        {
            // Not valid YAML: SpecLoader reports it with its own location.
            return (text, fields);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return (text, fields);
        }

        YamlScalarNode? keyNode = null;
        YamlNode? value = null;
        foreach (var (k, v) in root.Children)
        {
            if (k is YamlScalarNode { Value: Key } s)
            {
                keyNode = s;
                value = v;
            }
        }

        if (keyNode is null || value is null)
        {
            return (text, fields);
        }

        switch (value)
        {
            case YamlSequenceNode list:
                ReadList(list, null, file, fields);
                break;
            case YamlMappingNode groups:
                foreach (var (k, v) in groups.Children)
                {
                    var kind = (k as YamlScalarNode)?.Value;
                    if (kind is not ("ports" or "addresses"))
                    {
                        throw new SpecException(file, Line(k.Start), Col(k.Start), $"unknown key '{kind}' under '{Key}'; allowed: ports, addresses");
                    }

                    if (v is not YamlSequenceNode l)
                    {
                        throw new SpecException(file, Line(v.Start), Col(v.Start), $"'{kind}' must be a list of ACTOR.FIELD");
                    }

                    ReadList(l, kind == "ports", file, fields);
                }

                break;
            default:
                throw new SpecException(file, Line(value.Start), Col(value.Start), $"'{Key}' must be a list of ACTOR.FIELD or a mapping with 'ports' and 'addresses' lists");
        }

        // Blank the key's lines so SpecLoader sees the rest unchanged, at the same lines and columns.
        var lines = text.Split('\n');
        var first = Line(keyNode.Start) - 1;
        var last = Col(value.End) > 1 ? Line(value.End) - 1 : Line(value.End) - 2;
        for (var i = first; i <= last && i < lines.Length; i++)
        {
            lines[i] = lines[i].EndsWith('\r') ? "\r" : string.Empty;
        }

        return (string.Join('\n', lines), fields);
    }

    private static void ReadList(YamlSequenceNode list, bool? ports, string file, List<(SymbolicField, int, int)> fields)
    {
        foreach (var item in list.Children)
        {
            if (item is not YamlScalarNode { Value: { Length: > 0 } text })
            {
                throw new SpecException(file, Line(item.Start), Col(item.Start), "expected ACTOR.FIELD [in RANGE]");
            }

            var error = SymbolicField.TryParse(text, out var field);
            if (error is null && ports is { } p && field!.IsPort != p)
            {
                error = $"'{field.Field}' is {(field.IsPort ? "a port" : "an address")}, not listed under '{(p ? "ports" : "addresses")}'";
            }

            if (error is not null)
            {
                throw new SpecException(file, Line(item.Start), Col(item.Start), error);
            }

            fields.Add((field!, Line(item.Start), Col(item.Start)));
        }
    }

    private static int Line(Mark m) => (int)Math.Max(1, m.Line);

    private static int Col(Mark m) => (int)Math.Max(1, m.Column);
}
