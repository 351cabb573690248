namespace NatVerify.Benchmarks;

/// <summary>The command-line help.</summary>
public static class Usage
{
    public const string Text = """
        usage:
          natverify-bench compare VARIANT [--reduce none|por|sym|por+sym] [--workers 1|2] [--expected-states N]
              Explores a reference variant (e.g. N8_K8_nd, N6_K16_nd_inj, N2_K4_det_mut) once and prints one JSON line:
              states, transitions, terminal states, verdict, exploration seconds, peak RSS (VmHWM) and engine bytes.
          natverify-bench promela VARIANT [--no-hidden]
              Prints the variant as Promela for SPIN (written from MODEL.md).
          natverify-bench product [SPEC.yaml ...]
              Checks the shipped specs (default: specs/**/*.yaml) with and without partial-order reduction.
          natverify-bench scale SPEC.yaml [--reduce none|por|sym|por+sym] [--timeout S] [--max-memory MiB] [--max-states N]
                                  [--expected-states N] [--frontier packed|objects] [--fingerprints run|canonical]
              Checks one product-model spec (e.g. specs/scale/*.yaml) exhaustively, breadth-first, and prints one JSON
              line: states, CPU seconds, states per CPU-second, peak RSS per state, managed bytes allocated per state.
          natverify-bench bench [BenchmarkDotNet arguments, e.g. --filter '*']
              Runs the micro-benchmarks (successor generation, canonical encoding, fingerprint set).
          natverify-bench policy [--services N] [--write FILE | --read FILE]
              Generates (or reads) a kube-proxy iptables-mode nat dump with N service ports (default 1000) and times
              parsing and the policy analysis; prints one JSON line (rules, seconds, findings by class).
        """;
}
