using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace NatVerify.Oracle.Agent;

/// <summary>Both ends of the agent protocol: camelCase JSON, one object per line.</summary>
public static class AgentJson
{
    /// <summary>Serialises a request or response to one line.</summary>
    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Info<T>());

    /// <summary>Parses one line; throws <see cref="JsonException"/> when it is not the expected object.</summary>
    public static T Read<T>(string line) =>
        JsonSerializer.Deserialize(line, Info<T>()) ?? throw new JsonException("null where an object was expected");

    private static JsonTypeInfo<T> Info<T>() =>
        AgentJsonContext.Default.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
        ?? throw new NotSupportedException($"{typeof(T).Name} is not part of the agent protocol");
}
