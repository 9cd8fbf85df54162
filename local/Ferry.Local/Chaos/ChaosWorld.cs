using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Ferry.Core.Inventory;
using Ferry.Core.Policies;
using Ferry.Core.Ports;
using Ferry.Simulator.World;

namespace Ferry.Local.Chaos;

/// <summary>A resource of the generated world and the copies its replica needs.</summary>
/// <param name="Items">Volumes (EC2) or the DB itself (RDS): one copy each, per copy stage.</param>
/// <param name="CopyScopes">The quota scopes its copies go through, in order (a staging copy first, then the replica).</param>
public sealed record ChaosResource(string Id, string PolicyId, string Region, string Service, int Items, IReadOnlyList<CopySlotKey> CopyScopes);

/// <summary>
/// A generated estate for <c>ferry chaos</c>: EC2 instances with 1–4 volumes (unencrypted or on a customer
/// key), RDS DB instances and a few Aurora clusters, in a same-account source region (eu-north-1 → the
/// source account's eu-central-1) and a cross-account one (eu-west-1 → the DR account's eu-central-1, RDS
/// staged in the DR account's eu-west-1). Nothing in it fails by design: only injected faults may fail a resource.
/// Every volume and DB has the same size, so each copy of a service takes the same time.
/// </summary>
public sealed class ChaosWorld
{
    public const string Ec2Policy = "chaos-ec2";
    public const string RdsPolicy = "chaos-rds";
    public const int SizeGiB = 20;
    private const string Source = "111111111111";
    private const string Dr = "222222222222";
    private const string CrossRegion = "eu-west-1";
    private const string SameRegion = "eu-north-1";
    private const string TargetRegion = "eu-central-1";
    private const string Ferry = "arn:aws:iam::999999999999:role/FerryService";
    private const string ExternalId = "ferry-ext";
    private const string SourceRole = $"arn:aws:iam::{Source}:role/FerrySource";
    private const string LocalTarget = $"arn:aws:iam::{Source}:role/FerryLocalTarget";
    private const string DrTarget = $"arn:aws:iam::{Dr}:role/FerryTarget";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    private ChaosWorld(WorldSpec spec, IReadOnlyList<ChaosResource> resources)
    {
        Spec = spec;
        Resources = resources;
    }

    public WorldSpec Spec { get; }

    public IReadOnlyList<ChaosResource> Resources { get; }

    public static IReadOnlyList<string> PolicyIds { get; } = [Ec2Policy, RdsPolicy];

