using System.CommandLine;

namespace NatVerify.Cli;

/// <summary><c>natverify specs</c>: lists the embedded seed specs.</summary>
internal static class SpecsCommand
{
    public static Command Create(TextWriter stdout)
    {
        var command = new Command("specs", "List the seed specs built into natverify (use them as 'natverify check seed:NAME').");
        command.SetAction(_ =>
        {
            foreach (var name in EmbeddedSpecs.Names())
            {
                stdout.WriteLine(name);
            }

            return (int)ExitCode.Holds;
        });
        return command;
    }
}
