using System.Globalization;
using System.Xml.Linq;
using Ferry.Core.Planning;
using Ferry.Core.Ports;
using Ferry.Simulator.Wire;
using Ferry.Simulator.World;
using static Ferry.Simulator.Wire.Protocols;

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

/// <summary>
/// EC2 and EBS (protocol <c>ec2</c>, version 2016-11-15) as one role sees its region: the instance, volume, snapshot and
/// image operations Ferry and the people around it use, with EC2's sharing, copy, key, quota and state rules.
/// </summary>
internal sealed class Ec2Wire(SimulatedAws world) : IWireService
{
    private const string Unauthorized = "UnauthorizedOperation";

    private static readonly HashSet<string> Operations = new(StringComparer.Ordinal)
    {
        "DescribeInstances", "DescribeVolumes", "DescribeSnapshots", "DescribeImages", "CreateSnapshots", "CreateSnapshot", "CreateTags",
        "ModifySnapshotAttribute", "CopySnapshot", "DeleteSnapshot", "RegisterImage", "DeregisterImage", "RunInstances", "CreateVolume",
        "AttachVolume", "DeleteVolume", "ModifyInstanceAttribute", "TerminateInstances",
    };

    public string Name => "ec2";

    public string? OperationOf(WireRequest request) => request.Param("Action") is { } action && Operations.Contains(action) ? action : null;

    public WireReply Handle(Call call, string operation, WireRequest request) => operation switch
    {
        "DescribeInstances" => DescribeInstances(call, request),
        "DescribeVolumes" => DescribeVolumes(call, request),
        "DescribeSnapshots" => DescribeSnapshots(call, request),
        "DescribeImages" => DescribeImages(call, request),
        "CreateSnapshots" => CreateSnapshots(call, request),
        "CreateSnapshot" => CreateSnapshot(call, request),
        "CreateTags" => CreateTags(call, request),
        "ModifySnapshotAttribute" => ModifySnapshotAttribute(call, request),
        "CopySnapshot" => CopySnapshot(call, request),
        "DeleteSnapshot" => DeleteSnapshot(call, request),
        "RegisterImage" => RegisterImage(call, request),
        "DeregisterImage" => DeregisterImage(call, request),
        "RunInstances" => RunInstances(call, request),
        "CreateVolume" => CreateVolume(call, request),
        "AttachVolume" => AttachVolume(call, request),
        "DeleteVolume" => DeleteVolume(call, request),
        "ModifyInstanceAttribute" => ModifyInstanceAttribute(call, request),
        _ => TerminateInstances(call, request),
    };

    /// <summary>EC2's statuses: throttling 503, internal errors 500, authorization 403, authentication 401, every other refusal 400.</summary>
    public WireReply Fault(AwsFault fault, string operation, string requestId) =>
        Ec2Error(fault.Status ?? fault.Kind switch
        {
            FaultKind.Throttled => 503,
            FaultKind.Transient => 500,
            FaultKind.Denied => 403,
            FaultKind.Unauthenticated => 401,
            _ => 400,
        }, fault.Code, fault.Message, requestId);

    // ---- describe ----

    /// <summary>Ids given as InstanceId.N must all exist; ids given in the instance-id filter are left out when they do not.</summary>
    private WireReply DescribeInstances(Call call, WireRequest request)
    {
        var filters = Filters(request);
        var candidates = request.List("InstanceId") is { Count: > 0 } ids ? ids.Select(id => OwnInstance(call, id))
            : Values(filters, "instance-id") is { } filtered ? filtered.Select(id => world.Instances.GetValueOrDefault(id)).OfType<SimInstance>()
            : world.Instances.Values;
        var found = candidates.Where(i => Owns(call, i.Account, i.Region) && MatchesFilters(filters, i.Tags, name => name switch
        {
            "instance-id" => i.Id,
            "instance-state-name" => i.State(call.Now),
            "availability-zone" => i.Zone,
            _ => null,
        })).ToList();
        var (page, next) = Paged(call, request, found);
        return Ec2("DescribeInstances", call.RequestId,
            Items("reservationSet", page.Select(i => (object?)ReservationMembers(call, [i]))), El("nextToken", next));
    }

