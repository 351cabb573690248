using Xunit;
using System.Text.Json;
using Json.Schema;

namespace NatVerify.Cli.Tests;

/// <summary>Validates documents against the published docs/schema/natverify-output.schema.json (JSON Schema 2020-12) and the policy.schema.json it references.</summary>
internal static class JsonSchemaValidator
{
    // policy's result is published as its own schema (docs/schema/policy.schema.json), which the envelope's schema
    // references by $id: JsonSchema.FromText registers it, so it is loaded first (static fields initialise in order).
    private static readonly JsonSchema PolicySchema = JsonSchema.FromText(
        File.ReadAllText(Path.Combine(CliRunner.Root, "docs", "schema", "policy.schema.json")));

    private static readonly JsonSchema Schema = JsonSchema.FromText(
        File.ReadAllText(Path.Combine(CliRunner.Root, "docs", "schema", "natverify-output.schema.json")));

    /// <summary>The policy schema, so a test can see it is the one loaded.</summary>
    public static JsonSchema Policy => PolicySchema;

    /// <summary>The validation errors of <paramref name="json"/>, empty when it conforms.</summary>
    public static IReadOnlyList<string> Errors(string json)
    {
        using var document = JsonDocument.Parse(json);
        var results = Schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

        return (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}"))
            .DefaultIfEmpty("invalid (no detail)")
            .ToList();
    }

    /// <summary>Asserts the document conforms, printing every error otherwise.</summary>
    public static void AssertValid(string json)
    {
        var errors = Errors(json);
        Assert.True(errors.Count == 0, "schema errors:\n" + string.Join('\n', errors) + "\ndocument:\n" + json);
    }
}
