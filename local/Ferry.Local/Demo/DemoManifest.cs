using System.Text.Json;
using System.Text.Json.Serialization;
using Ferry.Core.Sessions;

namespace Ferry.Local.Demo;

/// <summary>What the demo runs (local/demo/demo.json): a world, policies with each resource's expected outcome, and restores.</summary>
public sealed record DemoManifest(string World, double Acceleration, IReadOnlyList<DemoPolicy> Policies, IReadOnlyList<DemoRestore> Restores)
{
    public static DemoManifest Load(string path) =>
        JsonSerializer.Deserialize(File.ReadAllText(path), DemoJson.Default.DemoManifest)
            ?? throw new InvalidDataException($"{path} is empty");
}

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
    ResourceStatus Expect);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(DemoManifest))]
internal sealed partial class DemoJson : JsonSerializerContext;
