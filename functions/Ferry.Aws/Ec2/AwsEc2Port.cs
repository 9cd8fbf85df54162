using Amazon.EC2;
using Amazon.EC2.Model;
using Ferry.Aws.Runtime;
using Ferry.Core.Ports;
using Ec2CopySnapshot = Amazon.EC2.Model.CopySnapshotRequest;
using Ec2CreateVolume = Amazon.EC2.Model.CreateVolumeRequest;
using Ec2RegisterImage = Amazon.EC2.Model.RegisterImageRequest;
using Ec2Tag = Amazon.EC2.Model.Tag;
using SdkSnapshot = Amazon.EC2.Model.Snapshot;
using SdkVolume = Amazon.EC2.Model.Volume;

namespace Ferry.Aws.Ec2;

/// <summary>Ferry's EC2 port on AWSSDK.EC2: batching, pagination, tag queries and idempotency live here.</summary>
/// <param name="account">The account whose role the client acts as: errors about AWS limits name it.</param>
public sealed class AwsEc2Port(IAmazonEC2 ec2, string region, string account) : IEc2Port
{
    /// <summary>EC2 accepts up to 1000 ids per describe call; 200 keeps requests small and is what the console uses.</summary>
    public const int IdBatch = 200;

    /// <summary>The largest page EC2's describe calls return.</summary>
    private const int PageSize = 1000;

    public async Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(InstanceQuery query, CancellationToken cancellationToken = default)
    {
        // EC2 ANDs filters, while the port's tag queries are alternatives: one describe per id batch and per tag query.
        // Ids go in the instance-id filter, which leaves out ids the caller cannot see instead of failing the whole call.
        var found = new Dictionary<string, Instance>(StringComparer.Ordinal);
        List<List<Filter>> queries = query.Ids is null && query.Tags is null
            ? [[]]
            : [.. (query.Ids ?? []).Chunk(IdBatch).Select(b => new List<Filter> { new("instance-id", [.. b]) }), .. (query.Tags ?? []).Select(t => new List<Filter> { TagFilter(t) })];
        foreach (var filters in queries)
        {
            var request = new DescribeInstancesRequest { Filters = filters.Count > 0 ? filters : null, MaxResults = PageSize };
            do
            {
                var page = await Call("DescribeInstances", () => ec2.DescribeInstancesAsync(request, cancellationToken)).ConfigureAwait(false);
                foreach (var instance in (page.Reservations ?? []).SelectMany(r => r.Instances ?? []))
                    found[instance.InstanceId] = instance;
                request.NextToken = page.NextToken;
            }
            while (!string.IsNullOrEmpty(request.NextToken));
        }

        var devices = found.Values.SelectMany(i => i.BlockDeviceMappings ?? []).Select(b => b.Ebs?.VolumeId).OfType<string>().Distinct().ToList();
        var volumes = (await DescribeVolumesAsync(devices, cancellationToken).ConfigureAwait(false)).ToDictionary(v => v.VolumeId);
        return [.. found.Values.Select(i => new Ec2Instance(
            i.InstanceId, i.InstanceType?.Value ?? "", i.State?.Name?.Value ?? "", i.Placement?.AvailabilityZone ?? "", i.RootDeviceName, TagsOf(i.Tags),
            [.. (i.BlockDeviceMappings ?? []).Where(b => b.Ebs?.VolumeId is { } id && volumes.ContainsKey(id))
                .Select(b => volumes[b.Ebs.VolumeId] with { DeviceName = b.DeviceName, AttachedInstanceId = i.InstanceId })],
            i.ImageId, i.SubnetId, [.. (i.SecurityGroups ?? []).Select(g => g.GroupId)], i.Architecture?.Value))];
    }

    public async Task<IReadOnlyList<Ec2Volume>> DescribeVolumesAsync(IReadOnlyList<string> volumeIds, CancellationToken cancellationToken = default)
    {
        var volumes = new List<Ec2Volume>();
        foreach (var batch in volumeIds.Chunk(IdBatch))
            volumes.AddRange(await VolumesAsync([new Filter("volume-id", [.. batch])], cancellationToken).ConfigureAwait(false));
        return volumes;
    }

