using Ferry.Core.Errors;
using Ferry.Core.Planning;
using Ferry.Core.Runs.Snapshots;

namespace Ferry.Core.Runs;

/// <summary>Taking the source snapshot and sharing it, as the plan step's role; both find their earlier work on a retry.</summary>
public sealed class SnapshotSteps(FerryServices services)
{
    private readonly RunLog _log = new(services);

    public async Task<Job> TakeAsync(Job job, CancellationToken cancellationToken = default)
    {
        var step = job.Expect(StepRunners.TakeSnapshot);
        var at = Job.At(step);
        var taken = await SnapshotServices.For(services, job.Snapshots).TakeAsync(at, job, job.Tags("snapshot"), cancellationToken);
        var items = job.Items.Select(i => !step.Items.Contains(i.ItemId) ? i : i with
        {
            Ids = [taken.GetValueOrDefault(i.ItemId) ?? throw new FerryInvalidStateException($"Volume {i.ItemId} of {job.ResourceId} was not snapshotted (detached since the plan?)")],
        }).ToList();
        var made = items.Where(i => step.Items.Contains(i.ItemId)).Select(i => (i.ItemId, i.Current)).ToList();
        await _log.WriteAsync(job.SessionId, job.ResourceId, RunLog.Snapshot, "TakeSnapshot",
            $"Snapshot started in {at.Account}/{at.Region}: {RunLog.Describe(made)}", at.Role, RunLog.Ids(made), cancellationToken: cancellationToken);
        return job.Advanced() with { Items = items, Wait = CheckSteps.StartWait(services) };
    }

    /// <summary>Shares the step's items' current snapshots with the plan's account.</summary>
    public async Task<Job> ShareAsync(Job job, CancellationToken cancellationToken = default)
    {
        var step = job.Expect(StepRunners.Share);
        var at = Job.At(step);
        var account = step.ShareWith ?? throw new FerryInvalidInputException($"steps[{job.Cursor}].shareWith: the plan's Share step names no account");
        var shared = job.ItemsOf(step).Select(i => (i.ItemId, i.Current)).ToList();
        var service = SnapshotServices.For(services, job.Snapshots);
        foreach (var id in shared.Select(s => s.Current).Distinct())
            await service.ShareAsync(at, id, account, cancellationToken);
        await _log.WriteAsync(job.SessionId, job.ResourceId, RunLog.Step + job.Cursor, "Share",
            $"Shared {string.Join(", ", shared.Select(s => s.Current).Distinct())} with account {account}", at.Role, RunLog.Ids(shared), cancellationToken: cancellationToken);
        return job.Advanced();
    }
}
