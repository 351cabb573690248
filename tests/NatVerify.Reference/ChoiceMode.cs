namespace NatVerify.Reference;

/// <summary>How a port search picks among the free ports (MODEL.md, step 2).</summary>
public enum ChoiceMode
{
    /// <summary>The smallest free port.</summary>
    Det,

    /// <summary>Any free port: one transition per free port (Linux's random search offset).</summary>
    Nd,
}
