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
    private readonly RunLog _log = new(services);
    private readonly CopyScheduler _scheduler = new(services);

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

        var states = await SnapshotStates.OfAsync(services, at, job.Type, job.DbKind, ids, cancellationToken);
        await FreeSlotsAsync(job, wait.Stage, states, cancellationToken);

        var failed = ids.Where(id => !states.ContainsKey(id) || states[id].Failed).ToList();
        if (failed.Count > 0)
        {
            var reasons = failed.Select(id => states.TryGetValue(id, out var s) ? $"{id} is in state {s.Name}{(s.Message is null ? "" : $" ({s.Message})")}" : $"{id} no longer exists");
            throw new FerrySnapshotFailedException($"{StageName(wait.Stage)} of {job.ResourceId} failed in {at.Account}/{at.Region}: {string.Join("; ", reasons)}");
        }

        if (ids.All(id => states[id].Done))
        {
            await _log.WriteAsync(job.SessionId, job.ResourceId, DoneSequence(wait.Stage), "CheckAvailable",
                $"{StageName(wait.Stage)} completed in {at.Account}/{at.Region}: {string.Join(", ", ids)}", at.Role,
                SnapshotSteps.Ids(items.Select(p => (p.ItemId, (string?)p.Id))), cancellationToken: cancellationToken);
            if (wait.Stage == WaitStage.Replica && job.Staged)
                await DeleteStagingAsync(job, cancellationToken);
            return job with { Wait = wait with { Attempt = wait.Attempt + 1, Ready = true } };
        }

        if (services.Clock.UtcNow >= wait.Deadline)
        {
            var pending = ids.Where(id => !states[id].Done).Select(id => $"{id} ({states[id].Name}{(states[id].Progress is null ? "" : " " + states[id].Progress)})");
            throw new FerrySnapshotFailedException($"{StageName(wait.Stage)} of {job.ResourceId} did not complete by {wait.Deadline:u}: {string.Join(", ", pending)}");
        }
        return job with { Wait = WaitFor(wait, [.. ids.Select(id => states[id]).Where(s => s.InProgress)]) };
    }

    /// <summary>
    /// The next turn of a stage's loop: the interval doubles, but when every pending snapshot or copy reports progress
    /// and the slowest should be done sooner, the check comes then, so a stage's end is seen within moments rather than
    /// up to a doubled interval later. An end due within the first wait, or one already overdue (progress stalled
    /// near the end), keeps the doubling, so a stalled snapshot is not polled faster and faster.
    /// </summary>
    private WaitState WaitFor(WaitState wait, IReadOnlyList<SnapshotState> pending)
    {
        var doubled = WaitAgain(services, wait);
        var now = services.Clock.UtcNow;
        var estimates = pending.Select(s => s.Remaining(now)).ToList();
        if (estimates.Count == 0 || estimates.Any(e => e is null))
            return doubled;
        var seconds = (int)Math.Ceiling(estimates.Max(e => e!.Value).TotalSeconds);
        return seconds >= services.Waits.FirstWait.TotalSeconds && seconds < doubled.Seconds ? doubled with { Seconds = seconds } : doubled;
    }

    /// <summary>The next turn of the loop: the interval doubles up to the maximum.</summary>
    public static WaitState WaitAgain(FerryServices services, WaitState wait) =>
        wait with { Attempt = wait.Attempt + 1, Seconds = Math.Min(wait.Seconds * 2, (int)services.Waits.MaxWait.TotalSeconds), Ready = false };

    /// <summary>
    /// Gives back the slot of each copy seen complete, failed or gone, the moment it is seen: per copy, not per stage.
    /// Copies still in progress keep theirs (a failing stage's are given back by RecordOutcome).
    /// </summary>
    private async Task FreeSlotsAsync(ReplicaJob job, WaitStage stage, IReadOnlyDictionary<string, SnapshotState> states, CancellationToken cancellationToken)
    {
        if (stage == WaitStage.Snapshot)
            return;
        var over = job.Replicated
            .Where(i => CopySteps.Produced(i, stage) is { } id && (!states.TryGetValue(id, out var state) || !state.InProgress))
            .Select(i => Names.SlotHolder(job, i, stage))
            .ToList();
        if (over.Count > 0)
            await _scheduler.FreeAsync(CopySteps.SlotKey(job, stage), over, cancellationToken);
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
