namespace Ferry.Core.Inventory;

/// <summary>What Ferry knows of a KMS key: where it lives and whether it is an AWS managed default key.</summary>
/// <param name="IsAwsManagedDefault">True for <c>alias/aws/ebs</c> and <c>alias/aws/rds</c>, which AWS never lets another account use.</param>
public sealed record KeyFacts(string KeyArn, string AccountId, string Region, bool IsAwsManagedDefault, string? Alias = null)
{
    public string Display => Alias is null ? KeyArn : $"{KeyArn} ({Alias})";
}

public sealed record VolumeFacts(string VolumeId, string DeviceName, int SizeGiB, bool Encrypted, KeyFacts? Key, string VolumeType = "gp3");

public sealed record Ec2InstanceFacts(
    string InstanceId,
    string AccountId,
    string Region,
    string InstanceType,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<VolumeFacts> Volumes,
    string? AvailabilityZone = null,
    string? RootDeviceName = null);

public enum RdsKind
{
    DbInstance,
    AuroraCluster,
}

/// <summary>An RDS DB instance or an Aurora DB cluster.</summary>
public sealed record RdsFacts(
    string Identifier,
    RdsKind Kind,
    string AccountId,
    string Region,
    string Engine,
    string EngineVersion,
    bool Encrypted,
    KeyFacts? Key,
    IReadOnlyDictionary<string, string> Tags,
    string? DbClass = null);

/// <summary>A completed snapshot set Ferry can restore from: one EBS snapshot per volume, or one RDS snapshot.</summary>
/// <param name="OwnerRole">The role that owns the snapshot and may share it: the policy's source role for a snapshot, the mapping's target role for a replica.</param>
public sealed record RestorePointFacts(
    string RestorePointId,
    string SourceResourceId,
    bool IsReplica,
    string AccountId,
    string Region,
    string OwnerRole,
    IReadOnlyList<SnapshotFacts> Snapshots,
    Ec2InstanceFacts? Instance,
    RdsFacts? Database);

/// <param name="ItemId">The volume id (EBS) or DB identifier (RDS) the snapshot was taken of.</param>
public sealed record SnapshotFacts(string SnapshotId, string ItemId, bool Encrypted, KeyFacts? Key, string? DeviceName = null);