    /// <summary>The same world for the same size and seed.</summary>
    public static ChaosWorld Generate(int size, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var random = new Random(seed);
        var instances = new List<InstanceSpec>();
        var databases = new List<DatabaseSpec>();
        var resources = new List<ChaosResource>();
        var tags = new Dictionary<string, string> { ["chaos"] = "yes" };
        for (var i = 1; i <= size; i++)
        {
            var region = random.Next(2) == 0 ? CrossRegion : SameRegion;
            var target = region == CrossRegion ? Dr : Source;
            var kind = random.NextDouble();
            if (kind < 0.70)
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"i-0c4a05{i:x11}");
                var volumes = Enumerable.Range(0, random.Next(1, 5)).Select(v =>
                {
                    var encrypted = random.Next(2) == 1;
                    return new VolumeSpec(string.Create(CultureInfo.InvariantCulture, $"vol-0c4a05{i:x9}{v:x2}"), $"/dev/xvd{(char)('a' + v)}", SizeGiB,
                        encrypted, encrypted ? AppKey(region) : null);
                }).ToList();
                instances.Add(new InstanceSpec(id, Source, region, "m6i.large", volumes, tags));
                resources.Add(new ChaosResource(id, Ec2Policy, region, "ebs", volumes.Count, [new CopySlotKey(target, TargetRegion, "ebs")]));
            }
            else
            {
                var aurora = kind >= 0.97;
                var id = string.Create(CultureInfo.InvariantCulture, $"chaos-{(aurora ? "aurora" : "db")}-{i:D5}");
                var encrypted = aurora || random.Next(2) == 0;
                databases.Add(new DatabaseSpec(id, aurora ? RdsKind.AuroraCluster : RdsKind.DbInstance, Source, region,
                    aurora ? "aurora-postgresql" : "postgres", aurora ? "15.4" : "16.3", encrypted, encrypted ? AppKey(region) : null,
                    aurora ? "db.r6g.large" : "db.m6g.large", SizeGiB, tags));
                var service = aurora ? "aurora" : "rds";
                IReadOnlyList<CopySlotKey> scopes = region == CrossRegion
                    ? [new CopySlotKey(Dr, CrossRegion, service), new CopySlotKey(Dr, TargetRegion, service)]
                    : [new CopySlotKey(Source, TargetRegion, service)];
                resources.Add(new ChaosResource(id, RdsPolicy, region, service, 1, scopes));
            }
        }
        return new ChaosWorld(Estate(instances, databases), resources);
    }

    /// <summary>The world file, so a run can be read or repeated.</summary>
    public string ToJson() => JsonSerializer.Serialize(Spec, Json);

    /// <summary>The policy protecting every generated resource of <paramref name="type"/>, both source regions.</summary>
    public static string PolicyJson(ResourceType type)
    {
        var policy = new JsonObject
        {
            ["id"] = type == ResourceType.Ec2 ? Ec2Policy : RdsPolicy,
            ["name"] = $"Chaos: every generated {type} resource",
            ["type"] = type.ToString().ToUpperInvariant(),
            ["sources"] = new JsonObject
            {
                ["sourceRole"] = SourceRole,
                ["regions"] = new JsonArray(CrossRegion, SameRegion),
                ["resources"] = new JsonObject { ["tags"] = new JsonArray(new JsonObject { ["key"] = "chaos", ["value"] = "yes" }) },
            },
            ["replicas"] = new JsonObject
            {
                ["mappings"] = new JsonArray(
                    Mapping(CrossRegion, DrTarget, DrKey(TargetRegion)),
                    Mapping(SameRegion, LocalTarget, LocalDrKey)),
            },
            ["retention"] = new JsonObject { ["restorePoints"] = 7 },
        };
        return policy.ToJsonString();

        static JsonObject Mapping(string sourceRegion, string role, string key) => new()
        {
            ["sourceRegion"] = sourceRegion,
            ["targetRole"] = role,
            ["targetRegion"] = TargetRegion,
            ["encryption"] = new JsonObject { ["enabled"] = true, ["kmsKey"] = key },
        };
    }

    private static string AppKey(string region) => Key(region, Source, region == CrossRegion ? 1 : 2);

    private static string DrKey(string region) => Key(region, Dr, region == TargetRegion ? 4 : 5);

    private static string LocalDrKey => Key(TargetRegion, Source, 3);

    private static string Key(string region, string account, int n) =>
        string.Create(CultureInfo.InvariantCulture, $"arn:aws:kms:{region}:{account}:key/c4a05000-0000-4000-8000-{n:D12}");

    private static WorldSpec Estate(List<InstanceSpec> instances, List<DatabaseSpec> databases)
    {
        string[] all = ["kms:*"];
        string[] crossAccountUse = ["kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKeyWithoutPlaintext"];
        string[] regions = [CrossRegion, SameRegion, TargetRegion];
        return new WorldSpec
        {
            Ferry = new FerrySpec(Ferry, ExternalId),
            Accounts = [Source, Dr],
            Regions = regions,
            Keys =
            [
                new KeySpec(AppKey(CrossRegion), "alias/app-data", [new KeyPolicyStatement([DrTarget], crossAccountUse)]),
                new KeySpec(AppKey(SameRegion), "alias/app-data"),
                new KeySpec(LocalDrKey, "alias/dr-local"),
                new KeySpec(DrKey(TargetRegion), "alias/dr-replicas"),
                new KeySpec(DrKey(CrossRegion), "alias/dr-replicas-west"),
            ],
            Roles =
            [
                new RoleSpec(SourceRole, [Ferry], ExternalId, [new KeyGrantSpec(AppKey(CrossRegion), all), new KeyGrantSpec(AppKey(SameRegion), all)]),
                new RoleSpec(LocalTarget, [Ferry], ExternalId, [new KeyGrantSpec(AppKey(SameRegion), all), new KeyGrantSpec(LocalDrKey, all)]),
                new RoleSpec(DrTarget, [Ferry], ExternalId, [new KeyGrantSpec(DrKey(TargetRegion), all), new KeyGrantSpec(DrKey(CrossRegion), all)]),
            ],
            Instances = instances,
            Databases = databases,
            EngineVersions = [.. regions.SelectMany(r => new[] { new EngineVersionsSpec(r, "postgres", ["16.3"]), new EngineVersionsSpec(r, "aurora-postgresql", ["15.4"]) })],
            // An estate with hundreds of databases in a region has raised RDS's adjustable manual-snapshot quotas (100
            // by default); chaos measures faults, and a count limit reached by the estate's own size is not one.
            Limits = new LimitSpec
            {
                RdsManualSnapshots = Math.Max(100, 4 * databases.Count(d => d.Kind == RdsKind.DbInstance)),
                RdsManualClusterSnapshots = Math.Max(100, 4 * databases.Count(d => d.Kind == RdsKind.AuroraCluster)),
            },
        };
    }
}
