using System.Globalization;
using NatVerify.Model.Addressing;
using NatVerify.Model.Scenario;
using YamlDotNet.RepresentationModel;

namespace NatVerify.Specs;

/// <summary>
/// Reads <c>ip -j addr show</c> output (iproute2's JSON: an array of links, each with <c>ifname</c> and
/// <c>addr_info[]</c> of <c>{family, local, prefixlen}</c>) into interfaces with all their IPv4 addresses, in the
/// kernel's order. IPv6 addresses are skipped and counted in an assumption (the model is IPv4 only). Used by specs
/// (<c>addresses-file:</c>) and by <c>natverify policy --addresses</c>.
/// </summary>
public static class IpAddrReader
{
    /// <summary>Parses the text.</summary>
    /// <param name="text">The JSON text.</param>
    /// <param name="file">Display path for errors.</param>
    /// <param name="assumptions">Receives what was skipped.</param>
    /// <exception cref="SpecException">Malformed JSON, or a link/address without the fields iproute2 always prints.</exception>
    public static IReadOnlyList<InterfaceInfo> Parse(string text, string file, ICollection<string> assumptions)
    {
        ArgumentNullException.ThrowIfNull(assumptions);
        var y = new LocatedYaml(file);
        var root = y.Load(text) ?? throw new SpecException(file, 1, 1, "empty file; expected the JSON array 'ip -j addr show' prints");
        var links = y.Sequence(root, "'ip -j addr show' output");
        var result = new List<InterfaceInfo>();
        var ipv6 = 0;
        foreach (var linkNode in links)
        {
            var link = y.Mapping(linkNode, "a link of 'ip -j addr show'");
            var nameNode = LocatedYaml.Get(link, "ifname") ?? throw y.Error(link, "a link without 'ifname'");
            var name = y.Scalar(nameNode, "ifname");
            var addresses = new List<InterfaceAddress>();
            if (LocatedYaml.Get(link, "addr_info") is { } infoNode)
            {
                foreach (var addrNode in y.Sequence(infoNode, "addr_info"))
                {
                    var addr = y.Mapping(addrNode, "an addr_info entry");
                    var family = LocatedYaml.Get(addr, "family") is { } f ? y.Scalar(f, "family") : null;
                    if (family == "inet6")
                    {
                        ipv6++;
                        continue;
                    }

                    if (family != "inet")
                    {
                        throw y.Error(addr, $"address family '{family ?? "(none)"}' is not inet or inet6");
                    }

                    var localNode = LocatedYaml.Get(addr, "local") ?? throw y.Error(addr, "an inet address without 'local'");
                    var local = y.Scalar(localNode, "local");
                    if (!Ipv4.TryParse(local, out var ip))
                    {
                        throw y.Error(localNode, $"'{local}' is not an IPv4 address");
                    }

                    var prefixNode = LocatedYaml.Get(addr, "prefixlen") ?? throw y.Error(addr, "an inet address without 'prefixlen'");
                    var prefixText = y.Scalar(prefixNode, "prefixlen");
                    if (!int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix > 32)
                    {
                        throw y.Error(prefixNode, $"prefixlen '{prefixText}' is not 0..32");
                    }

                    addresses.Add(new InterfaceAddress(ip, prefix));
                }
            }

            if (result.Any(i => i.Name == name))
            {
                throw y.Error(nameNode, $"interface '{name}' appears twice");
            }

            result.Add(new InterfaceInfo(name, addresses));
        }

        if (ipv6 > 0)
        {
            assumptions.Add($"{file}: {ipv6} IPv6 address(es) ignored: the model and the analysis are IPv4 only (IPv6 NAT is not checked)");
        }

        return result;
    }
}
