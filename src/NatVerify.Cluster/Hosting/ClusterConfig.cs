using System.Globalization;
using System.Net;

namespace NatVerify.Cluster.Hosting;

/// <summary>
/// How to reach the cluster: the membership provider (localhost for one machine, or Redis), the number of
/// partitions, and the Orleans cluster and service ids. Written as <c>key=value</c> pairs separated by <c>;</c> or
/// new lines, inline or in a file (docs/distributed.md lists the keys).
/// </summary>
public sealed record ClusterConfig
{
    private const int MaxFileBytes = 64 * 1024;

    /// <summary>Gets the Redis connection string (StackExchange.Redis syntax), or null for localhost clustering.</summary>
    public string? Redis { get; init; }

    /// <summary>Gets the number of partitions (default 4).</summary>
    public int Partitions { get; init; } = 4;

    /// <summary>Gets the Orleans cluster id (silos and clients with the same id form one cluster).</summary>
    public string ClusterId { get; init; } = "natverify";

    /// <summary>Gets the Orleans service id.</summary>
    public string ServiceId { get; init; } = "natverify";

    /// <summary>Gets the silo-to-silo port of the primary silo, for localhost clustering.</summary>
    public int PrimaryPort { get; init; } = 11111;

    /// <summary>Gets the client gateway port the coordinator connects to, for localhost clustering.</summary>
    public int GatewayPort { get; init; } = 30000;

    /// <summary>Gets the address silos advertise to each other (Redis clustering across hosts); loopback by default.</summary>
    public IPAddress Advertise { get; init; } = IPAddress.Loopback;

    /// <summary>Gets how long a grain call may take before it fails (a dead silo is noticed at the latest then).</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Reads a configuration from a file name or an inline <c>key=value;...</c> string.</summary>
    /// <exception cref="FormatException">An unknown key, a bad value, or an unreadable file; the message says which.</exception>
    public static ClusterConfig Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var source = "--cluster";
        if (!text.Contains('=', StringComparison.Ordinal) && text != "localhost")
        {
            var info = new FileInfo(text);
            if (!info.Exists)
            {
                throw new FormatException($"--cluster: '{text}' is neither key=value pairs nor an existing file");
            }

            if (info.Length > MaxFileBytes)
            {
                throw new FormatException($"{text}: cluster config larger than {MaxFileBytes} bytes");
            }

            source = text;
            text = File.ReadAllText(text);
        }

        var config = new ClusterConfig();
        var line = 0;
        foreach (var raw in text.Split('\n'))
        {
            line++;
            foreach (var part in raw.Split(';'))
            {
                var item = part.Trim();
                if (item.Length == 0 || item.StartsWith('#'))
                {
                    continue;
                }

                if (item == "localhost")
                {
                    config = config with { Redis = null };
                    continue;
                }

                var eq = item.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new FormatException($"{source}:{line}: expected key=value, got '{item}'");
                }

                var key = item[..eq].Trim();
                var value = item[(eq + 1)..].Trim();
                config = key switch
                {
                    "membership" => value switch
                    {
                        "localhost" => config with { Redis = null },
                        _ when value.StartsWith("redis:", StringComparison.Ordinal) => config with { Redis = value["redis:".Length..] },
                        _ => throw new FormatException($"{source}:{line}: membership must be 'localhost' or 'redis:CONNECTION', not '{value}'"),
                    },
                    "redis" => config with { Redis = value.Length > 0 ? value : throw new FormatException($"{source}:{line}: empty redis connection string") },
                    "partitions" => config with { Partitions = Int(source, line, key, value, 1, 4096) },
                    "cluster-id" => config with { ClusterId = Id(source, line, key, value) },
                    "service-id" => config with { ServiceId = Id(source, line, key, value) },
                    "primary-port" => config with { PrimaryPort = Int(source, line, key, value, 1, 65535) },
                    "gateway-port" => config with { GatewayPort = Int(source, line, key, value, 1, 65535) },
                    "advertise" => config with
                    {
                        Advertise = IPAddress.TryParse(value, out var ip) ? ip : throw new FormatException($"{source}:{line}: advertise must be an IP address, not '{value}'"),
                    },
                    "response-timeout" => config with { ResponseTimeout = TimeSpan.FromSeconds(Int(source, line, key, value, 1, 86400)) },
                    _ => throw new FormatException(
                        $"{source}:{line}: unknown key '{key}'; known: membership, redis, partitions, cluster-id, service-id, primary-port, gateway-port, advertise, response-timeout"),
                };
            }
        }

        return config;
    }

    private static int Int(string source, int line, string key, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new FormatException($"{source}:{line}: {key} must be a whole number from {min} to {max}, not '{value}'");

    private static string Id(string source, int line, string key, string value) =>
        value.Length is > 0 and <= 100 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? value
            : throw new FormatException($"{source}:{line}: {key} must be 1-100 letters, digits, '-', '_' or '.', not '{value}'");
}
