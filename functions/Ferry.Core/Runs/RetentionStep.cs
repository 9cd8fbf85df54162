using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Policies;
using Ferry.Core.Ports;
using Ferry.Core.Runs.Snapshots;

namespace Ferry.Core.Runs;

/// <summary>
/// Keeps a resource's newest restore points (the policy's count of each kind, snapshots and
/// replicas) and deletes the rest. It deletes only snapshots whose tags say Ferry made them for this
/// policy, and never the newest replica, whatever the count. A restore point whose snapshots cannot all
/// be deleted now (in use by an image, access denied) is kept, with a warning, for the next run.
/// Then it sweeps what earlier failed or abandoned attempts left for the resource (<see cref="Cleanup.SweepAsync"/>).
/// </summary>
public sealed class RetentionStep(FerryServices services)
{
    private readonly RunLog _log = new(services);

    public async Task<RetentionOutput> RunAsync(RetentionInput input, CancellationToken cancellationToken = default)
    {
        var sessionId = input.SessionId;
        var policy = await SessionSteps.LoadPolicyAsync(services, input.PolicyId, cancellationToken);
        var points = await services.RestorePoints.ListAsync(policy.Id, input.ResourceId, cancellationToken);
        var keep = points.GroupBy(p => p.IsReplica)
            .SelectMany(kind => kind.OrderByDescending(p => p.CreatedAt).Take(policy.Retention.RestorePoints))
            .Select(p => p.RestorePointId)
            .ToHashSet(StringComparer.Ordinal);

        var deleted = new List<string>();
        var warnings = new List<string>();
        foreach (var point in points.Where(p => !keep.Contains(p.RestorePointId)).OrderBy(p => p.CreatedAt))
        {
            var (skipped, refused) = await DeleteSnapshotsAsync(policy, point, cancellationToken);
            if (skipped.Count > 0)
                warnings.Add($"Kept {string.Join(", ", skipped)} of restore point {point.RestorePointId}: not tagged as Ferry's for policy {policy.Id}");
            if (refused.Count > 0)
                warnings.Add($"Kept restore point {point.RestorePointId} in {point.AccountId}/{point.Region}: {string.Join("; ", refused)}; the next run tries again");
            if (skipped.Count > 0 || refused.Count > 0)
                continue;
            await services.RestorePoints.DeleteAsync(point.RestorePointId, cancellationToken);
            deleted.Add(point.RestorePointId);
        }
        if (sessionId is not null && deleted.Count > 0)
        {
            await _log.WriteAsync(sessionId, input.ResourceId, RunLog.Retention, "ApplyRetention",
                $"Retention kept {keep.Count} restore point(s), deleted {deleted.Count}: {string.Join(", ", deleted)}", cancellationToken: cancellationToken);
        }
        if (sessionId is not null && warnings.Count > 0)
        {
            await _log.WriteAsync(sessionId, input.ResourceId, RunLog.Retention + 1, "ApplyRetention", string.Join(". ", warnings),
                level: Sessions.ResourceStatus.Warning, cancellationToken: cancellationToken);
        }
        var regions = input.Region is null ? policy.Sources.Regions : [input.Region];
        var swept = await new Cleanup(services).SweepAsync(policy, input.ResourceId, sessionId, regions, cancellationToken);
        return new RetentionOutput(policy.Id, input.ResourceId, keep.Count, deleted, swept);
    }

    /// <summary>Deletes the point's snapshots; returns those left alone because they are not Ferry's, and the deletions AWS refused.</summary>
    private async Task<(List<string> Skipped, List<string> Refused)> DeleteSnapshotsAsync(Policy policy, RestorePoint point, CancellationToken cancellationToken)
    {
        var at = new RoleAt(point.OwnerRole, point.AccountId, point.Region);
        var ids = point.Snapshots.Select(s => s.SnapshotId).Distinct().ToList();
        var skipped = new List<string>();
        var refused = new List<string>();
        bool Ours(IReadOnlyDictionary<string, string> tags) =>
            tags.TryGetValue(FerryTags.Policy, out var owner) && owner == policy.Id && tags.TryGetValue(FerryTags.Source, out var source) && source == point.ResourceId;
        async Task DeleteAsync(string id, Func<Task> delete)
        {
            if (await TryDeleteAsync(delete) is { } refusal)
                refused.Add($"{id}: {refusal}");
        }

        if (point.Type == ResourceType.Efs)
        {
            await DeleteBackupCopiesAsync(point, at, ids, cancellationToken);
            return (skipped, refused);
        }
        var service = SnapshotServices.For(services, SnapshotServices.KindOf(point.Type, point.Config.DbKind));
        foreach (var snapshot in await service.DescribeAsync(at, ids, cancellationToken))
        {
            if (Ours(snapshot.Tags))
                await DeleteAsync(snapshot.Id, () => service.DeleteAsync(at, snapshot, cancellationToken));
            else
                skipped.Add(snapshot.Id);
        }
        return (skipped, refused);
    }

    /// <summary>
    /// An EFS restore point holds only recovery points Ferry's own copy jobs made, so each is deleted from the
    /// vault it is in (found through the file system's recovery points in the copy's region).
    /// </summary>
    private async Task DeleteBackupCopiesAsync(RestorePoint point, RoleAt at, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var backup = await services.BackupAsync(at, cancellationToken);
        var fileSystems = point.Snapshots.Select(s => s.ItemId).Distinct();
        var sourceAccount = point.Config.AccountId ?? point.AccountId;
        var sourceRegion = point.Config.Region ?? point.Region;
        foreach (var fileSystem in fileSystems)
        {
            var arn = $"arn:{Names.PartitionOf(point.OwnerRole)}:elasticfilesystem:{sourceRegion}:{sourceAccount}:file-system/{fileSystem}";
            foreach (var copy in (await backup.ListRecoveryPointsByResourceAsync(arn, cancellationToken)).Where(p => ids.Contains(p.Arn)))
                await IgnoreMissingAsync(() => backup.DeleteRecoveryPointAsync(copy.VaultName, copy.Arn, cancellationToken));
        }
    }

    private static async Task IgnoreMissingAsync(Func<Task> delete)
    {
        try
        {
            await delete();
        }
        catch (FerryNotFoundException)
        {
            // Deleted by an earlier attempt: the goal is reached.
        }
    }

    /// <summary>Null when the snapshot is gone; otherwise why AWS refused (in use by an image, still being created, access denied).</summary>
    private static async Task<string?> TryDeleteAsync(Func<Task> delete)
    {
        try
        {
            await IgnoreMissingAsync(delete);
            return null;
        }
        catch (FerryException e) when (e is not (FerryThrottledException or FerryTransientException))
        {
            return e.Message;
        }
    }
}
