using Ferry.Core.Aws;
using Ferry.Core.Ports;
using Ferry.Simulator.World;

namespace Ferry.Simulator;

public sealed partial class SimulatedAws
{
    /// <summary>AWS Backup creates a vault named Default in every account and region.</summary>
    public const string DefaultVault = "Default";

    internal Dictionary<(string Account, string Region, string Name), SimVault> Vaults { get; } = [];
    internal Dictionary<string, SimRecoveryPoint> RecoveryPoints { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, SimCopyJob> CopyJobs { get; } = new(StringComparer.Ordinal);
    internal HashSet<(string Account, string Region)> EfsOptInDisabled { get; } = [];

    private void LoadBackup(WorldSpec spec)
    {
        foreach (var account in spec.Accounts)
        {
            foreach (var region in spec.Regions)
                Vaults[(account, region, DefaultVault)] = new SimVault(DefaultVault, account, region, [], Locked: false, LogicallyAirGapped: false);
        }
        foreach (var v in spec.Vaults)
        {
            RequireLocation($"vaults: {v.Name}", v.Account, v.Region);
            if (!AwsIds.IsVaultName(v.Name))
                throw new InvalidDataException($"vaults: {v.Name} is not a valid vault name");
            Vaults[(v.Account, v.Region, v.Name)] = new SimVault(v.Name, v.Account, v.Region, v.Tags is null ? [] : new(v.Tags), v.Locked, v.LogicallyAirGapped);
        }
        foreach (var fs in spec.FileSystems)
        {
            RequireLocation($"fileSystems: {fs.FileSystemId}", fs.Account, fs.Region);
            if (!Vaults.ContainsKey((fs.Account, fs.Region, fs.Vault)))
                throw new InvalidDataException($"fileSystems: {fs.FileSystemId} is backed up to unknown vault {fs.Vault}");
            var arn = $"arn:aws:backup:{fs.Region}:{fs.Account}:recovery-point:{fs.FileSystemId}-initial";
            var done = new Progress(spec.Start.AddDays(-1), spec.Start.AddDays(-1), Fails: false);
            RecoveryPoints.Add(arn, new SimRecoveryPoint(arn, FileSystemArn(fs.Account, fs.Region, fs.FileSystemId), fs.Account, fs.Region, fs.Vault, done));
        }
        foreach (var location in spec.EfsOptInDisabled)
            EfsOptInDisabled.Add((location.Account, location.Region));
    }

    public static string FileSystemArn(string account, string region, string fileSystemId) =>
        $"arn:aws:elasticfilesystem:{region}:{account}:file-system/{fileSystemId}";
}

/// <summary>AWS Backup as one role sees it in one region.</summary>
public sealed class SimulatedBackup(SimulatedAws world, RoleSession session, string region) : IBackupPort
{
    private static readonly string[] ResourceTypes = ["Aurora", "EBS", "EC2", "EFS", "RDS"];

    private Task<T> Call<T>(string operation, (string, string?)[] parameters, Func<Call, T> action, CancellationToken cancellationToken) =>
        world.CallAsync(session, "backup", region, operation, parameters, action, cancellationToken);

    public Task<IReadOnlyList<BackupVault>> ListVaultsAsync(CancellationToken cancellationToken = default) =>
        Call<IReadOnlyList<BackupVault>>("ListBackupVaults", [], call =>
            world.Vaults.Values.Where(v => v.Account == call.Account && v.Region == region)
                .OrderBy(v => v.Name, StringComparer.Ordinal)
                .Select(ToVault)
                .ToList(), cancellationToken);

    public Task<IReadOnlyList<RecoveryPoint>> ListRecoveryPointsByResourceAsync(string resourceArn, CancellationToken cancellationToken = default) =>
        Call<IReadOnlyList<RecoveryPoint>>("ListRecoveryPointsByResource", [("ResourceArn", resourceArn)], call =>
            world.RecoveryPoints.Values
                .Where(p => p.ResourceArn == resourceArn && p.Account == call.Account && p.Region == region && !(p.Life.Done(call.Now) && p.Life.Fails))
                .OrderByDescending(p => p.Life.End)
                .Select(p => new RecoveryPoint(p.Arn, p.ResourceArn, p.VaultName, p.Status(call.Now), p.Life.Start))
                .ToList(), cancellationToken);

