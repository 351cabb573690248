namespace NatVerify.Checker;

/// <summary>The order in which the checker visits states.</summary>
public enum SearchOrder
{
    /// <summary>Level by level; violation traces are shortest.</summary>
    BreadthFirst,

    /// <summary>Along an explicit stack; violation traces are the current stack path, not necessarily shortest.</summary>
    DepthFirst,
}
