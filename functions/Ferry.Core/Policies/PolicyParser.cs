using System.Text.Json;
using System.Text.RegularExpressions;
using Ferry.Core.Aws;

namespace Ferry.Core.Policies;

/// <summary>
/// Turns a policy document into a <see cref="Policy"/>, rejecting every invalid field with
/// its JSON path and the reason, before anything runs.
/// </summary>
public static partial class PolicyParser
{
    private const string Root = "$";

    private static readonly Dictionary<string, ResourceType> Types = new() { ["EC2"] = ResourceType.Ec2, ["RDS"] = ResourceType.Rds, ["EFS"] = ResourceType.Efs };
    private static readonly Dictionary<string, KeyUsage> Usages = new() { ["AllResources"] = KeyUsage.AllResources, ["EncryptedOnly"] = KeyUsage.EncryptedOnly };
    private static readonly Dictionary<string, SourceMode> Modes = new() { ["Account"] = SourceMode.Account, ["Organization"] = SourceMode.Organization };

    /// <summary>Parses and validates; throws <see cref="PolicyValidationException"/> listing every error.</summary>
    public static Policy Parse(string json)
    {
        var (policy, errors) = TryParse(json);
        return policy ?? throw new PolicyValidationException(errors);
    }

    public static (Policy? Policy, IReadOnlyList<PolicyError> Errors) TryParse(string json)
    {
        var errors = new List<PolicyError>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            return (null, [new PolicyError(Root, $"is not valid JSON: {e.Message}")]);
        }
        using (document)
        {
            var policy = Read(document.RootElement, errors);
            // An allRegions mapping is read once per source region, so its errors repeat.
            return errors.Count == 0 ? (policy, errors) : (null, errors.Distinct().ToList());
        }
    }

    private static Policy? Read(JsonElement element, List<PolicyError> errors)
    {
        var root = JsonFields.Open(element, Root, errors);
        if (root is null)
            return null;

        var id = root.String("id", required: true);
        if (id is not null && !PolicyIdPattern().IsMatch(id))
            root.Error("id", $"'{id}' must be 1-64 letters, digits, '-' or '_', starting with a letter or digit");
        var name = root.String("name", required: false) ?? id;
        var type = root.Enum("type", required: true, Types);
        var (sources, mode) = ReadSources(root, type);
        var replicas = ReadReplicas(root, type, sources);
        var copies = ReadBackupCopies(root, type, sources, mode);
        var retention = ReadRetention(root);
        var schedule = ReadSchedule(root);
        root.RejectUnknown();

        if (errors.Count > 0 || id is null || name is null || type is null || sources is null || retention is null)
            return null;
        return new Policy(id, name, type.Value, sources, replicas, copies, retention, schedule);
    }

    /// <summary>The sources when valid, and the mode (needed to read backup copies even when the sources are not).</summary>
    private static (PolicySources? Sources, SourceMode Mode) ReadSources(JsonFields root, ResourceType? type)
    {
        var fields = root.Object("sources", required: true);
        if (fields is null)
            return (null, SourceMode.Account);
        var errorsBefore = fields.ErrorCount;
        var mode = fields.Enum("mode", required: false, Modes) ?? SourceMode.Account;
        if (mode == SourceMode.Organization && type is not null and not ResourceType.Efs)
        {
            fields.Error("mode", "Organization mode is supported for EFS policies only");
            fields.Accept("accounts");
            fields.Accept("memberRoleName");
            mode = SourceMode.Account;
        }

        var roleArn = ReadRoleArn(fields, "sourceRole");
        var partition = roleArn?.Partition;
        var regions = ReadRegions(fields, "regions", partition);
        var resources = ReadSelection(fields, type);

        IReadOnlyList<string> accounts = [];
        string? memberRole = null;
        if (mode == SourceMode.Organization)
        {
            accounts = ReadAccounts(fields);
            memberRole = fields.String("memberRoleName", required: true);
            if (memberRole is not null && !AwsIds.IsRoleName(memberRole))
                fields.Error("memberRoleName", $"'{memberRole}' is not a valid IAM role name");
        }
        fields.RejectUnknown();

        // Later checks compare mappings with the sources; they only run against valid sources.
        var valid = roleArn is null || resources is null || fields.ErrorCount > errorsBefore
            ? null
            : new PolicySources(mode, roleArn.ToString(), roleArn.Account, regions, resources, accounts, memberRole);
        return (valid, mode);
    }

    private static IReadOnlyList<string> ReadAccounts(JsonFields fields)
    {
        var items = fields.Array("accounts", required: true);
        if (fields.IsEmptyArray("accounts"))
            fields.Error("accounts", "must list at least one account");
        var accounts = new List<string>();
        foreach (var (item, path) in items)
        {
            var text = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
            if (!AwsIds.IsAccountId(text))
                fields.Error(path[(fields.Path.Length + 1)..], $"{Show(item)} is not a 12-digit AWS account id");
            else if (accounts.Contains(text!))
                fields.Error(path[(fields.Path.Length + 1)..], $"account {text} is listed twice");
            else
                accounts.Add(text!);
        }
        return accounts;
    }

    private static List<string> ReadRegions(JsonFields fields, string name, string? partition)
    {
        var items = fields.Array(name, required: true);
        if (fields.IsEmptyArray(name))
            fields.Error(name, "must list at least one region");
        var regions = new List<string>();
        foreach (var (item, path) in items)
        {
            var relative = path[(fields.Path.Length + 1)..];
            var region = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
            var problem = RegionProblem(region, partition);
            if (problem is not null)
                fields.Error(relative, problem);
            else if (regions.Contains(region!))
                fields.Error(relative, $"region {region} is listed twice");
            else
                regions.Add(region!);
        }
        return regions;
    }

    private static string? RegionProblem(string? region, string? partition)
    {
        if (region is null || !AwsRegions.IsKnown(region))
            return $"'{region}' is not a known AWS region";
        if (partition is not null && AwsRegions.PartitionOf(region) != partition)
            return $"region {region} is not in partition {partition} of the role";
        return null;
    }

    private static ResourceSelection? ReadSelection(JsonFields sources, ResourceType? type)
    {
        var fields = sources.Object("resources", required: true);
        if (fields is null)
            return null;
        var ids = new List<string>();
        foreach (var (item, path) in fields.Array("ids", required: false))
        {
            var relative = path[(fields.Path.Length + 1)..];
            var id = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
            var problem = ResourceIdProblem(id, type);
            if (problem is not null)
                fields.Error(relative, problem);
            else if (ids.Contains(id!))
                fields.Error(relative, $"resource {id} is listed twice");
            else
                ids.Add(id!);
        }
        var tags = new List<TagFilter>();
        foreach (var (item, path) in fields.Array("tags", required: false))
        {
            var tagFields = JsonFields.Open(item, path, fields.Errors);
            var tag = tagFields is null ? null : ReadTag(tagFields);
            if (tag is not null)
                tags.Add(tag);
        }
        if (!fields.Has("ids") && !fields.Has("tags"))
            fields.Error("ids", "choose resources by ids, by tags, or both");
        else if (ids.Count == 0 && tags.Count == 0 && fields.Has("ids") && fields.Has("tags"))
            fields.Error("ids", "ids and tags are both empty: the policy would protect nothing");
        fields.RejectUnknown();
        return new ResourceSelection(ids, tags);
    }

    private static string? ResourceIdProblem(string? id, ResourceType? type) => type switch
    {
        ResourceType.Ec2 when !AwsIds.IsInstanceId(id) => $"'{id}' is not an EC2 instance id (i-0123456789abcdef0)",
        ResourceType.Rds when !AwsIds.IsDbIdentifier(id) => $"'{id}' is not an RDS DB instance or cluster identifier",
        ResourceType.Efs when !AwsIds.IsFileSystemId(id) => $"'{id}' is not an EFS file system id (fs-0123456789abcdef0)",
        _ => null,
    };

    private static TagFilter? ReadTag(JsonFields fields)
    {
        var key = fields.String("key", required: true);
        var value = fields.String("value", required: true);
        if (key is { Length: > 128 })
            fields.Error("key", "tag keys are at most 128 characters");
        if (key is not null && key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            fields.Error("key", "tag keys starting with 'aws:' are reserved by AWS");
        if (value is { Length: > 256 })
            fields.Error("value", "tag values are at most 256 characters");
        fields.RejectUnknown();
        return key is null || value is null ? null : new TagFilter(key, value);
    }

    private static ReplicaSettings? ReadReplicas(JsonFields root, ResourceType? type, PolicySources? sources)
    {
        if (type == ResourceType.Efs)
        {
            root.Accept("replicas");
            if (root.Has("replicas"))
                root.Error("replicas", "EFS policies copy backups with backupCopies, not replicas");
            return null;
        }
        var fields = root.Object("replicas", required: type is not null);
        if (fields is null)
            return null;
        var mappings = ReadMappingSet(fields, sources, (mapping, sourceRegion) => ReadReplicaMapping(mapping, sourceRegion, sources));
        fields.RejectUnknown();
        return mappings is null ? null : new ReplicaSettings(mappings.Value.Mappings, mappings.Value.AllRegions);
    }

    private static BackupCopySettings? ReadBackupCopies(JsonFields root, ResourceType? type, PolicySources? sources, SourceMode mode)
    {
        if (type is not null and not ResourceType.Efs)
        {
            root.Accept("backupCopies");
            if (root.Has("backupCopies"))
                root.Error("backupCopies", "backupCopies are for EFS policies; EC2 and RDS policies use replicas");
            return null;
        }
        var fields = root.Object("backupCopies", required: type == ResourceType.Efs);
        if (fields is null)
            return null;
        var mappings = ReadMappingSet(fields, sources, (mapping, sourceRegion) => ReadCopyMapping(mapping, sourceRegion, sources, mode));
        fields.RejectUnknown();
        return mappings is null ? null : new BackupCopySettings(mappings.Value.Mappings, mappings.Value.AllRegions);
    }

    /// <summary>
    /// Reads either <c>mappings</c> (one per source region) or <c>allRegions</c> (one for every
    /// source region), and checks that each source region gets exactly one mapping.
    /// </summary>
    private static (List<T> Mappings, bool AllRegions)? ReadMappingSet<T>(
        JsonFields fields, PolicySources? sources, Func<JsonFields, string?, T?> readMapping)
        where T : class
    {
        var sourceRegions = sources?.Regions ?? [];
        var hasList = fields.Has("mappings");
        var hasAll = fields.Has("allRegions");
        fields.Accept("mappings");
        fields.Accept("allRegions");
        if (hasList && hasAll)
        {
            fields.Error("allRegions", "give either mappings (per source region) or allRegions, not both");
            return null;
        }
        if (!hasList && !hasAll)
        {
            fields.Error("mappings", "is required (or allRegions, to use one mapping for every source region)");
            return null;
        }

        var result = new List<T>();
        if (hasAll)
        {
            var all = fields.Object("allRegions", required: true);
            if (all is null)
                return null;
            foreach (var region in sourceRegions)
            {
                var mapping = readMapping(all, region);
                if (mapping is not null)
                    result.Add(mapping);
            }
            if (sourceRegions.Count == 0)
                readMapping(all, null);
            all.RejectUnknown();
            return (result, true);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (item, path) in fields.Array("mappings", required: true))
        {
            var mappingFields = JsonFields.Open(item, path, fields.Errors);
            if (mappingFields is null)
                continue;
            var sourceRegion = mappingFields.String("sourceRegion", required: true);
            if (sourceRegion is not null)
            {
                if (!AwsRegions.IsKnown(sourceRegion))
                    mappingFields.Error("sourceRegion", $"'{sourceRegion}' is not a known AWS region");
                else if (sources is not null && !sourceRegions.Contains(sourceRegion, StringComparer.Ordinal))
                    mappingFields.Error("sourceRegion", $"{sourceRegion} is not one of the policy's source regions ({string.Join(", ", sourceRegions)})");
                else if (!seen.Add(sourceRegion))
                    mappingFields.Error("sourceRegion", $"source region {sourceRegion} has more than one mapping");
            }
            var mapping = readMapping(mappingFields, sourceRegion);
            mappingFields.RejectUnknown();
            if (mapping is not null)
                result.Add(mapping);
        }
        foreach (var region in sourceRegions.Where(r => !seen.Contains(r)))
            fields.Error("mappings", $"source region {region} has no mapping");
        return (result, false);
    }

    private static ReplicaMapping? ReadReplicaMapping(JsonFields fields, string? sourceRegion, PolicySources? sources)
    {
        var role = ReadRoleArn(fields, "targetRole");
        var targetRegion = ReadTargetRegion(fields, role?.Partition);
        var encryption = ReadEncryption(fields, targetRegion);
        if (role is not null && targetRegion is not null && sources is not null
            && role.Account == sources.AccountId && targetRegion == sourceRegion)
        {
            fields.Error("targetRegion", $"target account {role.Account} and region {targetRegion} are the source's own: a replica must go to another account or region");
            return null;
        }
        return role is null || targetRegion is null || sourceRegion is null || encryption is null
            ? null
            : new ReplicaMapping(sourceRegion, role.ToString(), role.Account, targetRegion, encryption);
    }

    private static BackupCopyMapping? ReadCopyMapping(JsonFields fields, string? sourceRegion, PolicySources? sources, SourceMode mode)
    {
        var partition = sources is null ? null : Arn.TryParse(sources.SourceRole, out var arn) ? arn.Partition : null;
        var targetRegion = ReadTargetRegion(fields, partition);
        if (targetRegion is not null && targetRegion == sourceRegion)
            fields.Error("targetRegion", $"backup copies must go to another region than the source region {sourceRegion}");

        string? vault = null;
        TagFilter? vaultTag = null;
        if (mode == SourceMode.Organization)
        {
            fields.Accept("vault");
            if (fields.Has("vault"))
                fields.Error("vault", "Organization mode finds each account's vault by vaultTag; a vault name is for Account mode");
            var tagFields = fields.Object("vaultTag", required: true);
            vaultTag = tagFields is null ? null : ReadTag(tagFields);
        }
        else
        {
            fields.Accept("vaultTag");
            if (fields.Has("vaultTag"))
                fields.Error("vaultTag", "vaultTag is for Organization mode; Account mode names the vault");
            vault = fields.String("vault", required: true);
            if (vault is not null)
                vault = CheckVault(fields, vault, targetRegion);
        }

        return targetRegion is null || sourceRegion is null || (vault is null && vaultTag is null)
            ? null
            : new BackupCopyMapping(sourceRegion, targetRegion, vault, vaultTag);
    }

    private static string? CheckVault(JsonFields fields, string vault, string? targetRegion)
    {
        if (Arn.TryParse(vault, out var arn))
        {
            if (arn.Service != "backup" || !arn.Resource.StartsWith("backup-vault:", StringComparison.Ordinal))
            {
                fields.Error("vault", $"'{vault}' is not a backup vault ARN (arn:aws:backup:region:account:backup-vault:name)");
                return null;
            }
            if (targetRegion is not null && arn.Region != targetRegion)
            {
                fields.Error("vault", $"vault {vault} is in {arn.Region}, but copies go to {targetRegion}");
                return null;
            }
            return vault;
        }
        if (!AwsIds.IsVaultName(vault))
        {
            fields.Error("vault", $"'{vault}' is not a backup vault name (2-50 letters, digits, '-' or '_') or ARN");
            return null;
        }
        return vault;
    }

    private static string? ReadTargetRegion(JsonFields fields, string? partition)
    {
        var region = fields.String("targetRegion", required: true);
        if (region is null)
            return null;
        var problem = RegionProblem(region, partition);
        if (problem is null)
            return region;
        fields.Error("targetRegion", problem);
        return null;
    }

    private static ReplicaEncryption? ReadEncryption(JsonFields mapping, string? targetRegion)
    {
        var fields = mapping.Object("encryption", required: true);
        if (fields is null)
            return null;
        var enabled = fields.Bool("enabled", required: true);
        var kmsKey = fields.String("kmsKey", required: false);
        var usage = fields.Enum("keyUsage", required: false, Usages);
        fields.RejectUnknown();
        if (enabled is null)
            return null;
        if (enabled == false)
        {
            if (kmsKey is not null)
                fields.Error("kmsKey", "is set but encryption is disabled; set enabled to true or remove the key");
            if (usage is not null)
                fields.Error("keyUsage", "is set but encryption is disabled");
            return ReplicaEncryption.Off;
        }
        if (kmsKey is not null && !KmsKeyIsValid(fields, kmsKey, targetRegion))
            return null;
        return new ReplicaEncryption(true, kmsKey, usage ?? KeyUsage.AllResources);
    }

    private static bool KmsKeyIsValid(JsonFields fields, string kmsKey, string? targetRegion)
    {
        if (!Arn.TryParse(kmsKey, out var arn) || arn.Service != "kms" || !AwsIds.IsAccountId(arn.Account)
            || !(KeyIdPattern().IsMatch(arn.Resource) || arn.Resource.StartsWith("alias/", StringComparison.Ordinal)))
        {
            fields.Error("kmsKey", $"'{kmsKey}' is not a KMS key ARN (arn:aws:kms:region:account:key/id or :alias/name)");
            return false;
        }
        if (!AwsRegions.IsKnown(arn.Region))
        {
            fields.Error("kmsKey", $"key region '{arn.Region}' is not a known AWS region");
            return false;
        }
        if (targetRegion is not null && arn.Region != targetRegion)
        {
            fields.Error("kmsKey", $"key is in {arn.Region} but the mapping's target region is {targetRegion}: the target key must live in the target region");
            return false;
        }
        return true;
    }

    private static Arn? ReadRoleArn(JsonFields fields, string name)
    {
        var text = fields.String(name, required: true);
        if (text is null)
            return null;
        if (!Arn.TryParse(text, out var arn) || arn.Service != "iam" || AwsIds.RoleNameOf(arn) is not { } roleName)
        {
            fields.Error(name, $"'{text}' is not an IAM role ARN (arn:aws:iam::123456789012:role/name)");
            return null;
        }
        if (!AwsIds.Partitions.Contains(arn.Partition))
        {
            fields.Error(name, $"partition '{arn.Partition}' is not aws, aws-cn or aws-us-gov");
            return null;
        }
        if (!AwsIds.IsAccountId(arn.Account))
        {
            fields.Error(name, $"account '{arn.Account}' in {text} is not a 12-digit AWS account id");
            return null;
        }
        if (!AwsIds.IsRoleName(roleName))
        {
            fields.Error(name, $"'{roleName}' is not a valid IAM role name");
            return null;
        }
        return arn;
    }

    private static Retention? ReadRetention(JsonFields root)
    {
        var fields = root.Object("retention", required: true);
        if (fields is null)
            return null;
        var count = fields.Int("restorePoints", required: true);
        fields.RejectUnknown();
        if (count is null)
            return null;
        if (count is < 1 or > 1000)
        {
            fields.Error("restorePoints", $"{count} is out of range: keep between 1 and 1000 restore points per resource");
            return null;
        }
        return new Retention(count.Value);
    }

    private static Schedule? ReadSchedule(JsonFields root)
    {
        var fields = root.Object("schedule", required: false);
        if (fields is null)
            return null;
        var expression = fields.String("expression", required: true);
        var timeZone = fields.String("timeZone", required: false) ?? "UTC";
        fields.RejectUnknown();
        var expressionProblem = expression is null ? null : ScheduleExpression.Check(expression);
        if (expressionProblem is not null)
            fields.Error("expression", expressionProblem);
        var zoneProblem = ScheduleExpression.CheckTimeZone(timeZone);
        if (zoneProblem is not null)
            fields.Error("timeZone", zoneProblem);
        return expression is null || expressionProblem is not null || zoneProblem is not null ? null : new Schedule(expression, timeZone);
    }

    private static string Show(JsonElement item) =>
        item.ValueKind == JsonValueKind.String ? $"'{item.GetString()}'" : JsonFields.Describe(item);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex PolicyIdPattern();

    [GeneratedRegex("^key/(mrk-)?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$|^key/mrk-[0-9a-f]{32}$")]
    private static partial Regex KeyIdPattern();
}
