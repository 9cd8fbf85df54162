namespace Ferry.Tests.Shared;

/// <summary>
/// The roles, keys and resources of the bundled replicas world (local/worlds/replicas.json, see its README),
/// and the policy documents the scenarios use. Linked into each test project that runs scenarios.
/// </summary>
internal static class Scenario
{
    public const string West = "eu-west-1";
    public const string Central = "eu-central-1";
    public const string SourceAccount = "111111111111";
    public const string TargetAccount = "222222222222";
    public const string SourceRole = "arn:aws:iam::111111111111:role/FerrySource";
    public const string LocalTarget = "arn:aws:iam::111111111111:role/FerryLocalTarget";
    public const string RestoreRole = "arn:aws:iam::111111111111:role/FerryRestore";
    public const string TargetRole = "arn:aws:iam::222222222222:role/FerryTarget";
    public const string RestoreTarget = "arn:aws:iam::222222222222:role/FerryRestoreTarget";
    public const string AppKey = "arn:aws:kms:eu-west-1:111111111111:key/1111aaaa-0000-4000-8000-000000000111";
    public const string LocalDrKey = "arn:aws:kms:eu-central-1:111111111111:key/1111aaaa-0000-4000-8000-000000000112";
    public const string DrKey = "arn:aws:kms:eu-central-1:222222222222:key/2222bbbb-0000-4000-8000-000000000222";
    public const string DrWestKey = "arn:aws:kms:eu-west-1:222222222222:key/2222bbbb-0000-4000-8000-000000000223";

    /// <summary>Share keys of 111 in eu-west-1: granted to 222; FerrySource only; granted to 222 but not to FerrySource.</summary>
    public const string ShareKey = "arn:aws:kms:eu-west-1:111111111111:key/1111aaaa-0000-4000-8000-000000000113";
    public const string SharePrivateKey = "arn:aws:kms:eu-west-1:111111111111:key/1111aaaa-0000-4000-8000-000000000114";
    public const string ShareForeignKey = "arn:aws:kms:eu-west-1:111111111111:key/1111aaaa-0000-4000-8000-000000000115";

    public const string Unencrypted = "i-0a1b2c3d4e5f60001";
    public const string AppKeyed = "i-0a1b2c3d4e5f60002";
    public const string DefaultKeyed = "i-0a1b2c3d4e5f60003";
    public const string Mixed = "i-0a1b2c3d4e5f60004";
    public const string Restricted = "i-0a1b2c3d4e5f60005";
    public const string MixedKeys = "i-0a1b2c3d4e5f60006";
    public const string Orders = "orders-db";

    /// <summary>The path of a bundled world (local/worlds), found above the test's folder.</summary>
    public static string WorldPath(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "local", "worlds", name);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"World {name} not found above {AppContext.BaseDirectory}");
    }

    /// <summary>A replica policy for the given resources and one mapping.</summary>
    public static string ReplicaPolicy(string id, string type, string[] ids, string targetRole, string targetRegion, bool encrypted, string? key = null, string usage = "AllResources", int keep = 3, string region = West, string? shareKey = null)
    {
        var encryption = encrypted
            ? $$"""{ "enabled": true{{(key is null ? "" : $", \"kmsKey\": \"{key}\"")}}{{(shareKey is null ? "" : $", \"shareKey\": \"{shareKey}\"")}}, "keyUsage": "{{usage}}" }"""
            : """{ "enabled": false }""";
        return $$"""
            {
              "id": "{{id}}", "type": "{{type}}",
              "sources": { "sourceRole": "{{SourceRole}}", "regions": ["{{region}}"], "resources": { "ids": [{{string.Join(", ", ids.Select(i => $"\"{i}\""))}}] } },
              "replicas": { "mappings": [{ "sourceRegion": "{{region}}", "targetRole": "{{targetRole}}", "targetRegion": "{{targetRegion}}", "encryption": {{encryption}} }] },
              "retention": { "restorePoints": {{keep}} }
            }
            """;
    }
}
