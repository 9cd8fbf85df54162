using Ferry.Core.Inventory;
using Ferry.Core.Policies;
using Ferry.Core.Ports;
using Ferry.Core.Sessions;

namespace Ferry.Core.Runs;

/// <summary>A role acting in an account and region.</summary>
public sealed record RoleAt(string Role, string Account, string Region);

/// <summary>
/// One volume (EBS) or the DB (RDS) of a resource being replicated, with the ids each stage produced.
/// </summary>
/// <param name="Replicate">False for an item the plan skipped (it is snapshotted, not copied).</param>
/// <param name="TargetKey">The key its replica is encrypted with; null for an unencrypted replica.</param>
/// <param name="StagingId">RDS cross-account, cross-region: the copy in the target account's source region.</param>
public sealed record JobItem(
    string ItemId,
    string? DeviceName,
    bool Replicate,
    string? TargetKey,
    string? SnapshotId = null,
    string? StagingId = null,
    string? ReplicaId = null,
    bool Encrypted = false,
    string? SourceKey = null);

/// <summary>The stages a replica flow waits on.</summary>
public enum WaitStage
{
    Snapshot,
    Staging,
    Replica,
    Restore,
}

/// <summary>The state of a Wait → CheckAvailable → Choice loop: interval grows until a deadline.</summary>
public sealed record WaitState(WaitStage Stage, int Attempt, int Seconds, DateTimeOffset Deadline, bool Ready);

/// <summary>
/// One resource's replica flow, passed from step to step. It carries ids, never inventories,
/// so a run over thousands of resources stays within Step Functions' payload limits.
/// </summary>
public sealed record ReplicaJob(
    string PolicyId,
    string SessionId,
    string ResourceId,
    ResourceType Type,
    RdsKind? DbKind,
    RoleAt Source,
    RoleAt Target,
    IReadOnlyList<JobItem> Items,
    IReadOnlyList<string> Warnings,
    ResourceConfig Config,
    WaitState? Wait = null,
    RestoreSpec? Restore = null,
    BackupCopySpec? BackupCopy = null)
{
    public bool CrossAccount => Source.Account != Target.Account;

    /// <summary>RDS cross-account replicas to another region are staged in the target account's source region first (RDS-R2).</summary>
    public bool Staged => Type == ResourceType.Rds && CrossAccount && Source.Region != Target.Region;

    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<JobItem> Replicated => Items.Where(i => i.Replicate);

    /// <summary>The state machine that runs this job.</summary>
    public string Flow => (Type, CrossAccount, Restore) switch
    {
        (ResourceType.Efs, _, _) => Flows.EfsBackupCopy,
        (ResourceType.Ec2, _, not null) => Flows.Ec2Restore,
        (_, _, not null) => Flows.RdsRestore,
        (ResourceType.Ec2, false, _) => Flows.Ec2SameAccount,
        (ResourceType.Ec2, true, _) => Flows.Ec2CrossAccount,
        (_, false, _) => Flows.RdsSameAccount,
        (_, true, _) => Flows.RdsCrossAccount,
    };
}

/// <summary>
/// What a restore adds to a job. A restore reuses the replica machinery: "source" is the restore
/// point's owner (who shares), "target" is the restore role at the destination (who copies and creates).
/// </summary>
/// <param name="CopyNeeded">Whether the snapshot is copied (and re-encrypted) before the restore.</param>
/// <param name="NewIdentifier">RDS: the restored DB's identifier.</param>
/// <param name="CreatedIds">What the restore created so far (image, instance, volumes, DB), so a retry resumes.</param>
public sealed record RestoreSpec(
    string RestorePointId,
    string? TargetKey,
    bool CopyNeeded,
    string? InstanceType,
    string? DbClass,
    string? NewIdentifier,
    IReadOnlyDictionary<string, string> CreatedIds,
    bool Done = false);

/// <summary>
/// What an EFS backup copy adds to a job: the recovery point copied, the vaults, and the copy job.
/// Source and target of the job are the same role and account, in the source and target regions.
/// </summary>
/// <param name="EnableOptIn">Whether AWS Backup's EFS opt-in was off in the source region at planning (EFS-C5).</param>
/// <param name="DestinationRecoveryPointArn">The copy, once the copy job has completed.</param>
public sealed record BackupCopySpec(
    string RecoveryPointArn,
    string SourceVault,
    string VaultName,
    string VaultArn,
    bool EnableOptIn,
    string? CopyJobId = null,
    string? DestinationRecoveryPointArn = null);

