using NatVerify.Model;
using NatVerify.Model.Addressing;
using NatVerify.Model.Nat;
using NatVerify.Model.Properties;
using NatVerify.Model.Scenario;
using NatVerify.Model.Semantics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace NatVerify.Specs;

/// <summary>
/// Turns one spec document (YamlDotNet's representation model, so every node keeps its location) into a
/// <see cref="ScenarioSpec"/>. The format is documented at the top of <c>SpecLoader.cs</c>.
/// </summary>
internal sealed class SpecReader
{
    private static readonly string[] TopKeys =
    [
        "name", "description", "profile", "tags", "interfaces", "addresses-file", "ruleset", "ruleset-file", "actors", "pools", "schedule", "order",
        "properties", "expect",
    ];

    private static readonly string[] ActorKinds = ["flow", "conntrack", "timeout", "close"];
    private static readonly string[] FlowKeys = ["name", "flow", "proto", "icmp-id", "mark", "path", "in", "out", "retries"];
    private static readonly string[] CloseKeys = ["name", "close", "how"];
    private static readonly string[] ConntrackKeys = ["name", "conntrack"];
    private static readonly string[] TimeoutKeys = ["name", "timeout"];
    private static readonly string[] PoolKeys = ["name", "proto", "source", "destination", "entries"];
    private static readonly string[] ExpectKeys = ["verdict", "violated", "outcomes", "combinations", "mutants"];
    private static readonly string[] Milestones = ["start", "dst-nat", "src-nat", "confirm"];

    private readonly string _file;
    private readonly Input.SpecLoadOptions _options;
    private readonly Dictionary<string, Ipv4> _interfaces = new(StringComparer.Ordinal);
    private readonly List<InterfaceInfo> _interfaceInfos = [];
    private bool _severalAddresses;
    private readonly List<ActorEntry> _entries = [];
    private readonly Dictionary<string, ActorEntry> _byName = new(StringComparer.Ordinal);

    /// <summary>Prepares to read a spec whose errors are reported against <paramref name="file"/>.</summary>
    public SpecReader(string file, Input.SpecLoadOptions? options = null)
    {
        _file = file;
        _options = options ?? Input.SpecLoadOptions.Default;
    }

