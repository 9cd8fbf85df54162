using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ferry.Simulator.World;

/// <summary>
/// A world of many like EC2 instances for scale runs (copy-quota flow tests, the makespan benchmark): one account,
/// instances in eu-west-1 tagged backup=bulk, replicated unencrypted to eu-central-1 by a role of the same account.
/// </summary>
public static class BulkWorld
{
    public const string Account = "111111111111";
    public const string SourceRegion = "eu-west-1";
    public const string TargetRegion = "eu-central-1";
    public const string Principal = "arn:aws:iam::999999999999:role/FerryService";
    public const string ExternalId = "ferry-ext";
    public const string SourceRole = "arn:aws:iam::111111111111:role/FerrySource";
    public const string TargetRole = "arn:aws:iam::111111111111:role/FerryLocalTarget";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary><paramref name="count"/> instances of <paramref name="volumes"/> 8 GiB volumes each.</summary>
    public static WorldSpec Instances(int count, int volumes, TimingSpec? timings = null, LimitSpec? limits = null) => new()
    {
        Ferry = new FerrySpec(Principal, ExternalId),
        Accounts = [Account],
        Regions = [SourceRegion, TargetRegion],
        Roles = [new RoleSpec(SourceRole, [Principal], ExternalId), new RoleSpec(TargetRole, [Principal], ExternalId)],
        Timings = timings ?? new TimingSpec(),
        Limits = limits ?? new LimitSpec(),
        Instances = [.. Enumerable.Range(0, count).Select(i => new InstanceSpec(
            Id("i", i), Account, SourceRegion, "t3.small",
            [.. Enumerable.Range(0, volumes).Select(v => new VolumeSpec(Id("vol", (i * volumes) + v), $"/dev/xvd{(char)('a' + (v % 26))}{(v < 26 ? "" : (v / 26).ToString(CultureInfo.InvariantCulture))}", 8))],
            new Dictionary<string, string> { ["backup"] = "bulk" }))],
    };

    /// <summary>The world as a world file reads it.</summary>
    public static string Json(WorldSpec spec) => JsonSerializer.Serialize(spec, JsonOptions);

    /// <summary>Writes the world to a new temporary file and returns its path.</summary>
    public static string WriteTemporary(WorldSpec spec)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ferry-bulk-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, Json(spec));
        return path;
    }

    /// <summary>The EC2 policy that replicates every instance of the world to the target region.</summary>
    public static string Policy(string id) => $$"""
        {
          "id": "{{id}}", "type": "EC2",
          "sources": { "sourceRole": "{{SourceRole}}", "regions": ["{{SourceRegion}}"], "resources": { "tags": [{ "key": "backup", "value": "bulk" }] } },
          "replicas": { "mappings": [{ "sourceRegion": "{{SourceRegion}}", "targetRole": "{{TargetRole}}", "targetRegion": "{{TargetRegion}}", "encryption": { "enabled": false } }] },
          "retention": { "restorePoints": 1 }
        }
        """;

    private static string Id(string prefix, int n) => string.Create(CultureInfo.InvariantCulture, $"{prefix}-{n:x17}");
}