    private WireReply DescribeVolumes(Call call, WireRequest request)
    {
        var filters = Filters(request);
        var candidates = request.List("VolumeId") is { Count: > 0 } ids ? ids.Select(id => OwnVolume(call, id))
            : Values(filters, "volume-id") is { } filtered ? filtered.Select(id => world.Volumes.GetValueOrDefault(id)).OfType<SimVolume>()
            : world.Volumes.Values;
        var found = candidates.Where(v => Owns(call, v.Account, v.Region) && MatchesFilters(filters, v.Tags, name => name switch
        {
            "volume-id" => v.Id,
            "status" => v.State(call.Now),
            "snapshot-id" => v.SnapshotId,
            "attachment.instance-id" => v.AttachedTo,
            _ => null,
        })).ToList();
        var (page, next) = Paged(call, request, found);
        return Ec2("DescribeVolumes", call.RequestId, Items("volumeSet", page.Select(v => (object?)VolumeMembers(v, call.Now))), El("nextToken", next));
    }

    /// <summary>
    /// By id (SnapshotId.N must be visible; the snapshot-id filter leaves out what is not), or the caller's own
    /// (Owner self), those it may restore (RestorableBy self: own and shared with it), or all it can use.
    /// </summary>
    private WireReply DescribeSnapshots(Call call, WireRequest request)
    {
        var filters = Filters(request);
        var owners = request.List("Owner");
        var restorableBy = request.List("RestorableBy");
        var candidates = request.List("SnapshotId") is { Count: > 0 } ids ? ids.Select(id => VisibleSnapshot(call, id))
            : Values(filters, "snapshot-id") is { } filtered ? filtered.Select(id => world.EbsSnapshots.GetValueOrDefault(id)).OfType<SimEbsSnapshot>()
            : world.EbsSnapshots.Values;
        var found = candidates.Where(s => s.Region == call.Region && Visible(call, s)
                && (owners.Count == 0 || owners.Any(o => o == s.Account || (o == "self" && s.Account == call.Account)))
                && (restorableBy.Count == 0 || restorableBy.Any(r => RestorableBy(call, s, r)))
                && MatchesFilters(filters, s.Tags, name => name switch
                {
                    "snapshot-id" => s.Id,
                    "volume-id" => s.VolumeId,
                    "status" => s.State(call.Now),
                    "owner-id" => s.Account,
                    _ => null,
                }))
            .ToList();
        var (page, next) = Paged(call, request, found);
        return Ec2("DescribeSnapshots", call.RequestId, Items("snapshotSet", page.Select(s => (object?)SnapshotMembers(s, call.Now))), El("nextToken", next));
    }

    /// <summary>Images are the caller's own (sharing images is not simulated).</summary>
    private WireReply DescribeImages(Call call, WireRequest request)
    {
        var filters = Filters(request);
        var ids = request.List("ImageId");
        var found = world.Images.Values.Where(i => Owns(call, i.Account, i.Region) && (ids.Count == 0 || ids.Contains(i.Id))
            && MatchesFilters(filters, i.Tags, name => name switch
            {
                "name" => i.Name,
                "image-id" => i.Id,
                "state" => "available",
                _ => null,
            }));
        return Ec2("DescribeImages", call.RequestId, Items("imagesSet", found.Select(i => (object?)new object?[]
        {
            El("imageId", i.Id), El("imageLocation", $"{i.Account}/{i.Name}"), El("imageState", "available"), El("imageOwnerId", i.Account),
            El("isPublic", false), El("architecture", i.Architecture), El("imageType", "machine"), El("name", i.Name),
            El("rootDeviceType", "ebs"), El("rootDeviceName", i.RootDeviceName),
            Items("blockDeviceMapping", [new object?[] { El("deviceName", i.RootDeviceName), new XElement("ebs", El("snapshotId", i.RootSnapshotId)) }]),
            El("virtualizationType", "hvm"), El("enaSupport", true), TagSet(i.Tags),
        })));
    }

    // ---- snapshots ----

