using System.Xml.Linq;
using Amazon.Runtime;
using Ferry.Aws.Runtime;

namespace Ferry.Aws.Ec2;

public sealed record Ec2Filter(string Name, IReadOnlyList<string> Values);

public sealed record Ec2BlockDevice(string DeviceName, string? VolumeId);

public sealed record Ec2InstanceInfo(
    string InstanceId, string InstanceType, string State, string AvailabilityZone, string? RootDeviceName, string? ImageId,
    string? SubnetId, IReadOnlyList<string> SecurityGroupIds, string? Architecture, IReadOnlyList<Ec2BlockDevice> BlockDevices,
    IReadOnlyDictionary<string, string> Tags);

public sealed record Ec2VolumeInfo(
    string VolumeId, int Size, string VolumeType, bool Encrypted, string? KmsKeyId, string State, string AvailabilityZone,
    string? SnapshotId, string? AttachedInstanceId, string? Device, int? Iops, int? Throughput, IReadOnlyDictionary<string, string> Tags);

/// <param name="State">pending, completed, error (EC2 writes it as status, or state in CreateSnapshots).</param>
public sealed record Ec2SnapshotInfo(
    string SnapshotId, string VolumeId, string State, bool Encrypted, string? KmsKeyId, string OwnerId, int VolumeSize,
    DateTimeOffset StartTime, string? Progress, string? StateMessage, string? Description, IReadOnlyDictionary<string, string> Tags);

public sealed record Ec2ImageInfo(string ImageId, string Name, string State, string? Architecture, string? RootDeviceName);

public sealed record DescribeSnapshotsRequest(
    IReadOnlyList<string>? SnapshotIds = null, IReadOnlyList<string>? OwnerIds = null, IReadOnlyList<string>? RestorableByUserIds = null,
    IReadOnlyList<Ec2Filter>? Filters = null, string? NextToken = null, int? MaxResults = null);

public sealed record CopySnapshotRequest(
    string SourceRegion, string SourceSnapshotId, string? Description, bool? Encrypted, string? KmsKeyId,
    IReadOnlyDictionary<string, string> Tags);

public sealed record RunInstancesRequest(
    string ImageId, string InstanceType, string? AvailabilityZone, string? SubnetId, IReadOnlyList<string> SecurityGroupIds,
    string? RootDeviceName, bool? RootEncrypted, string? RootKmsKeyId, IReadOnlyDictionary<string, string> Tags, string? ClientToken);

public sealed record VolumeCreation(
    string? SnapshotId, string AvailabilityZone, string? VolumeType, int? Size, bool? Encrypted, string? KmsKeyId, int? Iops,
    int? Throughput, IReadOnlyDictionary<string, string> Tags, string? ClientToken);

public sealed record ImageRegistration(
    string Name, string RootDeviceName, string RootSnapshotId, string? Architecture, IReadOnlyDictionary<string, string> Tags);

/// <summary>The EC2 API (protocol <c>ec2</c>, version 2016-11-15) operations Ferry uses, in one region.</summary>
public sealed class Ec2Client : WireClient
{
    public static readonly AwsService Service = new("ec2", "ec2", "2016-11-15");

    public Ec2Client(AWSCredentials credentials, string region, AwsOptions options)
        : base(credentials, Service, region, options, Xml.ReadError)
    {
    }

    public Task<Page<Ec2InstanceInfo>> DescribeInstancesAsync(IReadOnlyList<string>? instanceIds, IReadOnlyList<Ec2Filter>? filters, string? nextToken, CancellationToken ct) =>
        Call("DescribeInstances", q => q.List("InstanceId", instanceIds).Structs("Filter", filters, WriteFilter).Add("NextToken", nextToken),
            root => ReadPage(root.Items("reservationSet").SelectMany(r => r.Items("instancesSet")).Select(ReadInstance), root), ct);

    public Task<Page<Ec2VolumeInfo>> DescribeVolumesAsync(IReadOnlyList<string>? volumeIds, IReadOnlyList<Ec2Filter>? filters, string? nextToken, CancellationToken ct) =>
        Call("DescribeVolumes", q => q.List("VolumeId", volumeIds).Structs("Filter", filters, WriteFilter).Add("NextToken", nextToken),
            root => ReadPage(root.Items("volumeSet").Select(ReadVolume), root), ct);