    public Task<IReadOnlyList<Ec2Volume>> FindVolumesAsync(IReadOnlyList<TagQuery> tags, CancellationToken cancellationToken = default) =>
        VolumesAsync([.. tags.Select(TagFilter)], cancellationToken);

    /// <summary>CreateSnapshots answers without the snapshots' keys, so the new snapshots are described once for them.</summary>
    public async Task<IReadOnlyList<Ec2Snapshot>> CreateSnapshotsAsync(string instanceId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default)
    {
        var created = await Call("CreateSnapshots", () => ec2.CreateSnapshotsAsync(new CreateSnapshotsRequest
        {
            InstanceSpecification = new InstanceSpecification { InstanceId = instanceId },
            Description = $"Ferry snapshot of {instanceId}",
            CopyTagsFromSource = CopyTagsFromSource.Volume,
            TagSpecifications = TagSpecifications(ResourceType.Snapshot, tags),
        }, cancellationToken)).ConfigureAwait(false);
        var infos = created.Snapshots ?? [];
        var described = (await DescribeSnapshotsAsync(new SnapshotQuery([.. infos.Select(s => s.SnapshotId)]), cancellationToken).ConfigureAwait(false))
            .ToDictionary(s => s.SnapshotId);
        return [.. infos.Select(s => described.GetValueOrDefault(s.SnapshotId) ?? new Ec2Snapshot(
            s.SnapshotId, s.VolumeId ?? "", s.State?.Value ?? "", s.Encrypted ?? false, null, s.OwnerId ?? "", s.VolumeSize ?? 0,
            StartOf(s.StartTime), TagsOf(s.Tags), s.Progress))];
    }

    public async Task<IReadOnlyList<Ec2Snapshot>> DescribeSnapshotsAsync(SnapshotQuery query, CancellationToken cancellationToken = default)
    {
        // Tag queries narrow together (EC2 ANDs filters): retries find their work by session and source tags at once.
        List<Filter> tagFilters = [.. (query.Tags ?? []).Select(TagFilter)];
        var snapshots = new List<Ec2Snapshot>();
        var batches = query.Ids is { Count: > 0 } ids ? ids.Chunk(IdBatch).Select(b => (IReadOnlyList<string>?)b) : [null];
        foreach (var batch in batches)
        {
            // By id (snapshot-id filter) EC2 returns whatever the caller may use; otherwise own snapshots, or those it may restore too.
            var request = new DescribeSnapshotsRequest
            {
                Filters = batch is null ? tagFilters.Count > 0 ? tagFilters : null : [new Filter("snapshot-id", [.. batch]), .. tagFilters],
                OwnerIds = query.IncludeShared || batch is not null ? null : ["self"],
                RestorableByUserIds = query.IncludeShared && batch is null ? ["self"] : null,
                MaxResults = PageSize,
            };
            do
            {
                var page = await Call("DescribeSnapshots", () => ec2.DescribeSnapshotsAsync(request, cancellationToken)).ConfigureAwait(false);
                snapshots.AddRange((page.Snapshots ?? []).Select(ToSnapshot));
                request.NextToken = page.NextToken;
            }
            while (!string.IsNullOrEmpty(request.NextToken));
        }
        return snapshots;
    }

    public Task ShareSnapshotAsync(string snapshotId, string accountId, CancellationToken cancellationToken = default) =>
        Call("ModifySnapshotAttribute", () => ec2.ModifySnapshotAttributeAsync(new ModifySnapshotAttributeRequest
        {
            SnapshotId = snapshotId,
            Attribute = SnapshotAttributeName.CreateVolumePermission,
            OperationType = OperationType.Add,
            UserIds = [accountId],
        }, cancellationToken));

    /// <summary>At this (destination) region's endpoint; for a cross-region copy the SDK adds the pre-signed URL EC2 reads an encrypted source with.</summary>
    public async Task<string> CopySnapshotAsync(Ec2CopyRequest request, CancellationToken cancellationToken = default) =>
        (await Call("CopySnapshot", () => ec2.CopySnapshotAsync(new Ec2CopySnapshot
        {
            SourceRegion = request.SourceRegion,
            SourceSnapshotId = request.SourceSnapshotId,
            Description = request.Description,
            Encrypted = request.Encrypted ? true : null,
            KmsKeyId = request.KmsKeyId,
            TagSpecifications = TagSpecifications(ResourceType.Snapshot, request.Tags),
        }, cancellationToken)).ConfigureAwait(false)).SnapshotId;

