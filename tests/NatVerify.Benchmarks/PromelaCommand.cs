using NatVerify.Reference;

namespace NatVerify.Benchmarks;

/// <summary><c>promela VARIANT [--no-hidden]</c>: the variant as Promela on standard output.</summary>
public static class PromelaCommand
{
    public static int Run(string[] args)
    {
        if (args.Length is < 1 or > 2 || (args.Length == 2 && args[1] != "--no-hidden"))
        {
            throw new UsageException("promela takes a variant name and optionally --no-hidden");
        }

        Console.Out.Write(PromelaGenerator.Generate(RefVariant.Parse(args[0]), args.Length == 2));
        return 0;
    }
}
