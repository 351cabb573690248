using NatVerify.Specs;
using NatVerify.Verification;
using Xunit;

namespace NatVerify.Traces.Tests;

/// <summary>
/// The spec writer (used to embed minimised specs) writes YAML that reads back to the same scenario: checked over
/// every shipped spec by exploring both exhaustively and comparing state counts and joint outcomes.
/// </summary>
public class SpecWriterTests
{
    public static TheoryData<string> Specs()
    {
        var data = new TheoryData<string>();
        foreach (var f in Repo.SpecFiles())
        {
            data.Add(f);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void A_written_spec_reads_back_to_the_same_scenario(string file)
    {
        var (spec, _) = Repo.Load(file);
        var text = SpecWriter.Write(SpecDraft.From(spec));
        var back = SpecLoader.Parse(text, "written");

        Assert.Equal(SpecWriter.Write(SpecDraft.From(back)), text);
        Assert.Equal(spec.Model.Actors.Select(a => a.ToString()), back.Model.Actors.Select(a => a.ToString()));
        Assert.Equal(spec.RulesetText, back.RulesetText);
        Assert.Equal(Addresses(spec), Addresses(back));
        var before = Verifier.Check(spec, new CheckSettings());
        var after = Verifier.Check(back, new CheckSettings());
        Assert.Equal(before.Stats.StatesStored, after.Stats.StatesStored);
        Assert.Equal(before.Outcomes.Joint.Select(j => string.Join("|", j.Outcomes)), after.Outcomes.Joint.Select(j => string.Join("|", j.Outcomes)));
        Assert.Equal(before.ExpectationFailures, after.ExpectationFailures);
    }

    [Fact]
    public void A_written_spec_keeps_its_pools()
    {
        var spec = SpecLoader.LoadFile(Path.Combine(TestSupport.RepositoryFiles.Root, "specs/scale/snat-pool-64-last-port.yaml"));
        var text = SpecWriter.Write(SpecDraft.From(spec));
        var back = SpecLoader.Parse(text, "written");
        Assert.Equal(spec.Model.Pools, back.Model.Pools);
        Assert.Equal(
            Verifier.Check(spec, new CheckSettings()).Outcomes.Joint.Select(j => string.Join("|", j.Outcomes)),
            Verifier.Check(back, new CheckSettings()).Outcomes.Joint.Select(j => string.Join("|", j.Outcomes)));
    }

    [Fact]
    public void A_spec_with_an_addresses_file_is_embedded_with_every_address_inline()
    {
        var dir = Repo.TempDir();
        try
        {
            File.WriteAllText(Path.Combine(dir, "addrs.json"), """
                [{"ifname":"lo","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]},
                 {"ifname":"veth0","addr_info":[{"family":"inet","local":"198.51.100.1","prefixlen":24},{"family":"inet","local":"203.0.113.1","prefixlen":24}]}]
                """);
            var (_, original) = Repo.Load("specs/rules/masquerade-on-link-address.yaml");
            var text = original.Replace("interfaces:\n  veth0: [198.51.100.1/24, 203.0.113.1/24]\n", "addresses-file: addrs.json\n", StringComparison.Ordinal);
            Assert.Contains("addresses-file", text, StringComparison.Ordinal);
            var path = Path.Combine(dir, "s.yaml");
            File.WriteAllText(path, text);
            var spec = SpecLoader.LoadFile(path);

            var embedded = SpecEmbedding.Embed(spec, text, path);
            Assert.DoesNotContain("addresses-file", embedded.Text, StringComparison.Ordinal);
            Assert.Contains("veth0: [198.51.100.1/24, 203.0.113.1/24]", embedded.Text, StringComparison.Ordinal);
            Assert.Equal(Addresses(spec), Addresses(SpecEmbedding.Load(embedded, "t.json")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Addresses(ScenarioSpec spec) =>
        string.Join("; ", spec.Model.Interfaces.Select(i => $"{i.Name}={string.Join(",", i.Addresses)}"));
}