    public Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken = default) =>
        Call("DeleteSnapshot", () => ec2.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshotId }, cancellationToken));

    /// <summary>RegisterImage has no idempotency token, so a retry first looks for its image by name.</summary>
    public async Task<string> RegisterImageAsync(Ferry.Core.Ports.RegisterImageRequest request, CancellationToken cancellationToken = default)
    {
        if (await FindImageAsync(request.Name, cancellationToken).ConfigureAwait(false) is { } existing)
            return existing;
        return (await Call("RegisterImage", () => ec2.RegisterImageAsync(new Ec2RegisterImage
        {
            Name = request.Name,
            RootDeviceName = request.RootDeviceName,
            Architecture = ArchitectureValues.FindValue(request.Architecture),
            VirtualizationType = "hvm",
            EnaSupport = true,
            BlockDeviceMappings = [new BlockDeviceMapping { DeviceName = request.RootDeviceName, Ebs = new EbsBlockDevice { SnapshotId = request.RootSnapshotId } }],
            TagSpecifications = TagSpecifications(ResourceType.Image, request.Tags),
        }, cancellationToken)).ConfigureAwait(false)).ImageId;
    }

    public async Task<string?> FindImageAsync(string name, CancellationToken cancellationToken = default) =>
        (await ImagesAsync([new Filter("name", [name])], cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<string>> FindImagesAsync(IReadOnlyList<TagQuery> tags, CancellationToken cancellationToken = default) =>
        ImagesAsync([.. tags.Select(TagFilter)], cancellationToken);

    public Task DeregisterImageAsync(string imageId, CancellationToken cancellationToken = default) =>
        Call("DeregisterImage", () => ec2.DeregisterImageAsync(new DeregisterImageRequest { ImageId = imageId }, cancellationToken));

    /// <summary>The client token makes a retry return the first launch instead of a second instance.</summary>
    public async Task<string> RunInstanceAsync(RunInstanceRequest request, CancellationToken cancellationToken = default)
    {
        var response = await Call("RunInstances", () => ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = request.ImageId,
            InstanceType = InstanceType.FindValue(request.InstanceType),
            MinCount = 1,
            MaxCount = 1,
            Placement = new Placement { AvailabilityZone = request.AvailabilityZone },
            SubnetId = request.SubnetId,
            SecurityGroupIds = request.SecurityGroupIds.Count > 0 ? [.. request.SecurityGroupIds] : null,
            ClientToken = request.ClientToken,
            TagSpecifications = TagSpecifications(ResourceType.Instance, request.Tags),
            BlockDeviceMappings = request.RootKmsKeyId is null ? null
                : [new BlockDeviceMapping { DeviceName = request.RootDeviceName, Ebs = new EbsBlockDevice { Encrypted = true, KmsKeyId = request.RootKmsKeyId } }],
        }, cancellationToken)).ConfigureAwait(false);
        return response.Reservation.Instances[0].InstanceId;
    }

    public async Task<Ec2Volume> CreateVolumeAsync(Ferry.Core.Ports.CreateVolumeRequest request, CancellationToken cancellationToken = default) =>
        ToVolume((await Call("CreateVolume", () => ec2.CreateVolumeAsync(new Ec2CreateVolume
        {
            SnapshotId = request.SnapshotId,
            AvailabilityZone = request.AvailabilityZone,
            VolumeType = VolumeType.FindValue(request.VolumeType),
            Size = request.SizeGiB,
            Encrypted = request.Encrypted ? true : null,
            KmsKeyId = request.KmsKeyId,
            Iops = request.Iops,
            Throughput = request.Throughput,
            ClientToken = request.ClientToken,
            TagSpecifications = TagSpecifications(ResourceType.Volume, request.Tags),
        }, cancellationToken)).ConfigureAwait(false)).Volume);

    public Task AttachVolumeAsync(string volumeId, string instanceId, string deviceName, CancellationToken cancellationToken = default) =>
        Call("AttachVolume", () => ec2.AttachVolumeAsync(new AttachVolumeRequest { VolumeId = volumeId, InstanceId = instanceId, Device = deviceName }, cancellationToken));

    public Task DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken = default) =>
        Call("DeleteVolume", () => ec2.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = volumeId }, cancellationToken));

    /// <summary>ModifyInstanceAttribute on the blockDeviceMapping attribute: the volumes at these devices are deleted when the instance terminates.</summary>
    public Task DeleteOnTerminationAsync(string instanceId, IReadOnlyList<string> deviceNames, CancellationToken cancellationToken = default) =>
        Call("ModifyInstanceAttribute", () => ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest
        {
            InstanceId = instanceId,
            BlockDeviceMappings = [.. deviceNames.Select(d => new InstanceBlockDeviceMappingSpecification
            {
                DeviceName = d,
                Ebs = new EbsInstanceBlockDeviceSpecification { DeleteOnTermination = true },
            })],
        }, cancellationToken));

    public Task TerminateInstanceAsync(string instanceId, CancellationToken cancellationToken = default) =>
        Call("TerminateInstances", () => ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instanceId] }, cancellationToken));

    private async Task<IReadOnlyList<Ec2Volume>> VolumesAsync(List<Filter> filters, CancellationToken cancellationToken)
    {
        var volumes = new List<Ec2Volume>();
        var request = new DescribeVolumesRequest { Filters = filters.Count > 0 ? filters : null, MaxResults = PageSize };
        do
        {
            var page = await Call("DescribeVolumes", () => ec2.DescribeVolumesAsync(request, cancellationToken)).ConfigureAwait(false);
            volumes.AddRange((page.Volumes ?? []).Select(ToVolume));
            request.NextToken = page.NextToken;
        }
        while (!string.IsNullOrEmpty(request.NextToken));
        return volumes;
    }

    /// <summary>The caller's own images matching every filter.</summary>
    private async Task<IReadOnlyList<string>> ImagesAsync(List<Filter> filters, CancellationToken cancellationToken)
    {
        var response = await Call("DescribeImages", () => ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"], Filters = filters }, cancellationToken)).ConfigureAwait(false);
        return [.. (response.Images ?? []).Select(i => i.ImageId)];
    }

    private Task<T> Call<T>(string operation, Func<Task<T>> action) =>
        SdkErrors.Call($"ec2:{operation} in {region}", operation, account, region, action);

    /// <summary>A tag query as a filter: tag:Key with its values, or tag-key when any value will do.</summary>
    private static Filter TagFilter(TagQuery tag) =>
        tag.Values.Count == 0 ? new Filter("tag-key", [tag.Key]) : new Filter($"tag:{tag.Key}", [.. tag.Values]);

    private static List<TagSpecification>? TagSpecifications(ResourceType type, IReadOnlyDictionary<string, string> tags) =>
        tags.Count == 0 ? null : [new TagSpecification { ResourceType = type, Tags = [.. tags.Select(t => new Ec2Tag(t.Key, t.Value))] }];

    private static Dictionary<string, string> TagsOf(List<Ec2Tag>? tags) =>
        (tags ?? []).ToDictionary(t => t.Key, t => t.Value ?? "", StringComparer.Ordinal);

    private static DateTimeOffset StartOf(DateTime? start) =>
        start is { } time ? new DateTimeOffset(DateTime.SpecifyKind(time.ToUniversalTime(), DateTimeKind.Utc)) : DateTimeOffset.MinValue;

    private static Ec2Volume ToVolume(SdkVolume v)
    {
        var attachment = v.Attachments?.FirstOrDefault();
        return new(v.VolumeId, attachment?.Device, v.Size ?? 0, v.VolumeType?.Value ?? "", v.Encrypted ?? false, v.KmsKeyId, v.State?.Value ?? "",
            v.AvailabilityZone ?? "", TagsOf(v.Tags), string.IsNullOrEmpty(v.SnapshotId) ? null : v.SnapshotId, attachment?.InstanceId, v.Iops, v.Throughput);
    }

    private static Ec2Snapshot ToSnapshot(SdkSnapshot s) => new(
        s.SnapshotId, s.VolumeId ?? "", s.State?.Value ?? "", s.Encrypted ?? false, s.KmsKeyId, s.OwnerId ?? "", s.VolumeSize ?? 0,
        StartOf(s.StartTime), TagsOf(s.Tags), s.Progress, s.StateMessage);
}
