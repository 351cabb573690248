using System.Text.Json;
using NatVerify.Model;
using NatVerify.Model.Semantics;
using NatVerify.Model.State;
using NatVerify.Model.Steps;
using NatVerify.Checker;
using NatVerify.Specs;
using NatVerify.Verification;

namespace NatVerify.Cluster.Nat;

/// <summary>
/// What a partition needs to load a NAT check itself: the spec's text and name (parsed on the silo exactly as the
/// coordinator parsed it), the kernel profile and mutant, and the properties.
/// </summary>
public sealed record NatJob(string SpecName, string SpecText, string? Profile, string Mutant, IReadOnlyList<string>? Properties)
{
    /// <summary>The <see cref="ModelJob.Kind"/> of NAT checks.</summary>
    public const string Kind = "natverify.check/1";

    /// <summary>Builds the job for a spec and settings.</summary>
    public static NatJob Of(string specName, string specText, CheckSettings settings) =>
        new(specName, specText, settings.Profile?.Name, settings.Mutant.CliName(), settings.Properties);

    /// <summary>Serialises the job for the partitions.</summary>
    public ModelJob ToModelJob() => new(Kind, JsonSerializer.Serialize(this));

    /// <summary>Reads a job from its payload.</summary>
    public static NatJob Parse(string payload) =>
        JsonSerializer.Deserialize<NatJob>(payload) ?? throw new ArgumentException("Empty NAT job payload.", nameof(payload));

    /// <summary>Loads the spec and builds the model the engine explores (the same one on every silo and the coordinator).</summary>
    public (ScenarioSpec Spec, NatSemantics Semantics, ClusterModel<NatState, NatStep> Model) Load()
    {
        var spec = SpecLoader.Parse(SpecText, SpecName);
        var profile = Profile is null ? spec.Profile : KernelProfile.Find(Profile) ?? throw new ArgumentException($"Unknown kernel profile '{Profile}'.");
        if (!KernelMutantNames.TryParse(Mutant, out var mutant))
        {
            throw new ArgumentException($"Unknown mutant '{Mutant}'.");
        }

        if (spec.Model.Actors.Count > ActorSets.InlineActors)
        {
            // Their ghost actor sets are handles of one process's intern table (ActorSets), meaningless on another silo.
            throw new ArgumentException(
                $"the scenario has {spec.Model.Actors.Count} actors; a cluster check takes at most {ActorSets.InlineActors} (check it without --cluster)");
        }

        var semantics = new NatSemantics(spec.Model, profile, mutant);
        var invariants = Verifier.Invariants(semantics, Properties ?? spec.Properties);
        var model = new ClusterModel<NatState, NatStep>(new ConntrackSystem(semantics), new NatStateCodec(), invariants, s => OutcomeLabel(semantics, s));
        return (spec, semantics, model);
    }

    /// <summary>The joint outcome of a terminal state, as <see cref="OutcomeSet"/> keys it.</summary>
    internal static string OutcomeLabel(NatSemantics semantics, NatState state) =>
        string.Join("|", Enumerable.Range(0, state.Count).Select(i => semantics.OutcomeOf(state, i)));
}

/// <summary>Loads NAT checks on a silo.</summary>
public sealed class NatModelFactory : IPartitionModelFactory
{
    /// <inheritdoc />
    public string Kind => NatJob.Kind;

    /// <inheritdoc />
    public IPartitionModel Create(string payload) => NatJob.Parse(payload).Load().Model;
}
