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
        var before = Verifier.Check(spec, new CheckSettings());
        var after = Verifier.Check(back, new CheckSettings());
        Assert.Equal(before.Stats.StatesStored, after.Stats.StatesStored);
        Assert.Equal(before.Outcomes.Joint.Select(j => string.Join("|", j.Outcomes)), after.Outcomes.Joint.Select(j => string.Join("|", j.Outcomes)));
        Assert.Equal(before.ExpectationFailures, after.ExpectationFailures);
    }
}
