using Ferry.Core.Policies;
using Ferry.Core.Sessions;

namespace Ferry.Core.Ports;

/// <summary>
/// Policies are stored as their JSON documents (by the CDK stack's deployment, or by local runs) and validated again
/// when loaded; Ferry's steps only read them.
/// </summary>
public interface IPolicyStore
{
    Task<Policy?> GetAsync(string policyId, CancellationToken cancellationToken = default);
}

/// <summary>
/// Sessions with their per-resource outcomes and logs. Writes are conditional so retries are harmless. Reads a step
/// makes for one resource cost the same however many resources the session has: only closing a session and reports
/// read all of it (<see cref="GetAsync"/>).
/// </summary>
public interface ISessionStore
{
    /// <summary>Creates the session unless it exists; returns the stored one's header (without resources) either way.</summary>
    Task<Session> OpenAsync(Session session, CancellationToken cancellationToken = default);

    /// <summary>The whole session: every resource with its log (a read that grows with the session).</summary>
    Task<Session?> GetAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>The session without its resources (one read however many resources it has).</summary>
    Task<Session?> GetHeaderAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>One resource's status, final reason and current step, without its log (one read); null when the session has no such resource.</summary>
    Task<ResourceOutcome?> GetOutcomeAsync(string sessionId, string resourceId, CancellationToken cancellationToken = default);

    /// <summary>The policy's sessions, newest first, as headers (without resources): one query however many there are.</summary>
    Task<IReadOnlyList<Session>> ListByPolicyAsync(string policyId, CancellationToken cancellationToken = default);

    /// <summary>Marks the resource's current step (live progress) while it is still Running.</summary>
    Task SetProgressAsync(string sessionId, string resourceId, string step, CancellationToken cancellationToken = default);

    /// <summary>Appends a log entry; an entry with the same sequence number is written once.</summary>
    Task AppendLogAsync(string sessionId, string resourceId, LogEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Writes the resource's final outcome once; returns false when a final outcome was already recorded.</summary>
    Task<bool> RecordOutcomeAsync(string sessionId, string resourceId, ResourceStatus status, string? reason, CancellationToken cancellationToken = default);

    /// <summary>
    /// Closes the session with the worst of its resources' statuses and the <paramref name="end"/>'s, keeping the end's
    /// reason; closing twice changes nothing.
    /// </summary>
    Task<Session> CloseAsync(string sessionId, DateTimeOffset at, SessionEnd? end = null, CancellationToken cancellationToken = default);

    /// <summary>Who holds the policy's run lock, if anyone.</summary>
    Task<RunLock?> GetRunLockAsync(string policyId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the lock as <paramref name="next"/> says only while it is held by <paramref name="expectedHolder"/>
    /// (null: only while nobody holds it); false when it was not (another run came first).
    /// </summary>
    Task<bool> TryWriteRunLockAsync(RunLock next, string? expectedHolder, CancellationToken cancellationToken = default);

    /// <summary>Releases the policy's run lock if the session holds it; otherwise changes nothing.</summary>
    Task ReleaseRunLockAsync(string policyId, string sessionId, CancellationToken cancellationToken = default);
}

/// <summary>A policy's run lock: the session of the run that holds it, until its lease ends unless renewed.</summary>
public sealed record RunLock(string PolicyId, string SessionId, DateTimeOffset LeaseUntil);

public sealed record SnapshotRef(string SnapshotId, string ItemId, bool Encrypted, string? KmsKeyId, string? DeviceName = null);

/// <summary>A volume's shape, so a restore recreates it as it was.</summary>
public sealed record VolumeConfig(string VolumeId, string DeviceName, int SizeGiB, string VolumeType, int? Iops = null, int? Throughput = null);

/// <summary>
/// The original resource's configuration and location, kept with each restore point so a restore can
/// recreate it even when the original is gone.
/// </summary>
public sealed record ResourceConfig(
    IReadOnlyDictionary<string, string> Tags,
    string? InstanceType = null,
    string? AvailabilityZone = null,
    string? RootDeviceName = null,
    string? Architecture = null,
    string? SubnetId = null,
    IReadOnlyList<string>? SecurityGroupIds = null,
    IReadOnlyList<VolumeConfig>? Volumes = null,
    Inventory.RdsKind? DbKind = null,
    string? Engine = null,
    string? EngineVersion = null,
    string? DbClass = null,
    string? SubnetGroup = null,
    string? AccountId = null,
    string? Region = null)
{
    /// <summary>Whether a restore target is where the original ran, so its zone, subnet, security groups and name apply (and may collide).</summary>
    public bool IsOriginalLocation(string account, string region) => AccountId == account && Region == region;
}

/// <summary>A completed snapshot set or replica that can be restored, kept until retention removes it.</summary>
public sealed record RestorePoint(
    string RestorePointId,
    string PolicyId,
    string ResourceId,
    string SessionId,
    ResourceType Type,
    bool IsReplica,
    string AccountId,
    string Region,
    string OwnerRole,
    DateTimeOffset CreatedAt,
    IReadOnlyList<SnapshotRef> Snapshots,
    ResourceConfig Config);

public interface IRestorePointStore
{
    Task PutAsync(RestorePoint point, CancellationToken cancellationToken = default);

    Task<RestorePoint?> GetAsync(string restorePointId, CancellationToken cancellationToken = default);

    /// <summary>A resource's restore points under a policy, newest first.</summary>
    Task<IReadOnlyList<RestorePoint>> ListAsync(string policyId, string resourceId, CancellationToken cancellationToken = default);

    Task DeleteAsync(string restorePointId, CancellationToken cancellationToken = default);
}
