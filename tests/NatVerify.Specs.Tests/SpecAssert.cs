namespace NatVerify.Specs.Tests;

/// <summary>Assertions about spec errors: the exception type, its location and the gist of its message.</summary>
internal static class SpecAssert
{
    public static SpecException Fails(Action parse, int line, int column, string detailFragment)
    {
        var ex = Assert.Throws<SpecException>(parse);
        Assert.True(
            ex.Line == line && ex.Column == column && ex.Detail.Contains(detailFragment, StringComparison.Ordinal),
            $"expected {line}:{column} containing '{detailFragment}', got {ex.Line}:{ex.Column}: {ex.Detail}");
        Assert.Equal($"{ex.File}:{ex.Line}:{ex.Column}: {ex.Detail}", ex.Message);
        return ex;
    }
}
