using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Policies;
using Ferry.Core.Ports;

namespace Ferry.Core.Runs;

/// <summary>
/// Copies snapshots into the target account and region (re-encrypting when the plan says so). Each copy takes a
/// slot of its (account, region, service) quota and starts at once (<see cref="CopyScheduler"/>); copies that find
/// no slot wait for the retry, which finds the copies already started (by tag or identifier, in one call).
/// </summary>
public sealed class CopySteps(FerryServices services)
{
    private readonly RunLog _log = new(services);
    private readonly CopyScheduler _scheduler = new(services);

    public async Task<ReplicaJob> CopyAsync(ReplicaJob job, CancellationToken cancellationToken = default)
    {
        var stage = job.Staged && job.Replicated.Any(i => i.StagingId is null) ? WaitStage.Staging : WaitStage.Replica;
        var at = StageRole(job, stage);
        var pending = job.Replicated.Where(i => Produced(i, stage) is null).ToList();
        var copies = new Dictionary<string, string>(StringComparer.Ordinal);
        if (pending.Count > 0)
        {
            var key = SlotKey(job, stage);
            var earlier = await StartedAsync(job, stage, at, cancellationToken);
            var requests = pending.Select(item => new CopyScheduler.Request(Names.SlotHolder(job, item, stage), earlier.GetValueOrDefault(item.ItemId),
                token => job.Type == ResourceType.Ec2 ? CopyEbsAsync(job, item, at, token) : CopyRdsAsync(job, item, at, stage, token))).ToList();
            var running = await _scheduler.StartAsync(key, at, requests, cancellationToken);
            foreach (var item in pending)
            {
                if (running.TryGetValue(Names.SlotHolder(job, item, stage), out var id))
                    copies[item.ItemId] = id;
            }
            var waiting = pending.Where(i => !copies.ContainsKey(i.ItemId)).Select(i => i.ItemId).ToList();
            if (waiting.Count > 0)
            {
                throw new FerryQuotaExceededException(
                    $"{waiting.Count} copy(ies) of {job.ResourceId} wait for a free slot of the {key} quota ({services.CopyQuotas.For(key)} at once; " +
                    $"{copies.Count} of its {pending.Count} copies run): {string.Join(", ", waiting)}");
            }
        }

        var items = job.Items.Select(item => copies.TryGetValue(item.ItemId, out var id)
            ? stage == WaitStage.Staging ? item with { StagingId = id } : item with { ReplicaId = id }
            : item).ToList();
        var copied = items.Where(i => i.Replicate).Select(i => (i.ItemId, Produced(i, stage))).ToList();
        await _log.WriteAsync(job.SessionId, job.ResourceId, stage == WaitStage.Staging ? RunLog.Staging : RunLog.Copy, "CopyToRegion",
            $"Copy started from {job.Source.Region} into {at.Account}/{at.Region}: {SnapshotSteps.Describe(copied)}; {Encryption(items, stage)}",
            at.Role, SnapshotSteps.Ids(copied), cancellationToken: cancellationToken);
        return job with { Items = items, Wait = CheckSteps.StartWait(services, stage) };
    }

    /// <summary>Every copy slot a job may hold, per scope, so a finished or failed job can give them back.</summary>
    public static IEnumerable<(CopySlotKey Key, IReadOnlyList<string> Holders)> SlotsOf(ReplicaJob job)
    {
        // AWS Backup queues its own copy jobs: EFS backup copies take no slot.
        if (job.Type == ResourceType.Efs)
            return [];
        var stages = job.Staged ? new[] { WaitStage.Staging, WaitStage.Replica } : [WaitStage.Replica];
        return stages.Select(stage => (SlotKey(job, stage), (IReadOnlyList<string>)[.. job.Replicated.Select(item => Names.SlotHolder(job, item, stage))]));
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

    /// <summary>The copies earlier attempts of this step started, by item, found in one call.</summary>
    private async Task<Dictionary<string, string>> StartedAsync(ReplicaJob job, WaitStage stage, RoleAt at, CancellationToken cancellationToken)
    {
        if (job.Type == ResourceType.Ec2)
        {
            var ec2 = await services.Ec2Async(at, cancellationToken);
            var earlier = await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Tags:
                [new TagQuery(FerryTags.Session, [job.SessionId]), new TagQuery(FerryTags.Source, [job.ResourceId]), new TagQuery(FerryTags.Step, [CopyStep(job, stage)])]), cancellationToken);
            return earlier.Where(s => s.Tags.ContainsKey(FerryTags.Item))
                .GroupBy(s => s.Tags[FerryTags.Item], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.OrderBy(s => s.SnapshotId, StringComparer.Ordinal).First().SnapshotId, StringComparer.Ordinal);
        }
        // An RDS job copies its one DB snapshot under a deterministic identifier.
        var rds = await services.RdsAsync(at, cancellationToken);
        var id = Names.RdsSnapshot(job.ResourceId, job.SessionId);
        var found = (await rds.DescribeSnapshotsAsync(new RdsSnapshotQuery(job.DbKind ?? RdsKind.DbInstance, Identifiers: [id]), cancellationToken)).Count > 0;
        return found ? job.Replicated.ToDictionary(i => i.ItemId, _ => id, StringComparer.Ordinal) : [];
    }

    private static string CopyStep(ReplicaJob job, WaitStage stage) =>
        stage == WaitStage.Staging ? "staging" : job.Restore is null ? "replica" : "restore-copy";

    private async Task<string> CopyEbsAsync(ReplicaJob job, JobItem item, RoleAt at, CancellationToken cancellationToken)
    {
        var ec2 = await services.Ec2Async(at, cancellationToken);
        var tags = new Dictionary<string, string>(SnapshotSteps.Tags(job, CopyStep(job, WaitStage.Replica))) { [FerryTags.Item] = item.ItemId };
        var encrypted = item.TargetKey is not null || item.Encrypted;
        return await ec2.CopySnapshotAsync(new Ec2CopyRequest(job.Source.Region, SnapshotSteps.Require(item.SnapshotId, item), encrypted, item.TargetKey,
            $"Ferry {(job.Restore is null ? "replica" : "restore copy")} of {item.ItemId} ({job.ResourceId}), session {job.SessionId}", tags), cancellationToken);
    }

    private async Task<string> CopyRdsAsync(ReplicaJob job, JobItem item, RoleAt at, WaitStage stage, CancellationToken cancellationToken)
    {
        var rds = await services.RdsAsync(at, cancellationToken);
        var kind = job.DbKind ?? RdsKind.DbInstance;
        var id = Names.RdsSnapshot(job.ResourceId, job.SessionId);
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
        var tags = SnapshotSteps.Tags(job, CopyStep(job, stage));
        var copy = await rds.CopySnapshotAsync(new RdsCopyRequest(kind, source, job.Source.Region, id, key, tags), cancellationToken);
        return copy.Identifier;
    }

    private static string Encryption(IEnumerable<JobItem> items, WaitStage stage) =>
        string.Join(", ", items.Where(i => i.Replicate).Select(i => (stage == WaitStage.Staging ? i.SourceKey : i.TargetKey) is { } key
            ? $"{i.ItemId} encrypted with {key}{(stage == WaitStage.Staging ? " (the source key, kept for the next copy)" : "")}"
            : $"{i.ItemId} unencrypted"));
}
