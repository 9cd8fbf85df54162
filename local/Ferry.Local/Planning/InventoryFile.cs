using System.Text.Json;
using System.Text.Json.Serialization;
using Ferry.Core.Aws;
using Ferry.Core.Inventory;
using Ferry.Core.Planning;

namespace Ferry.Local.Planning;

/// <summary>
/// A resource inventory for a dry-run plan: instances, databases, the keys they use, the engine
/// versions regions offer and, optionally, which roles may use which keys.
/// </summary>
public sealed record InventoryFile(
    IReadOnlyList<InventoryKey>? Keys = null,
    IReadOnlyList<InventoryInstance>? Instances = null,
    IReadOnlyList<InventoryDatabase>? Databases = null,
    IReadOnlyList<InventoryEngineOffer>? EngineVersions = null,
    IReadOnlyList<InventoryGrant>? KeyGrants = null)
{
    public static Inventory Load(string json)
    {
        var file = JsonSerializer.Deserialize(json, InventoryJson.Default.InventoryFile)
            ?? throw new InvalidDataException("The inventory file is empty");
        return file.ToInventory();
    }

    private Inventory ToInventory()
    {
        var keys = (Keys ?? []).ToDictionary(k => k.Arn, k => ToKeyFacts(k.Arn, k.AwsManaged, k.Alias), StringComparer.Ordinal);
        KeyFacts? Key(string? arn, string where)
        {
            if (arn is null)
                return null;
            if (keys.TryGetValue(arn, out var facts))
                return facts;
            // A key the inventory does not list is taken as a customer managed key.
            return ToKeyFacts(arn, false, null) ?? throw new InvalidDataException($"{where}: '{arn}' is not a KMS key ARN");
        }

        var instances = (Instances ?? []).Select((i, n) => new Ec2InstanceFacts(
            i.InstanceId, i.AccountId, i.Region, i.InstanceType, i.Tags ?? new Dictionary<string, string>(),
            [.. (i.Volumes ?? []).Select((v, m) => new VolumeFacts(v.VolumeId, v.DeviceName, v.SizeGiB, v.Encrypted, v.Encrypted ? Key(v.KmsKey, $"instances[{n}].volumes[{m}].kmsKey") : null))]))
            .ToList();
        var databases = (Databases ?? []).Select((d, n) => new RdsFacts(
            d.Identifier, d.Kind, d.AccountId, d.Region, d.Engine, d.EngineVersion, d.Encrypted,
            d.Encrypted ? Key(d.KmsKey, $"databases[{n}].kmsKey") : null, d.Tags ?? new Dictionary<string, string>(), d.DbClass))
            .ToList();
        var engines = EngineVersions is null
            ? null
            : new EngineCatalog(EngineVersions.SelectMany(o => o.Versions.Select(v => (o.Region, o.Engine, v))));
        var access = KeyGrants is null ? null : new KeyAccess(KeyGrants.Select(g => new KeyGrant(g.Role, g.Key, g.Actions)));
        return new Inventory(instances, databases, new PlanContext(access, engines));
    }

    private static KeyFacts? ToKeyFacts(string arnText, bool awsManaged, string? alias) =>
        Arn.TryParse(arnText, out var arn) && arn.Service == "kms"
            ? new KeyFacts(arnText, arn.Account, arn.Region, awsManaged && alias is "alias/aws/ebs" or "alias/aws/rds", alias)
            : null;
}

public sealed record Inventory(IReadOnlyList<Ec2InstanceFacts> Instances, IReadOnlyList<RdsFacts> Databases, PlanContext Context);

public sealed record InventoryKey(string Arn, string? Alias = null, bool AwsManaged = false);

public sealed record InventoryVolume(string VolumeId, string DeviceName, int SizeGiB, bool Encrypted, string? KmsKey = null);

public sealed record InventoryInstance(string InstanceId, string AccountId, string Region, string InstanceType, Dictionary<string, string>? Tags = null, IReadOnlyList<InventoryVolume>? Volumes = null);

public sealed record InventoryDatabase(string Identifier, RdsKind Kind, string AccountId, string Region, string Engine, string EngineVersion, bool Encrypted, string? KmsKey = null, string? DbClass = null, Dictionary<string, string>? Tags = null);

public sealed record InventoryEngineOffer(string Region, string Engine, IReadOnlyList<string> Versions);

public sealed record InventoryGrant(string Role, string Key, IReadOnlyList<string> Actions);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, RespectRequiredConstructorParameters = true, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(InventoryFile))]
internal sealed partial class InventoryJson : JsonSerializerContext;
