using System.Text.Json;
using System.Text.Json.Serialization;
using Ferry.Core.Sessions;

namespace Ferry.Local.Demo;

/// <summary>
/// What the demo runs (local/demo/demo.json): a world, policies with each resource's expected outcome, and restores;
/// then, in <paramref name="MoreWorlds"/>, further worlds with their own policies and restores.
/// </summary>
public sealed record DemoManifest(string World, double Acceleration, IReadOnlyList<DemoPolicy> Policies, IReadOnlyList<DemoRestore> Restores, IReadOnlyList<DemoWorld>? MoreWorlds = null)
{
    public static DemoManifest Load(string path) =>
        JsonSerializer.Deserialize(File.ReadAllText(path), DemoJson.Default.DemoManifest)
            ?? throw new InvalidDataException($"{path} is empty");

    /// <summary>Every world the demo runs, the first one first.</summary>
    public IReadOnlyList<DemoWorld> AllWorlds() => [new DemoWorld(World, Acceleration, Policies, Restores), .. MoreWorlds ?? []];
}

/// <summary>One simulated world of the demo, with the policies run and the restores made in it.</summary>
public sealed record DemoWorld(string World, double Acceleration, IReadOnlyList<DemoPolicy> Policies, IReadOnlyList<DemoRestore>? Restores = null);

/// <param name="Scenarios">The behaviour.md scenario each resource demonstrates, for the report.</param>
public sealed record DemoPolicy(string File, IReadOnlyDictionary<string, ResourceStatus> Expect, IReadOnlyDictionary<string, string>? Scenarios = null);

/// <summary>A restore of a resource's newest snapshot (or replica) taken by a demo policy.</summary>
public sealed record DemoRestore(
    string Scenario,
    string Policy,
    string Resource,
    bool Replica,
    string TargetAccount,
    string TargetRegion,
    string RestoreRole,
    string? TargetKmsKey,
    ResourceStatus Expect,
    string? ShareKey = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(DemoManifest))]
internal sealed partial class DemoJson : JsonSerializerContext;
