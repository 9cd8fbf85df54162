using Ferry.Aws.Runtime;
using Ferry.Core.Ports;

namespace Ferry.Aws.Ec2;

/// <summary>Ferry's EC2 port on the compact EC2 client: batching, pagination and tag queries live here.</summary>
public sealed class AwsEc2Port(Ec2Client client) : IEc2Port
{
    /// <summary>EC2 accepts up to 1000 ids per describe call; 200 keeps requests small and is what the console uses.</summary>
    public const int IdBatch = 200;

    public async Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(InstanceQuery query, CancellationToken cancellationToken = default)
    {
        // EC2 ANDs filters, while the port's tag queries are alternatives: one describe per id batch and per tag query.
        var found = new Dictionary<string, Ec2InstanceInfo>();
        foreach (var batch in (query.Ids ?? []).Chunk(IdBatch))
            await CollectInstancesAsync(batch, null, found, cancellationToken).ConfigureAwait(false);
        foreach (var tag in query.Tags ?? [])
            await CollectInstancesAsync(null, [TagFilter(tag)], found, cancellationToken).ConfigureAwait(false);

        var volumeIds = found.Values.SelectMany(i => i.BlockDevices).Select(b => b.VolumeId).OfType<string>().Distinct().ToList();
        var volumes = (await DescribeVolumesAsync(volumeIds, cancellationToken).ConfigureAwait(false)).ToDictionary(v => v.VolumeId);
        return [.. found.Values.Select(i => new Ec2Instance(
            i.InstanceId, i.InstanceType, i.State, i.AvailabilityZone, i.RootDeviceName, i.Tags,
            [.. i.BlockDevices.Where(b => b.VolumeId is not null && volumes.ContainsKey(b.VolumeId))
                .Select(b => volumes[b.VolumeId!] with { DeviceName = b.DeviceName, AttachedInstanceId = i.InstanceId })],
            i.ImageId, i.SubnetId, i.SecurityGroupIds, i.Architecture))];
    }

    public async Task<IReadOnlyList<Ec2Volume>> DescribeVolumesAsync(IReadOnlyList<string> volumeIds, CancellationToken cancellationToken = default)
    {
        var volumes = new List<Ec2Volume>();
        foreach (var batch in volumeIds.Chunk(IdBatch))
        {
            var found = await Page<Ec2VolumeInfo>.AllAsync((t, ct) => client.DescribeVolumesAsync(batch, null, t, ct), cancellationToken).ConfigureAwait(false);
            volumes.AddRange(found.Select(ToVolume));
        }
        return volumes;
    }

    public async Task<IReadOnlyList<Ec2Volume>> FindVolumesAsync(IReadOnlyList<TagQuery> tags, CancellationToken cancellationToken = default)
    {
        List<Ec2Filter> filters = [.. tags.Select(TagFilter)];
        var found = await Page<Ec2VolumeInfo>.AllAsync((t, ct) => client.DescribeVolumesAsync(null, filters, t, ct), cancellationToken).ConfigureAwait(false);
        return [.. found.Select(ToVolume)];
    }

    public async Task<IReadOnlyList<Ec2Snapshot>> CreateSnapshotsAsync(string instanceId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default) =>
        [.. (await client.CreateSnapshotsAsync(instanceId, $"Ferry snapshot of {instanceId}", tags, cancellationToken).ConfigureAwait(false)).Select(ToSnapshot)];

    public async Task<IReadOnlyList<Ec2Snapshot>> DescribeSnapshotsAsync(SnapshotQuery query, CancellationToken cancellationToken = default)
    {
        // Tag queries narrow together (EC2 ANDs filters): retries find their work by session and source tags at once.
        List<Ec2Filter> filters = [.. (query.Tags ?? []).Select(TagFilter)];
        var snapshots = new List<Ec2Snapshot>();
        var batches = query.Ids is { Count: > 0 } ids ? ids.Chunk(IdBatch).Select(b => (IReadOnlyList<string>?)b) : [null];
        foreach (var batch in batches)
        {
            // With explicit ids EC2 returns whatever the caller may use; otherwise own snapshots, or those shared with the caller too.
            var request = new DescribeSnapshotsRequest(
                SnapshotIds: batch,
                OwnerIds: query.IncludeShared || batch is not null ? null : ["self"],
                RestorableByUserIds: query.IncludeShared && batch is null ? ["self"] : null,
                Filters: filters.Count > 0 ? filters : null,
                MaxResults: batch is null ? 1000 : null);
            do
            {
                var page = await client.DescribeSnapshotsAsync(request, cancellationToken).ConfigureAwait(false);
                snapshots.AddRange(page.Items.Select(ToSnapshot));
                request = request with { NextToken = page.NextToken };
            }
            while (request.NextToken is not null);
        }
        return snapshots;
    }

    public Task ShareSnapshotAsync(string snapshotId, string accountId, CancellationToken cancellationToken = default) =>
        client.ShareSnapshotAsync(snapshotId, [accountId], cancellationToken);

