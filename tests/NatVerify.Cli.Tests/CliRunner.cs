
namespace NatVerify.Cli.Tests;

/// <summary>Runs the CLI in-process and captures its output.</summary>
internal static class CliRunner
{
    public static string Root => TestSupport.RepositoryFiles.Root;

    public static (ExitCode Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = App.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    public static string Spec(string relative) => Path.Combine(Root, relative);

    public static string TempSpec(string yaml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"natverify-cli-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

}
