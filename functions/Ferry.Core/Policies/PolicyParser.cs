using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ferry.Core.Aws;
using Ferry.Core.Errors;

namespace Ferry.Core.Policies;

/// <summary>
/// Turns a policy document into a <see cref="Policy"/>, rejecting every invalid field with
/// its JSON path and the reason, before anything runs.
/// </summary>
public static partial class PolicyParser
{
    private const string Root = "$";

    /// <summary>A policy nests six levels deep; anything far deeper is refused before it is read.</summary>
    private const int MaxDepth = 16;

    /// <summary>Limits on lists, each with room to spare: a policy of 100,000 resource ids still validates in well under a second.</summary>
    internal const int MaxResourceIds = 100_000;
    internal const int MaxTags = 50;
    internal const int MaxRegions = 50;
    internal const int MaxAccounts = 1_000;
    internal const int MaxPolicyIdLength = 64;
    internal const int MaxRoleNameLength = 64;
    internal const int MaxTagKeyLength = 128;
    internal const int MaxTagValueLength = 256;
    internal const int MaxTimeZoneLength = 64;

    /// <summary>A year: an objective beyond it is a typo, not a plan.</summary>
    internal const int MaxRpoHours = 8_760;

    private static readonly Dictionary<string, ResourceType> Types = new() { ["EC2"] = ResourceType.Ec2, ["RDS"] = ResourceType.Rds, ["EFS"] = ResourceType.Efs };
    private static readonly Dictionary<string, KeyUsage> Usages = new() { ["AllResources"] = KeyUsage.AllResources, ["EncryptedOnly"] = KeyUsage.EncryptedOnly };
    private static readonly Dictionary<string, SourceMode> Modes = new() { ["Account"] = SourceMode.Account, ["Organization"] = SourceMode.Organization };

    /// <summary>Parses and validates; throws <see cref="PolicyValidationException"/> listing every error.</summary>
    public static Policy Parse(string json)
    {
        var (policy, errors) = TryParse(json);
        return policy ?? throw new PolicyValidationException(errors);
    }

    /// <summary>Whether <paramref name="text"/> is a policy id: 1-64 letters, digits, '-' or '_', starting with a letter or digit.</summary>
    public static bool IsPolicyId(string text) => PolicyIdPattern().IsMatch(text);

    /// <summary>
    /// Parses a stored policy: besides being valid, its document's <c>id</c> must be the key it is stored under, so a
    /// policy is never run under another id than the one asked for.
    /// </summary>
    public static Policy ParseStored(string storedId, string json)
    {
        var policy = Parse(json);
        return policy.Id == storedId
            ? policy
            : throw new PolicyValidationException([new PolicyError($"{Root}.id", $"is {Quoted.Value(policy.Id)}, but the policy is stored under {Quoted.Value(storedId)}")]);
    }

