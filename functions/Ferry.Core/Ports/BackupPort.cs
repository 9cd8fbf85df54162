namespace Ferry.Core.Ports;

public sealed record BackupVault(
    string Name,
    string Arn,
    string AccountId,
    string Region,
    IReadOnlyDictionary<string, string> Tags,
    bool Locked,
    bool LogicallyAirGapped);

public sealed record RecoveryPoint(string Arn, string ResourceArn, string VaultName, string Status, DateTimeOffset CreatedAt);

/// <param name="State">CREATED, RUNNING, COMPLETED, FAILED, ABORTED or PARTIAL.</param>
public sealed record CopyJob(string CopyJobId, string State, string SourceRecoveryPointArn, string DestinationVaultArn, string? DestinationRecoveryPointArn, string? StatusMessage);

public sealed record StartCopyJobRequest(string RecoveryPointArn, string SourceVaultName, string DestinationVaultArn, string IamRoleArn, string IdempotencyToken);

/// <summary>The AWS Backup operations Ferry uses, as a role in one region.</summary>
public interface IBackupPort
{
    Task<IReadOnlyList<BackupVault>> ListVaultsAsync(CancellationToken cancellationToken = default);

    Task<IReadOnlyList<RecoveryPoint>> ListRecoveryPointsByResourceAsync(string resourceArn, CancellationToken cancellationToken = default);

    Task<string> StartCopyJobAsync(StartCopyJobRequest request, CancellationToken cancellationToken = default);

    Task<CopyJob> DescribeCopyJobAsync(string copyJobId, CancellationToken cancellationToken = default);

    Task DeleteRecoveryPointAsync(string vaultName, string recoveryPointArn, CancellationToken cancellationToken = default);

    /// <summary>Adds tags to a recovery point of this region (TagResource): a copy job cannot tag the recovery point it makes.</summary>
    Task TagRecoveryPointAsync(string recoveryPointArn, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default);

    /// <summary>The opt-in state per resource type (e.g. "EFS") in this region.</summary>
    Task<IReadOnlyDictionary<string, bool>> GetResourceTypeOptInAsync(CancellationToken cancellationToken = default);

    Task SetResourceTypeOptInAsync(string resourceType, bool enabled, CancellationToken cancellationToken = default);
}
