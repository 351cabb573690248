namespace NatVerify.Traces;

/// <summary>
/// The spec a trace came from, embedded so that a trace replays without the original file: its name, where it
/// was loaded from, its self-contained YAML text and the SHA-256 of that text (UTF-8, lower-case hex).
/// </summary>
/// <param name="Name">The spec's <c>name:</c>.</param>
/// <param name="Source">Where the spec was loaded from (a path or <c>seed:NAME</c>); informational.</param>
/// <param name="Sha256">SHA-256 of <paramref name="Text"/>'s UTF-8 bytes, lower-case hex.</param>
/// <param name="Text">The spec's YAML text, self-contained (a <c>ruleset-file</c> is inlined).</param>
public sealed record EmbeddedSpec(string Name, string Source, string Sha256, string Text);