    public static (Policy? Policy, IReadOnlyList<PolicyError> Errors) TryParse(string json)
    {
        var errors = new List<PolicyError>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = MaxDepth });
        }
        catch (JsonException e)
        {
            return (null, [new PolicyError(Root, $"is not valid JSON: {e.Message}")]);
        }
        using (document)
        {
            // Text that is not valid UTF-16 cannot be read as strings at all, so nothing else is judged.
            if (!CheckDocument(document.RootElement, Root, errors))
                return (null, errors);
            var policy = Read(document.RootElement, errors);
            // An allRegions mapping is read once per source region, so its errors repeat.
            return errors.Count == 0 ? (policy, errors) : (null, errors.Distinct().ToList());
        }
    }

    /// <summary>
    /// What reading field by field cannot see: a property given twice (the reader would take the last, while a reviewer
    /// reads the first) and text that is not valid UTF-16 (a lone surrogate). Linear in the document's size.
    /// </summary>
    /// <returns>False when some text is not valid UTF-16.</returns>
    private static bool CheckDocument(JsonElement element, string path, List<PolicyError> errors)
    {
        var valid = true;
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        errors.Add(new PolicyError(path, "a property name is not valid UTF-16 text (it holds a lone surrogate)"));
                        valid = false;
                        continue;
                    }
                    var child = $"{path}.{Quoted.Name(name)}";
                    if (!names.Add(name))
                        errors.Add(new PolicyError(child, "is given more than once in the same object; give each property once"));
                    valid &= CheckDocument(property.Value, child, errors);
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    // Strings, the bulk of a long list, get a path only when they are in error.
                    if (item.ValueKind != JsonValueKind.String)
                        valid &= CheckDocument(item, $"{path}[{i}]", errors);
                    else if (!IsUtf16(item))
                        valid = Invalid($"{path}[{i}]", errors);
                    i++;
                }
                break;
            case JsonValueKind.String when !IsUtf16(element):
                valid = Invalid(path, errors);
                break;
        }
        return valid;
    }

    private static bool IsUtf16(JsonElement text)
    {
        try
        {
            text.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool Invalid(string path, List<PolicyError> errors)
    {
        errors.Add(new PolicyError(path, "is not valid UTF-16 text (it holds a lone surrogate)"));
        return false;
    }

    private static Policy? Read(JsonElement element, List<PolicyError> errors)
    {
        var root = JsonFields.Open(element, Root, errors);
        if (root is null)
            return null;

        var id = root.String("id", required: true, MaxPolicyIdLength);
        if (id is not null && !PolicyIdPattern().IsMatch(id))
            root.Error("id", $"{JsonFields.Quote(id)} must be 1-64 letters, digits, '-' or '_', starting with a letter or digit");
        var name = root.String("name", required: false) ?? id;
        var type = root.Enum("type", required: true, Types);
        var (sources, mode, partition) = ReadSources(root, type);
        var replicas = ReadReplicas(root, type, sources, partition);
        var copies = ReadBackupCopies(root, type, sources, mode, partition);
        var retention = ReadRetention(root);
        var schedule = ReadSchedule(root);
        var rpoHours = ReadRpoHours(root);
        root.RejectUnknown();

        if (errors.Count > 0 || id is null || name is null || type is null || sources is null || retention is null)
            return null;
        return new Policy(id, name, type.Value, sources, replicas, copies, retention, schedule, rpoHours);
    }

    /// <summary>
    /// The sources when valid, the mode (needed to read backup copies even when the sources are not) and the source
    /// role's partition, which every other role, key, vault and region of the policy must share.
    /// </summary>
    private static (PolicySources? Sources, SourceMode Mode, string? Partition) ReadSources(JsonFields root, ResourceType? type)
    {
        var fields = root.Object("sources", required: true);
        if (fields is null)
            return (null, SourceMode.Account, null);
        var errorsBefore = fields.ErrorCount;
        var mode = fields.Enum("mode", required: false, Modes) ?? SourceMode.Account;
        if (mode == SourceMode.Organization && type is not null and not ResourceType.Efs)
        {
            fields.Error("mode", "Organization mode is supported for EFS policies only");
            fields.Accept("accounts");
            fields.Accept("memberRoleName");
            mode = SourceMode.Account;
        }

        var roleArn = ReadRoleArn(fields, "sourceRole", null);
        var partition = roleArn?.Partition;
        var regions = ReadRegions(fields, "regions", partition);
        var resources = ReadSelection(fields, type);

        IReadOnlyList<string> accounts = [];
        string? memberRole = null;
        if (mode == SourceMode.Organization)
        {
            accounts = ReadAccounts(fields);
            memberRole = fields.String("memberRoleName", required: true, MaxRoleNameLength);
            if (memberRole is not null && !AwsIds.IsRoleName(memberRole))
                fields.Error("memberRoleName", $"{JsonFields.Quote(memberRole)} is not a valid IAM role name");
        }
        fields.RejectUnknown();

        // Later checks compare mappings with the sources; they only run against valid sources.
        var valid = roleArn is null || resources is null || fields.ErrorCount > errorsBefore
            ? null
            : new PolicySources(mode, roleArn.ToString(), roleArn.Account, regions, resources, accounts, memberRole);
        return (valid, mode, partition);
    }

    private static IReadOnlyList<string> ReadAccounts(JsonFields fields)
    {
        var items = fields.Array("accounts", required: true, MaxAccounts);
        if (fields.IsEmptyArray("accounts"))
            fields.Error("accounts", "must list at least one account");
        var accounts = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in items)
        {
            var text = fields.Item(entry, "a 12-digit AWS account id");
            if (text is null)
                continue;
            if (!AwsIds.IsAccountId(text))
                fields.Errors.Add(new PolicyError(entry.Path, $"{JsonFields.Quote(text)} is not a 12-digit AWS account id"));
            else if (!seen.Add(text))
                fields.Errors.Add(new PolicyError(entry.Path, $"account {text} is listed twice"));
            else
                accounts.Add(text);
        }
        return accounts;
    }

    private static List<string> ReadRegions(JsonFields fields, string name, string? partition)
    {
        var items = fields.Array(name, required: true, MaxRegions);
        if (fields.IsEmptyArray(name))
            fields.Error(name, "must list at least one region");
        var regions = new List<string>();
        foreach (var entry in items)
        {
            var region = fields.Item(entry, "a region name");
            if (region is null)
                continue;
            var problem = RegionProblem(region, partition);
            if (problem is not null)
                fields.Errors.Add(new PolicyError(entry.Path, problem));
            else if (regions.Contains(region))
                fields.Errors.Add(new PolicyError(entry.Path, $"region {region} is listed twice"));
            else
                regions.Add(region);
        }
        return regions;
    }

    private static string? RegionProblem(string region, string? partition)
    {
        if (!AwsRegions.IsKnown(region))
            return $"{JsonFields.Quote(region)} is not a known AWS region";
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
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in fields.Array("ids", required: false, MaxResourceIds))
        {
            var id = fields.Item(entry, "a resource id");
            if (id is null)
                continue;
            var problem = ResourceIdProblem(id, type);
            if (problem is not null)
                fields.Errors.Add(new PolicyError(entry.Path, problem));
            else if (!seen.Add(id))
                fields.Errors.Add(new PolicyError(entry.Path, $"resource {id} is listed twice"));
            else
                ids.Add(id);
        }
        var tags = new List<TagFilter>();
        foreach (var (item, path) in fields.Array("tags", required: false, MaxTags))
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

    private static string? ResourceIdProblem(string id, ResourceType? type) => type switch
    {
        ResourceType.Ec2 when !AwsIds.IsInstanceId(id) => $"{JsonFields.Quote(id)} is not an EC2 instance id (i-0123456789abcdef0)",
        ResourceType.Rds when !AwsIds.IsDbIdentifier(id) => $"{JsonFields.Quote(id)} is not an RDS DB instance or cluster identifier",
        ResourceType.Efs when !AwsIds.IsFileSystemId(id) => $"{JsonFields.Quote(id)} is not an EFS file system id (fs-0123456789abcdef0)",
        _ => null,
    };

    private static TagFilter? ReadTag(JsonFields fields)
    {
        var key = fields.String("key", required: true, MaxTagKeyLength);
        var value = fields.String("value", required: true, MaxTagValueLength);
        if (key is not null && key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            fields.Error("key", "tag keys starting with 'aws:' are reserved by AWS");
        fields.RejectUnknown();
        return key is null || value is null ? null : new TagFilter(key, value);
    }

    private static ReplicaSettings? ReadReplicas(JsonFields root, ResourceType? type, PolicySources? sources, string? partition)
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
        var mappings = ReadMappingSet(fields, sources, (mapping, sourceRegion) => ReadReplicaMapping(mapping, sourceRegion, sources, partition));
        fields.RejectUnknown();
        return mappings is null ? null : new ReplicaSettings(mappings.Value.Mappings, mappings.Value.AllRegions);
    }

    private static BackupCopySettings? ReadBackupCopies(JsonFields root, ResourceType? type, PolicySources? sources, SourceMode mode, string? partition)
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
        var mappings = ReadMappingSet(fields, sources, (mapping, sourceRegion) => ReadCopyMapping(mapping, sourceRegion, mode, partition));
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
        foreach (var (item, path) in fields.Array("mappings", required: true, MaxRegions))
        {
            var mappingFields = JsonFields.Open(item, path, fields.Errors);
            if (mappingFields is null)
                continue;
            var sourceRegion = mappingFields.String("sourceRegion", required: true);
            if (sourceRegion is not null)
            {
                if (!AwsRegions.IsKnown(sourceRegion))
                    mappingFields.Error("sourceRegion", $"{JsonFields.Quote(sourceRegion)} is not a known AWS region");
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

    private static ReplicaMapping? ReadReplicaMapping(JsonFields fields, string? sourceRegion, PolicySources? sources, string? partition)
    {
        var role = ReadRoleArn(fields, "targetRole", partition);
        var targetRegion = ReadTargetRegion(fields, role?.Partition ?? partition);
        var encryption = ReadEncryption(fields, targetRegion, role?.Partition ?? partition, sourceRegion, sources?.AccountId, role?.Account);
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

    private static BackupCopyMapping? ReadCopyMapping(JsonFields fields, string? sourceRegion, SourceMode mode, string? partition)
    {
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
            vault = fields.String("vault", required: true, JsonFields.MaxArnLength);
            if (vault is not null)
                vault = CheckVault(fields, vault, targetRegion, partition);
        }

        return targetRegion is null || sourceRegion is null || (vault is null && vaultTag is null)
            ? null
            : new BackupCopyMapping(sourceRegion, targetRegion, vault, vaultTag);
    }

    private static string? CheckVault(JsonFields fields, string vault, string? targetRegion, string? partition)
    {
        if (Arn.TryParse(vault, out var arn))
        {
            if (arn.Service != "backup" || !AwsIds.IsAccountId(arn.Account)
                || !arn.Resource.StartsWith("backup-vault:", StringComparison.Ordinal) || !AwsIds.IsVaultName(arn.Resource["backup-vault:".Length..]))
            {
                fields.Error("vault", $"{JsonFields.Quote(vault)} is not a backup vault ARN (arn:aws:backup:region:account:backup-vault:name)");
                return null;
            }
            if (PartitionProblem(arn, partition) is { } problem)
            {
                fields.Error("vault", problem);
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
            fields.Error("vault", $"{JsonFields.Quote(vault)} is not a backup vault name (2-50 letters, digits, '-' or '_') or ARN");
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

    private static ReplicaEncryption? ReadEncryption(JsonFields mapping, string? targetRegion, string? partition, string? sourceRegion, string? sourceAccount, string? targetAccount)
    {
        var fields = mapping.Object("encryption", required: true);
        if (fields is null)
            return null;
        var enabled = fields.Bool("enabled", required: true);
        var kmsKey = fields.String("kmsKey", required: false, JsonFields.MaxArnLength);
        var usage = fields.Enum("keyUsage", required: false, Usages);
        var shareKey = fields.String("shareKey", required: false, JsonFields.MaxArnLength);
        fields.RejectUnknown();
        if (enabled is null)
            return null;
        if (enabled == false)
        {
            if (kmsKey is not null)
                fields.Error("kmsKey", "is set but encryption is disabled; set enabled to true or remove the key");
            if (usage is not null)
                fields.Error("keyUsage", "is set but encryption is disabled");
            if (shareKey is not null)
                fields.Error("shareKey", "is set but encryption is disabled; replicas of encrypted resources must be encrypted");
            return ReplicaEncryption.Off;
        }
        var valid = kmsKey is null || KmsKeyIsValid(fields, kmsKey, targetRegion, partition);
        valid &= shareKey is null || ShareKeyIsValid(fields, shareKey, partition, sourceRegion, sourceAccount, targetAccount);
        return valid ? new ReplicaEncryption(true, kmsKey, usage ?? KeyUsage.AllResources, shareKey) : null;
    }

    /// <summary>A share key is read in the source account and region, by a role that names it by key id: an alias would resolve in whichever account asks.</summary>
    private static bool ShareKeyIsValid(JsonFields fields, string shareKey, string? partition, string? sourceRegion, string? sourceAccount, string? targetAccount)
    {
        var problem = !Arn.TryParse(shareKey, out var arn) || arn.Service != "kms" || !AwsIds.IsAccountId(arn.Account) || !KeyIdPattern().IsMatch(arn.Resource)
                ? $"{JsonFields.Quote(shareKey)} is not a KMS key ARN (arn:aws:kms:region:account:key/id; an alias cannot name a key another account uses)"
            : PartitionProblem(arn, partition) is { } partitionProblem ? partitionProblem
            : sourceAccount is not null && arn.Account != sourceAccount
                ? $"key is in account {arn.Account} but the source account is {sourceAccount}: the share key must belong to the source account"
            : sourceRegion is not null && arn.Region != sourceRegion
                ? $"key is in {arn.Region} but the mapping's source region is {sourceRegion}: the share key must live in the source region"
            : sourceAccount is not null && targetAccount == sourceAccount
                ? $"replicas under this mapping stay in account {sourceAccount}; a share key is only used for replicas to another account"
            : null;
        if (problem is null)
            return true;
        fields.Error("shareKey", problem);
        return false;
    }

    private static bool KmsKeyIsValid(JsonFields fields, string kmsKey, string? targetRegion, string? partition)
    {
        if (!Arn.TryParse(kmsKey, out var arn) || arn.Service != "kms" || !AwsIds.IsAccountId(arn.Account)
            || !(KeyIdPattern().IsMatch(arn.Resource) || AliasPattern().IsMatch(arn.Resource)))
        {
            fields.Error("kmsKey", $"{JsonFields.Quote(kmsKey)} is not a KMS key ARN (arn:aws:kms:region:account:key/id or :alias/name)");
            return false;
        }
        if (!AwsRegions.IsKnown(arn.Region))
        {
            fields.Error("kmsKey", $"key region {JsonFields.Quote(arn.Region)} is not a known AWS region");
            return false;
        }
        if (PartitionProblem(arn, partition) is { } problem)
        {
            fields.Error("kmsKey", problem);
            return false;
        }
        if (targetRegion is not null && arn.Region != targetRegion)
        {
            fields.Error("kmsKey", $"key is in {arn.Region} but the mapping's target region is {targetRegion}: the target key must live in the target region");
            return false;
        }
        return true;
    }

    /// <param name="partition">The source role's partition, which this role must share; null for the source role itself.</param>
    private static Arn? ReadRoleArn(JsonFields fields, string name, string? partition)
    {
        var text = fields.String(name, required: true, JsonFields.MaxArnLength);
        if (text is null)
            return null;
        if (!Arn.TryParse(text, out var arn) || arn.Service != "iam" || AwsIds.RoleNameOf(arn) is not { } roleName)
        {
            fields.Error(name, $"{JsonFields.Quote(text)} is not an IAM role ARN (arn:aws:iam::123456789012:role/name)");
            return null;
        }
        if (!AwsIds.Partitions.Contains(arn.Partition))
        {
            fields.Error(name, $"partition {JsonFields.Quote(arn.Partition)} is not aws, aws-cn or aws-us-gov");
            return null;
        }
        if (!AwsIds.IsAccountId(arn.Account))
        {
            fields.Error(name, $"account {JsonFields.Quote(arn.Account)} in {JsonFields.Quote(text)} is not a 12-digit AWS account id");
            return null;
        }
        if (!AwsIds.IsRoleName(roleName))
        {
            fields.Error(name, $"{JsonFields.Quote(roleName)} is not a valid IAM role name");
            return null;
        }
        if (PartitionProblem(arn, partition) is { } problem)
        {
            fields.Error(name, problem);
            return null;
        }
        return arn;
    }

    /// <summary>Why an ARN does not belong with the source role: Ferry cannot act across partitions.</summary>
    private static string? PartitionProblem(Arn arn, string? partition)
    {
        if (partition is not null && arn.Partition != partition)
            return $"is in partition {JsonFields.Quote(arn.Partition)}, but the source role is in {partition}: every role, key and vault of a policy is in one partition";
        if (arn.Region.Length > 0 && AwsRegions.PartitionOf(arn.Region) is { } regionPartition && regionPartition != arn.Partition)
            return $"region {arn.Region} is in partition {regionPartition}, not in the ARN's partition {JsonFields.Quote(arn.Partition)}";
        return null;
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
        var timeZone = fields.String("timeZone", required: false, MaxTimeZoneLength) ?? "UTC";
        fields.RejectUnknown();
        var expressionProblem = expression is null ? null : ScheduleExpression.Check(expression);
        if (expressionProblem is not null)
            fields.Error("expression", expressionProblem);
        var zoneProblem = ScheduleExpression.CheckTimeZone(timeZone);
        if (zoneProblem is not null)
            fields.Error("timeZone", zoneProblem);
        return expression is null || expressionProblem is not null || zoneProblem is not null ? null : new Schedule(expression, timeZone);
    }

    private static double? ReadRpoHours(JsonFields root)
    {
        var hours = root.Number("rpoHours", required: false);
        if (hours is not (<= 0 or > MaxRpoHours))
            return hours;
        root.Error("rpoHours", $"{hours.Value.ToString(CultureInfo.InvariantCulture)} is out of range: give more than 0 and at most {MaxRpoHours} hours (a year)");
        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex PolicyIdPattern();

    [GeneratedRegex("^alias/[A-Za-z0-9/_-]{1,250}$")]
    private static partial Regex AliasPattern();

    [GeneratedRegex("^key/(mrk-)?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$|^key/mrk-[0-9a-f]{32}$")]
    private static partial Regex KeyIdPattern();
}
