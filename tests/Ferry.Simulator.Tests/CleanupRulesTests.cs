using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Ports;
using static Ferry.Simulator.Tests.Sim;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Simulator.Tests;

/// <summary>Deleting what Ferry made: the simulator refuses what AWS refuses (in use, attached, not the owner).</summary>
public sealed class CleanupRulesTests
{
    private static readonly IReadOnlyDictionary<string, string> Restored = new Dictionary<string, string> { ["ferry:session"] = "restore-1", ["ferry:restore-point"] = "rp-1" };

    /// <summary>An instance launched from an image of the root snapshot, with the data volume created and attached, as a restore does.</summary>
    private static async Task<(IEc2Port Ec2, string Image, string Instance, Ec2Volume Data, IReadOnlyList<Ec2Snapshot> Snapshots)> RestoredAsync(Sim sim)
    {
        var snapshots = await sim.CompletedSnapshots("i-0a1b2c3d4e5f60002");
        var ec2 = await sim.Ec2(Restore);
        var image = await ec2.RegisterImageAsync(new RegisterImageRequest("restore-1", "/dev/xvda", snapshots[0].SnapshotId, "x86_64", Restored));
        var instance = await ec2.RunInstanceAsync(new RunInstanceRequest(image, "m6i.large", "eu-west-1a", null, [], "/dev/xvda", AppKey, Restored, "token-1"));
        var data = await ec2.CreateVolumeAsync(new CreateVolumeRequest(snapshots[1].SnapshotId, "eu-west-1a", "gp3", null, true, AppKey, Restored, "vol-token-1"));
        sim.Advance(1);
        // Assumed-role credentials last an hour, as AWS's do: after the hour a fresh session.
        return (await sim.Ec2(Restore), image, instance, data, snapshots);
    }

    [Fact]
    public async Task DeleteSnapshot_RootOfARegisteredImage_FailsInUse_UntilTheImageIsDeregistered()
    {
        var sim = new Sim();
        var (ec2, image, _, _, snapshots) = await RestoredAsync(sim);
        var source = await sim.Ec2(Source);

        await Fails<FerryInvalidStateException>("InvalidSnapshot.InUse", () => source.DeleteSnapshotAsync(snapshots[0].SnapshotId));
        await ec2.DeregisterImageAsync(image);
        await source.DeleteSnapshotAsync(snapshots[0].SnapshotId);

        await Fails<FerryNotFoundException>("InvalidAMIID.NotFound", () => ec2.DeregisterImageAsync(image));
        Assert.Empty(await source.DescribeSnapshotsAsync(new SnapshotQuery(Ids: [snapshots[0].SnapshotId])));
    }

    [Fact]
    public async Task DeleteSnapshot_SharedSnapshot_TheAccountItIsSharedWithCannot_TheOwnerCan()
    {
        var sim = new Sim();
        var snapshot = (await sim.CompletedSnapshots("i-0a1b2c3d4e5f60001"))[0];
        var source = await sim.Ec2(Source);
        await source.ShareSnapshotAsync(snapshot.SnapshotId, TargetAccount);
        var target = await sim.Ec2(Target);

        await Fails<FerryNotFoundException>("InvalidSnapshot.NotFound", () => target.DeleteSnapshotAsync(snapshot.SnapshotId));
        await source.DeleteSnapshotAsync(snapshot.SnapshotId);

        Assert.Empty(await target.DescribeSnapshotsAsync(new SnapshotQuery(Ids: [snapshot.SnapshotId])));
    }

    [Fact]
    public async Task DeleteVolume_WhileCreatingOrAttached_Refused_AvailableOneDeleted()
    {
        var sim = new Sim();
        var (ec2, _, instance, data, snapshots) = await RestoredAsync(sim);
        var creating = await ec2.CreateVolumeAsync(new CreateVolumeRequest(snapshots[1].SnapshotId, "eu-west-1a", "gp3", null, true, AppKey, Restored, "vol-token-2"));
        await ec2.AttachVolumeAsync(data.VolumeId, instance, "/dev/xvdb");

        await Fails<FerryNotReadyException>("IncorrectState", () => ec2.DeleteVolumeAsync(creating.VolumeId));
        await Fails<FerryInvalidStateException>("VolumeInUse", () => ec2.DeleteVolumeAsync(data.VolumeId));
        sim.Advance(1);
        ec2 = await sim.Ec2(Restore);
        await ec2.DeleteVolumeAsync(creating.VolumeId);

        Assert.Equal([data.VolumeId], (await ec2.FindVolumesAsync([new TagQuery("ferry:restore-point", ["rp-1"])])).Select(v => v.VolumeId));
        await Fails<FerryNotFoundException>("InvalidVolume.NotFound", () => ec2.DeleteVolumeAsync(creating.VolumeId));
    }

