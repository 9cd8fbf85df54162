namespace Ferry.Core.Ports;

public sealed record Ec2Volume(
    string VolumeId,
    string? DeviceName,
    int SizeGiB,
    string VolumeType,
    bool Encrypted,
    string? KmsKeyId,
    string State,
    string AvailabilityZone,
    IReadOnlyDictionary<string, string> Tags,
    string? SnapshotId = null,
    string? AttachedInstanceId = null,
    int? Iops = null,
    int? Throughput = null);

public sealed record Ec2Instance(
    string InstanceId,
    string InstanceType,
    string State,
    string AvailabilityZone,
    string? RootDeviceName,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<Ec2Volume> Volumes,
    string? ImageId = null,
    string? SubnetId = null,
    IReadOnlyList<string>? SecurityGroupIds = null,
    string? Architecture = null);

/// <param name="State">pending, completed or error.</param>
public sealed record Ec2Snapshot(
    string SnapshotId,
    string VolumeId,
    string State,
    bool Encrypted,
    string? KmsKeyId,
    string OwnerId,
    int VolumeSizeGiB,
    DateTimeOffset StartTime,
    IReadOnlyDictionary<string, string> Tags,
    string? Progress = null,
    string? StateMessage = null);

/// <summary>Which snapshots to describe: by id (batched), by tag, or both; owned by the caller unless <paramref name="IncludeShared"/>.</summary>
public sealed record SnapshotQuery(IReadOnlyList<string>? Ids = null, IReadOnlyList<TagQuery>? Tags = null, bool IncludeShared = false);

/// <summary>Which instances to describe: by id, by tag (any of them), or both.</summary>
public sealed record InstanceQuery(IReadOnlyList<string>? Ids = null, IReadOnlyList<TagQuery>? Tags = null);

/// <summary>A CopySnapshot made at the destination region's endpoint.</summary>
public sealed record Ec2CopyRequest(
    string SourceRegion,
    string SourceSnapshotId,
    bool Encrypted,
    string? KmsKeyId,
    string Description,
    IReadOnlyDictionary<string, string> Tags);

/// <summary>A machine image made from a root-volume snapshot, so an instance can be launched from it.</summary>
public sealed record RegisterImageRequest(
    string Name,
    string RootDeviceName,
    string RootSnapshotId,
    string Architecture,
    IReadOnlyDictionary<string, string> Tags);

/// <param name="ClientToken">EC2's idempotency token: a retry with the same token returns the first instance.</param>
public sealed record RunInstanceRequest(
    string ImageId,
    string InstanceType,
    string AvailabilityZone,
    string? SubnetId,
    IReadOnlyList<string> SecurityGroupIds,
    string RootDeviceName,
    string? RootKmsKeyId,
    IReadOnlyDictionary<string, string> Tags,
    string ClientToken);

public sealed record CreateVolumeRequest(
    string SnapshotId,
    string AvailabilityZone,
    string VolumeType,
    int? SizeGiB,
    bool Encrypted,
    string? KmsKeyId,
    IReadOnlyDictionary<string, string> Tags,
    string ClientToken,
    int? Iops = null,
    int? Throughput = null);

/// <summary>The EC2 and EBS operations Ferry uses, as a role in one region.</summary>
/// <remarks>Describe calls leave out ids that do not exist instead of failing, so one missing id never hides the others.</remarks>
public interface IEc2Port
{
    Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(InstanceQuery query, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Ec2Volume>> DescribeVolumesAsync(IReadOnlyList<string> volumeIds, CancellationToken cancellationToken = default);

    /// <summary>The caller's volumes carrying every one of the tags (EC2 ANDs tag filters).</summary>
    Task<IReadOnlyList<Ec2Volume>> FindVolumesAsync(IReadOnlyList<TagQuery> tags, CancellationToken cancellationToken = default);

    /// <summary>Crash-consistent snapshots of all the instance's volumes (CreateSnapshots), tagged.</summary>
    Task<IReadOnlyList<Ec2Snapshot>> CreateSnapshotsAsync(string instanceId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Ec2Snapshot>> DescribeSnapshotsAsync(SnapshotQuery query, CancellationToken cancellationToken = default);

    /// <summary>Grants the account permission to create volumes from (and copy) the snapshot.</summary>
    Task ShareSnapshotAsync(string snapshotId, string accountId, CancellationToken cancellationToken = default);

    /// <summary>Copies a snapshot into this port's region; returns the new snapshot id.</summary>
    Task<string> CopySnapshotAsync(Ec2CopyRequest request, CancellationToken cancellationToken = default);

    Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken = default);

    Task<string> RegisterImageAsync(RegisterImageRequest request, CancellationToken cancellationToken = default);

    /// <summary>The id of the caller's image with this name (DescribeImages), or null.</summary>
    Task<string?> FindImageAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The ids of the caller's images carrying every one of the tags.</summary>
    Task<IReadOnlyList<string>> FindImagesAsync(IReadOnlyList<TagQuery> tags, CancellationToken cancellationToken = default);

    Task DeregisterImageAsync(string imageId, CancellationToken cancellationToken = default);

    /// <summary>Launches one instance and returns its id.</summary>
    Task<string> RunInstanceAsync(RunInstanceRequest request, CancellationToken cancellationToken = default);

    Task<Ec2Volume> CreateVolumeAsync(CreateVolumeRequest request, CancellationToken cancellationToken = default);

    Task AttachVolumeAsync(string volumeId, string instanceId, string deviceName, CancellationToken cancellationToken = default);

    /// <summary>Deletes a volume that is not attached (available, or in error).</summary>
    Task DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken = default);

    /// <summary>Makes the volumes attached at these devices go with the instance when it terminates (ModifyInstanceAttribute).</summary>
    Task DeleteOnTerminationAsync(string instanceId, IReadOnlyList<string> deviceNames, CancellationToken cancellationToken = default);

    /// <summary>Terminates the instance; its volumes marked delete-on-termination go with it.</summary>
    Task TerminateInstanceAsync(string instanceId, CancellationToken cancellationToken = default);
}
