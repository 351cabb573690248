using NatVerify.Model;
using NatVerify.Oracle.Kernel;
using NatVerify.Specs;
using Xunit;
using Xunit.Abstractions;

namespace NatVerify.Oracle.Tests;

/// <summary>The oracle can fail: a wrong model, or a kernel fact the model does not know, shows as a disagreement with a precise diff.</summary>
[Collection(KernelCollection.Name)]
public class OracleDisagreementTests(ITestOutputHelper output)
{
    [OracleFact]
    public void Model_without_null_bindings_disagrees_with_the_kernel_on_the_seed_and_names_the_client()
    {
        var report = OracleRunner.Run(
            OracleEnvironment.Load("specs/seed/thief-first.yaml"),
            new OracleOptions { Agent = OracleEnvironment.Agent, Mutant = KernelMutant.NoNullBinding, Seed = 1 });
        var text = Write(report);
        var run = Assert.Single(report.Runs);
        Assert.False(run.Comparison.Agree, text);
        Assert.Contains(run.Comparison.Differences, d => d.StartsWith("client: the socket reported connected, the model (dropped) means timeout", StringComparison.Ordinal));
        Assert.Contains(run.Comparison.Differences, d => d == "conntrack -S: insert_failed moved by 0, the model says 1");
    }

    /// <summary>
    /// Kernel fact the model does not represent yet (see docs/oracle.md, "Findings"): a namespace whose only
    /// netfilter configuration is an empty nat table tracks nothing, because no rule called nf_ct_netns_get.
    /// The client then keeps its port although ctnetlink linked an entry holding its reply tuple, and the table
    /// holds only the inserted entry. This pins the kernel's side; the model currently predicts a rewrite.
    /// </summary>
    [OracleFact]
    public void Empty_nat_table_alone_does_not_switch_connection_tracking_on()
    {
        var spec = SpecLoader.Parse(
            """
            name: untracked
            description: seed experiment 3's insert before the client, in a namespace where no rule uses conntrack
            interfaces:
              veth0: 198.51.100.1
            ruleset: |
              *nat
              :PREROUTING ACCEPT [0:0]
              :INPUT ACCEPT [0:0]
              :OUTPUT ACCEPT [0:0]
              :POSTROUTING ACCEPT [0:0]
              COMMIT
            actors:
              - name: insert
                conntrack: -I --protonum 6 --timeout 100 --reply-src 198.51.100.2 --reply-dst 198.51.100.1 --state SYN_SENT --reply-port-dst 12345 --reply-port-src 80 --src 192.0.2.1 --dst 198.51.100.2
              - name: client
                flow: 198.51.100.1:12345 -> 198.51.100.2:80
            schedule: sequential
            """,
            "untracked.yaml");
        var report = OracleRunner.Run(spec, new OracleOptions { Agent = OracleEnvironment.Agent, Seed = 2 });
        var text = Write(report);
        var observation = Assert.Single(report.Runs).Observation;
        var entry = Assert.Single(observation.Entries);
        Assert.Equal("192.0.2.1", entry.Original.SrcIp.ToString());
        var client = observation.Flows["client"];
        Assert.Equal("connected", client.ClientResult);
        Assert.Equal(12345, Assert.Single(client.Sightings).Packet.SrcPort.Raw);
        Assert.Equal(0, observation.Counters["found"]);
        output.WriteLine(text);
    }

    private string Write(OracleReport report)
    {
        var text = new StringWriter();
        OracleReportWriter.Write(report, text, verbose: true);
        output.WriteLine(text.ToString());
        return text.ToString();
    }
}
