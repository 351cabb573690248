using System.Globalization;
using System.Text.RegularExpressions;
using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;
using NatVerify.Specs;
using YamlDotNet.RepresentationModel;

namespace NatVerify.Policy.Inputs;

/// <summary>
/// Reads a context file (YAML, or JSON read as YAML flow syntax); the format is documented in docs/policy.md:
/// <code>
/// kernel: "6.12"                    # optional
/// interfaces:                       # optional
///   - name: wan0
///     addresses: [203.0.113.10/24]  # a.b.c.d/nn (or a.b.c.d, taken as /32)
///     role: wan                     # optional: lan | wan
/// sockets:                          # optional
///   - proto: udp                    # tcp | udp
///     local: 0.0.0.0:51820          # address:port; 0.0.0.0 or * is the wildcard
///     kind: listen                  # listen | client
///     name: wireguard               # optional
/// </code>
/// Unknown keys are errors, so nothing written is silently ignored.
/// </summary>
public static partial class ContextReader
{
    /// <summary>The roles an interface may have.</summary>
    public static readonly IReadOnlyList<string> Roles = ["lan", "wan"];

    /// <summary>What the file gave; a section the file leaves out is null (not given), unlike an empty list.</summary>
    public sealed record ContextFile(IReadOnlyList<InterfaceInfo>? Interfaces, IReadOnlyList<LocalSocket>? Sockets, string? Kernel);

    /// <summary>Parses the text.</summary>
    /// <exception cref="SpecException">Malformed or unknown content, located.</exception>
    public static ContextFile Parse(string text, string file)
    {
        var y = new LocatedYaml(file);
        var root = y.Load(text);
        if (root == null)
        {
            return new ContextFile(null, null, null);
        }

        var top = y.Mapping(root, "the context file");
        y.OnlyKeys(top, "the context file", "kernel", "interfaces", "sockets");
        string? kernel = null;
        if (LocatedYaml.Get(top, "kernel") is { } k)
        {
            kernel = y.Scalar(k, "kernel");
            if (!KernelVersion().IsMatch(kernel))
            {
                throw y.Error(k, $"kernel '{kernel}' is not a version such as 6.12 or 5.4.0");
            }
        }

        List<InterfaceInfo>? interfaces = null;
        if (LocatedYaml.Get(top, "interfaces") is { } ifs)
        {
            interfaces = [];
            foreach (var node in y.Sequence(ifs, "interfaces"))
            {
                var m = y.Mapping(node, "an interface");
                y.OnlyKeys(m, "an interface", "name", "addresses", "role");
                var nameNode = LocatedYaml.Get(m, "name") ?? throw y.Error(m, "an interface needs 'name'");
                var name = y.Scalar(nameNode, "name");
                if (interfaces.Any(i => i.Name == name))
                {
                    throw y.Error(nameNode, $"interface '{name}' is listed twice");
                }

                var addresses = new List<InterfaceAddress>();
                if (LocatedYaml.Get(m, "addresses") is { } a)
                {
                    foreach (var an in y.Sequence(a, "addresses"))
                    {
                        var t = y.Scalar(an, "an address");
                        var slash = t.IndexOf('/', StringComparison.Ordinal);
                        var prefix = 32;
                        if (!Ipv4.TryParse(slash < 0 ? t : t[..slash], out var ip)
                            || (slash >= 0 && (!int.TryParse(t[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > 32)))
                        {
                            throw y.Error(an, $"'{t}' is not an IPv4 address a.b.c.d or a.b.c.d/nn");
                        }

                        addresses.Add(new InterfaceAddress(ip, prefix));
                    }
                }

                string? role = null;
                if (LocatedYaml.Get(m, "role") is { } r)
                {
                    role = y.Scalar(r, "role");
                    if (!Roles.Contains(role))
                    {
                        throw y.Error(r, $"role '{role}' is not one of {string.Join(", ", Roles)}");
                    }
                }

                interfaces.Add(new InterfaceInfo(name, addresses, role));
            }
        }

        List<LocalSocket>? sockets = null;
        if (LocatedYaml.Get(top, "sockets") is { } ss)
        {
            sockets = [];
            foreach (var node in y.Sequence(ss, "sockets"))
            {
                var m = y.Mapping(node, "a socket");
                y.OnlyKeys(m, "a socket", "proto", "local", "kind", "name");
                var pn = LocatedYaml.Get(m, "proto") ?? throw y.Error(m, "a socket needs 'proto' (tcp or udp)");
                var proto = y.Scalar(pn, "proto") switch
                {
                    "tcp" => L4Protocol.Tcp,
                    "udp" => L4Protocol.Udp,
                    var other => throw y.Error(pn, $"proto '{other}' is not tcp or udp"),
                };
                var ln = LocatedYaml.Get(m, "local") ?? throw y.Error(m, "a socket needs 'local' (address:port)");
                var local = y.Scalar(ln, "local");
                var colon = local.LastIndexOf(':');
                var host = colon < 0 ? string.Empty : local[..colon];
                if (host == "*")
                {
                    host = "0.0.0.0";
                }

                if (colon < 0 || !Ipv4.TryParse(host, out var address)
                    || !int.TryParse(local[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                {
                    throw y.Error(ln, $"'{local}' is not address:port (a.b.c.d:1..65535, 0.0.0.0 or * for the wildcard)");
                }

                var kn = LocatedYaml.Get(m, "kind") ?? throw y.Error(m, "a socket needs 'kind' (listen or client)");
                var listening = y.Scalar(kn, "kind") switch
                {
                    "listen" => true,
                    "client" => false,
                    var other => throw y.Error(kn, $"kind '{other}' is not listen or client"),
                };
                var name = LocatedYaml.Get(m, "name") is { } nn ? y.Scalar(nn, "name") : null;
                sockets.Add(new LocalSocket(proto, address, port, listening, name));
            }
        }

        return new ContextFile(interfaces, sockets, kernel);
    }

    [GeneratedRegex(@"^[0-9]{1,2}\.[0-9]{1,3}(\.[0-9]{1,4})?([-+.~][A-Za-z0-9.+~-]*)?$")]
    private static partial Regex KernelVersion();
}