    public Task<string> CopySnapshotAsync(Ec2CopyRequest request, CancellationToken cancellationToken = default) =>
        client.CopySnapshotAsync(new CopySnapshotRequest(
            request.SourceRegion, request.SourceSnapshotId, request.Description, request.Encrypted ? true : null, request.KmsKeyId, request.Tags), cancellationToken);

    public Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken = default) =>
        client.DeleteSnapshotAsync(snapshotId, cancellationToken);

    /// <summary>RegisterImage has no idempotency token, so a retry first looks for its image by name.</summary>
    public async Task<string> RegisterImageAsync(RegisterImageRequest request, CancellationToken cancellationToken = default)
    {
        var existing = await client.DescribeImagesAsync(null, ["self"], [new Ec2Filter("name", [request.Name])], cancellationToken).ConfigureAwait(false);
        if (existing.Count > 0)
            return existing[0].ImageId;
        return await client.RegisterImageAsync(new ImageRegistration(
            request.Name, request.RootDeviceName, request.RootSnapshotId, request.Architecture, request.Tags), cancellationToken).ConfigureAwait(false);
    }

    public async Task<string?> FindImageAsync(string name, CancellationToken cancellationToken = default) =>
        (await client.DescribeImagesAsync(null, ["self"], [new Ec2Filter("name", [name])], cancellationToken).ConfigureAwait(false))
            .FirstOrDefault()?.ImageId;

    public async Task<IReadOnlyList<string>> FindImagesAsync(IReadOnlyList<TagQuery> tags, CancellationToken cancellationToken = default) =>
        [.. (await client.DescribeImagesAsync(null, ["self"], [.. tags.Select(TagFilter)], cancellationToken).ConfigureAwait(false)).Select(i => i.ImageId)];

    public Task DeregisterImageAsync(string imageId, CancellationToken cancellationToken = default) =>
        client.DeregisterImageAsync(imageId, cancellationToken);

    public Task<string> RunInstanceAsync(RunInstanceRequest request, CancellationToken cancellationToken = default) =>
        client.RunInstancesAsync(new RunInstancesRequest(
            request.ImageId, request.InstanceType, request.AvailabilityZone, request.SubnetId, request.SecurityGroupIds,
            request.RootDeviceName, request.RootKmsKeyId is null ? null : true, request.RootKmsKeyId, request.Tags, request.ClientToken), cancellationToken);

    public async Task<Ec2Volume> CreateVolumeAsync(CreateVolumeRequest request, CancellationToken cancellationToken = default) =>
        ToVolume(await client.CreateVolumeAsync(new VolumeCreation(
            request.SnapshotId, request.AvailabilityZone, request.VolumeType, request.SizeGiB, request.Encrypted ? true : null, request.KmsKeyId,
            request.Iops, request.Throughput, request.Tags, request.ClientToken), cancellationToken).ConfigureAwait(false));

    public Task AttachVolumeAsync(string volumeId, string instanceId, string deviceName, CancellationToken cancellationToken = default) =>
        client.AttachVolumeAsync(volumeId, instanceId, deviceName, cancellationToken);

    public Task DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken = default) =>
        client.DeleteVolumeAsync(volumeId, cancellationToken);

    public Task DeleteOnTerminationAsync(string instanceId, IReadOnlyList<string> deviceNames, CancellationToken cancellationToken = default) =>
        client.DeleteOnTerminationAsync(instanceId, deviceNames, cancellationToken);

    public Task TerminateInstanceAsync(string instanceId, CancellationToken cancellationToken = default) =>
        client.TerminateInstancesAsync([instanceId], cancellationToken);

    private async Task CollectInstancesAsync(IReadOnlyList<string>? ids, IReadOnlyList<Ec2Filter>? filters, Dictionary<string, Ec2InstanceInfo> found, CancellationToken cancellationToken)
    {
        foreach (var instance in await Page<Ec2InstanceInfo>.AllAsync((t, ct) => client.DescribeInstancesAsync(ids, filters, t, ct), cancellationToken).ConfigureAwait(false))
            found[instance.InstanceId] = instance;
    }

    private static Ec2Filter TagFilter(TagQuery tag) => new($"tag:{tag.Key}", tag.Values);

    private static Ec2Volume ToVolume(Ec2VolumeInfo v) => new(
        v.VolumeId, v.Device, v.Size, v.VolumeType, v.Encrypted, v.KmsKeyId, v.State, v.AvailabilityZone, v.Tags, v.SnapshotId,
        v.AttachedInstanceId, v.Iops, v.Throughput);

    private static Ec2Snapshot ToSnapshot(Ec2SnapshotInfo s) => new(
        s.SnapshotId, s.VolumeId, s.State, s.Encrypted, s.KmsKeyId, s.OwnerId, s.VolumeSize, s.StartTime, s.Tags, s.Progress, s.StateMessage);
}
