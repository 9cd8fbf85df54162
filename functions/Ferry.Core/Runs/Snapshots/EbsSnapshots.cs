using Ferry.Core.Errors;
using Ferry.Core.Policies;
using Ferry.Core.Ports;

namespace Ferry.Core.Runs.Snapshots;

/// <summary>EBS snapshots: one per volume of an instance, taken together (crash-consistent); copies found by Ferry's tags.</summary>
internal sealed class EbsSnapshots(FerryServices services) : ISnapshotService
{
    private const string What = "EBS snapshot";


    public async Task<IReadOnlyDictionary<string, string>> TakeAsync(RoleAt at, Job job, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var ec2 = await services.Ec2Async(at, cancellationToken);
        var earlier = await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Tags: [new TagQuery(FerryTags.Session, [job.SessionId]), new TagQuery(FerryTags.Source, [job.ResourceId])]), cancellationToken);
        var snapshots = earlier.Count > 0 ? earlier : await ec2.CreateSnapshotsAsync(job.ResourceId, tags, cancellationToken);
        return snapshots.ToDictionary(s => s.VolumeId, s => s.SnapshotId, StringComparer.Ordinal);
    }

    public async Task ShareAsync(RoleAt at, string snapshotId, string account, CancellationToken cancellationToken) =>
        await (await services.Ec2Async(at, cancellationToken)).ShareSnapshotAsync(snapshotId, account, cancellationToken);

    public async Task<IReadOnlyDictionary<string, string>> StartedCopiesAsync(RoleAt at, Job job, IReadOnlyList<TagQuery> tags, CancellationToken cancellationToken)
    {
        var ec2 = await services.Ec2Async(at, cancellationToken);
        var earlier = await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Tags: tags), cancellationToken);
        return earlier.Where(s => s.Tags.ContainsKey(FerryTags.Item))
            .GroupBy(s => s.Tags[FerryTags.Item], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(s => s.SnapshotId, StringComparer.Ordinal).First().SnapshotId, StringComparer.Ordinal);
    }

    public async Task<string> CopyAsync(RoleAt at, Job job, CopyOrder order, CancellationToken cancellationToken)
    {
        var ec2 = await services.Ec2Async(at, cancellationToken);
        var encrypted = order.Key is not null || order.Item.Encrypted;
        return await ec2.CopySnapshotAsync(new Ec2CopyRequest(order.From.Region, order.SourceId, encrypted, order.Key, order.Description, order.Tags), cancellationToken);
    }

    /// <summary>An EBS copy keeps its id and is tagged as CopySnapshot makes it (TagSpecifications).</summary>
    public Task TagResultAsync(RoleAt at, string resultId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<Dictionary<string, SnapshotState>> StatesAsync(RoleAt at, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var ec2 = await services.Ec2Async(at, cancellationToken);
        IReadOnlyList<Ec2Snapshot> snapshots;
        try
        {
            snapshots = await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Ids: ids, IncludeShared: true), cancellationToken);
        }
        catch (FerryNotFoundException)
        {
            // EC2 fails the whole call when one of its ids was deleted: ask one by one to learn which are gone.
            var found = new List<Ec2Snapshot>();
            foreach (var id in ids)
            {
                try
                {
                    found.AddRange(await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Ids: [id], IncludeShared: true), cancellationToken));
                }
                catch (FerryNotFoundException)
                {
                    // Gone: left out, as the simulator and EC2's snapshot-id filter leave it out.
                }
            }
            snapshots = found;
        }
        return snapshots.ToDictionary(s => s.SnapshotId,
            s => new SnapshotState(s.State, s.State == "completed", s.State == "error", s.StateMessage, s.Progress, s.StartTime, Percent(s.Progress)), StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<FoundSnapshot>> FindAsync(RoleAt at, string resourceId, IReadOnlyList<string>? names, IReadOnlyList<TagQuery> tags, CancellationToken cancellationToken)
    {
        var ec2 = await services.Ec2Async(at, cancellationToken);
        var snapshots = await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Tags: tags), cancellationToken);
        return [.. snapshots.Where(s => s.OwnerId == at.Account).Select(s => new FoundSnapshot(s.SnapshotId, What, s.StartTime, s.Tags))];
    }

    public async Task<IReadOnlyList<FoundSnapshot>> DescribeAsync(RoleAt at, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var ec2 = await services.Ec2Async(at, cancellationToken);
        return [.. (await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Ids: ids), cancellationToken)).Select(s => new FoundSnapshot(s.SnapshotId, What, s.StartTime, s.Tags))];
    }

    public async Task DeleteAsync(RoleAt at, FoundSnapshot snapshot, CancellationToken cancellationToken) =>
        await (await services.Ec2Async(at, cancellationToken)).DeleteSnapshotAsync(snapshot.Id, cancellationToken);

    /// <summary>EC2 reports progress as text, e.g. "45%".</summary>
    private static int? Percent(string? progress) =>
        int.TryParse(progress?.TrimEnd('%'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var percent) ? percent : null;
}