    public Task<IReadOnlyList<Ec2SnapshotInfo>> CreateSnapshotsAsync(string instanceId, string? description, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Call("CreateSnapshots", q => q.Add("InstanceSpecification.InstanceId", instanceId).Add("Description", description)
                .Add("CopyTagsFromSource", "volume").Structs("TagSpecification", TagSpec("snapshot", tags), WriteTagSpec),
            root => (IReadOnlyList<Ec2SnapshotInfo>)[.. root.Items("snapshotSet").Select(ReadSnapshot)], ct);

    public Task<Page<Ec2SnapshotInfo>> DescribeSnapshotsAsync(DescribeSnapshotsRequest r, CancellationToken ct) =>
        Call("DescribeSnapshots", q => q.List("SnapshotId", r.SnapshotIds).List("Owner", r.OwnerIds).List("RestorableBy", r.RestorableByUserIds)
                .Structs("Filter", r.Filters, WriteFilter).Add("NextToken", r.NextToken).Add("MaxResults", r.MaxResults),
            root => ReadPage(root.Items("snapshotSet").Select(ReadSnapshot), root), ct);

    /// <summary>Grants (createVolumePermission add) the accounts use of the snapshot.</summary>
    public Task ShareSnapshotAsync(string snapshotId, IReadOnlyList<string> accountIds, CancellationToken ct) =>
        Call("ModifySnapshotAttribute", q => q.Add("SnapshotId", snapshotId).Add("Attribute", "createVolumePermission")
            .Add("OperationType", "add").List("UserId", accountIds), _ => true, ct);

    /// <summary>CopySnapshot at this (destination) region's endpoint; encrypted sources need the pre-signed URL, so one is always sent.</summary>
    public Task<string> CopySnapshotAsync(CopySnapshotRequest r, CancellationToken ct)
    {
        var presignedUrl = PresignCopySnapshot(r);
        return Call("CopySnapshot", q => q.Add("SourceRegion", r.SourceRegion).Add("SourceSnapshotId", r.SourceSnapshotId)
                .Add("DestinationRegion", Region).Add("PresignedUrl", presignedUrl).Add("Description", r.Description)
                .Add("Encrypted", r.Encrypted).Add("KmsKeyId", r.KmsKeyId).Structs("TagSpecification", TagSpec("snapshot", r.Tags), WriteTagSpec),
            root => root.Req("snapshotId"), ct);
    }

    public Task DeleteSnapshotAsync(string snapshotId, CancellationToken ct) =>
        Call("DeleteSnapshot", q => q.Add("SnapshotId", snapshotId), _ => true, ct);

    public Task<string> RunInstancesAsync(RunInstancesRequest r, CancellationToken ct) =>
        Call("RunInstances", q =>
            {
                q.Add("ImageId", r.ImageId).Add("InstanceType", r.InstanceType).Add("MinCount", 1).Add("MaxCount", 1)
                    .Add("Placement.AvailabilityZone", r.AvailabilityZone).Add("SubnetId", r.SubnetId).List("SecurityGroupId", r.SecurityGroupIds)
                    .Add("ClientToken", r.ClientToken).Structs("TagSpecification", TagSpec("instance", r.Tags), WriteTagSpec);
                if (r.RootDeviceName is not null && (r.RootEncrypted is not null || r.RootKmsKeyId is not null))
                {
                    q.Add("BlockDeviceMapping.1.DeviceName", r.RootDeviceName).Add("BlockDeviceMapping.1.Ebs.Encrypted", r.RootEncrypted)
                        .Add("BlockDeviceMapping.1.Ebs.KmsKeyId", r.RootKmsKeyId);
                }
            },
            root => root.Items("instancesSet").First().Req("instanceId"), ct);

    public Task<Ec2VolumeInfo> CreateVolumeAsync(VolumeCreation r, CancellationToken ct) =>
        Call("CreateVolume", q => q.Add("SnapshotId", r.SnapshotId).Add("AvailabilityZone", r.AvailabilityZone).Add("VolumeType", r.VolumeType)
                .Add("Size", r.Size).Add("Encrypted", r.Encrypted).Add("KmsKeyId", r.KmsKeyId).Add("Iops", r.Iops).Add("Throughput", r.Throughput)
                .Add("ClientToken", r.ClientToken).Structs("TagSpecification", TagSpec("volume", r.Tags), WriteTagSpec),
            ReadVolume, ct);

    public Task AttachVolumeAsync(string volumeId, string instanceId, string device, CancellationToken ct) =>
        Call("AttachVolume", q => q.Add("VolumeId", volumeId).Add("InstanceId", instanceId).Add("Device", device), _ => true, ct);

    public Task DeleteVolumeAsync(string volumeId, CancellationToken ct) =>
        Call("DeleteVolume", q => q.Add("VolumeId", volumeId), _ => true, ct);

    /// <summary>ModifyInstanceAttribute on the blockDeviceMapping attribute: the volumes at these devices are deleted when the instance terminates.</summary>
    public Task DeleteOnTerminationAsync(string instanceId, IReadOnlyList<string> deviceNames, CancellationToken ct) =>
        Call("ModifyInstanceAttribute", q => q.Add("InstanceId", instanceId).Structs("BlockDeviceMapping", deviceNames,
                (p, prefix, device) => p.Add($"{prefix}.DeviceName", device).Add($"{prefix}.Ebs.DeleteOnTermination", true)),
            _ => true, ct);

    public Task TerminateInstancesAsync(IReadOnlyList<string> instanceIds, CancellationToken ct) =>
        Call("TerminateInstances", q => q.List("InstanceId", instanceIds), _ => true, ct);

    public Task DeregisterImageAsync(string imageId, CancellationToken ct) =>
        Call("DeregisterImage", q => q.Add("ImageId", imageId), _ => true, ct);

    public Task<IReadOnlyList<Ec2ImageInfo>> DescribeImagesAsync(IReadOnlyList<string>? imageIds, IReadOnlyList<string>? owners, IReadOnlyList<Ec2Filter>? filters, CancellationToken ct) =>
        Call("DescribeImages", q => q.List("ImageId", imageIds).List("Owner", owners).Structs("Filter", filters, WriteFilter),
            root => (IReadOnlyList<Ec2ImageInfo>)[.. root.Items("imagesSet").Select(i =>
                new Ec2ImageInfo(i.Req("imageId"), i.Str("name") ?? "", i.Str("imageState") ?? "", i.Str("architecture"), i.Str("rootDeviceName")))], ct);

    public Task<string> RegisterImageAsync(ImageRegistration r, CancellationToken ct) =>
        Call("RegisterImage", q => q.Add("Name", r.Name).Add("RootDeviceName", r.RootDeviceName).Add("Architecture", r.Architecture)
                .Add("VirtualizationType", "hvm").Add("EnaSupport", true)
                .Add("BlockDeviceMapping.1.DeviceName", r.RootDeviceName).Add("BlockDeviceMapping.1.Ebs.SnapshotId", r.RootSnapshotId)
                .Structs("TagSpecification", TagSpec("image", r.Tags), WriteTagSpec),
            root => root.Req("imageId"), ct);

    /// <summary>The URL EC2 uses to read an encrypted source: this CopySnapshot, signed for the source region, naming this (destination) region.</summary>
    public string PresignCopySnapshot(CopySnapshotRequest r) => Presign("CopySnapshot", r.SourceRegion, new Dictionary<string, string?>
    {
        ["SourceRegion"] = r.SourceRegion,
        ["SourceSnapshotId"] = r.SourceSnapshotId,
        ["DestinationRegion"] = Region,
        ["Encrypted"] = r.Encrypted is null ? null : r.Encrypted.Value ? "true" : "false",
        ["KmsKeyId"] = r.KmsKeyId,
    });

    private Task<T> Call<T>(string action, Action<QueryParams> write, Func<XElement, T> read, CancellationToken ct) =>
        SendAsync(new WireRequest<T>(action, request => write(QueryParams.Start(request, action, Service.Version)), body => read(Xml.Parse(body))), ct);

    private static Page<T> ReadPage<T>(IEnumerable<T> items, XElement root) => new([.. items], NullIfEmpty(root.Str("nextToken")));

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static IEnumerable<(string Type, IReadOnlyDictionary<string, string> Tags)> TagSpec(string resourceType, IReadOnlyDictionary<string, string> tags) =>
        tags.Count == 0 ? [] : [(resourceType, tags)];

    private static void WriteFilter(QueryParams q, string prefix, Ec2Filter f) => q.Add($"{prefix}.Name", f.Name).List($"{prefix}.Value", f.Values);

    private static void WriteTag(QueryParams q, string prefix, KeyValuePair<string, string> tag) => q.Add($"{prefix}.Key", tag.Key).Add($"{prefix}.Value", tag.Value);

    private static void WriteTagSpec(QueryParams q, string prefix, (string Type, IReadOnlyDictionary<string, string> Tags) spec) =>
        q.Add($"{prefix}.ResourceType", spec.Type).Structs($"{prefix}.Tag", spec.Tags, WriteTag);

    private static IReadOnlyDictionary<string, string> Tags(XElement e) => e.Tags("tagSet", "item", "key", "value");

    private static Ec2InstanceInfo ReadInstance(XElement i) => new(
        i.Req("instanceId"), i.Str("instanceType") ?? "", i.El("instanceState").Str("name") ?? "", i.El("placement").Str("availabilityZone") ?? "",
        i.Str("rootDeviceName"), i.Str("imageId"), i.Str("subnetId"), [.. i.Items("groupSet").Select(g => g.Req("groupId"))], i.Str("architecture"),
        [.. i.Items("blockDeviceMapping").Select(b => new Ec2BlockDevice(b.Req("deviceName"), b.El("ebs").Str("volumeId")))], Tags(i));

    private static Ec2VolumeInfo ReadVolume(XElement v)
    {
        var attachment = v.Items("attachmentSet").FirstOrDefault();
        return new(v.Req("volumeId"), v.Int("size"), v.Str("volumeType") ?? "", v.Bool("encrypted"), v.Str("kmsKeyId"), v.Str("status") ?? "",
            v.Str("availabilityZone") ?? "", NullIfEmpty(v.Str("snapshotId")), attachment.Str("instanceId"), attachment.Str("device"),
            v.IntOrNull("iops"), v.IntOrNull("throughput"), Tags(v));
    }

    private static Ec2SnapshotInfo ReadSnapshot(XElement s) => new(
        s.Req("snapshotId"), s.Str("volumeId") ?? "", s.Str("status") ?? s.Str("state") ?? "", s.Bool("encrypted"), s.Str("kmsKeyId"),
        s.Str("ownerId") ?? "", s.Int("volumeSize"), s.Date("startTime") ?? DateTimeOffset.MinValue, s.Str("progress"), s.Str("statusMessage"),
        s.Str("description"), Tags(s));
}
