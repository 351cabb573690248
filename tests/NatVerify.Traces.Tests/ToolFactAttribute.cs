using Xunit;

namespace NatVerify.Traces.Tests;

/// <summary>
/// A test that needs external programs (scripts/setup.sh installs them). Where one is missing, or root is needed and
/// the run is not root, the test is reported as SKIPPED with the reason, never as passed.
/// </summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(bool needsRoot, params string[] commands)
    {
        var missing = commands.Where(c => Tools.Find(c) is null).ToList();
        if (needsRoot && !Tools.IsRoot)
        {
            Skip = $"NOT RUN (counts as skipped, not passed): needs root to create network namespaces. Run the tests as root (scripts/test.sh).";
        }
        else if (missing.Count > 0)
        {
            Skip = $"NOT RUN (counts as skipped, not passed): {string.Join(", ", missing)} not installed; scripts/setup.sh installs them.";
        }
    }
}
