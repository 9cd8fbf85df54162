using Ferry.Core.Planning;
using Ferry.Core.Ports;
using Ferry.Simulator.World;

namespace Ferry.Simulator;

public sealed partial class SimulatedAws
{
    internal Dictionary<string, SimInstance> Instances { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, SimVolume> Volumes { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, SimEbsSnapshot> EbsSnapshots { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, SimImage> Images { get; } = new(StringComparer.Ordinal);

    private void LoadEc2(WorldSpec spec)
    {
        foreach (var i in spec.Instances)
        {
            var what = $"instances: {i.InstanceId}";
            RequireLocation(what, i.Account, i.Region);
            var zone = i.AvailabilityZone ?? i.Region + "a";
            var volumes = i.Volumes.Select(v => new SimVolume
            {
                Id = v.VolumeId,
                Account = i.Account,
                Region = i.Region,
                Zone = zone,
                SizeGiB = v.SizeGiB,
                VolumeType = v.VolumeType,
                Encrypted = v.Encrypted,
                Key = ResourceKey($"{what} volume {v.VolumeId}", v.Encrypted, v.KmsKey, i.Account, i.Region, "ebs"),
                Tags = v.Tags is null ? [] : new(v.Tags),
                ReadyAt = spec.Start,
                AttachedTo = i.InstanceId,
                DeviceName = v.DeviceName,
            }).ToList();
            var instance = new SimInstance
            {
                Id = i.InstanceId,
                Account = i.Account,
                Region = i.Region,
                Zone = zone,
                InstanceType = i.InstanceType,
                RootDeviceName = i.RootDeviceName ?? volumes.FirstOrDefault()?.DeviceName ?? "/dev/xvda",
                Architecture = i.Architecture,
                Tags = i.Tags is null ? [] : new(i.Tags),
                Volumes = volumes,
                ReadyAt = spec.Start,
            };
            if (!Instances.TryAdd(i.InstanceId, instance))
                throw new InvalidDataException($"{what}: duplicate instance id");
            foreach (var volume in volumes)
            {
                if (!Volumes.TryAdd(volume.Id, volume))
                    throw new InvalidDataException($"{what}: duplicate volume id {volume.Id}");
            }
        }
    }
}

/// <summary>EC2 and EBS as one role sees them in one region.</summary>
public sealed class SimulatedEc2(SimulatedAws world, RoleSession session, string region) : IEc2Port
{
    private const string Unauthorized = "UnauthorizedOperation";

    private Task<T> Call<T>(string operation, (string, string?)[] parameters, Func<Call, T> action, CancellationToken cancellationToken) =>
        world.CallAsync(session, "ec2", region, operation, parameters, action, cancellationToken);

    public Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(InstanceQuery query, CancellationToken cancellationToken = default) =>
        Call<IReadOnlyList<Ec2Instance>>("DescribeInstances", [("InstanceIds", Join(query.Ids)), ("Tags", Join(query.Tags))], call =>
        {
            // Ferry's port asks by id with EC2's instance-id filter, which leaves out ids it cannot see instead of failing.
            var found = query.Ids is { Count: > 0 } ids
                ? ids.Select(id => world.Instances.GetValueOrDefault(id)).OfType<SimInstance>().Where(i => Owns(call, i.Account, i.Region))
                : world.Instances.Values.Where(i => Owns(call, i.Account, i.Region));
            return found.Where(i => SimulatedAws.MatchesAny(i.Tags, query.Tags)).Select(i => ToInstance(i, call.Now)).ToList();
        }, cancellationToken);

    public Task<IReadOnlyList<Ec2Volume>> DescribeVolumesAsync(IReadOnlyList<string> volumeIds, CancellationToken cancellationToken = default) =>
        Call<IReadOnlyList<Ec2Volume>>("DescribeVolumes", [("VolumeIds", Join(volumeIds))], call =>
            volumeIds.Select(id => world.Volumes.GetValueOrDefault(id)).OfType<SimVolume>().Where(v => Owns(call, v.Account, v.Region))
                .Select(v => ToVolume(v, call.Now)).ToList(), cancellationToken);

    public Task<IReadOnlyList<Ec2Snapshot>> CreateSnapshotsAsync(string instanceId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default) =>
        Call<IReadOnlyList<Ec2Snapshot>>("CreateSnapshots", [("InstanceId", instanceId), ("Tags", SimulatedAws.Describe(tags))], call =>
        {
            var instance = OwnInstance(call, instanceId);
            RequireSnapshotRoom(call, "CreateSnapshots", instance.Volumes.Count);
            return instance.Volumes.Select(v => ToSnapshot(NewSnapshot(call, "CreateSnapshots", v, tags, $"Multi-volume snapshot of {instanceId}"), call.Now)).ToList();
        }, cancellationToken);

    public Task<IReadOnlyList<Ec2Snapshot>> DescribeSnapshotsAsync(SnapshotQuery query, CancellationToken cancellationToken = default) =>
        Call<IReadOnlyList<Ec2Snapshot>>("DescribeSnapshots",
            [("SnapshotIds", query.Ids is { Count: > 20 } many ? $"{many.Count} ids" : Join(query.Ids)), ("Tags", Join(query.Tags)), ("IncludeShared", query.IncludeShared ? "true" : null)],
            call =>
            {
                // Ferry's port asks by id with the snapshot-id filter: snapshots the caller cannot see are left out, not an error.
                var found = query.Ids is { Count: > 0 } ids
                    ? ids.Select(id => world.EbsSnapshots.GetValueOrDefault(id)).OfType<SimEbsSnapshot>().Where(s => s.Region == region && Visible(call, s))
                    : world.EbsSnapshots.Values.Where(s => s.Region == region && (s.Account == call.Account || (query.IncludeShared && s.SharedWith.Contains(call.Account))));
                return found.Where(s => SimulatedAws.MatchesAll(s.Tags, query.Tags)).Select(s => ToSnapshot(s, call.Now)).ToList();
            }, cancellationToken);

    public Task ShareSnapshotAsync(string snapshotId, string accountId, CancellationToken cancellationToken = default) =>
        Call("ModifySnapshotAttribute", [("SnapshotId", snapshotId), ("Add", accountId)], call =>
        {
            var snapshot = OwnSnapshot(call, snapshotId);
            RequireCompleted(call, snapshot, "shared");
            world.RequireShareable(call, snapshotId, snapshot.Key, accountId, "InvalidParameter", Unauthorized);
            snapshot.SharedWith.Add(accountId);
            return true;
        }, cancellationToken);

    public Task<string> CopySnapshotAsync(Ec2CopyRequest request, CancellationToken cancellationToken = default) =>
        Call("CopySnapshot",
            [("SourceRegion", request.SourceRegion), ("SourceSnapshotId", request.SourceSnapshotId), ("Encrypted", request.Encrypted ? "true" : "false"),
             ("KmsKeyId", request.KmsKeyId), ("Tags", SimulatedAws.Describe(request.Tags))],
            call =>
            {
                var source = world.EbsSnapshots.GetValueOrDefault(request.SourceSnapshotId);
                if (source is null || source.Region != request.SourceRegion || !Visible(call, source))
                    throw call.NotFound("InvalidSnapshot.NotFound", $"The snapshot '{request.SourceSnapshotId}' does not exist in {request.SourceRegion} or is not shared with account {call.Account}");
                RequireCompleted(call, source, "copied");
                var encrypted = request.Encrypted || source.Encrypted;
                if (request.KmsKeyId is not null && !request.Encrypted)
                    throw call.Invalid("InvalidParameterDependency", "KmsKeyId requires Encrypted to be true");
                var target = !encrypted ? null
                    : request.KmsKeyId is { } keyId ? world.RequestKey(call, keyId, "InvalidParameterValue")
                    : world.DefaultKey(call.Account, call.Region, "ebs");
                if (source.Key is { } sourceKey)
                    world.RequireKey(call, sourceKey, KeyUse.Decrypt, Unauthorized);
                if (target is not null)
                    world.RequireKey(call, target, KeyUse.Encrypt, Unauthorized);
                RequireSnapshotRoom(call, "CopySnapshot", 1);
                world.RequireCopySlot(call, "CopySnapshot", CopyService.Ebs, world.Spec.Limits.EbsConcurrentCopies, "ResourceLimitExceeded");
                var timings = world.Spec.Timings;
                var copy = new SimEbsSnapshot
                {
                    Id = world.NewId("snap"),
                    Account = call.Account,
                    Region = call.Region,
                    VolumeId = source.VolumeId,
                    SizeGiB = source.SizeGiB,
                    Encrypted = encrypted,
                    Key = target,
                    Tags = call.TagsOf(request.Tags),
                    Life = world.Work(call, "CopySnapshot", SimulatedAws.Seconds(timings.EbsCopySeconds + timings.EbsCopySecondsPerGiB * source.SizeGiB)),
                    Description = request.Description,
                };
                world.EbsSnapshots.Add(copy.Id, copy);
                world.StartCopy(call, CopyService.Ebs, call.Account, region, copy.Id, copy.Life);
                return copy.Id;
            }, cancellationToken);

    public Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken = default) =>
        Call("DeleteSnapshot", [("SnapshotId", snapshotId)], call =>
        {
            var snapshot = OwnSnapshot(call, snapshotId);
            if (world.Images.Values.FirstOrDefault(i => i.RootSnapshotId == snapshotId) is { } image)
                throw call.Conflict("InvalidSnapshot.InUse", $"The snapshot {snapshotId} is currently in use by {image.Id}");
            world.EbsSnapshots.Remove(snapshot.Id);
            world.EndCopy(call, snapshot.Id);
            return true;
        }, cancellationToken);

    public Task<string> RegisterImageAsync(RegisterImageRequest request, CancellationToken cancellationToken = default) =>
        Call("RegisterImage", [("Name", request.Name), ("RootSnapshotId", request.RootSnapshotId), ("RootDeviceName", request.RootDeviceName)], call =>
        {
            var snapshot = VisibleSnapshot(call, request.RootSnapshotId);
            RequireCompleted(call, snapshot, "registered as an image");
            if (world.Images.Values.Any(i => Owns(call, i.Account, i.Region) && i.Name == request.Name))
                throw call.Conflict("InvalidAMIName.Duplicate", $"AMI name {request.Name} is already in use by an AMI of account {call.Account}");
            var image = new SimImage(world.NewId("ami"), call.Account, call.Region, request.Name, request.RootDeviceName, snapshot.Id, request.Architecture, call.TagsOf(request.Tags));
            world.Images.Add(image.Id, image);
            return image.Id;
        }, cancellationToken);

    public Task<string?> FindImageAsync(string name, CancellationToken cancellationToken = default) =>
        Call("DescribeImages", [("Name", name)], call =>
            world.Images.Values.FirstOrDefault(i => Owns(call, i.Account, i.Region) && i.Name == name)?.Id, cancellationToken);

    public Task<string> RunInstanceAsync(RunInstanceRequest request, CancellationToken cancellationToken = default) =>
        Call("RunInstances",
            [("ImageId", request.ImageId), ("InstanceType", request.InstanceType), ("AvailabilityZone", request.AvailabilityZone),
             ("RootKmsKeyId", request.RootKmsKeyId), ("ClientToken", request.ClientToken)],
            call =>
            {
                var earlier = world.Instances.Values.FirstOrDefault(i => Owns(call, i.Account, i.Region) && i.ClientToken == request.ClientToken);
                if (earlier is not null)
                    return earlier.Id;
                var image = world.Images.GetValueOrDefault(request.ImageId) is { } found && Owns(call, found.Account, found.Region)
                    ? found
                    : throw call.NotFound("InvalidAMIID.NotFound", $"The image id '[{request.ImageId}]' does not exist");
                RequireZone(call, request.AvailabilityZone);
                var snapshot = world.EbsSnapshots.GetValueOrDefault(image.RootSnapshotId)
                    ?? throw call.NotFound("InvalidSnapshot.NotFound", $"The root snapshot {image.RootSnapshotId} of {image.Id} no longer exists");
                var rootKey = TargetKey(call, snapshot, request.RootKmsKeyId is not null || snapshot.Encrypted, request.RootKmsKeyId);
                var timings = world.Spec.Timings;
                var instanceId = world.NewId("i");
                var root = NewVolume(call, snapshot, request.AvailabilityZone, "gp3", snapshot.SizeGiB, rootKey, new Dictionary<string, string>(), null, null, null);
                root.AttachedTo = instanceId;
                root.DeviceName = request.RootDeviceName;
                root.DeleteOnTermination = true;
                world.Instances.Add(instanceId, new SimInstance
                {
                    Id = instanceId,
                    Account = call.Account,
                    Region = call.Region,
                    Zone = request.AvailabilityZone,
                    InstanceType = request.InstanceType,
                    RootDeviceName = request.RootDeviceName,
                    Architecture = image.Architecture,
                    Tags = call.TagsOf(request.Tags),
                    Volumes = [root],
                    ReadyAt = call.Now + SimulatedAws.Seconds(timings.InstanceSeconds),
                    ImageId = image.Id,
                    SubnetId = request.SubnetId,
                    SecurityGroupIds = request.SecurityGroupIds,
                    ClientToken = request.ClientToken,
                });
                return instanceId;
            }, cancellationToken);

    public Task<Ec2Volume> CreateVolumeAsync(CreateVolumeRequest request, CancellationToken cancellationToken = default) =>
        Call("CreateVolume",
            [("SnapshotId", request.SnapshotId), ("AvailabilityZone", request.AvailabilityZone), ("Encrypted", request.Encrypted ? "true" : "false"),
             ("KmsKeyId", request.KmsKeyId), ("ClientToken", request.ClientToken)],
            call =>
            {
                var earlier = world.Volumes.Values.FirstOrDefault(v => Owns(call, v.Account, v.Region) && v.ClientToken == request.ClientToken);
                if (earlier is not null)
                    return ToVolume(earlier, call.Now);
                var snapshot = VisibleSnapshot(call, request.SnapshotId);
                RequireCompleted(call, snapshot, "used to create a volume");
                RequireZone(call, request.AvailabilityZone);
                if (request.KmsKeyId is not null && !request.Encrypted)
                    throw call.Invalid("InvalidParameterDependency", "KmsKeyId requires Encrypted to be true");
                if (request.SizeGiB < snapshot.SizeGiB)
                    throw call.Invalid("InvalidParameterValue", $"Volume of {request.SizeGiB} GiB is smaller than snapshot {snapshot.Id}, {snapshot.SizeGiB} GiB");
                var key = TargetKey(call, snapshot, request.Encrypted || snapshot.Encrypted, request.KmsKeyId);
                var volume = NewVolume(call, snapshot, request.AvailabilityZone, request.VolumeType, request.SizeGiB ?? snapshot.SizeGiB, key,
                    request.Tags, request.ClientToken, request.Iops, request.Throughput);
                return ToVolume(volume, call.Now);
            }, cancellationToken);

    public Task AttachVolumeAsync(string volumeId, string instanceId, string deviceName, CancellationToken cancellationToken = default) =>
        Call("AttachVolume", [("VolumeId", volumeId), ("InstanceId", instanceId), ("Device", deviceName)], call =>
        {
            var volume = OwnVolume(call, volumeId);
            var instance = OwnInstance(call, instanceId);
            switch (volume.State(call.Now))
            {
                case "creating":
                    throw call.Conflict("IncorrectState", $"vol {volumeId} is not 'available' (creating)");
                case "in-use":
                    throw call.Conflict("VolumeInUse", $"{volumeId} is already attached to an instance");
            }
            RequireNotTerminated(call, instance, "attached to");
            if (instance.State(call.Now) == "pending")
                throw call.Conflict("IncorrectInstanceState", $"The instance '{instanceId}' is pending");
            if (volume.Zone != instance.Zone)
                throw call.Invalid("InvalidVolume.ZoneMismatch", $"The volume '{volumeId}' is not in the same availability zone as instance '{instanceId}'");
            if (instance.Volumes.Any(v => v.DeviceName == deviceName))
                throw call.Invalid("InvalidParameterValue", $"Invalid value '{deviceName}' for unixDevice. Attachment point {deviceName} is already in use");
            volume.AttachedTo = instance.Id;
            volume.DeviceName = deviceName;
            instance.Volumes.Add(volume);
            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<Ec2Volume>> FindVolumesAsync(IReadOnlyList<TagQuery> tags, CancellationToken cancellationToken = default) =>
        Call<IReadOnlyList<Ec2Volume>>("DescribeVolumes", [("Tags", Join(tags))], call =>
            world.Volumes.Values.Where(v => Owns(call, v.Account, v.Region) && SimulatedAws.MatchesAll(v.Tags, tags))
                .Select(v => ToVolume(v, call.Now)).ToList(), cancellationToken);

    public Task<IReadOnlyList<string>> FindImagesAsync(IReadOnlyList<TagQuery> tags, CancellationToken cancellationToken = default) =>
        Call<IReadOnlyList<string>>("DescribeImages", [("Tags", Join(tags))], call =>
            world.Images.Values.Where(i => Owns(call, i.Account, i.Region) && SimulatedAws.MatchesAll(i.Tags, tags)).Select(i => i.Id).ToList(), cancellationToken);

    public Task DeregisterImageAsync(string imageId, CancellationToken cancellationToken = default) =>
        Call("DeregisterImage", [("ImageId", imageId)], call =>
        {
            if (world.Images.GetValueOrDefault(imageId) is not { } image || !Owns(call, image.Account, image.Region))
                throw call.NotFound("InvalidAMIID.NotFound", $"The image id '[{imageId}]' does not exist");
            world.Images.Remove(imageId);
            return true;
        }, cancellationToken);

    public Task DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken = default) =>
        Call("DeleteVolume", [("VolumeId", volumeId)], call =>
        {
            var volume = OwnVolume(call, volumeId);
            switch (volume.State(call.Now))
            {
                case "in-use":
                    throw call.Conflict("VolumeInUse", $"Volume {volumeId} is currently attached to {volume.AttachedTo}");
                case "creating":
                    throw call.Conflict("IncorrectState", $"The volume '{volumeId}' is 'creating' and cannot be deleted until it is available");
            }
            world.Volumes.Remove(volume.Id);
            return true;
        }, cancellationToken);

    public Task DeleteOnTerminationAsync(string instanceId, IReadOnlyList<string> deviceNames, CancellationToken cancellationToken = default) =>
        Call("ModifyInstanceAttribute", [("InstanceId", instanceId), ("BlockDeviceMapping", Join(deviceNames))], call =>
        {
            var instance = OwnInstance(call, instanceId);
            RequireNotTerminated(call, instance, "modified");
            var volumes = deviceNames.Select(device => instance.Volumes.FirstOrDefault(v => v.DeviceName == device)
                ?? throw call.Invalid("InvalidInstanceAttributeValue", $"No device is mapped at {device} on instance {instanceId}")).ToList();
            foreach (var volume in volumes)
                volume.DeleteOnTermination = true;
            return true;
        }, cancellationToken);

    /// <summary>Terminating a terminated instance succeeds, as in AWS; volumes not marked delete-on-termination are detached and kept.</summary>
    public Task TerminateInstanceAsync(string instanceId, CancellationToken cancellationToken = default) =>
        Call("TerminateInstances", [("InstanceId", instanceId)], call =>
        {
            var instance = OwnInstance(call, instanceId);
            instance.StateOverride = "terminated";
            foreach (var volume in instance.Volumes)
            {
                if (volume.DeleteOnTermination)
                {
                    world.Volumes.Remove(volume.Id);
                    continue;
                }
                volume.AttachedTo = null;
                volume.DeviceName = null;
            }
            instance.Volumes.Clear();
            return true;
        }, cancellationToken);

    // What people and other tools do in an account besides Ferry, which Ferry's port leaves out: tests set up the world
    // with these (a person's own snapshot, a tag someone changed), as logged calls under the same rules as Ferry's.

    /// <summary>CreateSnapshot of one volume (Ferry snapshots whole instances with CreateSnapshots).</summary>
    public Task<Ec2Snapshot> CreateSnapshotAsync(string volumeId, string description, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default) =>
        Call("CreateSnapshot", [("VolumeId", volumeId), ("Tags", SimulatedAws.Describe(tags))], call =>
        {
            var volume = OwnVolume(call, volumeId);
            RequireSnapshotRoom(call, "CreateSnapshot", 1);
            return ToSnapshot(NewSnapshot(call, "CreateSnapshot", volume, tags, description), call.Now);
        }, cancellationToken);

    public Task CreateTagsAsync(IReadOnlyList<string> resourceIds, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default) =>
        Call("CreateTags", [("Resources", Join(resourceIds)), ("Tags", SimulatedAws.Describe(tags))], call =>
        {
            var targets = resourceIds.Select(id => TagsOf(call, id)).ToList();
            foreach (var target in targets)
            {
                foreach (var (key, value) in tags)
                    target[key] = value;
            }
            return true;
        }, cancellationToken);

    private static void RequireNotTerminated(Call call, SimInstance instance, string action)
    {
        if (instance.StateOverride == "terminated")
            throw call.Conflict("IncorrectInstanceState", $"The instance '{instance.Id}' is terminated and cannot be {action}");
    }

    /// <summary>Refuses snapshots beyond the account's EBS snapshot limit in the region (copies count too).</summary>
    private void RequireSnapshotRoom(Call call, string operation, int adding)
    {
        var limit = world.Spec.Limits.EbsSnapshots;
        var count = world.EbsSnapshots.Values.Count(s => s.Account == call.Account && s.Region == call.Region);
        if (count + adding > limit)
        {
            throw call.Limit("SnapshotLimitExceeded",
                $"The maximum number of snapshots has been reached: account {call.Account} has {count} snapshots in {call.Region} (limit {limit})");
        }
    }

    private SimEbsSnapshot NewSnapshot(Call call, string operation, SimVolume volume, IReadOnlyDictionary<string, string> tags, string description)
    {
        var timings = world.Spec.Timings;
        var snapshot = new SimEbsSnapshot
        {
            Id = world.NewId("snap"),
            Account = call.Account,
            Region = call.Region,
            VolumeId = volume.Id,
            SizeGiB = volume.SizeGiB,
            Encrypted = volume.Encrypted,
            Key = volume.Key,
            Tags = call.TagsOf(tags),
            Life = world.Work(call, operation, SimulatedAws.Seconds(timings.EbsSnapshotSeconds + timings.EbsSnapshotSecondsPerGiB * volume.SizeGiB)),
            Description = description,
        };
        world.EbsSnapshots.Add(snapshot.Id, snapshot);
        return snapshot;
    }

    /// <summary>The key a volume made from the snapshot is encrypted with; the caller must read the snapshot's key and write the new one.</summary>
    private SimKey? TargetKey(Call call, SimEbsSnapshot snapshot, bool encrypted, string? kmsKeyId)
    {
        if (snapshot.Key is { } sourceKey)
            world.RequireKey(call, sourceKey, KeyUse.Decrypt, Unauthorized);
        if (!encrypted)
            return null;
        // Without a key, an own snapshot keeps its key; a shared one gets the caller's default key.
        var key = kmsKeyId is not null ? world.RequestKey(call, kmsKeyId, "InvalidParameterValue")
            : snapshot.Key is not null && snapshot.Account == call.Account && snapshot.Region == call.Region ? snapshot.Key
            : world.DefaultKey(call.Account, call.Region, "ebs");
        world.RequireKey(call, key, KeyUse.Encrypt, Unauthorized);
        return key;
    }

    private SimVolume NewVolume(Call call, SimEbsSnapshot snapshot, string zone, string volumeType, int size, SimKey? key,
        IReadOnlyDictionary<string, string> tags, string? clientToken, int? iops, int? throughput)
    {
        var volume = new SimVolume
        {
            Id = world.NewId("vol"),
            Account = call.Account,
            Region = call.Region,
            Zone = zone,
            SizeGiB = size,
            VolumeType = volumeType,
            Encrypted = key is not null,
            Key = key,
            Tags = call.TagsOf(tags),
            ReadyAt = call.Now + SimulatedAws.Seconds(world.Spec.Timings.VolumeSeconds),
            SnapshotId = snapshot.Id,
            ClientToken = clientToken,
            Iops = iops,
            Throughput = throughput,
        };
        world.Volumes.Add(volume.Id, volume);
        return volume;
    }

    private bool Owns(Call call, string account, string atRegion) => account == call.Account && atRegion == region;

    private bool Visible(Call call, SimEbsSnapshot snapshot) => snapshot.Account == call.Account || snapshot.SharedWith.Contains(call.Account);

    private SimInstance OwnInstance(Call call, string id) =>
        world.Instances.GetValueOrDefault(id) is { } i && Owns(call, i.Account, i.Region)
            ? i
            : throw call.NotFound("InvalidInstanceID.NotFound", $"The instance ID '{id}' does not exist");

    private SimVolume OwnVolume(Call call, string id) =>
        world.Volumes.GetValueOrDefault(id) is { } v && Owns(call, v.Account, v.Region)
            ? v
            : throw call.NotFound("InvalidVolume.NotFound", $"The volume '{id}' does not exist.");

    private SimEbsSnapshot OwnSnapshot(Call call, string id) =>
        world.EbsSnapshots.GetValueOrDefault(id) is { } s && Owns(call, s.Account, s.Region)
            ? s
            : throw call.NotFound("InvalidSnapshot.NotFound", $"The snapshot '{id}' does not exist.");

    private SimEbsSnapshot VisibleSnapshot(Call call, string id) =>
        world.EbsSnapshots.GetValueOrDefault(id) is { } s && s.Region == region && Visible(call, s)
            ? s
            : throw call.NotFound("InvalidSnapshot.NotFound", $"The snapshot '{id}' does not exist.");

    private static void RequireCompleted(Call call, SimEbsSnapshot snapshot, string action)
    {
        switch (snapshot.State(call.Now))
        {
            case "pending":
                throw call.Conflict("IncorrectState", $"Snapshot {snapshot.Id} is pending ({snapshot.Life.Percent(call.Now)}%); it cannot be {action} until it is completed");
            case "error":
                throw call.Conflict("IncorrectState", $"Snapshot {snapshot.Id} is in state error and cannot be {action}");
        }
    }

    private void RequireZone(Call call, string zone)
    {
        if (!zone.StartsWith(region, StringComparison.Ordinal) || zone.Length != region.Length + 1)
            throw call.Invalid("InvalidParameterValue", $"Invalid availability zone: [{zone}] is not a zone of {region}");
    }

    private Dictionary<string, string> TagsOf(Call call, string id) => id.Split('-')[0] switch
    {
        "i" => OwnInstance(call, id).Tags,
        "vol" => OwnVolume(call, id).Tags,
        "snap" => OwnSnapshot(call, id).Tags,
        "ami" => world.Images.GetValueOrDefault(id) is { } image && Owns(call, image.Account, image.Region)
            ? image.Tags
            : throw call.NotFound("InvalidAMIID.NotFound", $"The image id '[{id}]' does not exist"),
        _ => throw call.Invalid("InvalidID", $"The ID '{id}' is not valid"),
    };

    private static Ec2Instance ToInstance(SimInstance i, DateTimeOffset now) =>
        new(i.Id, i.InstanceType, i.State(now), i.Zone, i.RootDeviceName, new Dictionary<string, string>(i.Tags),
            [.. i.Volumes.Select(v => ToVolume(v, now))], i.ImageId, i.SubnetId, i.SecurityGroupIds, i.Architecture);

    private static Ec2Volume ToVolume(SimVolume v, DateTimeOffset now) =>
        new(v.Id, v.DeviceName, v.SizeGiB, v.VolumeType, v.Encrypted, v.Key?.Arn, v.State(now), v.Zone,
            new Dictionary<string, string>(v.Tags), v.SnapshotId, v.AttachedTo, v.Iops, v.Throughput);

    private static Ec2Snapshot ToSnapshot(SimEbsSnapshot s, DateTimeOffset now)
    {
        var state = s.State(now);
        return new Ec2Snapshot(s.Id, s.VolumeId, state, s.Encrypted, s.Key?.Arn, s.Account, s.SizeGiB, s.Life.Start,
            new Dictionary<string, string>(s.Tags), $"{s.Life.Percent(now)}%", state == "error" ? "The snapshot could not be completed (injected fault)" : null);
    }

    internal static string? Join(IReadOnlyList<string>? values) => values is null ? null : string.Join(",", values);

    internal static string? Join(IReadOnlyList<TagQuery>? tags) =>
        tags is null ? null : string.Join(";", tags.Select(t => $"{t.Key}={string.Join("|", t.Values)}"));
}
