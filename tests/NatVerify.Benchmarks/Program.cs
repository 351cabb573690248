using BenchmarkDotNet.Running;
using NatVerify.Benchmarks;

// natverify-bench: the engine's side of the SPIN comparison, the Promela generator, product numbers and the
// BenchmarkDotNet micro-benchmarks. Independent of the natverify CLI.
if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(Usage.Text);
    return 0;
}

try
{
    return args[0] switch
    {
        "compare" => CompareCommand.Run(args[1..]),
        "promela" => PromelaCommand.Run(args[1..]),
        "product" => ProductCommand.Run(args[1..]),
        "scale" => ScaleCommand.Run(args[1..]),
        "bench" => RunBenchmarks(args[1..]),
        "policy" => PolicyCommand.Run(args[1..]),
        _ => throw new UsageException($"unknown command '{args[0]}'"),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine($"natverify-bench: {e.Message}");
    Console.Error.WriteLine(Usage.Text);
    return 2;
}
catch (FormatException e)
{
    Console.Error.WriteLine($"natverify-bench: {e.Message}");
    return 2;
}

static int RunBenchmarks(string[] rest)
{
    BenchmarkSwitcher.FromAssembly(typeof(CompareCommand).Assembly).Run(rest);
    return 0;
}