    private WireReply CreateSnapshots(Call call, WireRequest request)
    {
        var instanceId = Required(call, request, "InstanceSpecification.InstanceId");
        var instance = OwnInstance(call, instanceId);
        var tags = TagsFor(request, "snapshot");
        var copyVolumeTags = request.Param("CopyTagsFromSource") == "volume";
        RequireSnapshotRoom(call, instance.Volumes.Count);
        // CopyTagsFromSource=volume gives each snapshot its volume's tags; the request's own tags win where both name a key.
        var snapshots = instance.Volumes
            .Select(v => NewSnapshot(call, "CreateSnapshots", v, copyVolumeTags ? Merged(v.Tags, tags) : tags,
                request.Param("Description") ?? $"Multi-volume snapshot of {instanceId}"))
            .ToList();
        // SnapshotInfo: the state member is "state", not "status", and EC2 leaves the key out.
        return Ec2("CreateSnapshots", call.RequestId, Items("snapshotSet", snapshots.Select(s => (object?)new object?[]
        {
            El("description", s.Description), TagSet(s.Tags), El("encrypted", s.Encrypted), El("volumeId", s.VolumeId),
            El("state", s.State(call.Now)), El("volumeSize", s.SizeGiB), El("startTime", s.Life.Start),
            El("progress", $"{s.Life.Percent(call.Now)}%"), El("ownerId", s.Account), El("snapshotId", s.Id),
        })));
    }

    /// <summary>CreateSnapshot of one volume (Ferry snapshots whole instances with CreateSnapshots; people use this one).</summary>
    private WireReply CreateSnapshot(Call call, WireRequest request)
    {
        var volume = OwnVolume(call, Required(call, request, "VolumeId"));
        RequireSnapshotRoom(call, 1);
        var snapshot = NewSnapshot(call, "CreateSnapshot", volume, TagsFor(request, "snapshot"), request.Param("Description") ?? "");
        return Ec2("CreateSnapshot", call.RequestId, SnapshotMembers(snapshot, call.Now));
    }

    /// <summary>Grants (createVolumePermission add) accounts use of the snapshot, as UserId.N or CreateVolumePermission.Add.N.UserId.</summary>
    private WireReply ModifySnapshotAttribute(Call call, WireRequest request)
    {
        var snapshot = OwnSnapshot(call, Required(call, request, "SnapshotId"));
        var accounts = request.List("UserId").Concat(request.Structs("CreateVolumePermission.Add").Select(p => p.GetValueOrDefault("UserId")).OfType<string>()).ToList();
        if (request.Param("Attribute") is { } attribute && attribute != "createVolumePermission")
            throw call.Invalid("InvalidParameterValue", $"Value ({attribute}) for parameter attribute is invalid; only createVolumePermission can be modified here");
        if (request.Param("OperationType") is "remove")
            throw call.Invalid("InvalidParameterValue", "Removing create volume permissions is not simulated");
        if (accounts.Count == 0)
            throw call.Invalid("MissingParameter", "The request must contain the parameter userId or createVolumePermission");
        RequireCompleted(call, snapshot, "shared");
        foreach (var account in accounts)
            world.RequireShareable(call, snapshot.Id, snapshot.Key, account, "InvalidParameter", Unauthorized);
        snapshot.SharedWith.UnionWith(accounts);
        return Ec2("ModifySnapshotAttribute", call.RequestId, El("return", true));
    }

