using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Policies;
using Ferry.Core.Ports;

namespace Ferry.Core.Runs;

/// <summary>Taking the source snapshot and sharing it, as the source role; both find their earlier work on a retry.</summary>
public sealed class SnapshotSteps(FerryServices services)
{
    private readonly RunLog _log = new(services);

    public async Task<ReplicaJob> TakeAsync(ReplicaJob job, CancellationToken cancellationToken = default)
    {
        var tags = Tags(job, "snapshot");
        IReadOnlyList<JobItem> items;
        if (job.Type == ResourceType.Ec2)
        {
            var ec2 = await services.Ec2Async(job.Source, cancellationToken);
            var earlier = await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Tags: [new TagQuery(FerryTags.Session, [job.SessionId]), new TagQuery(FerryTags.Source, [job.ResourceId])]), cancellationToken);
            var snapshots = earlier.Count > 0 ? earlier : await ec2.CreateSnapshotsAsync(job.ResourceId, tags, cancellationToken);
            var byVolume = snapshots.ToDictionary(s => s.VolumeId, s => s.SnapshotId, StringComparer.Ordinal);
            items = [.. job.Items.Select(i => i with
            {
                SnapshotId = byVolume.GetValueOrDefault(i.ItemId)
                    ?? throw new FerryInvalidStateException($"Volume {i.ItemId} of {job.ResourceId} was not snapshotted (detached since the plan?)"),
            })];
        }
        else
        {
            var rds = await services.RdsAsync(job.Source, cancellationToken);
            var id = Names.RdsSnapshot(job.ResourceId, job.SessionId);
            var kind = job.DbKind ?? RdsKind.DbInstance;
            var earlier = await rds.DescribeSnapshotsAsync(new RdsSnapshotQuery(kind, Identifiers: [id]), cancellationToken);
            if (earlier.Count == 0)
                await rds.CreateSnapshotAsync(kind, job.ResourceId, id, tags, cancellationToken);
            items = [.. job.Items.Select(i => i with { SnapshotId = id })];
        }
        await _log.WriteAsync(job.SessionId, job.ResourceId, RunLog.Snapshot, "TakeSnapshot",
            $"Snapshot started in {job.Source.Account}/{job.Source.Region}: {Describe(items.Select(i => (i.ItemId, i.SnapshotId)))}",
            job.Source.Role, Ids(items.Select(i => (i.ItemId, i.SnapshotId))), cancellationToken: cancellationToken);
        return job with { Items = items, Wait = CheckSteps.StartWait(services, WaitStage.Snapshot) };
    }

    /// <summary>Shares the replicated items' snapshots with the target account (adding a permission twice is harmless).</summary>
    public async Task<ReplicaJob> ShareAsync(ReplicaJob job, CancellationToken cancellationToken = default)
    {
        var replicated = job.Replicated.ToList();
        if (job.Type == ResourceType.Ec2)
        {
            var ec2 = await services.Ec2Async(job.Source, cancellationToken);
            foreach (var item in replicated)
                await ec2.ShareSnapshotAsync(Require(item.SnapshotId, item), job.Target.Account, cancellationToken);
        }
        else
        {
            var rds = await services.RdsAsync(job.Source, cancellationToken);
            foreach (var item in replicated.Select(i => i.SnapshotId).Distinct())
                await rds.ShareSnapshotAsync(job.DbKind ?? RdsKind.DbInstance, item!, job.Target.Account, cancellationToken);
        }
        await _log.WriteAsync(job.SessionId, job.ResourceId, RunLog.Share, "Share",
            $"Shared {string.Join(", ", replicated.Select(i => i.SnapshotId).Distinct())} with account {job.Target.Account}",
            job.Source.Role, Ids(replicated.Select(i => (i.ItemId, i.SnapshotId))), cancellationToken: cancellationToken);
        return job;
    }

    internal static IReadOnlyDictionary<string, string> Tags(ReplicaJob job, string step) => new Dictionary<string, string>
    {
        [FerryTags.Policy] = job.PolicyId,
        [FerryTags.Session] = job.SessionId,
        [FerryTags.Source] = job.ResourceId,
        [FerryTags.Step] = step,
    };

    internal static string Require(string? id, JobItem item) =>
        id ?? throw new FerryInvalidInputException($"items[{item.ItemId}]: no snapshot id yet; the flow ran its steps out of order");

    internal static IReadOnlyDictionary<string, string> Ids(IEnumerable<(string Item, string? Id)> pairs) =>
        pairs.Where(p => p.Id is not null).ToDictionary(p => p.Item, p => p.Id!, StringComparer.Ordinal);

    internal static string Describe(IEnumerable<(string Item, string? Id)> pairs) =>
        string.Join(", ", pairs.Select(p => $"{p.Item} → {p.Id}"));
}
