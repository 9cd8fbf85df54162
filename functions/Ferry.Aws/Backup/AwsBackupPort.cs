using Ferry.Aws.Runtime;
using Ferry.Core.Ports;

namespace Ferry.Aws.Backup;

/// <summary>Ferry's AWS Backup port: vaults with their tags and lock / air-gap state, recovery points, copy jobs, opt-in.</summary>
public sealed class AwsBackupPort(BackupClient client, string accountId) : IBackupPort
{
    public async Task<IReadOnlyList<BackupVault>> ListVaultsAsync(CancellationToken cancellationToken = default)
    {
        var vaults = await Page<BackupVaultInfo>.AllAsync((t, ct) => client.ListBackupVaultsAsync(t, ct), cancellationToken).ConfigureAwait(false);
        var result = new List<BackupVault>();
        foreach (var vault in vaults)
            result.Add(await ToVaultAsync(vault, cancellationToken).ConfigureAwait(false));
        return result;
    }

    public async Task<IReadOnlyList<RecoveryPoint>> ListRecoveryPointsByResourceAsync(string resourceArn, CancellationToken cancellationToken = default) =>
        [.. (await Page<RecoveryPointInfo>.AllAsync((t, ct) => client.ListRecoveryPointsByResourceAsync(resourceArn, t, ct), cancellationToken).ConfigureAwait(false))
            .Select(p => new RecoveryPoint(p.Arn, resourceArn, p.VaultName, p.Status, p.CreatedAt ?? DateTimeOffset.MinValue))];

    public Task<string> StartCopyJobAsync(StartCopyJobRequest request, CancellationToken cancellationToken = default) =>
        client.StartCopyJobAsync(request.RecoveryPointArn, request.SourceVaultName, request.DestinationVaultArn, request.IamRoleArn, request.IdempotencyToken, cancellationToken);

    public async Task<CopyJob> DescribeCopyJobAsync(string copyJobId, CancellationToken cancellationToken = default)
    {
        var job = await client.DescribeCopyJobAsync(copyJobId, cancellationToken).ConfigureAwait(false);
        return new CopyJob(job.CopyJobId, job.State, job.SourceRecoveryPointArn, job.DestinationVaultArn, job.DestinationRecoveryPointArn, job.StatusMessage);
    }

    public Task DeleteRecoveryPointAsync(string vaultName, string recoveryPointArn, CancellationToken cancellationToken = default) =>
        client.DeleteRecoveryPointAsync(vaultName, recoveryPointArn, cancellationToken);

    public Task TagRecoveryPointAsync(string recoveryPointArn, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default) =>
        client.TagResourceAsync(recoveryPointArn, tags, cancellationToken);

    public Task<IReadOnlyDictionary<string, bool>> GetResourceTypeOptInAsync(CancellationToken cancellationToken = default) =>
        client.DescribeRegionSettingsAsync(cancellationToken);

    public Task SetResourceTypeOptInAsync(string resourceType, bool enabled, CancellationToken cancellationToken = default) =>
        client.UpdateRegionSettingsAsync(new Dictionary<string, bool> { [resourceType] = enabled }, cancellationToken);

    private async Task<BackupVault> ToVaultAsync(BackupVaultInfo vault, CancellationToken cancellationToken)
    {
        var tags = await Page<KeyValuePair<string, string>>.AllAsync((t, ct) => client.ListTagsAsync(vault.Arn, t, ct), cancellationToken).ConfigureAwait(false);
        return new BackupVault(vault.Name, vault.Arn, accountId, client.Region, tags.ToDictionary(), vault.Locked,
            vault.VaultType == "LOGICALLY_AIR_GAPPED_BACKUP_VAULT");
    }
}