    /// <summary>
    /// CopySnapshot at the destination region's endpoint. The SDK adds a pre-signed URL (the same call signed for the
    /// source region) for cross-region copies; AWS reads encrypted sources with it, so it is accepted, not needed here.
    /// </summary>
    private WireReply CopySnapshot(Call call, WireRequest request)
    {
        var sourceRegion = Required(call, request, "SourceRegion");
        var sourceId = Required(call, request, "SourceSnapshotId");
        var requestedEncrypted = Flag(request, "Encrypted") ?? false;
        var kmsKeyId = request.Param("KmsKeyId");
        var source = world.EbsSnapshots.GetValueOrDefault(sourceId);
        if (source is null || source.Region != sourceRegion || !Visible(call, source))
            throw call.NotFound("InvalidSnapshot.NotFound", $"The snapshot '{sourceId}' does not exist in {sourceRegion} or is not shared with account {call.Account}");
        RequireCompleted(call, source, "copied");
        var encrypted = requestedEncrypted || source.Encrypted;
        if (kmsKeyId is not null && !requestedEncrypted)
            throw call.Invalid("InvalidParameterDependency", "KmsKeyId requires Encrypted to be true");
        var target = !encrypted ? null
            : kmsKeyId is not null ? world.RequestKey(call, kmsKeyId, "InvalidParameterValue")
            : world.DefaultKey(call.Account, call.Region, "ebs");
        if (source.Key is { } sourceKey)
            world.RequireKey(call, sourceKey, KeyUse.Decrypt, Unauthorized);
        if (target is not null)
            world.RequireKey(call, target, KeyUse.Encrypt, Unauthorized);
        RequireSnapshotRoom(call, 1);
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
            Tags = TagsFor(request, "snapshot"),
            Life = world.Work(call, "CopySnapshot", SimulatedAws.Seconds(timings.EbsCopySeconds + timings.EbsCopySecondsPerGiB * source.SizeGiB)),
            Description = request.Param("Description") ?? "",
        };
        world.EbsSnapshots.Add(copy.Id, copy);
        world.StartCopy(call, CopyService.Ebs, call.Account, call.Region, copy.Id, copy.Life);
        return Ec2("CopySnapshot", call.RequestId, El("snapshotId", copy.Id), TagSet(copy.Tags));
    }

    private WireReply DeleteSnapshot(Call call, WireRequest request)
    {
        var snapshot = OwnSnapshot(call, Required(call, request, "SnapshotId"));
        if (world.Images.Values.FirstOrDefault(i => i.RootSnapshotId == snapshot.Id) is { } image)
            throw call.Conflict("InvalidSnapshot.InUse", $"The snapshot {snapshot.Id} is currently in use by {image.Id}");
        world.EbsSnapshots.Remove(snapshot.Id);
        world.EndCopy(call, snapshot.Id);
        return Ec2("DeleteSnapshot", call.RequestId, El("return", true));
    }

    // ---- images and instances ----

    private WireReply RegisterImage(Call call, WireRequest request)
    {
        var name = Required(call, request, "Name");
        var rootDevice = Required(call, request, "RootDeviceName");
        var rootSnapshotId = request.Structs("BlockDeviceMapping").FirstOrDefault(m => m.GetValueOrDefault("DeviceName") == rootDevice)?.GetValueOrDefault("Ebs.SnapshotId")
            ?? throw call.Invalid("InvalidBlockDeviceMapping", $"The root device {rootDevice} has no block device mapping with a snapshot");
        var snapshot = VisibleSnapshot(call, rootSnapshotId);
        RequireCompleted(call, snapshot, "registered as an image");
        if (world.Images.Values.Any(i => Owns(call, i.Account, i.Region) && i.Name == name))
            throw call.Conflict("InvalidAMIName.Duplicate", $"AMI name {name} is already in use by an AMI of account {call.Account}");
        var image = new SimImage(world.NewId("ami"), call.Account, call.Region, name, rootDevice, snapshot.Id, request.Param("Architecture") ?? "x86_64", TagsFor(request, "image"));
        world.Images.Add(image.Id, image);
        return Ec2("RegisterImage", call.RequestId, El("imageId", image.Id));
    }

    private WireReply DeregisterImage(Call call, WireRequest request)
    {
        var imageId = Required(call, request, "ImageId");
        if (world.Images.GetValueOrDefault(imageId) is not { } image || !Owns(call, image.Account, image.Region))
            throw call.NotFound("InvalidAMIID.NotFound", $"The image id '[{imageId}]' does not exist");
        world.Images.Remove(imageId);
        return Ec2("DeregisterImage", call.RequestId, El("return", true));
    }

    /// <summary>One instance from an image; a retry with the same ClientToken returns the first launch.</summary>
    private WireReply RunInstances(Call call, WireRequest request)
    {
        var clientToken = request.Param("ClientToken");
        var earlier = clientToken is null ? null : world.Instances.Values.FirstOrDefault(i => Owns(call, i.Account, i.Region) && i.ClientToken == clientToken);
        if (earlier is not null)
            return Ec2("RunInstances", call.RequestId, ReservationMembers(call, [earlier]));
        if (request.Param("MinCount") is not "1" || request.Param("MaxCount") is not "1")
            throw call.Invalid("InvalidParameterValue", "This simulated EC2 launches one instance at a time (MinCount and MaxCount 1)");
        var imageId = Required(call, request, "ImageId");
        var image = world.Images.GetValueOrDefault(imageId) is { } found && Owns(call, found.Account, found.Region)
            ? found
            : throw call.NotFound("InvalidAMIID.NotFound", $"The image id '[{imageId}]' does not exist");
        var zone = Required(call, request, "Placement.AvailabilityZone");
        RequireZone(call, zone);
        var snapshot = world.EbsSnapshots.GetValueOrDefault(image.RootSnapshotId)
            ?? throw call.NotFound("InvalidSnapshot.NotFound", $"The root snapshot {image.RootSnapshotId} of {image.Id} no longer exists");
        var rootMapping = request.Structs("BlockDeviceMapping").FirstOrDefault(m => m.GetValueOrDefault("DeviceName") == image.RootDeviceName);
        var rootKmsKeyId = rootMapping?.GetValueOrDefault("Ebs.KmsKeyId");
        var rootEncrypted = rootMapping?.GetValueOrDefault("Ebs.Encrypted") == "true";
        var rootKey = TargetKey(call, snapshot, rootKmsKeyId is not null || rootEncrypted || snapshot.Encrypted, rootKmsKeyId);
        var instanceId = world.NewId("i");
        var root = NewVolume(call, snapshot, zone, "gp3", snapshot.SizeGiB, rootKey, [], null, null, null);
        root.AttachedTo = instanceId;
        root.DeviceName = image.RootDeviceName;
        root.DeleteOnTermination = true;
        var instance = new SimInstance
        {
            Id = instanceId,
            Account = call.Account,
            Region = call.Region,
            Zone = zone,
            InstanceType = Required(call, request, "InstanceType"),
            RootDeviceName = image.RootDeviceName,
            Architecture = image.Architecture,
            Tags = TagsFor(request, "instance"),
            Volumes = [root],
            ReadyAt = call.Now + SimulatedAws.Seconds(world.Spec.Timings.InstanceSeconds),
            ImageId = image.Id,
            SubnetId = request.Param("SubnetId"),
            SecurityGroupIds = request.List("SecurityGroupId"),
            ClientToken = clientToken,
        };
        world.Instances.Add(instanceId, instance);
        return Ec2("RunInstances", call.RequestId, ReservationMembers(call, [instance]));
    }

    private WireReply ModifyInstanceAttribute(Call call, WireRequest request)
    {
        var instance = OwnInstance(call, Required(call, request, "InstanceId"));
        RequireNotTerminated(call, instance, "modified");
        var mappings = request.Structs("BlockDeviceMapping");
        if (mappings.Count == 0)
            throw call.Invalid("InvalidParameterCombination", "This simulated EC2 modifies only the blockDeviceMapping attribute");
        var changes = mappings.Select(m =>
        {
            var device = m.GetValueOrDefault("DeviceName") ?? throw call.Invalid("MissingParameter", "A block device mapping must name its device");
            var volume = instance.Volumes.FirstOrDefault(v => v.DeviceName == device)
                ?? throw call.Invalid("InvalidInstanceAttributeValue", $"No device is mapped at {device} on instance {instance.Id}");
            return (volume, m.GetValueOrDefault("Ebs.DeleteOnTermination") == "true");
        }).ToList();
        foreach (var (volume, deleteOnTermination) in changes)
            volume.DeleteOnTermination = deleteOnTermination;
        return Ec2("ModifyInstanceAttribute", call.RequestId, El("return", true));
    }

    /// <summary>Terminating a terminated instance succeeds, as in AWS; volumes not marked delete-on-termination are detached and kept.</summary>
    private WireReply TerminateInstances(Call call, WireRequest request)
    {
        var instances = request.List("InstanceId").Select(id => OwnInstance(call, id)).ToList();
        var changes = new List<object?>();
        foreach (var instance in instances)
        {
            var previous = instance.State(call.Now);
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
            changes.Add(new object?[] { El("instanceId", instance.Id), InstanceState("currentState", "terminated"), InstanceState("previousState", previous) });
        }
        return Ec2("TerminateInstances", call.RequestId, Items("instancesSet", changes));
    }

    // ---- volumes ----

    /// <summary>A volume from a snapshot; a retry with the same ClientToken returns the first volume.</summary>
    private WireReply CreateVolume(Call call, WireRequest request)
    {
        var clientToken = request.Param("ClientToken");
        var earlier = clientToken is null ? null : world.Volumes.Values.FirstOrDefault(v => Owns(call, v.Account, v.Region) && v.ClientToken == clientToken);
        if (earlier is not null)
            return Ec2("CreateVolume", call.RequestId, VolumeMembers(earlier, call.Now));
        var snapshot = VisibleSnapshot(call, Required(call, request, "SnapshotId"));
        RequireCompleted(call, snapshot, "used to create a volume");
        var zone = Required(call, request, "AvailabilityZone");
        RequireZone(call, zone);
        var encrypted = Flag(request, "Encrypted") ?? false;
        var kmsKeyId = request.Param("KmsKeyId");
        if (kmsKeyId is not null && !encrypted)
            throw call.Invalid("InvalidParameterDependency", "KmsKeyId requires Encrypted to be true");
        var size = Number(request, "Size");
        if (size < snapshot.SizeGiB)
            throw call.Invalid("InvalidParameterValue", $"Volume of {size} GiB is smaller than snapshot {snapshot.Id}, {snapshot.SizeGiB} GiB");
        var key = TargetKey(call, snapshot, encrypted || snapshot.Encrypted, kmsKeyId);
        var volume = NewVolume(call, snapshot, zone, request.Param("VolumeType") ?? "gp2", size ?? snapshot.SizeGiB, key,
            TagsFor(request, "volume"), clientToken, Number(request, "Iops"), Number(request, "Throughput"));
        return Ec2("CreateVolume", call.RequestId, VolumeMembers(volume, call.Now));
    }

    private WireReply AttachVolume(Call call, WireRequest request)
    {
        var volumeId = Required(call, request, "VolumeId");
        var instanceId = Required(call, request, "InstanceId");
        var device = Required(call, request, "Device");
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
        if (instance.Volumes.Any(v => v.DeviceName == device))
            throw call.Invalid("InvalidParameterValue", $"Invalid value '{device}' for unixDevice. Attachment point {device} is already in use");
        volume.AttachedTo = instance.Id;
        volume.DeviceName = device;
        instance.Volumes.Add(volume);
        return Ec2("AttachVolume", call.RequestId,
            El("attachTime", call.Now), El("device", device), El("instanceId", instance.Id), El("status", "attaching"), El("volumeId", volume.Id), El("deleteOnTermination", false));
    }

    private WireReply DeleteVolume(Call call, WireRequest request)
    {
        var volume = OwnVolume(call, Required(call, request, "VolumeId"));
        switch (volume.State(call.Now))
        {
            case "in-use":
                throw call.Conflict("VolumeInUse", $"Volume {volume.Id} is currently attached to {volume.AttachedTo}");
            case "creating":
                throw call.Conflict("IncorrectState", $"The volume '{volume.Id}' is 'creating' and cannot be deleted until it is available");
        }
        world.Volumes.Remove(volume.Id);
        return Ec2("DeleteVolume", call.RequestId, El("return", true));
    }

    // ---- tags ----

    /// <summary>Tags every resource, or none when one of them cannot be tagged by the caller.</summary>
    private WireReply CreateTags(Call call, WireRequest request)
    {
        var tags = request.Structs("Tag").ToDictionary(t => t.GetValueOrDefault("Key") ?? throw call.Invalid("MissingParameter", "A tag must have a key"),
            t => t.GetValueOrDefault("Value") ?? "", StringComparer.Ordinal);
        var targets = request.List("ResourceId").Select(id => TagsOf(call, id)).ToList();
        foreach (var target in targets)
        {
            foreach (var (key, value) in tags)
                target[key] = value;
        }
        return Ec2("CreateTags", call.RequestId, El("return", true));
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

    // ---- rules ----

    private static void RequireNotTerminated(Call call, SimInstance instance, string action)
    {
        if (instance.StateOverride == "terminated")
            throw call.Conflict("IncorrectInstanceState", $"The instance '{instance.Id}' is terminated and cannot be {action}");
    }

    /// <summary>Refuses snapshots beyond the account's EBS snapshot limit in the region (copies count too).</summary>
    private void RequireSnapshotRoom(Call call, int adding)
    {
        var limit = world.Spec.Limits.EbsSnapshots;
        var count = world.EbsSnapshots.Values.Count(s => s.Account == call.Account && s.Region == call.Region);
        if (count + adding > limit)
        {
            throw call.Limit("SnapshotLimitExceeded",
                $"The maximum number of snapshots has been reached: account {call.Account} has {count} snapshots in {call.Region} (limit {limit})");
        }
    }

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

    private static void RequireZone(Call call, string zone)
    {
        if (!zone.StartsWith(call.Region, StringComparison.Ordinal) || zone.Length != call.Region.Length + 1)
            throw call.Invalid("InvalidParameterValue", $"Invalid availability zone: [{zone}] is not a zone of {call.Region}");
    }

    private SimEbsSnapshot NewSnapshot(Call call, string operation, SimVolume volume, Dictionary<string, string> tags, string description)
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
            Tags = new(tags),
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
        Dictionary<string, string> tags, string? clientToken, int? iops, int? throughput)
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
            Tags = tags,
            ReadyAt = call.Now + SimulatedAws.Seconds(world.Spec.Timings.VolumeSeconds),
            SnapshotId = snapshot.Id,
            ClientToken = clientToken,
            Iops = iops,
            Throughput = throughput,
        };
        world.Volumes.Add(volume.Id, volume);
        return volume;
    }

    private static bool Owns(Call call, string account, string region) => account == call.Account && region == call.Region;

    private static bool Visible(Call call, SimEbsSnapshot snapshot) => snapshot.Account == call.Account || snapshot.SharedWith.Contains(call.Account);

    private static bool RestorableBy(Call call, SimEbsSnapshot snapshot, string who) =>
        who is "self" or "all" ? Visible(call, snapshot) : snapshot.Account == who || snapshot.SharedWith.Contains(who);

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
        world.EbsSnapshots.GetValueOrDefault(id) is { } s && s.Region == call.Region && Visible(call, s)
            ? s
            : throw call.NotFound("InvalidSnapshot.NotFound", $"The snapshot '{id}' does not exist.");

    // ---- request parameters ----

    private static string Required(Call call, WireRequest request, string name) =>
        request.Param(name) is { Length: > 0 } value ? value : throw call.Invalid("MissingParameter", $"The request must contain the parameter {name}");

    private static bool? Flag(WireRequest request, string name) => request.Param(name) is { } value ? value == "true" : null;

    private static int? Number(WireRequest request, string name) =>
        request.Param(name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : null;

    /// <summary>The tags of the request's TagSpecification.N for this resource type.</summary>
    private static Dictionary<string, string> TagsFor(WireRequest request, string resourceType)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in request.Structs("TagSpecification").Where(s => s.GetValueOrDefault("ResourceType") == resourceType))
        {
            foreach (var (members, _) in Indexed(spec, "Tag"))
                tags[members.GetValueOrDefault("Key") ?? ""] = members.GetValueOrDefault("Value") ?? "";
        }
        return tags;
    }

    private static Dictionary<string, string> Merged(IReadOnlyDictionary<string, string> tags, IReadOnlyDictionary<string, string> overrides)
    {
        var merged = new Dictionary<string, string>(tags, StringComparer.Ordinal);
        foreach (var (key, value) in overrides)
            merged[key] = value;
        return merged;
    }

    /// <summary>The Filter.N structures: EC2 ANDs filters and ORs each filter's values.</summary>
    private static List<(string Name, IReadOnlyList<string> Values)> Filters(WireRequest request) =>
        [.. request.Structs("Filter").Select(f => (f.GetValueOrDefault("Name") ?? "", (IReadOnlyList<string>)[.. Indexed(f, "Value").Select(v => v.Value)]))];

    /// <summary>Members of a nested query list inside a structure (<c>Tag.N.Key</c>, <c>Value.N</c>), in index order.</summary>
    private static IEnumerable<(IReadOnlyDictionary<string, string> Members, string Value)> Indexed(IReadOnlyDictionary<string, string> structure, string name)
    {
        var prefix = name + ".";
        return structure.Where(m => m.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(m => (Tail: m.Key[prefix.Length..], m.Value))
            .Select(m => (Index: m.Tail.Split('.')[0], Member: m.Tail.Contains('.', StringComparison.Ordinal) ? m.Tail[(m.Tail.IndexOf('.', StringComparison.Ordinal) + 1)..] : "", m.Value))
            .Where(m => int.TryParse(m.Index, CultureInfo.InvariantCulture, out _))
            .GroupBy(m => int.Parse(m.Index, CultureInfo.InvariantCulture))
            .OrderBy(g => g.Key)
            .Select(g => ((IReadOnlyDictionary<string, string>)g.Where(m => m.Member.Length > 0).ToDictionary(m => m.Member, m => m.Value, StringComparer.Ordinal),
                g.FirstOrDefault(m => m.Member.Length == 0).Value ?? ""));
    }

    private static IReadOnlyList<string>? Values(List<(string Name, IReadOnlyList<string> Values)> filters, string name) =>
        filters.Where(f => f.Name == name).Select(f => f.Values).FirstOrDefault();

    /// <summary>Every filter matches: tag:Key (any of the values), tag-key, or a named attribute (any of the values).</summary>
    private static bool MatchesFilters(List<(string Name, IReadOnlyList<string> Values)> filters, IReadOnlyDictionary<string, string> tags, Func<string, string?> attribute) =>
        filters.All(f => f.Name switch
        {
            "tag-key" => f.Values.Any(tags.ContainsKey),
            _ when f.Name.StartsWith("tag:", StringComparison.Ordinal) => tags.TryGetValue(f.Name[4..], out var value) && f.Values.Contains(value),
            _ => attribute(f.Name) is { } actual && f.Values.Contains(actual),
        });

    /// <summary>MaxResults and NextToken (the offset of the next page); EC2 refuses MaxResults below 5 and above 1000.</summary>
    private static (List<T> Page, string? Next) Paged<T>(Call call, WireRequest request, List<T> items)
    {
        if (Number(request, "MaxResults") is not { } max)
            return (items, null);
        if (max is < 5 or > 1000)
            throw call.Invalid("InvalidParameterValue", $"Value ({max}) for parameter maxResults is invalid. Expecting a value between 5 and 1000.");
        var start = request.Param("NextToken") is { Length: > 0 } token
            ? int.TryParse(token, CultureInfo.InvariantCulture, out var offset) && offset >= 0 ? offset : throw call.Invalid("InvalidParameterValue", $"Invalid NextToken {token}")
            : 0;
        var page = items.Skip(start).Take(max).ToList();
        return (page, start + max < items.Count ? (start + max).ToString(CultureInfo.InvariantCulture) : null);
    }

    // ---- answers ----

    private static readonly Dictionary<string, int> StateCodes = new(StringComparer.Ordinal)
    {
        ["pending"] = 0, ["running"] = 16, ["shutting-down"] = 32, ["terminated"] = 48, ["stopping"] = 64, ["stopped"] = 80,
    };

    private static XElement InstanceState(string element, string state) => new(element, El("code", StateCodes.GetValueOrDefault(state)), El("name", state));

    private static object?[] ReservationMembers(Call call, IReadOnlyList<SimInstance> instances) =>
    [
        El("reservationId", $"r-{instances[0].Id[2..]}"), El("ownerId", call.Account), new XElement("groupSet"),
        Items("instancesSet", instances.Select(i => (object?)InstanceMembers(i, call.Now))),
    ];

    private static object?[] InstanceMembers(SimInstance i, DateTimeOffset now) =>
    [
        El("instanceId", i.Id), El("imageId", i.ImageId), InstanceState("instanceState", i.State(now)), El("instanceType", i.InstanceType),
        new XElement("placement", El("availabilityZone", i.Zone), El("tenancy", "default")), El("subnetId", i.SubnetId),
        El("architecture", i.Architecture), El("rootDeviceType", "ebs"), El("rootDeviceName", i.RootDeviceName),
        Items("blockDeviceMapping", i.Volumes.Select(v => (object?)new object?[]
        {
            El("deviceName", v.DeviceName),
            new XElement("ebs", El("volumeId", v.Id), El("status", "attached"), El("deleteOnTermination", v.DeleteOnTermination)),
        })),
        Items("groupSet", i.SecurityGroupIds.Select(g => (object?)El("groupId", g))),
        El("clientToken", i.ClientToken), TagSet(i.Tags),
    ];

    private static object?[] VolumeMembers(SimVolume v, DateTimeOffset now) =>
    [
        El("volumeId", v.Id), El("size", v.SizeGiB), El("snapshotId", v.SnapshotId ?? ""), El("availabilityZone", v.Zone), El("status", v.State(now)),
        El("createTime", v.ReadyAt),
        Items("attachmentSet", v.AttachedTo is null ? [] : [new object?[]
        {
            El("volumeId", v.Id), El("instanceId", v.AttachedTo), El("device", v.DeviceName), El("status", "attached"), El("deleteOnTermination", v.DeleteOnTermination),
        }]),
        El("volumeType", v.VolumeType), El("iops", v.Iops), El("throughput", v.Throughput), El("encrypted", v.Encrypted), El("kmsKeyId", v.Key?.Arn),
        TagSet(v.Tags),
    ];

    private static object?[] SnapshotMembers(SimEbsSnapshot s, DateTimeOffset now)
    {
        var state = s.State(now);
        return
        [
            El("snapshotId", s.Id), El("volumeId", s.VolumeId), El("status", state),
            El("statusMessage", state == "error" ? "The snapshot could not be completed (injected fault)" : null),
            El("startTime", s.Life.Start), El("progress", $"{s.Life.Percent(now)}%"), El("ownerId", s.Account), El("volumeSize", s.SizeGiB),
            El("description", s.Description), El("encrypted", s.Encrypted), El("kmsKeyId", s.Key?.Arn), El("storageTier", "standard"), TagSet(s.Tags),
        ];
    }
}
