using Ferry.Core.Policies;

namespace Ferry.Core.Planning;

/// <summary>The actions a plan can contain, in the order Ferry's flows run them.</summary>
public enum StepKind
{
    TakeSnapshot,
    WaitForAvailable,
    Share,
    Copy,
    CreateInstance,
    CreateVolumes,
    AttachVolumes,
    RestoreDatabase,
    EnableBackupOptIn,
}

/// <summary>Which of the policy's or restore's roles a step runs as.</summary>
public enum RoleKind
{
    Source,
    Target,
    Restore,
}

/// <summary>What a role does with a KMS key; each use needs its own KMS permissions.</summary>
public enum KeyUse
{
    /// <summary>Share a snapshot encrypted with the key.</summary>
    Share,

    /// <summary>Read data encrypted with the key (copy from, create a volume or DB from).</summary>
    Decrypt,

    /// <summary>Write data encrypted with the key (copy to, encrypt a volume or DB with).</summary>
    Encrypt,
}

public static class KeyPermissions
{
    public static IReadOnlyList<string> For(KeyUse use) => use switch
    {
        KeyUse.Share => ["kms:DescribeKey"],
        KeyUse.Decrypt => ["kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:ReEncryptFrom"],
        KeyUse.Encrypt => ["kms:DescribeKey", "kms:CreateGrant", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptTo"],
        _ => throw new ArgumentOutOfRangeException(nameof(use)),
    };
}

public sealed record KeyNeed(string KeyArn, KeyUse Use);

/// <summary>One action of a plan, with the role, account and region it runs in.</summary>
/// <param name="Items">The volumes or DB the step acts on.</param>
/// <param name="FromRegion">For copies: the region the snapshot is copied from.</param>
/// <param name="ShareWith">For shares: the account the snapshot is shared with.</param>
/// <param name="KmsKey">The key the step encrypts its result with; null when the result is unencrypted or keeps the snapshot's key.</param>
public sealed record PlanStep(
    StepKind Kind,
    RoleKind RoleKind,
    string Role,
    string Account,
    string Region,
    IReadOnlyList<string> Items,
    IReadOnlyList<KeyNeed> Keys,
    string Description,
    string? FromRegion = null,
    string? ShareWith = null,
    string? KmsKey = null);

/// <summary>A role that must be able to use a key, the permissions that takes, and the step that needs it.</summary>
public sealed record KeyRequirement(string Role, string KeyArn, KeyUse Use, IReadOnlyList<string> Permissions, StepKind NeededBy);

public enum ItemAction
{
    /// <summary>Replicate (or restore) the item.</summary>
    Proceed,

    /// <summary>Leave the item out, with a warning.</summary>
    Skip,

    /// <summary>The item cannot be handled; the resource fails.</summary>
    Fail,
}

/// <summary>The decision for one volume (EC2) or the DB (RDS).</summary>
/// <param name="TargetKey">The key the replica is encrypted with; null for an unencrypted replica.</param>
/// <param name="ShareKey">
/// The customer managed key a snapshot on an AWS managed default key is re-encrypted with, in its own account and
/// region, before it is shared; null when the snapshot is shared (or copied) as it is.
/// </param>
public sealed record ItemPlan(string ItemId, bool SourceEncrypted, string? SourceKey, ItemAction Action, string? TargetKey, string Reason, string? DeviceName = null, string? ShareKey = null)
{
    /// <summary>The key of the snapshot the other account reads: the share key's copy, or the snapshot itself.</summary>
    public static string? SharedKey(ItemPlan item) => item.ShareKey ?? item.SourceKey;
}

public enum Verdict
{
    Proceed,
    Skip,
    Fail,
}

/// <summary>The plan for one resource: what will run, as whom, needing which keys, and the expected outcome.</summary>
public sealed record ResourcePlan(
    string ResourceId,
    ResourceType Type,
    string SourceAccount,
    string SourceRegion,
    string TargetAccount,
    string TargetRegion,
    Verdict Verdict,
    string Reason,
    IReadOnlyList<PlanStep> Steps,
    IReadOnlyList<ItemPlan> Items,
    IReadOnlyList<KeyRequirement> KeyRequirements,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Facts the plan could not check (e.g. key grants unknown); informational, they do not change the outcome.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The outcome the resource ends with when every step succeeds.</summary>
    public Sessions.ResourceStatus ExpectedStatus => Verdict switch
    {
        Verdict.Fail => Sessions.ResourceStatus.Failed,
        Verdict.Skip => Sessions.ResourceStatus.Warning,
        _ => Warnings.Count > 0 ? Sessions.ResourceStatus.Warning : Sessions.ResourceStatus.Success,
    };
}
