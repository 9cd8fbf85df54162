using System.Xml.Linq;
using Ferry.Core.Errors;
using Ferry.Core.Ports;
using Ferry.Simulator.Wire;
using Ferry.Simulator.World;
using static Ferry.Simulator.Tests.Sim;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Simulator.Tests;

public sealed class Ec2RulesTests
{
    private static Ec2CopyRequest CopyOf(string snapshotId, string? key, string from = West) =>
        new(from, snapshotId, key is not null, key, "ferry replica", new Dictionary<string, string> { ["ferry:session"] = "s1" });

    [Fact]
    public async Task EC2_R1_Snapshot_MovesFromPendingToCompletedOnTheClock()
    {
        var sim = new Sim();
        var ec2 = await sim.Ec2(Source);
        var created = await ec2.CreateSnapshotsAsync("i-0a1b2c3d4e5f60001", NoTags);
        Assert.Equal("pending", Assert.Single(created).State);

        sim.Clock.Advance(TimeSpan.FromSeconds(60));
        var midway = Assert.Single(await ec2.DescribeSnapshotsAsync(new SnapshotQuery([created[0].SnapshotId])));
        Assert.Equal("pending", midway.State);

        sim.Advance(1);
        ec2 = await sim.Ec2(Source);
        Assert.Equal("completed", Assert.Single(await ec2.DescribeSnapshotsAsync(new SnapshotQuery([created[0].SnapshotId]))).State);
    }

    [Fact]
    public async Task EC2_R1_CopyBeforeComplete_FailsWithIncorrectState_AndSucceedsOnceCompleted()
    {
        var sim = new Sim();
        var created = await (await sim.Ec2(Source)).CreateSnapshotsAsync("i-0a1b2c3d4e5f60001", NoTags);
        var central = await sim.Ec2(LocalTarget, Central);

        await Fails<FerryNotReadyException>("IncorrectState", () => central.CopySnapshotAsync(CopyOf(created[0].SnapshotId, null)));

        sim.Advance(1);
        central = await sim.Ec2(LocalTarget, Central);
        var copyId = await central.CopySnapshotAsync(CopyOf(created[0].SnapshotId, null));
        var copy = Assert.Single(await central.DescribeSnapshotsAsync(new SnapshotQuery([copyId])));
        Assert.Equal(("pending", false, SourceAccount), (copy.State, copy.Encrypted, copy.OwnerId));
        sim.Advance(1);
        central = await sim.Ec2(LocalTarget, Central);
        Assert.Equal("completed", Assert.Single(await central.DescribeSnapshotsAsync(new SnapshotQuery([copyId]))).State);
    }

    [Fact]
    public async Task EC2_R2_SameAccountCopy_ReEncryptsWithTargetKey()
    {
        var sim = new Sim();
        var snapshots = await sim.CompletedSnapshots("i-0a1b2c3d4e5f60002");
        var central = await sim.Ec2(LocalTarget, Central);

        var copyId = await central.CopySnapshotAsync(CopyOf(snapshots[0].SnapshotId, LocalDrKey));

        var copy = Assert.Single(await central.DescribeSnapshotsAsync(new SnapshotQuery([copyId])));
        Assert.Equal((true, LocalDrKey), (copy.Encrypted, copy.KmsKeyId));
    }

    [Fact]
    public async Task EC2_R5_UnencryptedSnapshot_CopiedEncryptedWithTargetKey()
    {
        var sim = new Sim();
        var snapshots = await sim.CompletedSnapshots("i-0a1b2c3d4e5f60001");
        var central = await sim.Ec2(LocalTarget, Central);

        var copy = Assert.Single(await central.DescribeSnapshotsAsync(new SnapshotQuery([await central.CopySnapshotAsync(CopyOf(snapshots[0].SnapshotId, LocalDrKey))])));

        Assert.Equal((true, LocalDrKey), (copy.Encrypted, copy.KmsKeyId));
    }

    [Fact]
    public async Task Copy_KeyWithoutEncryptedFlag_FailsWithInvalidParameterDependency()
    {
        var sim = new Sim();
        var snapshots = await sim.CompletedSnapshots("i-0a1b2c3d4e5f60001");
        var central = await sim.Ec2(LocalTarget, Central);

        await Fails<FerryInvalidInputException>("InvalidParameterDependency",
            () => central.CopySnapshotAsync(CopyOf(snapshots[0].SnapshotId, LocalDrKey) with { Encrypted = false }));
    }

