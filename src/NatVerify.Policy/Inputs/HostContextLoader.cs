using NatVerify.Specs;

namespace NatVerify.Policy.Inputs;

/// <summary>
/// Builds the <see cref="HostContext"/> from the files <c>natverify policy</c> was given (a context file, or
/// <c>ip -j addr show</c> and <c>ss</c> outputs), recording every fact the checker assumes because no input gave it.
/// </summary>
public static class HostContextLoader
{
    /// <summary>Loads and combines the inputs; any of them may be null.</summary>
    /// <param name="contextFile">A context file (YAML or JSON), exclusive with the other two files.</param>
    /// <param name="addressesFile">An <c>ip -j addr show</c> output.</param>
    /// <param name="socketsFile">An <c>ss -Htuanp</c> or <c>ss -Htulnp</c> output.</param>
    /// <param name="kernel">The <c>--kernel</c> version, which overrides the context file's.</param>
    /// <exception cref="SpecException">A file is unreadable or malformed.</exception>
    /// <exception cref="ArgumentException">Both a context file and addresses/sockets files are given.</exception>
    public static HostContext Load(string? contextFile, string? addressesFile, string? socketsFile, string? kernel)
    {
        if (contextFile != null && (addressesFile != null || socketsFile != null))
        {
            throw new ArgumentException("--context cannot be combined with --addresses or --sockets");
        }

        var assumptions = new List<string>();
        IReadOnlyList<NatVerify.Model.Scenario.InterfaceInfo>? interfaces = null;
        IReadOnlyList<LocalSocket>? sockets = null;
        string? contextKernel = null;
        if (contextFile != null)
        {
            var c = ContextReader.Parse(InputFiles.ReadText(contextFile, InputFiles.MaxHostFileBytes), contextFile);
            (interfaces, sockets, contextKernel) = (c.Interfaces, c.Sockets, c.Kernel);
        }

        if (addressesFile != null)
        {
            interfaces = IpAddrReader.Parse(InputFiles.ReadText(addressesFile, InputFiles.MaxHostFileBytes), addressesFile, assumptions);
        }

        if (socketsFile != null)
        {
            var text = InputFiles.ReadText(socketsFile, InputFiles.MaxHostFileBytes);
            sockets = SsReader.Parse(text, socketsFile, assumptions);
            if (sockets.All(s => s.Listening) && text.Length > 0)
            {
                assumptions.Add($"{socketsFile}: no connected or client sockets listed (ss -l output?): fixed-port findings cannot name local clients bound to a rule's port");
            }
        }

        if (interfaces == null)
        {
            assumptions.Add("no interfaces given: MASQUERADE's address and the addresses local sockets listen on are taken from the ruleset only");
            interfaces = [];
        }
        else if (interfaces.Count > 0 && interfaces.All(i => i.Role == null))
        {
            assumptions.Add("no interface roles given: any interface may be the LAN or the WAN side");
        }

        if (sockets == null)
        {
            assumptions.Add("no sockets given: port-shadowing judged against no listeners, and fixed-port findings name no local clients");
            sockets = [];
        }

        var version = kernel ?? contextKernel;
        if (version == null)
        {
            assumptions.Add("no kernel version given: the default profile is used");
        }
        else if (kernel != null && contextKernel != null && kernel != contextKernel)
        {
            assumptions.Add($"--kernel {kernel} overrides the context file's kernel {contextKernel}");
        }

        return new HostContext(interfaces, sockets, version, assumptions);
    }
}
