using Ferry.Core.Policies;
using Ferry.Core.Ports;

namespace Ferry.Core.Runs.Snapshots;

/// <summary>A snapshot or copy Ferry made, found where it looked, owned by the role that looked.</summary>
internal sealed record FoundSnapshot(string Id, string What, DateTimeOffset? CreatedAt, IReadOnlyDictionary<string, string> Tags);

/// <summary>One copy a Copy step starts: the item's current snapshot, where it lives, and how the copy is encrypted and tagged.</summary>
/// <param name="Key">The key the copy is encrypted with; null keeps it unencrypted (or, for AWS Backup, the vault's key).</param>
internal sealed record CopyOrder(JobItem Item, string SourceId, Place From, string? Key, IReadOnlyDictionary<string, string> Tags, string Description);

/// <summary>
/// One kind of AWS snapshot (EBS snapshots, RDS DB snapshots, Aurora cluster snapshots, AWS Backup recovery points) behind
/// what Ferry's steps do with it. A step picks the service once, from <see cref="Job.Snapshots"/>, and acts as the plan
/// step's role in its account and region (<paramref name="at"/> everywhere below).
/// </summary>
internal interface ISnapshotService
{
    /// <summary>Snapshots the job's resource (or finds what an earlier attempt took); item id → snapshot id.</summary>
    Task<IReadOnlyDictionary<string, string>> TakeAsync(RoleAt at, Job job, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken);

    /// <summary>Lets another account copy the snapshot (adding a permission twice is harmless).</summary>
    Task ShareAsync(RoleAt at, string snapshotId, string account, CancellationToken cancellationToken);

    /// <summary>The copies earlier attempts of a step started, found in one call by its tags or Ferry's names; item id → copy id.</summary>
    Task<IReadOnlyDictionary<string, string>> StartedCopiesAsync(RoleAt at, Job job, IReadOnlyList<TagQuery> tags, CancellationToken cancellationToken);

    /// <summary>Starts one copy into <paramref name="at"/>'s account and region; returns its id.</summary>
    Task<string> CopyAsync(RoleAt at, Job job, CopyOrder order, CancellationToken cancellationToken);

    /// <summary>
    /// Tags a completed copy that is known by another id from now on (<see cref="SnapshotState.ResultId"/>) as the copy
    /// was to be tagged: what AWS made it with could not carry the tags (an AWS Backup copy job).
    /// </summary>
    Task TagResultAsync(RoleAt at, string resultId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken);

    /// <summary>Asks about many snapshots or copies at once; one AWS does not return no longer exists.</summary>
    Task<Dictionary<string, SnapshotState>> StatesAsync(RoleAt at, IReadOnlyList<string> ids, CancellationToken cancellationToken);

    /// <summary>The snapshots and copies the role owns that carry all the tags (RDS: by Ferry's <paramref name="names"/> when known, else by source DB).</summary>
    Task<IReadOnlyList<FoundSnapshot>> FindAsync(RoleAt at, string resourceId, IReadOnlyList<string>? names, IReadOnlyList<TagQuery> tags, CancellationToken cancellationToken);

    /// <summary>The snapshots among <paramref name="ids"/> that exist, with their tags.</summary>
    Task<IReadOnlyList<FoundSnapshot>> DescribeAsync(RoleAt at, IReadOnlyList<string> ids, CancellationToken cancellationToken);

    Task DeleteAsync(RoleAt at, FoundSnapshot snapshot, CancellationToken cancellationToken);
}
