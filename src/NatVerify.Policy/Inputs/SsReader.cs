using System.Globalization;
using System.Text.RegularExpressions;
using NatVerify.Model.Addressing;
using NatVerify.Specs;

namespace NatVerify.Policy.Inputs;

/// <summary>
/// Reads <c>ss -Htuanp</c> (every TCP/UDP socket) or <c>ss -Htulnp</c> (listeners only) output: one socket a line,
/// <c>NETID STATE RECV-Q SEND-Q LOCAL PEER [users:(("name",pid=N,fd=N),...)]</c>. The netid column is absent when
/// ss was asked for one protocol only; then the state decides (LISTEN is TCP, UNCONN is UDP).
/// </summary>
/// <remarks>
/// Local addresses as ss prints them (iproute2 <c>misc/ss.c</c>, <c>inet_addr_print</c>): <c>a.b.c.d:port</c>;
/// <c>*:port</c> for an IPv6 wildcard socket that also accepts IPv4 (not v6only), taken as the IPv4 wildcard;
/// <c>[::]:port</c> and other IPv6 addresses (v6only or IPv6 traffic), skipped and counted in an assumption;
/// <c>[::ffff:a.b.c.d]:port</c>, an IPv4-mapped address, taken as that IPv4 address; a <c>%dev</c> suffix for a
/// socket bound to a device (SO_BINDTODEVICE), kept as its address and reported as an assumption.
/// </remarks>
public static partial class SsReader
{
    private static readonly HashSet<string> TcpStates = new(StringComparer.Ordinal)
    {
        "LISTEN", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSE-WAIT", "LAST-ACK",
        "CLOSING", "CLOSE", "UNCONN", "UNKNOWN",
    };

    /// <summary>Parses the text.</summary>
    /// <param name="text">ss output without header (<c>-H</c>); a header line is also accepted and skipped.</param>
    /// <param name="file">Display path for errors.</param>
    /// <param name="assumptions">Receives what was skipped or assumed.</param>
    /// <exception cref="SpecException">A line that is not an ss socket line, located at the offending column.</exception>
    public static IReadOnlyList<LocalSocket> Parse(string text, string file, ICollection<string> assumptions)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(assumptions);
        var result = new List<LocalSocket>();
        int ipv6 = 0, lineNo = 0;
        var devices = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.TrimEnd('\r');
            if (line.Length > 65536)
            {
                throw new SpecException(file, lineNo, 1, "line longer than 65536 characters");
            }

            var fields = Fields().Matches(line).Select(m => (Text: m.Value, Column: m.Index + 1)).ToList();
            if (fields.Count == 0 || (lineNo == 1 && fields[0].Text is "Netid" or "State"))
            {
                continue;
            }

            var i = 0;
            string proto;
            if (fields[0].Text is "tcp" or "udp")
            {
                proto = fields[0].Text;
                i = 1;
            }
            else if (fields[0].Text is "LISTEN")
            {
                proto = "tcp";
            }
            else if (fields[0].Text is "UNCONN")
            {
                proto = "udp";
            }
            else
            {
                throw new SpecException(file, lineNo, fields[0].Column,
                    $"expected a netid (tcp, udp) or, for single-protocol output, LISTEN/UNCONN; found '{fields[0].Text}' (only 'ss -Htuanp' or 'ss -Htulnp' output is read)");
            }

            if (fields.Count < i + 5)
            {
                throw new SpecException(file, lineNo, fields[^1].Column + fields[^1].Text.Length,
                    "expected STATE RECV-Q SEND-Q LOCAL PEER after the netid");
            }

            var state = fields[i];
            if (!TcpStates.Contains(state.Text))
            {
                throw new SpecException(file, lineNo, state.Column, $"unknown socket state '{state.Text}'");
            }

            var local = fields[i + 3];
            // Process names are quoted and may hold spaces: the process column is the rest of the line.
            var process = fields.Count > i + 5 ? (Text: line[(fields[i + 5].Column - 1)..].TrimEnd(), fields[i + 5].Column) : default;

            string? name = null;
            if (process.Text is { } p)
            {
                var users = Users().Match(p);
                if (!users.Success)
                {
                    throw new SpecException(file, lineNo, process.Column, "expected users:((\"name\",pid=N,fd=N),...) (ss -p)");
                }

                name = string.Join(",", users.Groups["name"].Captures.Select(c => c.Value).Distinct());
            }

            var (address, port, device, isV6) = LocalAddress(local.Text, file, lineNo, local.Column);
            if (isV6)
            {
                ipv6++;
                continue;
            }

            if (device != null)
            {
                devices.Add($"{proto} {address}:{port} bound to device {device}");
            }

            var listening = proto == "tcp" ? state.Text == "LISTEN" : state.Text == "UNCONN";
            result.Add(new LocalSocket(proto == "tcp" ? L4Protocol.Tcp : L4Protocol.Udp, address, port, listening, name));
        }

        if (ipv6 > 0)
        {
            assumptions.Add($"{file}: {ipv6} IPv6-only socket(s) ignored ([::] is v6only; IPv4 NAT cannot reach them)");
        }

        foreach (var d in devices)
        {
            assumptions.Add($"{file}: {d}: taken as listening on its address whatever the interface (the device binding is not modelled)");
        }

        return result;
    }

    private static (Ipv4 Address, int Port, string? Device, bool IsV6) LocalAddress(string text, string file, int line, int column)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0)
        {
            throw new SpecException(file, line, column, $"expected ADDRESS:PORT, found '{text}'");
        }

        var portText = text[(colon + 1)..];
        int port = 0;
        if (portText != "*" && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535))
        {
            throw new SpecException(file, line, column + colon + 1, $"port '{portText}' is not 0..65535 or '*'");
        }

        var host = text[..colon];
        string? device = null;
        var percent = host.IndexOf('%', StringComparison.Ordinal);
        if (percent >= 0)
        {
            device = host[(percent + 1)..].TrimEnd(']');
            host = host[..percent] + (host.StartsWith('[') ? "]" : string.Empty);
        }

        if (host == "*")
        {
            return (Ipv4.Parse("0.0.0.0"), port, device, false);
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            var inner = host[1..^1];
            if (inner.StartsWith("::ffff:", StringComparison.OrdinalIgnoreCase) && Ipv4.TryParse(inner[7..], out var mapped))
            {
                return (mapped, port, device, false);
            }

            return (default, port, device, true);
        }

        if (!Ipv4.TryParse(host, out var address))
        {
            throw new SpecException(file, line, column, $"'{host}' is not an IPv4 address, '*', or a bracketed IPv6 address");
        }

        return (address, port, device, false);
    }

    [GeneratedRegex(@"users:\(\((?:""(?<name>[^""]*)"",[^)]*\)(?:,\()?)+\)$")]
    private static partial Regex Users();

    [GeneratedRegex(@"\S+")]
    private static partial Regex Fields();
}
