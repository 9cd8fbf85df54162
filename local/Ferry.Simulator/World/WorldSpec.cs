using Ferry.Core.Inventory;

namespace Ferry.Simulator.World;

/// <summary>A simulated AWS estate as described by a world JSON file (camelCase).</summary>
public sealed record WorldSpec
{
    /// <summary>Where the simulated clock starts.</summary>
    public DateTimeOffset Start { get; init; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The principal Ferry runs as and the ExternalId it presents when it assumes roles.</summary>
    public FerrySpec Ferry { get; init; } = new();

    public IReadOnlyList<string> Accounts { get; init; } = [];

    public IReadOnlyList<string> Regions { get; init; } = [];

    public IReadOnlyList<RoleSpec> Roles { get; init; } = [];

    public IReadOnlyList<KeySpec> Keys { get; init; } = [];

    public IReadOnlyList<InstanceSpec> Instances { get; init; } = [];

    public IReadOnlyList<DatabaseSpec> Databases { get; init; } = [];

    public IReadOnlyList<EngineVersionsSpec> EngineVersions { get; init; } = [];

    public IReadOnlyList<FileSystemSpec> FileSystems { get; init; } = [];

    public IReadOnlyList<VaultSpec> Vaults { get; init; } = [];

    /// <summary>Account and region pairs where the EFS opt-in of AWS Backup is off (it is on everywhere else).</summary>
    public IReadOnlyList<LocationSpec> EfsOptInDisabled { get; init; } = [];

    public TimingSpec Timings { get; init; } = new();

    public LimitSpec Limits { get; init; } = new();

    public FaultSettings? Faults { get; init; }

    /// <summary>Crashes and timeouts of steps after their effects, injected by the local Lambda host.</summary>
    public IReadOnlyList<StepFault> StepFaults { get; init; } = [];
}

public sealed record FerrySpec(string Principal = "arn:aws:iam::000000000000:role/FerryService", string? ExternalId = "ferry");

/// <param name="AssumableBy">Principals (role ARNs, or "*") allowed to assume the role.</param>
/// <param name="ExternalId">The ExternalId the trust policy requires; null when none is required.</param>
/// <param name="Keys">KMS actions the role's IAM policy allows on keys.</param>
public sealed record RoleSpec(string Arn, IReadOnlyList<string>? AssumableBy = null, string? ExternalId = null, IReadOnlyList<KeyGrantSpec>? Keys = null);

/// <param name="Key">A key ARN, or an alias (alias/name) resolved in the role's account and the key's region given by <paramref name="Region"/>.</param>
public sealed record KeyGrantSpec(string Key, IReadOnlyList<string> Actions, string? Region = null);

/// <param name="Policy">Key policy statements: principals are role ARNs or account ids (every role of that account).</param>
public sealed record KeySpec(string Arn, string? Alias = null, IReadOnlyList<KeyPolicyStatement>? Policy = null);

public sealed record KeyPolicyStatement(IReadOnlyList<string> Principals, IReadOnlyList<string> Actions);

/// <param name="KmsKey">Key ARN, or alias (e.g. alias/aws/ebs) resolved in the instance's account and region.</param>
public sealed record VolumeSpec(
    string VolumeId,
    string DeviceName,
    int SizeGiB,
    bool Encrypted = false,
    string? KmsKey = null,
    string VolumeType = "gp3",
    IReadOnlyDictionary<string, string>? Tags = null);

public sealed record InstanceSpec(
    string InstanceId,
    string Account,
    string Region,
    string InstanceType,
    IReadOnlyList<VolumeSpec> Volumes,
    IReadOnlyDictionary<string, string>? Tags = null,
    string? AvailabilityZone = null,
    string? RootDeviceName = null,
    string Architecture = "x86_64");

public sealed record DatabaseSpec(
    string Identifier,
    RdsKind Kind,
    string Account,
    string Region,
    string Engine,
    string EngineVersion,
    bool Encrypted = false,
    string? KmsKey = null,
    string? DbClass = null,
    int StorageGiB = 20,
    IReadOnlyDictionary<string, string>? Tags = null);

public sealed record EngineVersionsSpec(string Region, string Engine, IReadOnlyList<string> Versions);

/// <param name="Vault">The vault holding the file system's recovery point.</param>
public sealed record FileSystemSpec(string FileSystemId, string Account, string Region, string Vault = "Default", IReadOnlyDictionary<string, string>? Tags = null);

public sealed record VaultSpec(
    string Name,
    string Account,
    string Region,
    IReadOnlyDictionary<string, string>? Tags = null,
    bool Locked = false,
    bool LogicallyAirGapped = false);

public sealed record LocationSpec(string Account, string Region);

/// <summary>How long simulated work takes, in simulated seconds.</summary>
public sealed record TimingSpec
{
    public double EbsSnapshotSeconds { get; init; } = 120;

    public double EbsSnapshotSecondsPerGiB { get; init; } = 1;

    public double EbsCopySeconds { get; init; } = 300;

    public double EbsCopySecondsPerGiB { get; init; } = 2;

    public double RdsSnapshotSeconds { get; init; } = 300;

    public double RdsCopySeconds { get; init; } = 600;

    public double RdsSecondsPerGiB { get; init; } = 2;

    public double RestoreSeconds { get; init; } = 600;

    public double VolumeSeconds { get; init; } = 30;

    public double InstanceSeconds { get; init; } = 30;

    public double BackupCopySeconds { get; init; } = 900;
}

/// <summary>AWS's quotas, defaulting to AWS's defaults.</summary>
public sealed record LimitSpec
{
    public int EbsConcurrentCopies { get; init; } = 20;

    public int RdsConcurrentCopies { get; init; } = 20;

    public int AuroraConcurrentCopies { get; init; } = 5;

    /// <summary>Manual DB snapshots per account and region (copies included).</summary>
    public int RdsManualSnapshots { get; init; } = 100;

    /// <summary>Manual DB cluster snapshots per account and region, a quota of their own.</summary>
    public int RdsManualClusterSnapshots { get; init; } = 100;

    /// <summary>EBS snapshots per account and region (copies included).</summary>
    public int EbsSnapshots { get; init; } = 100_000;

    /// <summary>Accounts one manual DB (cluster) snapshot can be shared with.</summary>
    public int RdsShareAccounts { get; init; } = 20;
}
