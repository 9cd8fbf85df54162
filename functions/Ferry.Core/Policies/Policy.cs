namespace Ferry.Core.Policies;

/// <summary>What a policy protects.</summary>
public enum ResourceType
{
    Ec2,
    Rds,
    Efs,
}

/// <summary>Which resources a replica encryption key applies to.</summary>
public enum KeyUsage
{
    AllResources,
    EncryptedOnly,
}

/// <summary>Where an EFS policy's file systems live: one account, or every listed account of an organization.</summary>
public enum SourceMode
{
    Account,
    Organization,
}

/// <summary>A validated backup policy. Built only by <see cref="PolicyParser"/>.</summary>
/// <param name="RpoHours">The recovery point objective: a resource whose newest good restore point is older is named in the daily digest.</param>
public sealed record Policy(
    string Id,
    string Name,
    ResourceType Type,
    PolicySources Sources,
    ReplicaSettings? Replicas,
    BackupCopySettings? BackupCopies,
    Retention Retention,
    Schedule? Schedule,
    double? RpoHours = null)
{
    /// <summary>The replica mapping that applies to a source region, or null when the policy makes no replicas.</summary>
    public ReplicaMapping? MappingFor(string sourceRegion) =>
        Replicas?.Mappings.FirstOrDefault(m => m.SourceRegion == sourceRegion);

    /// <summary>The backup copy mapping that applies to a source region, or null when the policy makes no copies.</summary>
    public BackupCopyMapping? CopyMappingFor(string sourceRegion) =>
        BackupCopies?.Mappings.FirstOrDefault(m => m.SourceRegion == sourceRegion);
}

/// <param name="SourceRole">Role that takes and shares snapshots (account mode).</param>
/// <param name="AccountId">The source account: the source role's account, or the organization's management account.</param>
/// <param name="Accounts">Organization mode: the member accounts whose resources are protected.</param>
/// <param name="MemberRoleName">Organization mode: the role name Ferry assumes in each member account.</param>
public sealed record PolicySources(
    SourceMode Mode,
    string SourceRole,
    string AccountId,
    IReadOnlyList<string> Regions,
    ResourceSelection Resources,
    IReadOnlyList<string> Accounts,
    string? MemberRoleName);

/// <summary>Resources chosen by id, by tag, or both (a resource matching either is protected).</summary>
public sealed record ResourceSelection(IReadOnlyList<string> Ids, IReadOnlyList<TagFilter> Tags)
{
    // A set, so matching each of many resources against a policy of 100,000 ids stays linear.
    private readonly HashSet<string> _ids = new(Ids, StringComparer.Ordinal);

    public bool Matches(string id, IReadOnlyDictionary<string, string> tags) =>
        _ids.Contains(id)
        || Tags.Any(t => tags.TryGetValue(t.Key, out var value) && value == t.Value);

    public bool Equals(ResourceSelection? other) =>
        other is not null && Ids.SequenceEqual(other.Ids, StringComparer.Ordinal) && Tags.SequenceEqual(other.Tags);

    public override int GetHashCode() => HashCode.Combine(Ids.Count, Tags.Count);
}

public sealed record TagFilter(string Key, string Value);

public sealed record ReplicaSettings(IReadOnlyList<ReplicaMapping> Mappings, bool AppliesToAllRegions);

/// <summary>Where the replicas of one source region go, and how they are encrypted.</summary>
public sealed record ReplicaMapping(
    string SourceRegion,
    string TargetRole,
    string TargetAccount,
    string TargetRegion,
    ReplicaEncryption Encryption);

/// <param name="KmsKey">Target key ARN in the target region; null when encryption is on but no key was chosen.</param>
/// <param name="ShareKey">
/// A customer managed key ARN in the source account and region: snapshots on an AWS managed default key, which AWS
/// never lets another account use, are re-encrypted with it in the source account before they are shared.
/// </param>
public sealed record ReplicaEncryption(bool Enabled, string? KmsKey, KeyUsage KeyUsage, string? ShareKey = null)
{
    public static readonly ReplicaEncryption Off = new(false, null, KeyUsage.AllResources);
}

public sealed record BackupCopySettings(IReadOnlyList<BackupCopyMapping> Mappings, bool AppliesToAllRegions);

/// <summary>Where EFS backups of one source region are copied: a named vault (account mode) or the vault carrying a tag (organization mode).</summary>
public sealed record BackupCopyMapping(string SourceRegion, string TargetRegion, string? Vault, TagFilter? VaultTag);

/// <param name="RestorePoints">How many restore points Ferry keeps per resource.</param>
public sealed record Retention(int RestorePoints);

/// <param name="Expression">An EventBridge Scheduler expression: cron(...) or rate(...).</param>
/// <param name="TimeZone">An IANA time zone name.</param>
public sealed record Schedule(string Expression, string TimeZone);
