using Ferry.Core.Errors;
using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Ports;

namespace Ferry.Core.Runs;

/// <summary>
/// EFS backup copies through AWS Backup: finding the file systems, planning each one's copy and, when the plan says so,
/// turning the EFS opt-in on. The copy and its wait are the plan's Copy and WaitForAvailable steps, run with the
/// recovery-point service. Every call is made as the file system's account role: the source role (Account mode) or
/// the member role (Organization mode).
/// </summary>
public sealed class BackupCopySteps(FerryServices services)
{
    private static readonly HashSet<string> GoneStates = ["deleting", "deleted"];

    private readonly RunLog _log = new(services);

    /// <summary>
    /// A file system's id in a run: its id in Account mode; <c>account/fs-id</c> in Organization mode,
    /// so the plan knows whose member role to act as without searching every account.
    /// </summary>
    public static string ResourceId(Policy policy, string account, string fileSystemId) =>
        policy.Sources.Mode == SourceMode.Organization ? $"{account}/{fileSystemId}" : fileSystemId;

    public static (string Account, string FileSystemId) ParseResourceId(Policy policy, string resourceId)
    {
        if (policy.Sources.Mode == SourceMode.Account)
            return (policy.Sources.AccountId, resourceId);
        var slash = resourceId.IndexOf('/', StringComparison.Ordinal);
        var account = slash < 0 ? "" : resourceId[..slash];
        if (!policy.Sources.Accounts.Contains(account, StringComparer.Ordinal))
            throw new FerryInvalidInputException($"resourceId: '{resourceId}' is not account/fs-id with an account of policy {policy.Id} ({string.Join(", ", policy.Sources.Accounts)})");
        return (account, resourceId[(slash + 1)..]);
    }

    /// <summary>The policy's file systems in one region, in every account it covers.</summary>
    public async Task<IReadOnlyList<string>> DiscoverAsync(Policy policy, string region, CancellationToken cancellationToken)
    {
        var accounts = policy.Sources.Mode == SourceMode.Organization ? policy.Sources.Accounts : [policy.Sources.AccountId];
        var found = new List<string>();
        foreach (var account in accounts)
        {
            var efs = await services.EfsAsync(new RoleAt(BackupCopyPlanner.RoleFor(policy.Sources, account), account, region), cancellationToken);
            var systems = await efs.DescribeFileSystemsAsync(null, cancellationToken);
            found.AddRange(systems
                .Where(fs => !GoneStates.Contains(fs.LifeCycleState) && policy.Sources.Resources.Matches(fs.FileSystemId, fs.Tags))
                .Select(fs => ResourceId(policy, account, fs.FileSystemId)));
        }
        return found;
    }

    /// <summary>Gathers the file system's facts (vaults in the target region, recovery points, opt-in) and plans; nothing is changed.</summary>
    public async Task<(ResourcePlan Plan, Job? Job)> PlanAsync(Policy policy, ResourceKey key, CancellationToken cancellationToken)
    {
        var mapping = policy.CopyMappingFor(key.Region)
            ?? throw new FerryInvalidInputException($"region: policy {policy.Id} has no backup copy mapping for {key.Region}");
        var (account, fileSystemId) = ParseResourceId(policy, key.ResourceId);
        var source = new RoleAt(BackupCopyPlanner.RoleFor(policy.Sources, account), account, key.Region);
        var fileSystem = await FindAsync(source, fileSystemId, cancellationToken);
        if (fileSystem is null)
        {
            var reason = $"File system {fileSystemId} no longer exists in account {account}, {key.Region}";
            return (new ResourcePlan(key.ResourceId, ResourceType.Efs, account, key.Region, account, mapping.TargetRegion, Verdict.Fail, reason, [], [], [], []), null);
        }

        var backup = await services.BackupAsync(source, cancellationToken);
        var target = await services.BackupAsync(source with { Region = mapping.TargetRegion }, cancellationToken);
        var optIn = await backup.GetResourceTypeOptInAsync(cancellationToken);
        var facts = new EfsFacts(fileSystemId, account, key.Region,
            await target.ListVaultsAsync(cancellationToken),
            await backup.ListRecoveryPointsByResourceAsync(fileSystem.Arn, cancellationToken),
            optIn.TryGetValue(BackupCopyPlanner.EfsResourceType, out var on) ? on : null);
        var decision = BackupCopyPlanner.Plan(facts, policy.Sources, mapping);
        var plan = decision.Plan with { ResourceId = key.ResourceId };
        if (plan.Verdict != Verdict.Proceed)
            return (plan, null);

        var point = decision.RecoveryPoint!;
        var vault = decision.Vault!;
        var job = new Job(policy.Id, key.SessionId, key.ResourceId, ResourceType.Efs, SnapshotKind.RecoveryPoint, plan.Steps, 0, new Place(account, key.Region),
            [new JobItem(fileSystemId, null, false, null, [point.Arn])], plan.Warnings,
            new ResourceConfig(fileSystem.Tags, AccountId: account, Region: key.Region),
            new BackupCopyPayload(point.VaultName, vault.Name, vault.Arn));
        return (plan, job);
    }

    /// <summary>Turns AWS Backup's EFS opt-in on in the step's region, as the plan found it off (EFS-C5), and says so in the session log.</summary>
    public async Task<Job> EnableOptInAsync(Job job, CancellationToken cancellationToken = default)
    {
        var step = job.Expect(StepRunners.EnableBackupOptIn);
        var at = Job.At(step);
        var backup = await services.BackupAsync(at, cancellationToken);
        var optIn = await backup.GetResourceTypeOptInAsync(cancellationToken);
        if (!optIn.TryGetValue(BackupCopyPlanner.EfsResourceType, out var on) || !on)
            await backup.SetResourceTypeOptInAsync(BackupCopyPlanner.EfsResourceType, true, cancellationToken);
        await _log.WriteAsync(job.SessionId, job.ResourceId, RunLog.OptIn, "EnableBackupOptIn",
            $"AWS Backup's EFS opt-in was off in account {at.Account}, {at.Region}: turned it on for this region", at.Role, cancellationToken: cancellationToken);
        return job.Advanced();
    }

    private async Task<EfsFileSystem?> FindAsync(RoleAt at, string fileSystemId, CancellationToken cancellationToken)
    {
        var efs = await services.EfsAsync(at, cancellationToken);
        try
        {
            var found = (await efs.DescribeFileSystemsAsync(fileSystemId, cancellationToken)).SingleOrDefault(f => f.FileSystemId == fileSystemId);
            return found is null || GoneStates.Contains(found.LifeCycleState) ? null : found;
        }
        catch (FerryNotFoundException)
        {
            return null;
        }
    }
}
