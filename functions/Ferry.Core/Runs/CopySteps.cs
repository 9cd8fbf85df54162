using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Policies;
using Ferry.Core.Ports;

namespace Ferry.Core.Runs;

/// <summary>
/// Copies snapshots into the target account and region (re-encrypting when the plan says so).
/// Each copy first takes a slot of its (account, region, service) quota; copies that find no slot
/// are left for the retry, which also finds the copies already started (by tag or identifier).
/// </summary>
public sealed class CopySteps(FerryServices services)
{
    private readonly RunLog _log = new(services);

    public async Task<ReplicaJob> CopyAsync(ReplicaJob job, CancellationToken cancellationToken = default)
    {
        var stage = job.Staged && job.Replicated.Any(i => i.StagingId is null) ? WaitStage.Staging : WaitStage.Replica;
        var at = StageRole(job, stage);
        var waiting = new List<string>();
        var items = new List<JobItem>();
        foreach (var item in job.Items)
        {
            if (!item.Replicate || Produced(item, stage) is not null)
            {
                items.Add(item);
                continue;
            }
            var id = job.Type == ResourceType.Ec2
                ? await CopyEbsAsync(job, item, at, cancellationToken)
                : await CopyRdsAsync(job, item, at, stage, cancellationToken);
            if (id is null)
                waiting.Add(item.ItemId);
            items.Add(stage == WaitStage.Staging ? item with { StagingId = id } : item with { ReplicaId = id });
        }
        if (waiting.Count > 0)
        {
            throw new FerryQuotaExceededException(
                $"{waiting.Count} copy(ies) of {job.ResourceId} wait for a free slot of the {SlotKey(job, stage)} quota ({string.Join(", ", waiting)})");
        }

        var copied = items.Where(i => i.Replicate).Select(i => (i.ItemId, Produced(i, stage))).ToList();
        await _log.WriteAsync(job.SessionId, job.ResourceId, stage == WaitStage.Staging ? RunLog.Staging : RunLog.Copy, "CopyToRegion",
            $"Copy started from {job.Source.Region} into {at.Account}/{at.Region}: {SnapshotSteps.Describe(copied)}; {Encryption(items, stage)}",
            at.Role, SnapshotSteps.Ids(copied), cancellationToken: cancellationToken);
        return job with { Items = items, Wait = CheckSteps.StartWait(services, stage) };
    }

    /// <summary>Every slot a job may hold, so a finished or failed job can give them all back.</summary>
    public static IEnumerable<(CopySlotKey Key, string Holder)> SlotsOf(ReplicaJob job)
    {
        // AWS Backup queues its own copy jobs: EFS backup copies take no slot.
        if (job.Type == ResourceType.Efs)
            return [];
        var stages = job.Staged ? new[] { WaitStage.Staging, WaitStage.Replica } : [WaitStage.Replica];
        return stages.SelectMany(stage => job.Replicated.Select(item => (SlotKey(job, stage), Names.SlotHolder(job, item, stage))));
    }

    public static CopySlotKey SlotKey(ReplicaJob job, WaitStage stage)
    {
        var at = StageRole(job, stage);
        var service = job.Type == ResourceType.Ec2 ? "ebs" : job.DbKind == RdsKind.AuroraCluster ? "aurora" : "rds";
        return new CopySlotKey(at.Account, at.Region, service);
    }

    /// <summary>Staging copies are made by the target role in the source region; replicas in the target region.</summary>
    public static RoleAt StageRole(ReplicaJob job, WaitStage stage) =>
        stage == WaitStage.Staging ? job.Target with { Region = job.Source.Region } : job.Target;

    internal static string? Produced(JobItem item, WaitStage stage) => stage switch
    {
        WaitStage.Staging => item.StagingId,
        WaitStage.Replica => item.ReplicaId,
        _ => item.SnapshotId,
    };

    private async Task<string?> CopyEbsAsync(ReplicaJob job, JobItem item, RoleAt at, CancellationToken cancellationToken)
    {
        var ec2 = await services.Ec2Async(at, cancellationToken);
        var earlier = await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Tags:
            [new TagQuery(FerryTags.Session, [job.SessionId]), new TagQuery(FerryTags.Source, [job.ResourceId]), new TagQuery(FerryTags.Item, [item.ItemId])]), cancellationToken);
        if (earlier.Count > 0)
            return earlier[0].SnapshotId;
        if (!await TakeSlotAsync(job, item, WaitStage.Replica, cancellationToken))
            return null;

        var tags = new Dictionary<string, string>(SnapshotSteps.Tags(job, job.Restore is null ? "replica" : "restore-copy")) { [FerryTags.Item] = item.ItemId };
        var encrypted = item.TargetKey is not null || item.Encrypted;
        return await ec2.CopySnapshotAsync(new Ec2CopyRequest(job.Source.Region, SnapshotSteps.Require(item.SnapshotId, item), encrypted, item.TargetKey,
            $"Ferry {(job.Restore is null ? "replica" : "restore copy")} of {item.ItemId} ({job.ResourceId}), session {job.SessionId}", tags), cancellationToken);
    }

    private async Task<string?> CopyRdsAsync(ReplicaJob job, JobItem item, RoleAt at, WaitStage stage, CancellationToken cancellationToken)
    {
        var rds = await services.RdsAsync(at, cancellationToken);
        var kind = job.DbKind ?? RdsKind.DbInstance;
        var id = Names.RdsSnapshot(job.ResourceId, job.SessionId);
        if ((await rds.DescribeSnapshotsAsync(new RdsSnapshotQuery(kind, Identifiers: [id]), cancellationToken)).Count > 0)
            return id;
        if (!await TakeSlotAsync(job, item, stage, cancellationToken))
            return null;

        var partition = Names.PartitionOf(job.Target.Role);
        var sourceSnapshot = SnapshotSteps.Require(item.SnapshotId, item);
        // The staging copy already lives in the target account; other copies read the source account's snapshot.
        var (sourceAccount, sourceId) = stage == WaitStage.Replica && job.Staged
            ? (job.Target.Account, item.StagingId!)
            : (job.Source.Account, sourceSnapshot);
        var source = sourceAccount == at.Account && job.Source.Region == at.Region
            ? sourceId
            : Names.RdsSnapshotArn(partition, job.Source.Region, sourceAccount, kind, sourceId);
        // A staging copy keeps the source key; the replica gets the target key.
        var key = stage == WaitStage.Staging ? item.SourceKey : item.TargetKey;
        var tags = SnapshotSteps.Tags(job, stage == WaitStage.Staging ? "staging" : job.Restore is null ? "replica" : "restore-copy");
        var copy = await rds.CopySnapshotAsync(new RdsCopyRequest(kind, source, job.Source.Region, id, key, tags), cancellationToken);
        return copy.Identifier;
    }

    private async Task<bool> TakeSlotAsync(ReplicaJob job, JobItem item, WaitStage stage, CancellationToken cancellationToken)
    {
        var key = SlotKey(job, stage);
        return await services.Slots.TryAcquireAsync(key, Names.SlotHolder(job, item, stage), key.DefaultLimit, services.Waits.SlotLease, cancellationToken);
    }

    private static string Encryption(IEnumerable<JobItem> items, WaitStage stage) =>
        string.Join(", ", items.Where(i => i.Replicate).Select(i => (stage == WaitStage.Staging ? i.SourceKey : i.TargetKey) is { } key
            ? $"{i.ItemId} encrypted with {key}{(stage == WaitStage.Staging ? " (the source key, kept for the next copy)" : "")}"
            : $"{i.ItemId} unencrypted"));
}
