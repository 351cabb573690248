using System.Text.Json;
using System.Text.Json.Serialization;

namespace NatVerify.Oracle.Agent;

/// <summary>Compile-time JSON metadata for the agent protocol: no reflection at start-up, so agents answer sooner.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AgentRequest))]
[JsonSerializable(typeof(AgentResponse))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