    [Fact]
    public async Task Copy_TargetKeyInAnotherRegion_FailsWithInvalidParameterValue()
    {
        var sim = new Sim();
        var snapshots = await sim.CompletedSnapshots("i-0a1b2c3d4e5f60002");
        var central = await sim.Ec2(LocalTarget, Central);

        await Fails<FerryInvalidInputException>("InvalidParameterValue", () => central.CopySnapshotAsync(CopyOf(snapshots[0].SnapshotId, AppKey)));
    }

    [Fact]
    public async Task EC2_R7_CrossAccount_SharesThenCopiesInTargetAccount()
    {
        var sim = new Sim();
        var snapshots = await sim.CompletedSnapshots("i-0a1b2c3d4e5f60002");
        var target = await sim.Ec2(Target, Central);

        await Fails<FerryNotFoundException>("InvalidSnapshot.NotFound", () => target.CopySnapshotAsync(CopyOf(snapshots[0].SnapshotId, DrKey)));

        await (await sim.Ec2(Source)).ShareSnapshotAsync(snapshots[0].SnapshotId, TargetAccount);
        var copyId = await target.CopySnapshotAsync(CopyOf(snapshots[0].SnapshotId, DrKey));

        var copy = Assert.Single(await target.DescribeSnapshotsAsync(new SnapshotQuery([copyId])));
        Assert.Equal((TargetAccount, DrKey), (copy.OwnerId, copy.KmsKeyId));
    }

    [Fact]
    public async Task Share_PendingSnapshot_FailsWithIncorrectState()
    {
        var sim = new Sim();
        var ec2 = await sim.Ec2(Source);
        var created = await ec2.CreateSnapshotsAsync("i-0a1b2c3d4e5f60002", NoTags);

        await Fails<FerryNotReadyException>("IncorrectState", () => ec2.ShareSnapshotAsync(created[0].SnapshotId, TargetAccount));
    }