    public Task<string> StartCopyJobAsync(StartCopyJobRequest request, CancellationToken cancellationToken = default) =>
        Call("StartCopyJob",
            [("RecoveryPointArn", request.RecoveryPointArn), ("SourceBackupVaultName", request.SourceVaultName),
             ("DestinationBackupVaultArn", request.DestinationVaultArn), ("IamRoleArn", request.IamRoleArn), ("IdempotencyToken", request.IdempotencyToken)],
            call =>
            {
                var jobId = $"sim-copy-{call.Account}-{request.IdempotencyToken}";
                if (world.CopyJobs.ContainsKey(jobId))
                    return jobId;
                var point = world.RecoveryPoints.GetValueOrDefault(request.RecoveryPointArn) is { } p && p.Account == call.Account && p.Region == region
                    ? p
                    : throw call.NotFound("ResourceNotFoundException", $"Recovery point {request.RecoveryPointArn} not found in account {call.Account}, {region}");
                if (point.VaultName != request.SourceVaultName)
                    throw call.Invalid("InvalidParameterValueException", $"Recovery point {point.Arn} is not in vault {request.SourceVaultName}");
                if (point.Status(call.Now) != "COMPLETED")
                    throw call.Conflict("InvalidRequestException", $"Recovery point {point.Arn} is {point.Status(call.Now)}, not COMPLETED");
                if (point.ResourceArn.Contains(":elasticfilesystem:", StringComparison.Ordinal) && world.EfsOptInDisabled.Contains((call.Account, region)))
                    throw call.Invalid("InvalidRequestException", $"Resource type EFS is not opted in to AWS Backup in account {call.Account}, {region}");
                if (!Arn.TryParse(request.IamRoleArn, out var roleArn) || roleArn.Account != call.Account || AwsIds.RoleNameOf(roleArn) is null)
                    throw call.Invalid("InvalidParameterValueException", $"IamRoleArn {request.IamRoleArn} is not a role of account {call.Account}");
                var destination = Arn.TryParse(request.DestinationVaultArn, out var vaultArn) && vaultArn.Resource.StartsWith("backup-vault:", StringComparison.Ordinal)
                    ? world.Vaults.GetValueOrDefault((vaultArn.Account, vaultArn.Region, vaultArn.Resource["backup-vault:".Length..]))
                    : null;
                if (destination is null)
                    throw call.Invalid("InvalidParameterValueException", $"Destination vault {request.DestinationVaultArn} does not exist");
                var life = world.Work(call, "StartCopyJob", SimulatedAws.Seconds(world.Spec.Timings.BackupCopySeconds));
                var copyArn = $"arn:aws:backup:{destination.Region}:{destination.Account}:recovery-point:{world.NewId("copy")}";
                world.RecoveryPoints.Add(copyArn, new SimRecoveryPoint(copyArn, point.ResourceArn, destination.Account, destination.Region, destination.Name, life));
                world.CopyJobs.Add(jobId, new SimCopyJob(jobId, call.Account, region, point.Arn, destination, copyArn, life));
                world.StartCopy(call, CopyService.Backup, destination.Account, destination.Region, jobId, life);
                return jobId;
            }, cancellationToken);

    public Task<CopyJob> DescribeCopyJobAsync(string copyJobId, CancellationToken cancellationToken = default) =>
        Call("DescribeCopyJob", [("CopyJobId", copyJobId)], call =>
        {
            var job = world.CopyJobs.GetValueOrDefault(copyJobId) is { } j && j.Account == call.Account && j.Region == region
                ? j
                : throw call.NotFound("ResourceNotFoundException", $"Copy job {copyJobId} not found");
            var state = job.State(call.Now);
            return new CopyJob(job.Id, state, job.SourceRecoveryPointArn, job.Destination.Arn,
                state == "COMPLETED" ? job.DestinationRecoveryPointArn : null,
                state == "FAILED" ? "The copy job failed (injected fault)" : null);
        }, cancellationToken);

    public Task DeleteRecoveryPointAsync(string vaultName, string recoveryPointArn, CancellationToken cancellationToken = default) =>
        Call("DeleteRecoveryPoint", [("BackupVaultName", vaultName), ("RecoveryPointArn", recoveryPointArn)], call =>
        {
            var point = world.RecoveryPoints.GetValueOrDefault(recoveryPointArn);
            if (point is null || point.Account != call.Account || point.Region != region || point.VaultName != vaultName)
                throw call.NotFound("ResourceNotFoundException", $"Recovery point {recoveryPointArn} not found in vault {vaultName} of account {call.Account}, {region}");
            if (world.Vaults.GetValueOrDefault((call.Account, region, vaultName)) is { Locked: true })
                throw call.Invalid("InvalidRequestException", $"Vault {vaultName} has Vault Lock: its recovery points cannot be deleted");
            return world.RecoveryPoints.Remove(recoveryPointArn);
        }, cancellationToken);

    public Task<IReadOnlyDictionary<string, bool>> GetResourceTypeOptInAsync(CancellationToken cancellationToken = default) =>
        Call<IReadOnlyDictionary<string, bool>>("DescribeRegionSettings", [], call =>
            ResourceTypes.ToDictionary(t => t, t => t != "EFS" || !world.EfsOptInDisabled.Contains((call.Account, region))), cancellationToken);

    public Task SetResourceTypeOptInAsync(string resourceType, bool enabled, CancellationToken cancellationToken = default) =>
        Call("UpdateRegionSettings", [("ResourceType", resourceType), ("Enabled", enabled ? "true" : "false")], call =>
        {
            if (!ResourceTypes.Contains(resourceType))
                throw call.Invalid("InvalidParameterValueException", $"Unknown resource type {resourceType}");
            if (resourceType == "EFS")
            {
                if (enabled)
                    world.EfsOptInDisabled.Remove((call.Account, region));
                else
                    world.EfsOptInDisabled.Add((call.Account, region));
            }
            return true;
        }, cancellationToken);

    private static BackupVault ToVault(SimVault v) =>
        new(v.Name, v.Arn, v.Account, v.Region, new Dictionary<string, string>(v.Tags), v.Locked, v.LogicallyAirGapped);
}