    /// <summary>Parses the spec text; YamlDotNet's exceptions are left to the caller to translate.</summary>
    public ScenarioSpec Read(string yamlText)
    {
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(yamlText));
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or NullReferenceException)
        {
            // YamlDotNet's scanner fails this way on some malformed input (e.g. an unclosed '[' running into a
            // block mapping); where it stopped is the best location there is.
            throw new SpecException(
                _file, Clamp(scanner.CurrentPosition.Line), Clamp(scanner.CurrentPosition.Column),
                "invalid YAML: the parser could not continue here (is a '[', '{' or quote left unclosed?)", ex);
        }

        if (stream.Documents.Count == 0)
        {
            throw new SpecException(_file, 1, 1, "the spec is empty");
        }

        if (stream.Documents.Count > 1)
        {
            throw Error(stream.Documents[1].RootNode, "a spec file holds exactly one YAML document");
        }

        var rootNode = stream.Documents[0].RootNode;
        if (rootNode is not YamlMappingNode rootMapping)
        {
            throw Error(rootNode, $"the spec must be a mapping of keys ({string.Join(", ", TopKeys)}), not {Describe(rootNode)}");
        }

        var top = YamlMapping.Read(this, rootMapping, "the spec", TopKeys);
        var name = ReadSpecName(top);
        var description = RequiredText(top, "description").TrimEnd();
        var profile = ReadProfile(top);
        var tags = ReadTags(top);
        ReadInterfaces(top);
        var (ruleset, rulesetText) = ReadRuleset(top, yamlText);
        var actors = ReadActors(top);
        var sequential = ReadSchedule(top);
        var constraints = ReadOrder(top);
        var properties = ReadProperties(top);
        var expect = ReadExpect(top, properties);

        var model = new ScenarioModel(name, ruleset, _interfaces, actors, constraints, sequential)
        {
            // Interfaces with several addresses need them all (MASQUERADE's inet_select_addr, addrtype LOCAL).
            Interfaces = _severalAddresses ? _interfaceInfos : [],
        };
        model = model with { Pools = ReadPools(top, model) };
        RequireSomeActorCanRun(model, profile, top.Get("order") ?? rootNode);
        return new ScenarioSpec(_file, name, description, profile, rulesetText, model, properties, expect, tags);
    }

    // Acyclic constraints always leave some actor free to start; this is the general guard for anything else that
    // blocks every actor, which would otherwise be "verified" as a vacuous HOLDS over a single state.
    private void RequireSomeActorCanRun(ScenarioModel model, Model.KernelProfile profile, YamlNode at)
    {
        if (model.Actors.Count == 0)
        {
            return;
        }

        var semantics = new Model.Semantics.NatSemantics(model, profile);
        var sink = new List<(Model.Steps.NatStep, Model.State.NatState)>();
        semantics.Successors(semantics.Initial, sink);
        if (sink.Count == 0)
        {
            throw Error(at, "no actor could run: every actor's first step waits for another (check the 'order' constraints)");
        }
    }

    /// <summary>An error at the start of <paramref name="node"/>.</summary>
    public SpecException Error(YamlNode node, string detail) => new(_file, Clamp(node.Start.Line), Clamp(node.Start.Column), detail);

    /// <summary>YamlDotNet marks are 64-bit; spec files are far smaller than 2^31 lines.</summary>
    public static int Clamp(long value) => (int)Math.Clamp(value, 1, int.MaxValue);

    /// <summary>Names a node's shape for "must be X, not Y" messages.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s when IsNull(s) => "an empty value",
        YamlScalarNode => "a single value",
        _ => "an alias",
    };

    private static bool IsNull(YamlScalarNode node) =>
        node.Style == ScalarStyle.Plain && node.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private SpecException ErrorAt(YamlScalarNode node, int offset, string detail)
    {
        var (line, column) = At(node, offset);
        return new SpecException(_file, line, column, detail);
    }

    /// <summary>
    /// Where character <paramref name="offset"/> of a scalar's value sits, when the value is the source text
    /// (single-line plain, or quoted without escapes); otherwise the scalar's start.
    /// </summary>
    private static (int Line, int Column) At(YamlScalarNode node, int offset)
    {
        var length = node.Value?.Length ?? 0;
        var line = Clamp(node.Start.Line);
        var column = Clamp(node.Start.Column);
        if (node.Start.Line == node.End.Line && offset >= 0 && offset <= length)
        {
            var width = node.End.Column - node.Start.Column;
            if (node.Style == ScalarStyle.Plain && width == length)
            {
                return (line, column + offset);
            }

            if (node.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted && width == length + 2)
            {
                return (line, column + 1 + offset);
            }
        }

        return (line, column);
    }

    /// <summary>Where a scalar's first character sits: after the quote for quoted scalars.</summary>
    private static (int Line, int Column) ContentStart(YamlScalarNode node) =>
        node.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted
            ? (Clamp(node.Start.Line), Clamp(node.Start.Column) + 1)
            : (Clamp(node.Start.Line), Clamp(node.Start.Column));

    private YamlScalarNode Scalar(YamlNode node, string what)
    {
        if (node is not YamlScalarNode scalar)
        {
            throw Error(node, $"{what} must be a single value, not {Describe(node)}");
        }

        if (IsNull(scalar))
        {
            throw Error(node, $"{what} has no value");
        }

        return scalar;
    }

    private YamlSequenceNode Sequence(YamlNode node, string what) =>
        node as YamlSequenceNode ?? throw Error(node, $"{what} must be a list, not {Describe(node)}");

    private YamlMappingNode Mapping(YamlNode node, string what) =>
        node as YamlMappingNode ?? throw Error(node, $"{what} must be a mapping, not {Describe(node)}");

    private YamlNode Required(YamlMapping mapping, string key) =>
        mapping.Get(key) ?? throw Error(mapping.Node, $"{mapping.What} is missing the required key '{key}'");

    private string RequiredText(YamlMapping mapping, string key) => Scalar(Required(mapping, key), $"'{key}'").Value!;

    private string ReadSpecName(YamlMapping top)
    {
        var node = Scalar(Required(top, "name"), "'name'");
        var bad = FirstBadNameChar(node.Value!, allowUnderscore: false);
        if (bad >= 0)
        {
            throw ErrorAt(node, bad, $"name '{node.Value}' may only contain a-z, 0-9 and '-'");
        }

        return node.Value!;
    }

    private static int FirstBadNameChar(string name, bool allowUnderscore)
    {
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-' || (allowUnderscore && c == '_')))
            {
                return i;
            }
        }

        return -1;
    }

    private KernelProfile ReadProfile(YamlMapping top)
    {
        if (top.Get("profile") is not { } node)
        {
            return KernelProfile.Linux612;
        }

        var scalar = Scalar(node, "'profile'");
        return KernelProfile.Find(scalar.Value!) ?? throw Error(scalar,
            $"unknown profile '{scalar.Value}' (known: {string.Join(", ", KernelProfile.All.Select(p => p.Name))}, or a kernel version from 4.19 on such as 6.18)");
    }

    private List<string> ReadTags(YamlMapping top)
    {
        var tags = new List<string>();
        if (top.Get("tags") is not { } node)
        {
            return tags;
        }

        foreach (var item in Sequence(node, "'tags'").Children)
        {
            var tag = Scalar(item, "a tag");
            if (tags.Contains(tag.Value!))
            {
                throw Error(tag, $"tag '{tag.Value}' is given twice");
            }

            tags.Add(tag.Value!);
        }

        return tags;
    }

    private void ReadInterfaces(YamlMapping top)
    {
        if (top.Get("addresses-file") is { } fileNode)
        {
            if (top.Get("interfaces") is not null)
            {
                throw Error(top.KeyNode("addresses-file")!, "give either 'interfaces' or 'addresses-file', not both");
            }

            ReadAddressesFile(Scalar(fileNode, "'addresses-file'"));
            return;
        }

        if (top.Get("interfaces") is not { } node)
        {
            return;
        }

        foreach (var (keyNode, valueNode) in Mapping(node, "'interfaces'").Children)
        {
            var key = Scalar(keyNode, "an interface name");
            var name = key.Value!;
            if (name.Length > 15 || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '+' or ':'))
            {
                throw Error(key, $"bad interface name '{name}': 1-15 characters without spaces, '/', '+' or ':'");
            }

            // One address, or a list of them in the kernel's order (the first of a subnet is its primary address).
            var values = valueNode is YamlSequenceNode list
                ? list.Children.Select(c => Scalar(c, $"an address of interface '{name}'")).ToList()
                : [Scalar(valueNode, $"the address of interface '{name}'")];
            if (values.Count == 0)
            {
                throw Error(valueNode, $"interface '{name}' needs at least one address");
            }

            _severalAddresses |= valueNode is YamlSequenceNode;
            var addresses = new List<InterfaceAddress>();
            foreach (var value in values)
            {
                var text = value.Value!;
                var slash = text.IndexOf('/');
                var addressText = slash < 0 ? text : text[..slash];
                if (!Ipv4.TryParse(addressText, out var address))
                {
                    throw Error(value, $"bad IPv4 address '{text}' for interface '{name}': expected a.b.c.d or a.b.c.d/len{Ipv4.Hint(addressText)}");
                }

                Cidr cidr = default;
                if (slash >= 0 && !Cidr.TryParse(text, out cidr))
                {
                    throw ErrorAt(value, slash + 1, $"bad prefix length '{text[(slash + 1)..]}': expected 0-32");
                }

                if (addresses.Any(a => a.Address == address))
                {
                    throw Error(value, $"address {address} is listed twice for interface '{name}'");
                }

                addresses.Add(new InterfaceAddress(address, slash < 0 ? 32 : cidr.PrefixLength));
            }

            _interfaces[name] = addresses[0].Address;
            _interfaceInfos.Add(new InterfaceInfo(name, addresses));
        }
    }

    /// <summary>
    /// <c>addresses-file</c>: <c>ip -j addr show</c> output (<see cref="IpAddrReader"/>), read under the same rules as
    /// <c>ruleset-file</c>. Every link with an IPv4 address becomes an interface with all of them, in the kernel's order;
    /// the loopback device (<c>lo</c>, which every host has and specs never declare) and links without an IPv4 address
    /// are left out, IPv6 addresses too (the model is IPv4 only), as docs/spec-format.md says.
    /// </summary>
    private void ReadAddressesFile(YamlScalarNode scalar)
    {
        var path = ReferencedPath(scalar, "addresses-file", "'interfaces:'");
        string text;
        try
        {
            text = Input.InputFile.ReadText(path, _options.MaxFileBytes);
        }
        catch (Input.InputFileException ex)
        {
            throw Error(scalar, $"cannot read addresses file '{scalar.Value}': {ex.Message}");
        }

        // A spec must not make NatVerify print another file: anything but a JSON array is refused unseen.
        var trimmed = text.TrimStart();
        if (trimmed.Length > 0 && trimmed[0] != '[')
        {
            throw Error(scalar, $"addresses file '{scalar.Value}' is not 'ip -j addr show' output: it must be a JSON array (its content is not shown)");
        }

        IReadOnlyList<InterfaceInfo> links;
        try
        {
            links = IpAddrReader.Parse(text, path, new List<string>());
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new SpecException(path, Clamp(ex.Start.Line), Clamp(ex.Start.Column), "invalid JSON (its content is not shown)", ex);
        }

        foreach (var link in links)
        {
            if (link.Name == "lo" || link.Addresses.Count == 0)
            {
                continue;
            }

            if (link.Name.Length > 15 || link.Name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '+' or ':'))
            {
                throw Error(scalar, $"addresses file '{scalar.Value}' names an interface that is not a valid name (1-15 characters without spaces, '/', '+' or ':')");
            }

            _interfaces[link.Name] = link.Addresses[0].Address;
            _interfaceInfos.Add(new InterfaceInfo(link.Name, link.Addresses));
        }

        // All addresses with their prefixes: MASQUERADE's inet_select_addr and secondary addresses depend on them.
        _severalAddresses = _interfaceInfos.Count > 0;
    }

    private (NatRuleset Ruleset, string Text) ReadRuleset(YamlMapping top, string yamlText)
    {
        var inline = top.Get("ruleset");
        var fromFile = top.Get("ruleset-file");
        if (inline is not null && fromFile is not null)
        {
            throw Error(top.KeyNode("ruleset-file")!, "give either 'ruleset' or 'ruleset-file', not both");
        }

        if (inline is not null)
        {
            var scalar = Scalar(inline, "'ruleset'");
            if (scalar.Style != ScalarStyle.Literal)
            {
                throw Error(scalar, "'ruleset' must be a literal block scalar ('ruleset: |' followed by the indented iptables-save or nft text)");
            }

            var (firstLine, firstColumn) = BlockContentStart(scalar, yamlText);
            var parsed = RulesetReader.Parse(scalar.Value!, _file, firstLine: firstLine, firstColumn: firstColumn);
            ChainGraph.CheckNoLoops(parsed, _file, firstColumn);
            return (Interpretable(parsed, _file), scalar.Value!);
        }

        if (fromFile is not null)
        {
            var scalar = Scalar(fromFile, "'ruleset-file'");
            var path = RulesetPath(scalar);
            string text;
            try
            {
                text = Input.InputFile.ReadText(path, _options.MaxFileBytes);
            }
            catch (Input.InputFileException ex)
            {
                throw Error(scalar, $"cannot read ruleset file '{scalar.Value}': {ex.Message}");
            }

            // The parser's errors quote the offending text; for a file that is not a ruleset at all (a key, a password
            // file) only the location is reported, so a spec cannot make NatVerify print another file's content.
            var first = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#'));
            if (first is not null && RulesetReader.Detect(text) == RulesetFormat.IptablesSave && !first.StartsWith('*'))
            {
                throw Error(scalar, $"ruleset file '{scalar.Value}' is not a ruleset: its first line that is not a comment must be an iptables-save '*table' line, an nft 'table' line or nft JSON (its content is not shown)");
            }

            var parsed = RulesetReader.Parse(text, path);
            ChainGraph.CheckNoLoops(parsed, path);
            return (Interpretable(parsed, path), text);
        }

        return (NatRuleset.None, string.Empty);
    }

    // The parser reads every table; the semantics does not interpret all of it yet. Refusing here, at the construct's
    // location, keeps a prediction from silently leaving out a rule that changes what conntrack or NAT does.
    private static NatRuleset Interpretable(NatRuleset ruleset, string file)
    {
        var missing = Model.Semantics.RuleSupport.Uninterpreted(ruleset);
        if (missing.Count == 0)
        {
            return ruleset;
        }

        var first = missing[0];
        var more = missing.Count > 1 ? $" ({NumberText.Show(missing.Count - 1)} more such construct(s) follow)" : string.Empty;
        var location = first.Location ?? new RuleLocation(file, 1, 1);
        throw new SpecException(location.File, location.Line, location.Column,
            $"{first.Construct} is parsed but not interpreted by the model yet ({first.Why}); checking without it would predict "
            + $"the wrong outcomes{more}");
    }

    /// <summary>
    /// The file <c>ruleset-file</c> names, if the load options allow it: relative to the spec's directory and inside
    /// it (after resolving '..'; symbolic links are followed when read), unless any file is allowed.
    /// </summary>
    private string RulesetPath(YamlScalarNode scalar) => ReferencedPath(scalar, "ruleset-file", "'ruleset: |'");

    /// <summary>The file a <paramref name="key"/> such as <c>ruleset-file</c> names, under the load options' rules.</summary>
    private string ReferencedPath(YamlScalarNode scalar, string key, string inline)
    {
        var name = scalar.Value!;
        if (_options.Files == Input.SpecFileAccess.None)
        {
            throw Error(scalar, $"'{key}' is not allowed here: a spec embedded in a trace must be self-contained (use {inline})");
        }

        if (name.Any(char.IsControl))
        {
            throw Error(scalar, $"'{key}' contains a control character");
        }

        var directory = Path.GetFullPath(Path.GetDirectoryName(Path.GetFullPath(_file)) ?? ".");
        var path = Path.GetFullPath(Path.Combine(directory, name));
        if (_options.Files == Input.SpecFileAccess.SpecDirectory)
        {
            var root = directory.EndsWith(Path.DirectorySeparatorChar) ? directory : directory + Path.DirectorySeparatorChar;
            var real = ResolveLinks(path);
            if (Path.IsPathRooted(name) || !path.StartsWith(root, StringComparison.Ordinal) || !real.StartsWith(ResolveLinks(directory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw Error(scalar, $"'{key}' must name a file in the spec's directory or below it (got '{name}')");
            }
        }

        return path;
    }

    /// <summary>The path with every symbolic link on it resolved (as far as the path exists).</summary>
    private static string ResolveLinks(string path)
    {
        try
        {
            var full = Path.GetFullPath(path);
            var parts = full.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            var current = Path.GetPathRoot(full) ?? "/";
            for (var i = 0; i < parts.Length; i++)
            {
                var next = Path.Combine(current, parts[i]);
                var target = new FileInfo(next).LinkTarget is not null ? File.ResolveLinkTarget(next, returnFinalTarget: true) : null;
                current = target is null ? next : Path.GetFullPath(target.FullName);
            }

            return current;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return path;
        }
    }

    /// <summary>
    /// Where a literal block scalar's text starts: the line after its '|' indicator, at the content indentation
    /// (the first non-blank line's source indentation minus the spaces the value itself keeps).
    /// </summary>
    private static (int Line, int Column) BlockContentStart(YamlScalarNode scalar, string yamlText)
    {
        var firstLine = Clamp(scalar.Start.Line) + 1;
        var sourceLines = yamlText.Split('\n');
        var valueLines = scalar.Value!.Split('\n');
        for (var i = 0; i < valueLines.Length; i++)
        {
            var valueLine = valueLines[i].TrimEnd('\r');
            var sourceIndex = firstLine - 1 + i;
            if (valueLine.Trim().Length == 0 || sourceIndex >= sourceLines.Length)
            {
                continue;
            }

            var indent = LeadingSpaces(sourceLines[sourceIndex]) - LeadingSpaces(valueLine);
            return (firstLine, Math.Max(indent, 0) + 1);
        }

        return (firstLine, 1);
    }

    private static int LeadingSpaces(string text)
    {
        var n = 0;
        while (n < text.Length && text[n] == ' ')
        {
            n++;
        }

        return n;
    }

    /// <summary>
    /// <c>pools:</c>: entries that hold ports of a range before the run (<see cref="PortPool"/>). Read after the actors,
    /// since a pool may only hold ports no actor names.
    /// </summary>
    private List<PortPool> ReadPools(YamlMapping top, ScenarioModel model)
    {
        if (top.Get("pools") is not { } node)
        {
            return [];
        }

        var list = Sequence(node, "'pools'");
        if (list.Children.Count == 0)
        {
            throw Error(list, "'pools' must list at least one pool (or be left out)");
        }

        if (list.Children.Count > PortPool.MaxPools)
        {
            throw Error(list.Children[PortPool.MaxPools], $"at most {PortPool.MaxPools} pools are supported, this spec has {NumberText.Show(list.Children.Count)}");
        }

        if (_entries.FirstOrDefault(e => e.Actor is CtnetlinkDelete) is { } delete)
        {
            throw Error(delete.NameNode, $"conntrack -D actor '{delete.Name}' next to 'pools' is not modelled: a filter may match a pool's entries, which are not actors");
        }

        var named = new HashSet<int>(model.NamedPorts());
        var pools = new List<PortPool>();
        var entryNodes = new List<YamlScalarNode>();
        var names = new Dictionary<string, YamlScalarNode>(StringComparer.Ordinal);
        foreach (var item in list.Children)
        {
            var map = YamlMapping.Read(this, Mapping(item, "a pool"), "a pool", PoolKeys);
            var nameNode = Scalar(Required(map, "name"), "the pool's 'name'");
            var bad = FirstBadNameChar(nameNode.Value!, allowUnderscore: true);
            if (bad >= 0)
            {
                throw ErrorAt(nameNode, bad, $"pool name '{nameNode.Value}' may only contain a-z, 0-9, '-' and '_'");
            }

            if (_byName.ContainsKey(nameNode.Value!) || names.ContainsKey(nameNode.Value!))
            {
                throw Error(nameNode, $"pool name '{nameNode.Value}' is already the name of an actor or another pool");
            }

            names[nameNode.Value!] = nameNode;
            var proto = L4Protocol.Tcp;
            if (map.Get("proto") is { } protoNode)
            {
                var scalar = Scalar(protoNode, "'proto'");
                proto = scalar.Value switch
                {
                    "tcp" => L4Protocol.Tcp,
                    "udp" => L4Protocol.Udp,
                    _ => throw Error(scalar, $"pool proto must be tcp or udp (a pool holds source ports), not '{scalar.Value}'"),
                };
            }

            var source = Scalar(Required(map, "source"), "'source'");
            var (address, range) = ReadAddressPorts(source, "source", allowRange: true);
            var destination = Scalar(Required(map, "destination"), "'destination'");
            var (dst, dstRange) = ReadAddressPorts(destination, "destination", allowRange: false);

            // The limit comes first: a number is checked against the range before anything is built from it.
            var entriesNode = Scalar(Required(map, "entries"), "'entries'");
            if (!NumberText.TryParseUInt32(entriesNode.Value!, out var entries) || entries < 1 || entries > range.Size)
            {
                throw Error(entriesNode, $"bad entries '{entriesNode.Value}': expected 1-{NumberText.Show(range.Size)} (the ports of {range})");
            }

            var pool = new PortPool(nameNode.Value!, proto, address, range, dst, dstRange.Min, (int)entries);
            foreach (var other in pools)
            {
                if (other.Protocol == pool.Protocol && other.Address == pool.Address && other.Destination == pool.Destination
                    && other.DestinationPort == pool.DestinationPort && other.Ports.Min <= range.Max && range.Min <= other.Ports.Max)
                {
                    throw Error(source, $"pool '{pool.Name}' overlaps pool '{other.Name}': same protocol, address and destination, and their port ranges share ports");
                }
            }

            pools.Add(pool);
            entryNodes.Add(entriesNode);
        }

        // Every pool's destination port is a named port too (of the universe, so of every pool's range).
        named.UnionWith(pools.Select(p => p.DestinationPort));
        for (var k = 0; k < pools.Count; k++)
        {
            var range = pools[k].Ports;
            var unnamed = range.Size - named.Count(p => p >= range.Min && p <= range.Max);
            if (pools[k].Entries > unnamed)
            {
                throw Error(entryNodes[k], $"{NumberText.Show(pools[k].Entries)} entries do not fit: the spec names {NumberText.Show(range.Size - unnamed)} of the {NumberText.Show(range.Size)} ports of {range} elsewhere, and a pool holds only ports the spec does not name");
            }
        }

        return pools;
    }

    /// <summary>Reads <c>a.b.c.d:PORT</c>, or with <paramref name="allowRange"/> <c>a.b.c.d:LO-HI</c>; ports 1-65535.</summary>
    private (Ipv4 Address, PortRange Ports) ReadAddressPorts(YamlScalarNode node, string key, bool allowRange)
    {
        var text = node.Value ?? string.Empty;
        var expected = allowRange ? "ADDRESS:LO-HI (e.g. 198.51.100.1:1024-2047) or ADDRESS:PORT" : "ADDRESS:PORT (e.g. 203.0.113.5:80)";
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            throw Error(node, $"bad {key} '{text}': expected {expected}");
        }

        if (!Ipv4.TryParse(text[..colon], out var address))
        {
            throw ErrorAt(node, 0, $"bad {key} address '{text[..colon]}': expected a.b.c.d");
        }

        var ports = text[(colon + 1)..];
        var dash = ports.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0 && !allowRange)
        {
            throw ErrorAt(node, colon + 1 + dash, $"bad {key} '{text}': expected {expected}, one port");
        }

        var lo = ReadPortAt(node, dash < 0 ? ports : ports[..dash], colon + 1, key);
        var hi = dash < 0 ? lo : ReadPortAt(node, ports[(dash + 1)..], colon + 2 + dash, key);
        if (hi < lo)
        {
            throw ErrorAt(node, colon + 1, $"bad {key} port range {lo}-{hi}: the first port must not be above the last");
        }

        return (address, new PortRange(lo, hi));
    }

    private int ReadPortAt(YamlScalarNode node, string text, int offset, string key)
    {
        if (!NumberText.TryParseUInt32(text, out var port) || port is < 1 or > 65535 || text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            throw ErrorAt(node, offset, $"bad {key} port '{text}': ports are 1-65535");
        }

        return (int)port;
    }

    private List<Actor> ReadActors(YamlMapping top)
    {
        var list = Sequence(Required(top, "actors"), "'actors'");
        if (list.Children.Count == 0)
        {
            throw Error(list, "'actors' must list at least one actor");
        }

        if (list.Children.Count > NatSemantics.MaxActors)
        {
            throw Error(list.Children[NatSemantics.MaxActors],
                $"'actors' lists {NumberText.Show(list.Children.Count)} actors; at most {NumberText.Show(NatSemantics.MaxActors)} are supported (entries already in the table can be a 'pools:' entry instead of one actor each)");
        }

        // First pass: kinds and names, so that timeouts and constraints may refer to actors listed later.
        foreach (var item in list.Children)
        {
            var entry = ReadActorEntry(item);
            if (_byName.TryGetValue(entry.Name, out var earlier))
            {
                throw Error(entry.NameNode,
                    $"actor name '{entry.Name}' is used twice (first at line {NumberText.Show(earlier.NameNode.Start.Line)})");
            }

            _byName[entry.Name] = entry;
            _entries.Add(entry);
        }

        var actors = new List<Actor>();
        foreach (var entry in _entries)
        {
            entry.Actor = entry.Kind switch
            {
                "flow" => ReadFlow(entry),
                "conntrack" => ReadConntrack(entry),
                _ => null,
            };
        }

        foreach (var entry in _entries)
        {
            entry.Actor ??= entry.Kind == "close" ? ReadClose(entry) : ReadTimeout(entry);
            actors.Add(entry.Actor);
        }

        return actors;
    }

    private ActorEntry ReadActorEntry(YamlNode item)
    {
        var node = Mapping(item, "an actor");
        var kinds = node.Children
            .Where(kv => kv.Key is YamlScalarNode { Value: { } k } && ActorKinds.Contains(k))
            .Select(kv => (YamlScalarNode)kv.Key)
            .ToList();
        if (kinds.Count == 0)
        {
            // A misspelt kind key ("flw:") is better reported as the unknown key it is.
            var anyKind = FlowKeys.Concat(ConntrackKeys).Concat(TimeoutKeys).Concat(CloseKeys).Distinct().ToList();
            YamlMapping.Read(this, node, "an actor", anyKind);
            throw Error(node, "an actor needs one of the keys flow, conntrack, timeout or close");
        }

        if (kinds.Count > 1)
        {
            throw Error(kinds[1], $"an actor is exactly one of flow, conntrack, timeout or close, but this one has both {kinds[0].Value} and {kinds[1].Value}");
        }

        var kind = kinds[0].Value!;
        var allowed = kind switch
        {
            "flow" => FlowKeys,
            "conntrack" => ConntrackKeys,
            "close" => CloseKeys,
            _ => TimeoutKeys,
        };
        var mapping = YamlMapping.Read(this, node, $"a {kind} actor", allowed);
        var nameNode = Scalar(Required(mapping, "name"), "the actor's 'name'");
        var bad = FirstBadNameChar(nameNode.Value!, allowUnderscore: true);
        if (bad >= 0)
        {
            throw ErrorAt(nameNode, bad, $"actor name '{nameNode.Value}' may only contain a-z, 0-9, '-' and '_'");
        }

        return new ActorEntry(mapping, kind, nameNode.Value!, nameNode);
    }

    private FlowActor ReadFlow(ActorEntry entry)
    {
        var map = entry.Map;
        var flow = Scalar(map.Get("flow")!, "'flow'");
        var proto = L4Protocol.Tcp;
        if (map.Get("proto") is { } protoNode)
        {
            var scalar = Scalar(protoNode, "'proto'");
            if (!L4ProtocolNames.TryParseFlow(scalar.Value ?? string.Empty, out proto, out var why))
            {
                throw Error(scalar, $"unknown proto '{scalar.Value}' ({why})");
            }
        }

        int? icmpId = null;
        if (map.Get("icmp-id") is { } idNode)
        {
            if (proto != L4Protocol.Icmp)
            {
                throw Error(map.KeyNode("icmp-id")!, $"icmp-id is only valid for icmp flows, and '{entry.Name}' is {proto.Name()}");
            }

            var scalar = Scalar(idNode, "'icmp-id'");
            if (!NumberText.TryParseUInt32(scalar.Value!, out var id) || id > 65535)
            {
                throw Error(scalar, $"bad icmp-id '{scalar.Value}': expected 0-65535");
            }

            icmpId = (int)id;
        }
        else if (proto == L4Protocol.Icmp)
        {
            throw Error(map.KeyNode("flow")!, $"icmp flow '{entry.Name}' needs an icmp-id");
        }

        var (line, column) = ContentStart(flow);
        var tuple = FlowTupleParser.Parse(proto, flow.Value!, icmpId, _file, line, column);

        uint mark = 0;
        if (map.Get("mark") is { } markNode)
        {
            var scalar = Scalar(markNode, "'mark'");
            if (!NumberText.TryParseUInt32(scalar.Value!, out mark))
            {
                throw Error(scalar, $"bad mark '{scalar.Value}': expected a 32-bit decimal or 0x hex number");
            }
        }

        var path = PacketPath.LocalOut;
        if (map.Get("path") is { } pathNode)
        {
            var scalar = Scalar(pathNode, "'path'");
            path = scalar.Value switch
            {
                "local-out" => PacketPath.LocalOut,
                "forward" => PacketPath.Forward,
                "local-in" => PacketPath.LocalIn,
                _ => throw Error(scalar, $"unknown path '{scalar.Value}' (known: local-out, forward, local-in)"),
            };
        }

        var inInterface = ReadFlowInterface(entry, "in", path != PacketPath.LocalOut, "local-out flows are generated locally and have no input interface");
        var outInterface = ReadFlowInterface(entry, "out", path != PacketPath.LocalIn, "local-in flows are delivered locally and have no output interface");
        var retries = 0;
        if (map.Get("retries") is { } retriesNode)
        {
            var scalar = Scalar(retriesNode, "'retries'");
            if (proto != L4Protocol.Tcp)
            {
                throw Error(map.KeyNode("retries")!, $"retries is only valid for tcp flows (SYN retransmission), and '{entry.Name}' is {proto.Name()}");
            }

            if (!NumberText.TryParseUInt32(scalar.Value!, out var r) || r > MaxRetries)
            {
                throw Error(scalar, $"bad retries '{scalar.Value}': expected 0-{MaxRetries} (Linux sends net.ipv4.tcp_syn_retries = 6 by default)");
            }

            retries = (int)r;
        }

        return new FlowActor(entry.Name, tuple, mark, path, inInterface, outInterface, retries);
    }

    private string? ReadFlowInterface(ActorEntry entry, string key, bool valid, string whyInvalid)
    {
        if (entry.Map.Get(key) is not { } node)
        {
            // An unambiguous default: the namespace's only interface, where the path has such an interface.
            return valid && _interfaces.Count == 1 ? _interfaces.Keys.First() : null;
        }

        if (!valid)
        {
            throw Error(entry.Map.KeyNode(key)!, $"'{key}' is not valid here: {whyInvalid}");
        }

        var scalar = Scalar(node, $"'{key}'");
        if (!_interfaces.ContainsKey(scalar.Value!))
        {
            throw Error(scalar, $"interface '{scalar.Value}' is not declared under 'interfaces' ({DeclaredInterfaces()})");
        }

        return scalar.Value;
    }

    private string DeclaredInterfaces() =>
        _interfaces.Count == 0 ? "none is declared" : "declared: " + string.Join(", ", _interfaces.Keys);

    private Actor ReadConntrack(ActorEntry entry)
    {
        var command = Scalar(entry.Map.Get("conntrack")!, "'conntrack'");
        var (line, column) = ContentStart(command);
        return ConntrackCommandParser.Parse(entry.Name, command.Value!, _file, line, column);
    }

    private EntryTimeout ReadTimeout(ActorEntry entry)
    {
        var target = Scalar(entry.Map.Get("timeout")!, "'timeout'");
        var name = target.Value!;
        if (!_byName.TryGetValue(name, out var targetEntry))
        {
            throw Error(target, $"timeout target '{name}' is not an actor ({ActorList()})");
        }

        if (name == entry.Name)
        {
            throw Error(target, $"timeout '{name}' cannot target itself");
        }

        if (targetEntry.Actor is not (FlowActor or CtnetlinkInsert))
        {
            throw Error(target, $"timeout target '{name}' must be a flow or a conntrack -I insert: only those create entries");
        }

        return new EntryTimeout(entry.Name, name);
    }

    /// <summary>Most SYN retransmissions a flow may make (tcp_syn_retries is at most 127; the state space grows per retry).</summary>
    private const int MaxRetries = 6;

    private ConnectionClose ReadClose(ActorEntry entry)
    {
        var target = Scalar(entry.Map.Get("close")!, "'close'");
        var name = target.Value!;
        if (!_byName.TryGetValue(name, out var targetEntry))
        {
            throw Error(target, $"close target '{name}' is not an actor ({ActorList()})");
        }

        if (targetEntry.Actor is not FlowActor { Original.Protocol: L4Protocol.Tcp })
        {
            throw Error(target, $"close target '{name}' must be a tcp flow: only TCP connections close with FIN or RST");
        }

        var how = CloseKind.Fin;
        if (entry.Map.Get("how") is { } howNode)
        {
            var scalar = Scalar(howNode, "'how'");
            how = scalar.Value switch
            {
                "fin" => CloseKind.Fin,
                "rst" => CloseKind.Rst,
                _ => throw Error(scalar, $"unknown close '{scalar.Value}' (known: fin, rst)"),
            };
        }

        return new ConnectionClose(entry.Name, name, how);
    }

    private string ActorList() => "actors: " + string.Join(", ", _entries.Select(e => e.Name));

    private bool ReadSchedule(YamlMapping top)
    {
        if (top.Get("schedule") is not { } node)
        {
            return false;
        }

        var scalar = Scalar(node, "'schedule'");
        return scalar.Value switch
        {
            "interleaved" => false,
            "sequential" => true,
            _ => throw Error(scalar, $"unknown schedule '{scalar.Value}' (known: interleaved, sequential)"),
        };
    }

    private List<OrderConstraint> ReadOrder(YamlMapping top)
    {
        var constraints = new List<OrderConstraint>();
        if (top.Get("order") is not { } node)
        {
            return constraints;
        }

        var scalars = new List<YamlScalarNode>();
        foreach (var item in Sequence(node, "'order'").Children)
        {
            var scalar = Scalar(item, "an order constraint");
            scalars.Add(scalar);
            constraints.Add(ReadConstraint(scalar));
        }

        if (OrderCycles.Find(constraints) is var (index, cycle))
        {
            throw ErrorAt(scalars[index], 0, $"order constraints form a cycle ({cycle}): no actor on it could ever take that step");
        }

        return constraints;
    }

    private OrderConstraint ReadConstraint(YamlScalarNode node)
    {
        var text = node.Value!;
        var less = text.IndexOf('<');
        if (less < 0 || text.IndexOf('<', less + 1) >= 0)
        {
            throw ErrorAt(node, 0, $"bad order constraint '{text}': expected 'ACTOR.MILESTONE < ACTOR.MILESTONE'");
        }

        var (before, beforeAt) = ReadPoint(node, text, 0, less);
        var (after, afterAt) = ReadPoint(node, text, less + 1, text.Length);
        if (before == after)
        {
            throw ErrorAt(node, SkipSpaces(text, less + 1), $"an order constraint relates two different actors, not '{before}' with itself");
        }

        return new OrderConstraint(before, beforeAt, after, afterAt, text.Trim());
    }

    private (string Actor, Milestone At) ReadPoint(YamlScalarNode node, string text, int start, int end)
    {
        start = SkipSpaces(text, start);
        var part = text[start..end].TrimEnd();
        var dot = part.IndexOf('.');
        if (part.Length == 0 || dot < 0 || part.IndexOf('.', dot + 1) >= 0 || part.Contains(' '))
        {
            throw ErrorAt(node, start, $"bad order point '{part}': expected ACTOR.MILESTONE (milestones: {string.Join(", ", Milestones)})");
        }

        var actor = part[..dot];
        var milestoneText = part[(dot + 1)..];
        if (!_byName.TryGetValue(actor, out var entry))
        {
            throw ErrorAt(node, start, $"'{actor}' is not an actor ({ActorList()})");
        }

        var milestone = milestoneText switch
        {
            "start" => Milestone.Start,
            "dst-nat" => Milestone.DstNat,
            "src-nat" => Milestone.SrcNat,
            "confirm" => Milestone.Confirm,
            _ => throw ErrorAt(node, start + dot + 1, $"unknown milestone '{milestoneText}' (known: {string.Join(", ", Milestones)})"),
        };
        if (milestone != Milestone.Start && entry.Kind != "flow")
        {
            throw ErrorAt(node, start + dot + 1, $"'{actor}' is a {entry.Kind} actor: only flows have milestones other than start");
        }

        return (actor, milestone);
    }

    private static int SkipSpaces(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    private List<string> ReadProperties(YamlMapping top)
    {
        if (top.Get("properties") is not { } node)
        {
            return [.. PropertyIds.All];
        }

        var properties = new List<string>();
        foreach (var item in Sequence(node, "'properties'").Children)
        {
            var id = PropertyId(Scalar(item, "a property id"));
            if (properties.Contains(id))
            {
                throw Error(item, $"property '{id}' is listed twice");
            }

            properties.Add(id);
        }

        return properties;
    }

    private string PropertyId(YamlScalarNode node) =>
        PropertyIds.All.Contains(node.Value!)
            ? node.Value!
            : throw Error(node, $"unknown property '{node.Value}' (known: {string.Join(", ", PropertyIds.All)})");

    private string CheckedPropertyId(YamlScalarNode node, List<string> properties)
    {
        var id = PropertyId(node);
        return properties.Contains(id)
            ? id
            : throw Error(node, $"property '{id}' is not checked by this spec (properties: {string.Join(", ", properties)})");
    }

    private SpecExpectation ReadExpect(YamlMapping top, List<string> properties)
    {
        if (top.Get("expect") is not { } node)
        {
            return SpecExpectation.None;
        }

        var expect = YamlMapping.Read(this, Mapping(node, "'expect'"), "'expect'", ExpectKeys);
        ExpectedVerdict? verdict = null;
        if (expect.Get("verdict") is { } verdictNode)
        {
            var scalar = Scalar(verdictNode, "'verdict'");
            verdict = scalar.Value switch
            {
                "holds" => ExpectedVerdict.Holds,
                "violated" => ExpectedVerdict.Violated,
                "inconclusive" => ExpectedVerdict.Inconclusive,
                _ => throw Error(scalar, $"unknown verdict '{scalar.Value}' (known: holds, violated, inconclusive)"),
            };
        }

        string? violated = null;
        if (expect.Get("violated") is { } violatedNode)
        {
            if (verdict != ExpectedVerdict.Violated)
            {
                throw Error(expect.KeyNode("violated")!, "'violated' is only valid with 'verdict: violated'");
            }

            violated = CheckedPropertyId(Scalar(violatedNode, "'violated'"), properties);
        }

        var outcomes = ReadOutcomes(expect);
        var combinations = ReadCombinations(expect);
        var mutants = ReadMutants(expect, properties);
        return new SpecExpectation(verdict, violated, outcomes, combinations, mutants);
    }

    private Dictionary<string, IReadOnlyList<string>> ReadOutcomes(YamlMapping expect)
    {
        var outcomes = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (expect.Get("outcomes") is not { } node)
        {
            return outcomes;
        }

        foreach (var (keyNode, valueNode) in Mapping(node, "'outcomes'").Children)
        {
            var actor = ActorName(Scalar(keyNode, "an actor name"));
            var list = Sequence(valueNode, $"the outcomes of '{actor}'");
            if (list.Children.Count == 0)
            {
                throw Error(list, $"the outcomes of '{actor}' must not be empty: every actor ends somehow");
            }

            var patterns = new List<string>();
            foreach (var item in list.Children)
            {
                var pattern = OutcomePattern(Scalar(item, "an outcome pattern"));
                if (patterns.Contains(pattern))
                {
                    throw Error(item, $"outcome '{pattern}' is listed twice for '{actor}'");
                }

                patterns.Add(pattern);
            }

            outcomes[actor] = patterns;
        }

        return outcomes;
    }

    private List<IReadOnlyDictionary<string, string>>? ReadCombinations(YamlMapping expect)
    {
        if (expect.Get("combinations") is not { } node)
        {
            return null;
        }

        var list = Sequence(node, "'combinations'");
        if (list.Children.Count == 0)
        {
            throw Error(list, "'combinations' must not be empty: some joint outcome is always reached");
        }

        var combinations = new List<IReadOnlyDictionary<string, string>>();
        foreach (var item in list.Children)
        {
            var mapping = Mapping(item, "a combination");
            if (mapping.Children.Count == 0)
            {
                throw Error(mapping, "a combination names at least one actor");
            }

            var combination = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (keyNode, valueNode) in mapping.Children)
            {
                var actor = ActorName(Scalar(keyNode, "an actor name"));
                combination[actor] = OutcomePattern(Scalar(valueNode, $"the outcome of '{actor}'"));
            }

            if (combinations.Count > 0 && !combinations[0].Keys.ToHashSet().SetEquals(combination.Keys))
            {
                throw Error(mapping,
                    $"every combination must name the same actors: this one names {string.Join(", ", combination.Keys)}, "
                    + $"the first names {string.Join(", ", combinations[0].Keys)}");
            }

            if (combinations.Any(c => c.All(kv => combination[kv.Key] == kv.Value)))
            {
                throw Error(mapping, "this combination is listed twice");
            }

            combinations.Add(combination);
        }

        return combinations;
    }

    private Dictionary<string, string> ReadMutants(YamlMapping expect, List<string> properties)
    {
        var mutants = new Dictionary<string, string>(StringComparer.Ordinal);
        if (expect.Get("mutants") is not { } node)
        {
            return mutants;
        }

        foreach (var (keyNode, valueNode) in Mapping(node, "'mutants'").Children)
        {
            var key = Scalar(keyNode, "a mutant name");
            if (!KernelMutantNames.TryParse(key.Value!, out var mutant) || mutant == KernelMutant.None)
            {
                throw Error(key, $"unknown mutant '{key.Value}' (known: {string.Join(", ", KernelMutantNames.All.Select(m => m.CliName()))})");
            }

            var property = CheckedPropertyId(Scalar(valueNode, $"the property mutant '{key.Value}' violates"), properties);
            if (!mutants.TryAdd(mutant.CliName(), property))
            {
                throw Error(key, $"mutant '{mutant.CliName()}' is listed twice");
            }
        }

        return mutants;
    }

    private string ActorName(YamlScalarNode node) =>
        _byName.ContainsKey(node.Value!) ? node.Value! : throw Error(node, $"'{node.Value}' is not an actor ({ActorList()})");

    private string OutcomePattern(YamlScalarNode node)
    {
        var pattern = node.Value!;
        var colon = pattern.IndexOf(':');
        var kind = colon < 0 ? pattern : pattern[..colon];
        if (!OutcomeNames.TryParse(kind, out _))
        {
            throw ErrorAt(node, 0,
                $"unknown outcome '{kind}' (known: {string.Join(", ", Enum.GetValues<OutcomeKind>().Select(k => k.CliName()))})");
        }

        return pattern;
    }

    /// <summary>An actor as first read: its checked keys, kind and name; the built actor once known.</summary>
    private sealed class ActorEntry(YamlMapping map, string kind, string name, YamlScalarNode nameNode)
    {
        public YamlMapping Map { get; } = map;

        public string Kind { get; } = kind;

        public string Name { get; } = name;

        public YamlScalarNode NameNode { get; } = nameNode;

        public Actor? Actor { get; set; }
    }
}
