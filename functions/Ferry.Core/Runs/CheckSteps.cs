using Ferry.Core.Errors;
using Ferry.Core.Metrics;
using Ferry.Core.Planning;
using Ferry.Core.Runs.Snapshots;

namespace Ferry.Core.Runs;

/// <summary>
/// The check of the Wait → CheckAvailable → Choice loop, running the plan's WaitForAvailable step at the cursor: one call
/// asks about the current snapshot or copy of every item of the step at once; the interval doubles up to a maximum, and
/// a stage past its deadline fails.
/// </summary>
public sealed class CheckSteps(FerryServices services)
{
    private readonly RunLog _log = new(services);
    private readonly CopyScheduler _scheduler = new(services);

    public static WaitState StartWait(FerryServices services) =>
        new(0, (int)services.Waits.FirstWait.TotalSeconds, services.Clock.UtcNow + services.Waits.Deadline, false);

    public async Task<Job> CheckAsync(Job job, CancellationToken cancellationToken = default)
    {
        var step = job.Expect(StepRunners.CheckAvailable);
        var wait = job.Wait ?? throw new FerryInvalidInputException("wait: the job is not waiting for anything");
        var at = Job.At(step);
        var items = job.ItemsOf(step);
        var ids = items.Select(i => i.Current).Distinct().ToList();
        var stage = items.Any(i => job.CopyIndexOf(i) is not null) ? "Copy" : "Snapshot";

        var states = await SnapshotServices.For(services, job.Snapshots).StatesAsync(at, ids, cancellationToken);
        await FreeSlotsAsync(job, items, states, cancellationToken);

        var failed = ids.Where(id => !states.ContainsKey(id) || states[id].Failed).ToList();
        if (failed.Count > 0)
        {
            var reasons = failed.Select(id => states.TryGetValue(id, out var s) ? $"{id} is in state {s.Name}{(s.Message is null ? "" : $" ({s.Message})")}" : $"{id} no longer exists");
            throw new FerrySnapshotFailedException($"{stage} of {job.ResourceId} failed in {at.Account}/{at.Region}: {string.Join("; ", reasons)}");
        }

        if (ids.All(id => states[id].Done))
        {
            // A completed copy may be known by another id from now on (an AWS Backup copy job becomes a recovery point),
            // which gets the copy's tags now: it could not get them when it was started.
            var service = SnapshotServices.For(services, job.Snapshots);
            foreach (var item in items.Where(i => states[i.Current].ResultId is { } result && result != i.Current && job.CopyIndexOf(i) is not null))
                await service.TagResultAsync(at, states[item.Current].ResultId!, CopySteps.CopyTags(job, job.CopyIndexOf(item)!.Value, item), cancellationToken);
            var done = job.Items.Select(i => step.Items.Contains(i.ItemId) && states[i.Current].ResultId is { } result && result != i.Current
                ? i with { Ids = [.. i.Ids.Take(i.Ids.Count - 1), result] }
                : i).ToList();
            var completed = done.Where(i => step.Items.Contains(i.ItemId)).Select(i => (i.ItemId, i.Current)).ToList();
            await _log.WriteAsync(job.SessionId, job.ResourceId, stage == "Copy" ? RunLog.Step + job.Cursor : RunLog.SnapshotDone, "CheckAvailable",
                $"{stage} completed in {at.Account}/{at.Region}: {string.Join(", ", completed.Select(c => c.Current).Distinct())}", at.Role,
                RunLog.Ids(completed), cancellationToken: cancellationToken);
            if (stage == "Copy")
            {
                foreach (var id in ids.Where(id => states[id].Started is not null))
                    services.Record(FerryMetrics.CopyDuration, (services.Clock.UtcNow - states[id].Started!.Value).TotalSeconds, job.PolicyId);
            }
            var ready = job.Advanced() with { Items = done, Wait = wait with { Attempt = wait.Attempt + 1, Ready = true } };
            await DeleteIntermediateAsync(ready, items, cancellationToken);
            return ready;
        }

        if (services.Clock.UtcNow >= wait.Deadline)
        {
            var pending = ids.Where(id => !states[id].Done).Select(id => $"{id} ({states[id].Name}{(states[id].Progress is null ? "" : " " + states[id].Progress)})");
            throw new FerrySnapshotFailedException($"{stage} of {job.ResourceId} did not complete by {wait.Deadline:u}: {string.Join(", ", pending)}");
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
    private async Task FreeSlotsAsync(Job job, IReadOnlyList<JobItem> items, IReadOnlyDictionary<string, SnapshotState> states, CancellationToken cancellationToken)
    {
        var over = items
            .Where(i => !states.TryGetValue(i.Current, out var state) || !state.InProgress)
            .Select(i => (Item: i, Index: job.CopyIndexOf(i)))
            .Where(c => c.Index is not null && CopySteps.SlotKey(job, job.Steps[c.Index.Value]) is not null)
            .GroupBy(c => CopySteps.SlotKey(job, job.Steps[c.Index!.Value])!);
        foreach (var scope in over)
        {
            foreach (var (item, index) in scope.Where(c => c.Item.Slot is not null))
                await _scheduler.FreeAsync(scope.Key, item.Slot!, job.SlotHolder(item, index!.Value), item.Current, cancellationToken);
            await _scheduler.FreeAsync(scope.Key, [.. scope.Where(c => c.Item.Slot is null).Select(c => job.SlotHolder(c.Item, c.Index!.Value))], cancellationToken);
        }
    }

    /// <summary>
    /// A copy that a later copy was made from (RDS-R2's copy in the target account's source region) has served its
    /// purpose once that later copy is complete; deleted as the role that made it.
    /// </summary>
    private async Task DeleteIntermediateAsync(Job job, IReadOnlyList<JobItem> waited, CancellationToken cancellationToken)
    {
        var service = SnapshotServices.For(services, job.Snapshots);
        foreach (var item in job.Items.Where(i => waited.Any(w => w.ItemId == i.ItemId) && i.Ids.Count > 2 && job.CopyIndexOf(i) is not null))
        {
            var places = job.PlacesOf(item);
            for (var k = 1; k < item.Ids.Count - 1; k++)
            {
                if (places[k] is not { } owner)
                    continue;
                try
                {
                    await service.DeleteAsync(owner, new FoundSnapshot(item.Ids[k], "staging copy", null, new Dictionary<string, string>()), cancellationToken);
                }
                catch (FerryNotFoundException)
                {
                    // Already deleted by an earlier attempt of this step.
                }
            }
        }
    }
}
