using Ferry.Core.Inventory;
using Ferry.Core.Policies;
using Ferry.Core.Ports;

namespace Ferry.Core.Runs.Snapshots;

/// <summary>
/// RDS DB snapshots or Aurora cluster snapshots. Ferry names every one it makes <see cref="Names.RdsSnapshot"/>
/// (the same name in every account and region a job copies to), so a retried step finds its earlier work by name.
/// </summary>
internal sealed class RdsSnapshots(FerryServices services, RdsKind kind) : ISnapshotService
{
    private const string Prefix = "ferry-";
    private static readonly HashSet<string> FailedStates = ["failed", "error", "incompatible-restore", "incompatible-parameters"];


    private string What => kind == RdsKind.AuroraCluster ? "DB cluster snapshot" : "DB snapshot";

    public async Task<IReadOnlyDictionary<string, string>> TakeAsync(RoleAt at, Job job, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var rds = await services.RdsAsync(at, cancellationToken);
        var id = Names.RdsSnapshot(job.ResourceId, job.SessionId);
        if ((await rds.DescribeSnapshotsAsync(new RdsSnapshotQuery(kind, Identifiers: [id]), cancellationToken)).Count == 0)
            await rds.CreateSnapshotAsync(kind, job.ResourceId, id, tags, cancellationToken);
        return job.Items.ToDictionary(i => i.ItemId, _ => id, StringComparer.Ordinal);
    }

    public async Task ShareAsync(RoleAt at, string snapshotId, string account, CancellationToken cancellationToken) =>
        await (await services.RdsAsync(at, cancellationToken)).ShareSnapshotAsync(kind, snapshotId, account, cancellationToken);

    public async Task<IReadOnlyDictionary<string, string>> StartedCopiesAsync(RoleAt at, Job job, IReadOnlyList<TagQuery> tags, CancellationToken cancellationToken)
    {
        // A job copies its one DB snapshot under a deterministic identifier.
        var rds = await services.RdsAsync(at, cancellationToken);
        var id = CopyName(at, job);
        var found = (await rds.DescribeSnapshotsAsync(new RdsSnapshotQuery(kind, Identifiers: [id]), cancellationToken)).Count > 0;
        return found ? job.Items.ToDictionary(i => i.ItemId, _ => id, StringComparer.Ordinal) : new Dictionary<string, string>();
    }

    public async Task<string> CopyAsync(RoleAt at, Job job, CopyOrder order, CancellationToken cancellationToken)
    {
        var rds = await services.RdsAsync(at, cancellationToken);
        // Another account's or region's snapshot is named by its ARN.
        var source = order.From.Account == at.Account && order.From.Region == at.Region
            ? order.SourceId
            : Names.RdsSnapshotArn(Names.PartitionOf(at.Role), order.From.Region, order.From.Account, kind, order.SourceId);
        var copy = await rds.CopySnapshotAsync(new RdsCopyRequest(kind, source, order.From.Region, CopyName(at, job), order.Key, order.Tags), cancellationToken);
        return copy.Identifier;
    }

    /// <summary>A replica's copy in its snapshot's own account and region (the share-key copy) is named apart from the snapshot.</summary>
    private static string CopyName(RoleAt at, Job job) =>
        job.Payload is ReplicaPayload && at.Account == job.Origin.Account && at.Region == job.Origin.Region
            ? Names.RdsShareCopy(job.ResourceId, job.SessionId)
            : Names.RdsSnapshot(job.ResourceId, job.SessionId);

    /// <summary>An RDS copy keeps its identifier and is tagged as CopyDBSnapshot makes it (Tags).</summary>
    public Task TagResultAsync(RoleAt at, string resultId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<Dictionary<string, SnapshotState>> StatesAsync(RoleAt at, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var rds = await services.RdsAsync(at, cancellationToken);
        var snapshots = await rds.DescribeSnapshotsAsync(new RdsSnapshotQuery(kind, Identifiers: ids), cancellationToken);
        return snapshots.ToDictionary(s => s.Identifier,
            s => new SnapshotState(s.Status, s.Status == "available", FailedStates.Contains(s.Status), null, $"{s.PercentProgress}%", s.CreatedAt, s.PercentProgress), StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<FoundSnapshot>> FindAsync(RoleAt at, string resourceId, IReadOnlyList<string>? names, IReadOnlyList<TagQuery> tags, CancellationToken cancellationToken)
    {
        var rds = await services.RdsAsync(at, cancellationToken);
        var query = names is null
            ? new RdsSnapshotQuery(kind, SourceIdentifier: resourceId, Tags: tags)
            : new RdsSnapshotQuery(kind, Identifiers: names, Tags: tags);
        var snapshots = await rds.DescribeSnapshotsAsync(query, cancellationToken);
        // Ferry names every RDS snapshot it makes ferry-…; its roles may delete no other.
        return [.. snapshots.Where(s => s.SnapshotType == "manual" && s.Identifier.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(s => new FoundSnapshot(s.Identifier, What, s.CreatedAt, s.Tags))];
    }

    public async Task<IReadOnlyList<FoundSnapshot>> DescribeAsync(RoleAt at, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var rds = await services.RdsAsync(at, cancellationToken);
        return [.. (await rds.DescribeSnapshotsAsync(new RdsSnapshotQuery(kind, Identifiers: ids), cancellationToken)).Select(s => new FoundSnapshot(s.Identifier, What, s.CreatedAt, s.Tags))];
    }

    public async Task DeleteAsync(RoleAt at, FoundSnapshot snapshot, CancellationToken cancellationToken) =>
        await (await services.RdsAsync(at, cancellationToken)).DeleteSnapshotAsync(kind, snapshot.Id, cancellationToken);
}
