using NatVerify.Specs.Nft;

namespace NatVerify.Specs.Tests.Nft;

/// <summary>
/// Hostile input: for 250 mutations (seeded, seed printed in the failure) of each real dump, in both notations, the
/// readers either return a model or throw <see cref="SpecException"/>; never another exception.
/// </summary>
public sealed class NftRobustnessTests
{
    public static TheoryData<string, int> Cases => new() { { "kube-proxy-node.dump.nft", 11 }, { "fw4-router.dump.json", 12 }, { "firewalld-host.dump.nft", 13 }, { "kube-proxy-node.dump.json", 14 } };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Mutated_dump_gives_a_model_or_a_located_error_never_a_crash(string file, int seed)
    {
        var original = File.ReadAllText(Path.Combine(Fixtures(), file));
        var random = new Random(seed);
        for (var i = 0; i < 250; i++)
        {
            var text = Mutate(original, random);
            try
            {
                RulesetReader.Parse(text, file, file.EndsWith(".json", StringComparison.Ordinal) ? RulesetFormat.NftJson : RulesetFormat.Nft);
            }
            catch (SpecException ex)
            {
                Assert.True(ex.Line >= 1 && ex.Column >= 1, $"seed {seed} mutation {i}: bad location in {ex.Message}");
                Assert.DoesNotContain("internal error", ex.Message, StringComparison.Ordinal);
            }
            catch (Exception ex)
            {
                Assert.Fail($"seed {seed} mutation {i}: {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    private static string Mutate(string s, Random random)
    {
        var chars = s.ToCharArray().ToList();
        var edits = 1 + random.Next(4);
        const string alphabet = "{}[],;:\".@/-0123456789abz \n";
        for (var e = 0; e < edits && chars.Count > 0; e++)
        {
            var at = random.Next(chars.Count);
            switch (random.Next(3))
            {
                case 0:
                    chars.RemoveAt(at);
                    break;
                case 1:
                    chars.Insert(at, alphabet[random.Next(alphabet.Length)]);
                    break;
                default:
                    chars[at] = alphabet[random.Next(alphabet.Length)];
                    break;
            }
        }

        return new string(chars.ToArray());
    }

    private static string Fixtures([System.Runtime.CompilerServices.CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "Fixtures");
}