/// <summary>A restore request as a person or the console starts it; the state machine names its session after the execution unless <c>sessionId</c> is given.</summary>
public sealed record RestoreInput(
    string RestorePointId,
    string TargetAccount,
    string TargetRegion,
    string RestoreRole,
    string? TargetKmsKey = null,
    string? InstanceType = null,
    string? DbClass = null,
    string? NewIdentifier = null,
    string? SessionId = null);

/// <summary>Names of Ferry's state machines, shared by the plan step, the ASL files and CDK.</summary>
public static class Flows
{
    public const string Ec2SameAccount = "ec2-replica-same-account";
    public const string Ec2CrossAccount = "ec2-replica-cross-account";
    public const string RdsSameAccount = "rds-replica-same-account";
    public const string RdsCrossAccount = "rds-replica-cross-account";
    public const string Ec2Restore = "ec2-restore";
    public const string RdsRestore = "rds-restore";
    public const string EfsBackupCopy = "efs-backup-copy";
    public const string PolicyRun = "policy-run";
}

/// <param name="SessionId">The state machine names it after its execution, so a retry finds the session it opened.</param>
public sealed record OpenSessionInput(string PolicyId, string? SessionId = null);

/// <param name="Regions">The source regions to run, in order; none when the run was refused (another run of the policy is running).</param>
public sealed record OpenSessionOutput(string PolicyId, string SessionId, IReadOnlyList<string> Regions);

public sealed record DiscoverInput(string PolicyId, string SessionId, string Region);

/// <summary>The resources found, as ids only, so a region with thousands of resources stays well under the payload limit.</summary>
public sealed record DiscoverOutput(string PolicyId, string SessionId, string Region, IReadOnlyList<string> ResourceIds);

/// <summary>A resource of a run, as the fan-out carries it.</summary>
public sealed record ResourceKey(string PolicyId, string SessionId, string Region, string ResourceId);

/// <param name="Proceed">True when the flow named by <see cref="ReplicaJob.Flow"/> should run; otherwise record <paramref name="Status"/> with <paramref name="Reason"/>.</param>
public sealed record PlanOutput(bool Proceed, ResourceStatus Status, string Reason, string? Flow, ReplicaJob? Job);

/// <summary>What RecordOutcome receives: the job when the flow ran, and the error when a step failed.</summary>
/// <param name="Error">Step Functions' error name (from a Catch), when a step failed.</param>
/// <param name="Cause">Step Functions' cause (for Lambda errors, a JSON document with errorMessage).</param>
public sealed record OutcomeInput(
    string PolicyId,
    string SessionId,
    string ResourceId,
    ResourceStatus? Status = null,
    string? Reason = null,
    ReplicaJob? Job = null,
    string? Error = null,
    string? Cause = null);

public sealed record OutcomeOutput(string SessionId, string ResourceId, ResourceStatus Status, string? Reason, bool Recorded);

/// <summary>Closes a session; with an error, the run or restore failed outright and the session closes Failed with it as the reason.</summary>
/// <param name="PolicyId">A policy run's policy: a run whose OpenSession failed before writing its session gets one, to say why.</param>
/// <param name="Error">Step Functions' error name (from a Catch).</param>
/// <param name="Cause">Step Functions' cause (for Lambda errors, a JSON document with errorMessage).</param>
public sealed record CloseSessionInput(string SessionId, string? PolicyId = null, string? Error = null, string? Cause = null);

/// <param name="Found">False when there was no session to close (a restore whose request was invalid opens none).</param>
public sealed record CloseSessionOutput(string SessionId, ResourceStatus Status, int Resources, string? Reason = null, bool Found = true);

/// <param name="Region">The resource's source region, where (and at whose mapping) leftovers are swept; all the policy's regions when absent.</param>
public sealed record RetentionInput(string PolicyId, string ResourceId, string? SessionId = null, string? Region = null);

/// <param name="RemovedLeftovers">Snapshots and copies of earlier failed or abandoned attempts that the sweep deleted.</param>
public sealed record RetentionOutput(string PolicyId, string ResourceId, int Kept, IReadOnlyList<string> DeletedRestorePoints, IReadOnlyList<string>? RemovedLeftovers = null);
