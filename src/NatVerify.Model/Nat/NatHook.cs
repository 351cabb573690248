namespace NatVerify.Model.Nat;

/// <summary>The netfilter hooks at which the nat table has a built-in chain.</summary>
public enum NatHook
{
    /// <summary>NF_INET_PRE_ROUTING: DST manip for forwarded and locally delivered packets.</summary>
    PreRouting,

    /// <summary>NF_INET_LOCAL_IN: SRC manip for locally delivered packets.</summary>
    Input,

    /// <summary>NF_INET_LOCAL_OUT: DST manip for locally generated packets.</summary>
    Output,

    /// <summary>NF_INET_POST_ROUTING: SRC manip for forwarded and locally generated packets.</summary>
    PostRouting,
}

/// <summary>Which half of the tuple a NAT hook manipulates (<c>HOOK2MANIP</c>).</summary>
public enum ManipType
{
    /// <summary>NF_NAT_MANIP_SRC (POST_ROUTING, LOCAL_IN).</summary>
    Src,

    /// <summary>NF_NAT_MANIP_DST (PRE_ROUTING, LOCAL_OUT).</summary>
    Dst,
}

/// <summary>Hook helpers.</summary>
public static class NatHookExtensions
{
    /// <summary><c>HOOK2MANIP</c>: SRC for POST_ROUTING and LOCAL_IN, DST otherwise.</summary>
    public static ManipType Manip(this NatHook hook) =>
        hook is NatHook.PostRouting or NatHook.Input ? ManipType.Src : ManipType.Dst;

    /// <summary>The built-in iptables chain name of the hook.</summary>
    public static string ChainName(this NatHook hook) => hook switch
    {
        NatHook.PreRouting => "PREROUTING",
        NatHook.Input => "INPUT",
        NatHook.Output => "OUTPUT",
        _ => "POSTROUTING",
    };
}
