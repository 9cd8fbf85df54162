using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Policies;
using Ferry.Core.Ports;

namespace Ferry.Core.Runs;

/// <summary>
/// The check of the Wait → CheckAvailable → Choice loop: one call asks about every snapshot of the
/// stage at once; the interval doubles up to a maximum, and a stage past its deadline fails.
/// </summary>
public sealed class CheckSteps(FerryServices services)
{
    private static readonly HashSet<string> RdsFailed = ["failed", "error", "incompatible-restore", "incompatible-parameters"];

    private readonly RunLog _log = new(services);

    public static WaitState StartWait(FerryServices services, WaitStage stage) =>
        new(stage, 0, (int)services.Waits.FirstWait.TotalSeconds, services.Clock.UtcNow + services.Waits.Deadline, false);

    public async Task<ReplicaJob> CheckAsync(ReplicaJob job, CancellationToken cancellationToken = default)
    {
        var wait = job.Wait ?? throw new FerryInvalidInputException("wait: the job is not waiting for anything");
        var at = wait.Stage == WaitStage.Snapshot ? job.Source : CopySteps.StageRole(job, wait.Stage);
        var items = (wait.Stage == WaitStage.Snapshot ? job.Items : job.Replicated)
            .Select(i => (i.ItemId, Id: CopySteps.Produced(i, wait.Stage)))
            .Where(p => p.Id is not null)
            .Select(p => (p.ItemId, Id: p.Id!))
            .ToList();
        var ids = items.Select(p => p.Id).Distinct().ToList();

        var states = job.Type == ResourceType.Ec2
            ? await EbsStatesAsync(at, ids, cancellationToken)
            : await RdsStatesAsync(at, job.DbKind ?? RdsKind.DbInstance, ids, cancellationToken);

        var failed = ids.Where(id => !states.ContainsKey(id) || states[id].Failed).ToList();
        if (failed.Count > 0)
        {
            await ReleaseAsync(job, wait.Stage, cancellationToken);
            var reasons = failed.Select(id => states.TryGetValue(id, out var s) ? $"{id} is in state {s.Name}{(s.Message is null ? "" : $" ({s.Message})")}" : $"{id} no longer exists");
            throw new FerrySnapshotFailedException($"{StageName(wait.Stage)} of {job.ResourceId} failed in {at.Account}/{at.Region}: {string.Join("; ", reasons)}");
        }

        if (ids.All(id => states[id].Done))
        {
            await ReleaseAsync(job, wait.Stage, cancellationToken);
            await _log.WriteAsync(job.SessionId, job.ResourceId, DoneSequence(wait.Stage), "CheckAvailable",
                $"{StageName(wait.Stage)} completed in {at.Account}/{at.Region}: {string.Join(", ", ids)}", at.Role,
                SnapshotSteps.Ids(items.Select(p => (p.ItemId, (string?)p.Id))), cancellationToken: cancellationToken);
            if (wait.Stage == WaitStage.Replica && job.Staged)
                await DeleteStagingAsync(job, cancellationToken);
            return job with { Wait = wait with { Attempt = wait.Attempt + 1, Ready = true } };
        }

        if (services.Clock.UtcNow >= wait.Deadline)
        {
            await ReleaseAsync(job, wait.Stage, cancellationToken);
            var pending = ids.Where(id => !states[id].Done).Select(id => $"{id} ({states[id].Name}{(states[id].Progress is null ? "" : " " + states[id].Progress)})");
            throw new FerrySnapshotFailedException($"{StageName(wait.Stage)} of {job.ResourceId} did not complete by {wait.Deadline:u}: {string.Join(", ", pending)}");
        }
        return job with { Wait = WaitAgain(services, wait) };
    }

    /// <summary>The next turn of the loop: the interval doubles up to the maximum.</summary>
    public static WaitState WaitAgain(FerryServices services, WaitState wait) =>
        wait with { Attempt = wait.Attempt + 1, Seconds = Math.Min(wait.Seconds * 2, (int)services.Waits.MaxWait.TotalSeconds), Ready = false };

    private sealed record Status(string Name, bool Done, bool Failed, string? Message, string? Progress);

    private async Task<Dictionary<string, Status>> EbsStatesAsync(RoleAt at, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var ec2 = await services.Ec2Async(at, cancellationToken);
        var snapshots = await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Ids: ids, IncludeShared: true), cancellationToken);
        return snapshots.ToDictionary(s => s.SnapshotId, s => new Status(s.State, s.State == "completed", s.State == "error", s.StateMessage, s.Progress), StringComparer.Ordinal);
    }

    private async Task<Dictionary<string, Status>> RdsStatesAsync(RoleAt at, RdsKind kind, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var rds = await services.RdsAsync(at, cancellationToken);
        var snapshots = await rds.DescribeSnapshotsAsync(new RdsSnapshotQuery(kind, Identifiers: ids), cancellationToken);
        return snapshots.ToDictionary(s => s.Identifier, s => new Status(s.Status, s.Status == "available", RdsFailed.Contains(s.Status), null, $"{s.PercentProgress}%"), StringComparer.Ordinal);
    }

    private async Task ReleaseAsync(ReplicaJob job, WaitStage stage, CancellationToken cancellationToken)
    {
        if (stage == WaitStage.Snapshot)
            return;
        foreach (var item in job.Replicated)
            await services.Slots.ReleaseAsync(CopySteps.SlotKey(job, stage), Names.SlotHolder(job, item, stage), cancellationToken);
    }

    /// <summary>The intermediate copy in the target account's source region has served its purpose once the replica exists.</summary>
    private async Task DeleteStagingAsync(ReplicaJob job, CancellationToken cancellationToken)
    {
        var rds = await services.RdsAsync(CopySteps.StageRole(job, WaitStage.Staging), cancellationToken);
        foreach (var id in job.Replicated.Select(i => i.StagingId).OfType<string>().Distinct())
        {
            try
            {
                await rds.DeleteSnapshotAsync(job.DbKind ?? RdsKind.DbInstance, id, cancellationToken);
            }
            catch (FerryNotFoundException)
            {
                // Already deleted by an earlier attempt of this step.
            }
        }
    }

    private static string StageName(WaitStage stage) => stage switch
    {
        WaitStage.Snapshot => "Snapshot",
        WaitStage.Staging => "Staging copy",
        _ => "Copy",
    };

    private static int DoneSequence(WaitStage stage) => stage switch
    {
        WaitStage.Snapshot => RunLog.SnapshotDone,
        WaitStage.Staging => RunLog.StagingDone,
        _ => RunLog.CopyDone,
    };
}