    [Fact]
    public async Task EC2_R8_Share_DefaultKeySnapshotWithOtherAccount_FailsWithInvalidParameter()
    {
        var sim = new Sim();
        var snapshots = await sim.CompletedSnapshots("i-0a1b2c3d4e5f60003");
        var ec2 = await sim.Ec2(Source);

        var error = await Fails<FerryInvalidInputException>("InvalidParameter", () => ec2.ShareSnapshotAsync(snapshots[0].SnapshotId, TargetAccount));
        Assert.Contains("alias/aws/ebs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EC2_R12_DefaultKeySnapshotReEncryptedWithShareKey_IsSharedAndCopiedByTheTargetAccount()
    {
        var sim = new Sim();
        var snapshots = await sim.CompletedSnapshots("i-0a1b2c3d4e5f60003");
        var source = await sim.Ec2(Source);
        var reEncrypted = await source.CopySnapshotAsync(CopyOf(snapshots[0].SnapshotId, ShareKey));
        sim.Advance(1);
        Assert.Equal(ShareKey, Assert.Single(await source.DescribeSnapshotsAsync(new SnapshotQuery([reEncrypted]))).KmsKeyId);

        await source.ShareSnapshotAsync(reEncrypted, TargetAccount);
        var target = await sim.Ec2(Target, Central);
        var copy = Assert.Single(await target.DescribeSnapshotsAsync(new SnapshotQuery([await target.CopySnapshotAsync(CopyOf(reEncrypted, DrKey))])));

        Assert.Equal((TargetAccount, DrKey), (copy.OwnerId, copy.KmsKeyId));
    }

    [Fact]
    public async Task EC2_R12b_ShareKeyWhosePolicyDoesNotGrantTheTargetAccount_TargetCopyFailsWithUnauthorizedOperation()
    {
        var sim = new Sim();
        var snapshots = await sim.CompletedSnapshots("i-0a1b2c3d4e5f60003");
        var source = await sim.Ec2(Source);
        var reEncrypted = await source.CopySnapshotAsync(CopyOf(snapshots[0].SnapshotId, SharePrivateKey));
        sim.Advance(1);
        await source.ShareSnapshotAsync(reEncrypted, TargetAccount);
        var target = await sim.Ec2(Target, Central);

        var error = await Fails<FerryAccessDeniedException>("UnauthorizedOperation", () => target.CopySnapshotAsync(CopyOf(reEncrypted, DrKey)));

        Assert.Contains(SharePrivateKey, error.Message, StringComparison.Ordinal);
        Assert.Contains("kms:Decrypt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EC2_R12c_SourceRoleNotAllowedOnShareKey_ReEncryptingCopyFailsWithUnauthorizedOperation()
    {
        var sim = new Sim();
        var snapshots = await sim.CompletedSnapshots("i-0a1b2c3d4e5f60003");

        var error = await Fails<FerryAccessDeniedException>("UnauthorizedOperation", async () => await (await sim.Ec2(Source)).CopySnapshotAsync(CopyOf(snapshots[0].SnapshotId, ShareForeignKey)));

        Assert.Contains(ShareForeignKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EC2_R9_CrossAccountSameRegion_SharedSnapshotCopiedWithinRegion()
    {
        var sim = new Sim();
        var snapshots = await sim.CompletedSnapshots("i-0a1b2c3d4e5f60002");
        await (await sim.Ec2(Source)).ShareSnapshotAsync(snapshots[1].SnapshotId, TargetAccount);
        var target = await sim.Ec2(Target, West);

        var copy = Assert.Single(await target.DescribeSnapshotsAsync(new SnapshotQuery([await target.CopySnapshotAsync(CopyOf(snapshots[1].SnapshotId, DrWestKey))])));

        Assert.Equal((TargetAccount, DrWestKey), (copy.OwnerId, copy.KmsKeyId));
    }

    [Fact]
    public async Task EC2_R10_TargetRoleLacksSourceKey_FailsWithUnauthorizedOperationNamingRoleKeyAndPermission()
    {
        var sim = new Sim();
        var snapshots = await sim.CompletedSnapshots("i-0a1b2c3d4e5f60005");
        await (await sim.Ec2(Source)).ShareSnapshotAsync(snapshots[0].SnapshotId, TargetAccount);
        var target = await sim.Ec2(Target, Central);

        var error = await Fails<FerryAccessDeniedException>("UnauthorizedOperation", () => target.CopySnapshotAsync(CopyOf(snapshots[0].SnapshotId, DrKey)));

        Assert.Contains(Target, error.Message, StringComparison.Ordinal);
        Assert.Contains(RestrictedKey, error.Message, StringComparison.Ordinal);
        Assert.Contains("kms:Decrypt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EC2_R11_MixedVolumes_SnapshotsKeepEachVolumesEncryption()
    {
        var sim = new Sim();
        var snapshots = await sim.CompletedSnapshots("i-0a1b2c3d4e5f60004");

        Assert.Equal([(true, AppKey), (false, null)], snapshots.Select(s => (s.Encrypted, s.KmsKeyId)).ToList());
    }

    [Fact]
    public async Task Snapshots_AtEbsSnapshotLimit_FailAsLimitWithSnapshotLimitExceeded_CopiesIncluded()
    {
        var sim = new Sim(limits: new LimitSpec { EbsSnapshots = 3 });
        var ec2 = await sim.Ec2(Source);
        var snapshots = await ec2.CreateSnapshotsAsync(AppKeyed, NoTags);
        var single = await Ferry.Tests.Shared.ByHand.CreateSnapshotAsync(sim.Local, Source, West, "vol-0a1b2c3d4e5f60011", "third", NoTags);

        var error = await Fails<FerryLimitExceededException>("SnapshotLimitExceeded", () => ec2.CreateSnapshotsAsync(AppKeyed, NoTags));
        Assert.Contains($"EBS snapshots per account and region, in account {SourceAccount}, region {West}", error.Message, StringComparison.Ordinal);
        await Fails<FerryLimitExceededException>("SnapshotLimitExceeded", () => Ferry.Tests.Shared.ByHand.CreateSnapshotAsync(sim.Local, Source, West, "vol-0a1b2c3d4e5f60011", "fourth", NoTags));
        sim.Advance(1);
        var west = await sim.Ec2(LocalTarget);
        await Fails<FerryLimitExceededException>("SnapshotLimitExceeded", () => west.CopySnapshotAsync(CopyOf(single.SnapshotId, null)));
        Assert.Equal(2, snapshots.Count);
    }

    [Fact]
    public async Task Copy_OverConcurrentQuota_FailsWithResourceLimitExceeded_UntilACopyCompletes()
    {
        var sim = new Sim();
        var ec2 = await sim.Ec2(Source);
        var sources = new List<string>();
        for (var i = 0; i < 21; i++)
            sources.Add((await Ferry.Tests.Shared.ByHand.CreateSnapshotAsync(sim.Local, Source, West, "vol-0a1b2c3d4e5f60011", $"s{i}", NoTags)).SnapshotId);
        sim.Advance(1);
        var central = await sim.Ec2(LocalTarget, Central);
        foreach (var id in sources.Take(20))
            await central.CopySnapshotAsync(CopyOf(id, null));

        await Fails<FerryQuotaExceededException>("ResourceLimitExceeded", () => central.CopySnapshotAsync(CopyOf(sources[20], null)));
        Assert.Equal(20, sim.Aws.CallLog.CopiesInFlight(CopyService.Ebs, SourceAccount, Central, sim.Clock.UtcNow));

        sim.Advance(1);
        central = await sim.Ec2(LocalTarget, Central);
        await central.CopySnapshotAsync(CopyOf(sources[20], null));
        Assert.Equal(20, sim.Aws.CallLog.PeakCopiesInFlight(CopyService.Ebs, SourceAccount, Central));
    }

    [Fact]
    public async Task Copy_SnapshotThatEndedInError_FailsWithIncorrectState()
    {
        var sim = new Sim(faults: new FaultSettings(7, [new FaultRule("ec2:CreateSnapshots", SnapshotError: 1)]));
        var snapshots = await sim.CompletedSnapshots("i-0a1b2c3d4e5f60001");
        var ec2 = await sim.Ec2(Source);
        Assert.Equal("error", Assert.Single(await ec2.DescribeSnapshotsAsync(new SnapshotQuery([snapshots[0].SnapshotId]))).State);

        await Fails<FerryInvalidStateException>("IncorrectState", () => ec2.CopySnapshotAsync(CopyOf(snapshots[0].SnapshotId, null)));
    }

    [Fact]
    public async Task DescribeSnapshots_TagFilter_ReturnsOnlyMatching_AndSharedOnlyWhenAsked()
    {
        var sim = new Sim();
        var tagged = await sim.CompletedSnapshots("i-0a1b2c3d4e5f60002", new Dictionary<string, string> { ["ferry:session"] = "s1", ["ferry:source"] = "i-0a1b2c3d4e5f60002" });
        await sim.CompletedSnapshots("i-0a1b2c3d4e5f60001", new Dictionary<string, string> { ["ferry:session"] = "s2" });
        var ec2 = await sim.Ec2(Source);

        var found = await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Tags: [new TagQuery("ferry:session", ["s1"]), new TagQuery("ferry:source", [])]));
        Assert.Equal(tagged.Select(s => s.SnapshotId).Order(), found.Select(s => s.SnapshotId).Order());

        await ec2.ShareSnapshotAsync(tagged[0].SnapshotId, TargetAccount);
        var target = await sim.Ec2(Target, West);
        Assert.Empty(await target.DescribeSnapshotsAsync(new SnapshotQuery()));
        Assert.Equal(tagged[0].SnapshotId, Assert.Single(await target.DescribeSnapshotsAsync(new SnapshotQuery(IncludeShared: true))).SnapshotId);
        Assert.Empty(await target.DescribeSnapshotsAsync(new SnapshotQuery([tagged[1].SnapshotId])));
    }

    [Fact]
    public async Task DescribeInstances_TagFilter_MatchesAnyTag()
    {
        var sim = new Sim();
        var ec2 = await sim.Ec2(Source);

        var gold = await ec2.DescribeInstancesAsync(new InstanceQuery(Tags: [new TagQuery("backup", ["gold", "silver"])]));

        Assert.Equal(["i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60002", "i-0a1b2c3d4e5f60003"], gold.Select(i => i.InstanceId).Order());
        Assert.Empty(await ec2.DescribeInstancesAsync(new InstanceQuery(["i-0fffffffffffffff0"])));
    }

    [Fact]
    public async Task EC2_X2_OtherAccountSameRegion_VolumesFromSharedSnapshotEncryptedWithTargetKeyAndAttached()
    {
        var sim = new Sim();
        var snapshots = await sim.CompletedSnapshots("i-0a1b2c3d4e5f60002");
        var source = await sim.Ec2(Source);
        foreach (var s in snapshots)
            await source.ShareSnapshotAsync(s.SnapshotId, TargetAccount);
        var restore = await sim.Ec2(RestoreTarget, West);

        var imageId = await restore.RegisterImageAsync(new RegisterImageRequest("restore-1", "/dev/xvda", snapshots[0].SnapshotId, "x86_64", NoTags));
        var instanceId = await restore.RunInstanceAsync(new RunInstanceRequest(imageId, "m6i.large", "eu-west-1a", null, [], "/dev/xvda", DrWestKey, NoTags, "token-1"));
        Assert.Equal(instanceId, await restore.RunInstanceAsync(new RunInstanceRequest(imageId, "m6i.large", "eu-west-1a", null, [], "/dev/xvda", DrWestKey, NoTags, "token-1")));
        var volume = await restore.CreateVolumeAsync(new CreateVolumeRequest(snapshots[1].SnapshotId, "eu-west-1a", "gp3", null, true, DrWestKey, NoTags, "vol-token-1"));

        await Fails<FerryNotReadyException>("IncorrectState", () => restore.AttachVolumeAsync(volume.VolumeId, instanceId, "/dev/xvdb"));
        sim.Advance(1);
        restore = await sim.Ec2(RestoreTarget, West);
        await Fails<FerryInvalidInputException>("InvalidParameterValue", () => restore.AttachVolumeAsync(volume.VolumeId, instanceId, "/dev/xvda"));
        await restore.AttachVolumeAsync(volume.VolumeId, instanceId, "/dev/xvdb");

        var restored = Assert.Single(await restore.DescribeInstancesAsync(new InstanceQuery([instanceId])));
        Assert.Equal([(true, DrWestKey), (true, DrWestKey)], restored.Volumes.Select(v => (v.Encrypted, v.KmsKeyId)).ToList());
        Assert.Equal("running", restored.State);
    }

    [Fact]
    public async Task EC2_X0_CreateVolume_InAnotherZoneThanInstance_FailsWithZoneMismatchOnAttach()
    {
        var sim = new Sim();
        var snapshots = await sim.CompletedSnapshots("i-0a1b2c3d4e5f60002");
        var restore = await sim.Ec2(Restore);
        var volume = await restore.CreateVolumeAsync(new CreateVolumeRequest(snapshots[1].SnapshotId, "eu-west-1b", "gp3", null, true, AppKey, NoTags, "t-1"));
        sim.Advance(1);
        restore = await sim.Ec2(Restore);

        await Fails<FerryInvalidInputException>("InvalidVolume.ZoneMismatch", () => restore.AttachVolumeAsync(volume.VolumeId, "i-0a1b2c3d4e5f60002", "/dev/xvdf"));
    }

    [Fact]
    public async Task DeleteSnapshot_InFlightCopy_FreesItsQuotaSlotInTheCallLog()
    {
        var sim = new Sim();
        var snapshots = await sim.CompletedSnapshots("i-0a1b2c3d4e5f60001");
        var central = await sim.Ec2(LocalTarget, Central);
        var copyId = await central.CopySnapshotAsync(CopyOf(snapshots[0].SnapshotId, null));
        Assert.Equal(1, sim.Aws.CallLog.CopiesInFlight(CopyService.Ebs, SourceAccount, Central, sim.Clock.UtcNow));

        await central.DeleteSnapshotAsync(copyId);

        Assert.Equal(0, sim.Aws.CallLog.CopiesInFlight(CopyService.Ebs, SourceAccount, Central, sim.Clock.UtcNow));
        await Fails<FerryNotFoundException>("InvalidSnapshot.NotFound", () => central.DeleteSnapshotAsync(copyId));
    }

    [Fact]
    public async Task Ec2Endpoint_Refusals_AnswerWithEc2sStatusesAndErrorDocument()
    {
        var sim = new Sim(faults: new FaultSettings(1, [new FaultRule("ec2:DescribeInstances", Throttle: 1), new FaultRule("ec2:DescribeImages", Transient: 1)]));
        var session = await sim.Credentials.AssumeAsync(Source);
        WireRequest Request(string action, string? accessKeyId = null, params (string Name, string Value)[] parameters) => new()
        {
            Method = "POST",
            Path = "/",
            Form = [KeyValuePair.Create("Action", action), KeyValuePair.Create("Version", "2016-11-15"), .. parameters.Select(p => KeyValuePair.Create(p.Name, p.Value))],
            Headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["X-Amz-Security-Token"] = session.Credentials.SessionToken },
            AccessKeyId = accessKeyId ?? session.Credentials.AccessKeyId,
            Service = "ec2",
            Region = West,
        };

        var answers = new[]
        {
            await sim.Aws.ServeAsync(Request("DescribeInstances")),
            await sim.Aws.ServeAsync(Request("DescribeImages")),
            await sim.Aws.ServeAsync(Request("DescribeVolumes", accessKeyId: "ASIA9999990000000000")),
            await sim.Aws.ServeAsync(Request("DeleteVolume", null, ("VolumeId", "vol-0fffffffffffffff0"))),
        };

        Assert.Equal([(503, "RequestLimitExceeded"), (500, "InternalError"), (401, "AuthFailure"), (400, "InvalidVolume.NotFound")],
            answers.Select(a => (a.Status, XElement.Parse(a.Body).Element("Errors")!.Element("Error")!.Element("Code")!.Value)));
        Assert.All(answers, a => Assert.NotNull(XElement.Parse(a.Body).Element("RequestID")));
    }
}
