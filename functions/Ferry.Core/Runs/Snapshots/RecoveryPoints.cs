using Ferry.Core.Errors;
using Ferry.Core.Policies;
using Ferry.Core.Ports;

namespace Ferry.Core.Runs.Snapshots;

/// <summary>
/// AWS Backup recovery points (EFS backup copies). AWS Backup's own plans make them and queue their copy jobs, so
/// Ferry only copies them: a copy is a copy job, started with an idempotency token from session and resource (a retry
/// gets the same job back), that becomes the destination recovery point when it completes.
/// </summary>
internal sealed class RecoveryPoints(FerryServices services) : ISnapshotService
{
    private static readonly HashSet<string> FailedStates = ["FAILED", "ABORTED", "PARTIAL"];


    public Task<IReadOnlyDictionary<string, string>> TakeAsync(RoleAt at, Job job, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) =>
        throw NotPlanned("take");

    public Task ShareAsync(RoleAt at, string snapshotId, string account, CancellationToken cancellationToken) => throw NotPlanned("share");

    public Task<IReadOnlyDictionary<string, string>> StartedCopiesAsync(RoleAt at, Job job, IReadOnlyList<TagQuery> tags, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());

    public async Task<string> CopyAsync(RoleAt at, Job job, CopyOrder order, CancellationToken cancellationToken)
    {
        var vaults = job.Payload as BackupCopyPayload
            ?? throw new FerryInvalidInputException($"payload: job of {job.ResourceId} is not an EFS backup copy");
        // AWS Backup starts a copy job in the recovery point's region; the copy lands in the destination vault's.
        var backup = await services.BackupAsync(at with { Region = order.From.Region }, cancellationToken);
        return await backup.StartCopyJobAsync(new StartCopyJobRequest(order.SourceId, vaults.SourceVault, vaults.VaultArn, at.Role,
            Names.CopyJobToken(job.SessionId, job.ResourceId)), cancellationToken);
    }

    /// <summary>
    /// StartCopyJob takes no tags for the recovery point it makes (only StartBackupJob has RecoveryPointTags), so the
    /// copy is tagged once complete, in its own region: Ferry's roles delete only recovery points carrying Ferry's tags.
    /// </summary>
    public async Task TagResultAsync(RoleAt at, string resultId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var backup = await services.BackupAsync(at with { Region = resultId.Split(':')[3] }, cancellationToken);
        await backup.TagRecoveryPointAsync(resultId, tags, cancellationToken);
    }

    public async Task<Dictionary<string, SnapshotState>> StatesAsync(RoleAt at, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var backup = await services.BackupAsync(at, cancellationToken);
        var states = new Dictionary<string, SnapshotState>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            var job = await backup.DescribeCopyJobAsync(id, cancellationToken);
            var done = job.State == "COMPLETED" && job.DestinationRecoveryPointArn is not null;
            var failed = FailedStates.Contains(job.State) || (job.State == "COMPLETED" && job.DestinationRecoveryPointArn is null);
            var message = job.State == "COMPLETED" && job.DestinationRecoveryPointArn is null ? "completed without a destination recovery point" : job.StatusMessage;
            states[id] = new SnapshotState(job.State, done, failed, message, null, ResultId: job.DestinationRecoveryPointArn);
        }
        return states;
    }

    /// <summary>Ferry leaves recovery points to retention, which finds them by the file system they back up.</summary>
    public Task<IReadOnlyList<FoundSnapshot>> FindAsync(RoleAt at, string resourceId, IReadOnlyList<string>? names, IReadOnlyList<TagQuery> tags, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<FoundSnapshot>>([]);

    public Task<IReadOnlyList<FoundSnapshot>> DescribeAsync(RoleAt at, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<FoundSnapshot>>([]);

    public Task DeleteAsync(RoleAt at, FoundSnapshot snapshot, CancellationToken cancellationToken) => throw NotPlanned("delete by id");

    private static FerryInvalidInputException NotPlanned(string action) =>
        new($"steps: AWS Backup recovery points are made by AWS Backup; no plan asks Ferry to {action} one");
}