    [Fact]
    public async Task TerminateInstance_VolumesMarkedDeleteOnTerminationGoWithIt_OthersAreDetachedAndKept()
    {
        var sim = new Sim();
        var (ec2, _, instance, data, snapshots) = await RestoredAsync(sim);
        var kept = await ec2.CreateVolumeAsync(new CreateVolumeRequest(snapshots[1].SnapshotId, "eu-west-1a", "gp3", null, true, AppKey, Restored, "vol-token-2"));
        sim.Advance(1);
        ec2 = await sim.Ec2(Restore);
        await ec2.AttachVolumeAsync(data.VolumeId, instance, "/dev/xvdb");
        await ec2.AttachVolumeAsync(kept.VolumeId, instance, "/dev/xvdc");
        var root = (await ec2.DescribeInstancesAsync(new InstanceQuery([instance]))).Single().Volumes.Single(v => v.DeviceName == "/dev/xvda");

        await Fails<FerryInvalidInputException>("InvalidInstanceAttributeValue", () => ec2.DeleteOnTerminationAsync(instance, ["/dev/xvdz"]));
        await ec2.DeleteOnTerminationAsync(instance, ["/dev/xvdb"]);
        await ec2.TerminateInstanceAsync(instance);
        await ec2.TerminateInstanceAsync(instance);

        var terminated = (await ec2.DescribeInstancesAsync(new InstanceQuery([instance]))).Single();
        Assert.Equal(("terminated", 0), (terminated.State, terminated.Volumes.Count));
        var left = await ec2.DescribeVolumesAsync([root.VolumeId, data.VolumeId, kept.VolumeId]);
        Assert.Equal([(kept.VolumeId, "available")], left.Select(v => (v.VolumeId, v.State)));
        await Fails<FerryInvalidStateException>("IncorrectInstanceState", () => ec2.AttachVolumeAsync(kept.VolumeId, instance, "/dev/xvdc"));
    }

    [Fact]
    public async Task FindImagesAndVolumes_MatchEveryTag_OwnOnly()
    {
        var sim = new Sim();
        var (ec2, image, _, data, _) = await RestoredAsync(sim);
        var elsewhere = await sim.Ec2(RestoreTarget);

        Assert.Equal([image], await ec2.FindImagesAsync([new TagQuery("ferry:session", ["restore-1"]), new TagQuery("ferry:restore-point", ["rp-1"])]));
        Assert.Empty(await ec2.FindImagesAsync([new TagQuery("ferry:session", ["restore-1"]), new TagQuery("ferry:restore-point", ["rp-2"])]));
        Assert.Equal([data.VolumeId], (await ec2.FindVolumesAsync([new TagQuery("ferry:session", ["restore-1"])])).Select(v => v.VolumeId));
        Assert.Empty(await elsewhere.FindVolumesAsync([new TagQuery("ferry:session", ["restore-1"])]));
    }

    [Fact]
    public async Task DeleteDatabase_RestoredDatabaseGone_DeletingAgainChangesNothing()
    {
        var sim = new Sim();
        var snapshot = await sim.AvailableRdsSnapshot(RdsKind.DbInstance, "orders-db", "ferry-orders-db-s1");
        var rds = await sim.Rds(Restore);
        await rds.RestoreAsync(new RdsRestoreRequest(RdsKind.DbInstance, snapshot.Identifier, "orders-restored", "postgres", null, null, Restored));

        await rds.DeleteDatabaseAsync(RdsKind.DbInstance, "orders-restored");
        await rds.DeleteDatabaseAsync(RdsKind.DbInstance, "orders-restored");

        Assert.Empty(await rds.DescribeDatabasesAsync(["orders-restored"], null));
        Assert.Single(await rds.DescribeDatabasesAsync(["orders-db"], null));
    }
}
