using Ferry.Core.Inventory;

namespace Ferry.Core.Ports;

/// <summary>An RDS DB instance or Aurora DB cluster as RDS describes it.</summary>
public sealed record RdsDatabase(
    string Identifier,
    RdsKind Kind,
    string Arn,
    string Engine,
    string EngineVersion,
    string Status,
    bool Encrypted,
    string? KmsKeyId,
    IReadOnlyDictionary<string, string> Tags,
    string? DbClass = null,
    string? SubnetGroup = null,
    IReadOnlyList<string>? SecurityGroupIds = null);

/// <param name="Status">creating, available, copying or failed (as RDS reports it).</param>
/// <param name="SnapshotType">manual, shared or automated.</param>
public sealed record RdsSnapshot(
    string Identifier,
    string Arn,
    RdsKind Kind,
    string SourceIdentifier,
    string Status,
    bool Encrypted,
    string? KmsKeyId,
    string Engine,
    string EngineVersion,
    string SnapshotType,
    DateTimeOffset? CreatedAt,
    IReadOnlyDictionary<string, string> Tags,
    int PercentProgress = 0,
    string? DbClass = null);

/// <summary>Which snapshots to describe: by identifier or ARN, by source DB, by tag; shared ones only when asked.</summary>
public sealed record RdsSnapshotQuery(
    RdsKind Kind,
    IReadOnlyList<string>? Identifiers = null,
    string? SourceIdentifier = null,
    IReadOnlyList<TagQuery>? Tags = null,
    bool IncludeShared = false);

/// <summary>A CopyDBSnapshot or CopyDBClusterSnapshot made in this port's region.</summary>
/// <param name="SourceSnapshot">Identifier when the source is in this account and region, ARN otherwise.</param>
/// <param name="TargetIdentifier">Deterministic, so a retry finds its earlier copy.</param>
public sealed record RdsCopyRequest(
    RdsKind Kind,
    string SourceSnapshot,
    string SourceRegion,
    string TargetIdentifier,
    string? KmsKeyId,
    IReadOnlyDictionary<string, string> Tags);

public sealed record RdsRestoreRequest(
    RdsKind Kind,
    string SnapshotIdentifier,
    string NewIdentifier,
    string Engine,
    string? DbClass,
    string? KmsKeyId,
    IReadOnlyDictionary<string, string> Tags,
    string? SubnetGroup = null);

/// <summary>The RDS and Aurora operations Ferry uses, as a role in one region.</summary>
/// <remarks>Describe calls leave out identifiers that do not exist instead of failing, so one missing id never hides the others.</remarks>
public interface IRdsPort
{
    /// <summary>DB instances and Aurora clusters together, by identifier or tag (any of them).</summary>
    Task<IReadOnlyList<RdsDatabase>> DescribeDatabasesAsync(IReadOnlyList<string>? identifiers, IReadOnlyList<TagQuery>? tags, CancellationToken cancellationToken = default);

    Task<RdsSnapshot> CreateSnapshotAsync(RdsKind kind, string databaseIdentifier, string snapshotIdentifier, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<RdsSnapshot>> DescribeSnapshotsAsync(RdsSnapshotQuery query, CancellationToken cancellationToken = default);

    Task ShareSnapshotAsync(RdsKind kind, string snapshotIdentifier, string accountId, CancellationToken cancellationToken = default);

    Task<RdsSnapshot> CopySnapshotAsync(RdsCopyRequest request, CancellationToken cancellationToken = default);

    Task DeleteSnapshotAsync(RdsKind kind, string snapshotIdentifier, CancellationToken cancellationToken = default);

    /// <summary>Restores a DB instance, or an Aurora cluster with one instance of <see cref="RdsRestoreRequest.DbClass"/>.</summary>
    Task<RdsDatabase> RestoreAsync(RdsRestoreRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a DB instance, or an Aurora cluster with its instances, without a final snapshot and with its automated
    /// backups: only for databases Ferry restored itself. A database already gone or being deleted is left as it is.
    /// </summary>
    Task DeleteDatabaseAsync(RdsKind kind, string identifier, CancellationToken cancellationToken = default);

    /// <summary>The versions of an engine this region offers.</summary>
    Task<IReadOnlyList<string>> DescribeEngineVersionsAsync(string engine, CancellationToken cancellationToken = default);
}
