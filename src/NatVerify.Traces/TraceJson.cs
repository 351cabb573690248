using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace NatVerify.Traces;

/// <summary>
/// Reads and writes trace files (docs/traces.md). Writing is deterministic: fixed key order, two-space
/// indentation, <c>\n</c> line ends, invariant number formats, no timestamps; the same trace gives the same bytes.
/// </summary>
public static class TraceJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        IndentSize = 2,
        NewLine = "\n",
        // Tuples are full of '>' and quotes; the file is never embedded in HTML, so keep it readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The trace as UTF-8 JSON text, ending with a newline.</summary>
    public static string Write(TraceFile trace) => Encoding.UTF8.GetString(WriteBytes(trace));

    /// <summary>The trace as UTF-8 JSON bytes (no byte order mark), ending with a newline.</summary>
    public static byte[] WriteBytes(TraceFile trace)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("format", TraceFile.FormatName);
            w.WriteNumber("version", TraceFile.CurrentVersion);
            w.WriteString("kind", trace.Kind == TraceKind.Violation ? "violation" : "witness");
            w.WriteStartObject("spec");
            w.WriteString("name", trace.Spec.Name);
            w.WriteString("source", trace.Spec.Source);
            w.WriteString("sha256", trace.Spec.Sha256);
            w.WriteString("text", trace.Spec.Text);
            w.WriteEndObject();
            w.WriteString("profile", trace.Profile);
            w.WriteString("mutant", trace.Mutant);
            WriteStrings(w, "properties", trace.Properties);
            w.WriteStartObject("engine");
            w.WriteString("search", trace.Engine.Search);
            WriteNullable(w, "maxStates", trace.Engine.MaxStates);
            WriteNullable(w, "maxDepth", trace.Engine.MaxDepth);
            WriteNullable(w, "maxMemoryBytes", trace.Engine.MaxMemoryBytes);
            if (trace.Engine.TimeoutSeconds is { } t)
            {
                w.WriteNumber("timeoutSeconds", t);
            }
            else
            {
                w.WriteNull("timeoutSeconds");
            }

            w.WriteBoolean("stopAtFirstViolation", trace.Engine.StopAtFirstViolation);
            w.WriteString("reduce", trace.Engine.Reduce);
            w.WriteEndObject();
            if (trace.Seed is { } seed)
            {
                w.WriteNumber("seed", seed);
            }
            else
            {
                w.WriteNull("seed");
            }

            WriteNullableString(w, "property", trace.Property);
            WriteNullableString(w, "message", trace.Message);
            WriteStrings(w, "actors", trace.Actors);
            w.WriteStartArray("steps");
            foreach (var s in trace.Steps)
            {
                w.WriteStartObject();
                w.WriteNumber("step", s.Number);
                w.WriteNumber("actor", s.Actor);
                w.WriteString("actorName", s.ActorName);
                w.WriteString("kind", s.Kind);
                w.WriteNumber("successor", s.Successor);
                w.WriteNumber("enabled", s.Enabled);
                w.WriteString("description", s.Description);
                if (s.Rules.Count > 0)
                {
                    w.WriteStartArray("rules");
                    foreach (var r in s.Rules)
                    {
                        w.WriteStartObject();
                        w.WriteString("role", r.Role);
                        w.WriteString("name", r.Name);
                        w.WriteString("text", r.Text);
                        WriteNullable(w, "line", r.Line);
                        WriteNullable(w, "column", r.Column);
                        WriteNullable(w, "handle", r.Handle);
                        WriteNullable(w, "jsonIndex", r.JsonIndex);
                        // Optional keys (absent in traces recorded before the chain decisions were).
                        if (r.Verdict is { } verdict)
                        {
                            w.WriteString("verdict", verdict);
                        }

                        if (r.Hook is { } hook)
                        {
                            w.WriteString("hook", hook);
                        }

                        if (r.Chain is { } chain)
                        {
                            w.WriteString("chain", chain);
                        }

                        if (r.Path is { Count: > 0 } hops)
                        {
                            w.WriteStartArray("path");
                            foreach (var hop in hops)
                            {
                                w.WriteStringValue(hop);
                            }

                            w.WriteEndArray();
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("final");
            w.WriteStartArray("outcomes");
            foreach (var o in trace.Outcomes)
            {
                w.WriteStartObject();
                w.WriteString("actor", o.Actor);
                w.WriteString("outcome", o.Outcome);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("conntrack");
            foreach (var e in trace.FinalTable)
            {
                w.WriteStartObject();
                w.WriteString("owner", e.Owner);
                w.WriteString("original", e.Original);
                w.WriteString("reply", e.Reply);
                WriteStrings(w, "flags", e.Flags);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("counters");
            foreach (var (name, value) in trace.FinalCounters)
            {
                w.WriteNumber(name, value);
            }

            w.WriteEndObject();
            w.WriteEndObject();
            if (trace.Minimization is { } m)
            {
                w.WriteStartObject("minimization");
                w.WriteString("fromSpecSha256", m.FromSpecSha256);
                w.WriteNumber("fromSteps", m.FromSteps);
                WriteStrings(w, "removedActors", m.RemovedActors);
                WriteStrings(w, "removedRules", m.RemovedRules);
                WriteStrings(w, "removedConstraints", m.RemovedConstraints);
                w.WriteNumber("checks", m.Checks);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("minimization");
            }

            w.WriteEndObject();
        }

        return [.. buffer.WrittenSpan, (byte)'\n'];
    }

    /// <summary>Reads a trace file from disk.</summary>
    /// <exception cref="TraceFormatException">The file cannot be read or is not a valid trace.</exception>
    public static TraceFile ReadFile(string path)
    {
        string text;
        try
        {
            text = Specs.Input.InputFile.ReadText(path, Specs.Input.InputFile.MaxTraceBytes);
        }
        catch (Specs.Input.InputFileException e)
        {
            throw new TraceFormatException(path, $"cannot read trace: {e.Message}");
        }

        return Read(text, path);
    }

    /// <summary>Parses trace JSON.</summary>
    /// <param name="json">The text.</param>
    /// <param name="file">Display path for errors.</param>
    /// <exception cref="TraceFormatException">The text is not a valid trace.</exception>
    public static TraceFile Read(string json, string file)
    {
        // Limits before the parser (System.Text.Json stops at depth 64 itself; the scan gives every reader of JSON the
        // same located error and bounds the size a string argument may have).
        if (json.Length > Specs.Input.InputFile.MaxTraceBytes)
        {
            throw new TraceFormatException(file, $"the trace is larger than the limit of {Specs.Input.InputFile.MaxTraceBytes} characters");
        }

        if (Specs.Input.NestingLimit.Check(json, yaml: false) is { } deep)
        {
            throw new TraceFormatException(file, string.Create(CultureInfo.InvariantCulture, $"{deep.Line}:{deep.Column}: {deep.Detail}"));
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } l ? string.Create(CultureInfo.InvariantCulture, $"{l + 1}:{(e.BytePositionInLine ?? 0) + 1}: ") : string.Empty;
            throw new TraceFormatException(file, $"{where}not valid JSON: {e.Message}");
        }
        catch (ArgumentException)
        {
            // The text has a lone UTF-16 surrogate, which cannot be transcoded to the UTF-8 the parser reads (a string
            // handed to this method, not a file: decoding a file replaces invalid bytes). Found by the fuzzer.
            var (line, column) = LoneSurrogate(json);
            throw new TraceFormatException(file, string.Create(CultureInfo.InvariantCulture, $"{line}:{column}: not valid text: a lone UTF-16 surrogate"));
        }

        using (doc)
        {
            return new Reader(file).Trace(doc.RootElement);
        }
    }

    /// <summary>The 1-based line and column of the first lone surrogate (1:1 when there is none).</summary>
    private static (int Line, int Column) LoneSurrogate(string text)
    {
        int line = 1, column = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                column++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return (line, column);
            }

            (line, column) = c == '\n' ? (line + 1, 1) : (line, column + 1);
        }

        return (1, 1);
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteNullableString(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    /// <summary>Reads the document with errors that name the JSON path of the offending value.</summary>
    private sealed class Reader(string file)
    {
        public TraceFile Trace(JsonElement root)
        {
            Expect(root, JsonValueKind.Object, "$");
            var format = String(root, "$", "format");
            if (format != TraceFile.FormatName)
            {
                throw Error("$.format", $"expected \"{TraceFile.FormatName}\", found \"{format}\": not a natverify trace");
            }

            var version = Int(root, "$", "version");
            if (version != TraceFile.CurrentVersion)
            {
                throw Error("$.version", string.Create(CultureInfo.InvariantCulture, $"version {version} is not supported; this natverify reads version {TraceFile.CurrentVersion}"));
            }

            var kindText = String(root, "$", "kind");
            var kind = kindText switch
            {
                "violation" => TraceKind.Violation,
                "witness" => TraceKind.Witness,
                _ => throw Error("$.kind", $"expected \"violation\" or \"witness\", found \"{kindText}\""),
            };
            var spec = Object(root, "$", "spec");
            var embedded = new EmbeddedSpec(String(spec, "$.spec", "name"), String(spec, "$.spec", "source"), String(spec, "$.spec", "sha256"), String(spec, "$.spec", "text"));
            var engine = Object(root, "$", "engine");
            var settings = new EngineSettings(
                String(engine, "$.engine", "search"),
                NullableLong(engine, "$.engine", "maxStates"),
                (int?)NullableLong(engine, "$.engine", "maxDepth"),
                NullableLong(engine, "$.engine", "maxMemoryBytes"),
                NullableDouble(engine, "$.engine", "timeoutSeconds"),
                Bool(engine, "$.engine", "stopAtFirstViolation"))
            {
                Reduce = NullableString(engine, "$.engine", "reduce") switch
                {
                    null => "none",
                    var r when r is "none" or "por" or "sym" or "por+sym" or "por+sleep" or "por+sleep+sym" => r,
                    var other => throw Error("$.engine.reduce", $"expected \"none\", \"por\", \"sym\", \"por+sym\", \"por+sleep\" or \"por+sleep+sym\", found \"{other}\""),
                },
            };
            var steps = new List<TraceChoice>();
            var stepArray = Array(root, "$", "steps");
            for (var i = 0; i < stepArray.Count; i++)
            {
                var path = string.Create(CultureInfo.InvariantCulture, $"$.steps[{i}]");
                var s = stepArray[i];
                Expect(s, JsonValueKind.Object, path);
                steps.Add(new TraceChoice(
                    Int(s, path, "step"), Int(s, path, "actor"), String(s, path, "actorName"), String(s, path, "kind"),
                    Int(s, path, "successor"), Int(s, path, "enabled"), String(s, path, "description"))
                {
                    Rules = Rules(s, path),
                });
                if (steps[^1].Number != i + 1)
                {
                    throw Error(path + ".step", string.Create(CultureInfo.InvariantCulture, $"expected step {i + 1}, found {steps[^1].Number}"));
                }
            }

            var final = Object(root, "$", "final");
            var outcomes = new List<ActorOutcome>();
            var outcomeArray = Array(final, "$.final", "outcomes");
            for (var i = 0; i < outcomeArray.Count; i++)
            {
                var path = string.Create(CultureInfo.InvariantCulture, $"$.final.outcomes[{i}]");
                Expect(outcomeArray[i], JsonValueKind.Object, path);
                outcomes.Add(new ActorOutcome(String(outcomeArray[i], path, "actor"), String(outcomeArray[i], path, "outcome")));
            }

            var table = new List<FinalEntry>();
            var tableArray = Array(final, "$.final", "conntrack");
            for (var i = 0; i < tableArray.Count; i++)
            {
                var path = string.Create(CultureInfo.InvariantCulture, $"$.final.conntrack[{i}]");
                var e = tableArray[i];
                Expect(e, JsonValueKind.Object, path);
                table.Add(new FinalEntry(String(e, path, "owner"), String(e, path, "original"), String(e, path, "reply"), Strings(e, path, "flags")));
            }

            var counters = new List<KeyValuePair<string, long>>();
            foreach (var c in Object(final, "$.final", "counters").EnumerateObject())
            {
                if (c.Value.ValueKind != JsonValueKind.Number || !c.Value.TryGetInt64(out var v))
                {
                    throw Error($"$.final.counters.{c.Name}", "expected an integer");
                }

                counters.Add(new(c.Name, v));
            }

            MinimizationInfo? minimization = null;
            if (root.TryGetProperty("minimization", out var m) && m.ValueKind != JsonValueKind.Null)
            {
                Expect(m, JsonValueKind.Object, "$.minimization");
                minimization = new MinimizationInfo(
                    String(m, "$.minimization", "fromSpecSha256"), Int(m, "$.minimization", "fromSteps"),
                    Strings(m, "$.minimization", "removedActors"), Strings(m, "$.minimization", "removedRules"),
                    Strings(m, "$.minimization", "removedConstraints"), Int(m, "$.minimization", "checks"));
            }

            ulong? seed = null;
            if (root.TryGetProperty("seed", out var seedElement) && seedElement.ValueKind != JsonValueKind.Null)
            {
                if (seedElement.ValueKind != JsonValueKind.Number || !seedElement.TryGetUInt64(out var sv))
                {
                    throw Error("$.seed", "expected null or an unsigned 64-bit integer");
                }

                seed = sv;
            }

            var trace = new TraceFile
            {
                Kind = kind,
                Spec = embedded,
                Profile = String(root, "$", "profile"),
                Mutant = String(root, "$", "mutant"),
                Properties = Strings(root, "$", "properties"),
                Engine = settings,
                Seed = seed,
                Property = NullableString(root, "$", "property"),
                Message = NullableString(root, "$", "message"),
                Actors = Strings(root, "$", "actors"),
                Steps = steps,
                Outcomes = outcomes,
                FinalTable = table,
                FinalCounters = counters,
                Minimization = minimization,
            };
            if (kind == TraceKind.Violation && trace.Property is null)
            {
                throw Error("$.property", "a violation trace names the violated property");
            }

            return trace;
        }

        private TraceFormatException Error(string path, string detail) => new(file, $"{path}: {detail}");

        private void Expect(JsonElement e, JsonValueKind kind, string path)
        {
            if (e.ValueKind != kind)
            {
                throw Error(path, $"expected {Name(kind)}, found {Name(e.ValueKind)}");
            }
        }

        private JsonElement Get(JsonElement parent, string path, string key)
        {
            if (!parent.TryGetProperty(key, out var e))
            {
                throw Error(path, $"missing key \"{key}\"");
            }

            return e;
        }

        private string String(JsonElement parent, string path, string key)
        {
            var e = Get(parent, path, key);
            Expect(e, JsonValueKind.String, $"{path}.{key}");
            return e.GetString()!;
        }

        private string? NullableString(JsonElement parent, string path, string key)
        {
            if (!parent.TryGetProperty(key, out var e) || e.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            Expect(e, JsonValueKind.String, $"{path}.{key}");
            return e.GetString();
        }

        private int Int(JsonElement parent, string path, string key)
        {
            var e = Get(parent, path, key);
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var v))
            {
                throw Error($"{path}.{key}", "expected an integer");
            }

            return v;
        }

        private long? NullableLong(JsonElement parent, string path, string key)
        {
            if (!parent.TryGetProperty(key, out var e) || e.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out var v))
            {
                throw Error($"{path}.{key}", "expected null or an integer");
            }

            return v;
        }

        private double? NullableDouble(JsonElement parent, string path, string key)
        {
            if (!parent.TryGetProperty(key, out var e) || e.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (e.ValueKind != JsonValueKind.Number)
            {
                throw Error($"{path}.{key}", "expected null or a number");
            }

            return e.GetDouble();
        }

        private bool Bool(JsonElement parent, string path, string key)
        {
            var e = Get(parent, path, key);
            return e.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Error($"{path}.{key}", $"expected true or false, found {Name(e.ValueKind)}"),
            };
        }

        private JsonElement Object(JsonElement parent, string path, string key)
        {
            var e = Get(parent, path, key);
            Expect(e, JsonValueKind.Object, $"{path}.{key}");
            return e;
        }

        private List<JsonElement> Array(JsonElement parent, string path, string key)
        {
            var e = Get(parent, path, key);
            Expect(e, JsonValueKind.Array, $"{path}.{key}");
            return [.. e.EnumerateArray()];
        }

        // Optional: traces written before steps named their deciding rules have no "rules" key.
        private List<TraceRule> Rules(JsonElement step, string path)
        {
            var rules = new List<TraceRule>();
            if (!step.TryGetProperty("rules", out _))
            {
                return rules;
            }

            var items = Array(step, path, "rules");
            for (var i = 0; i < items.Count; i++)
            {
                var p = string.Create(CultureInfo.InvariantCulture, $"{path}.rules[{i}]");
                var r = items[i];
                Expect(r, JsonValueKind.Object, p);
                rules.Add(new TraceRule(
                    String(r, p, "role"), String(r, p, "name"), String(r, p, "text"), SmallInt(r, p, "line"), SmallInt(r, p, "column"),
                    NullableLong(r, p, "handle"), SmallInt(r, p, "jsonIndex"))
                {
                    Verdict = NullableString(r, p, "verdict"),
                    Hook = NullableString(r, p, "hook"),
                    Chain = NullableString(r, p, "chain"),
                    Path = r.TryGetProperty("path", out var hops) && hops.ValueKind != JsonValueKind.Null ? Strings(r, p, "path") : null,
                });
            }

            return rules;
        }

        private int? SmallInt(JsonElement parent, string path, string key) => NullableLong(parent, path, key) switch
        {
            null => null,
            >= 0 and <= int.MaxValue and var v => (int)v,
            _ => throw Error($"{path}.{key}", "expected null or an integer 0..2147483647"),
        };

        private List<string> Strings(JsonElement parent, string path, string key)
        {
            var list = new List<string>();
            var items = Array(parent, path, key);
            for (var i = 0; i < items.Count; i++)
            {
                Expect(items[i], JsonValueKind.String, string.Create(CultureInfo.InvariantCulture, $"{path}.{key}[{i}]"));
                list.Add(items[i].GetString()!);
            }

            return list;
        }

        private static string Name(JsonValueKind kind) => kind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Null => "null",
            _ => "nothing",
        };
    }
}
