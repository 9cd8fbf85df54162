using Ferry.Core.Inventory;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Functions.Tests.Steps;

public class RestoreStepTests
{
    private const string DrLocalKeyWest = AppKey;

    /// <summary>Replicates a resource so it has a snapshot and a replica restore point; returns the snapshot's.</summary>
    private static async Task<RestorePoint> SnapshotPointAsync(Harness h, string type, string resource, string targetRole = LocalTarget, string targetKey = LocalDrKey)
    {
        await h.PutPolicyAsync(ReplicaPolicy("p", type, [resource], targetRole, Central, true, targetKey));
        var (outcome, _) = await h.ReplicateAsync("p", resource);
        Assert.Equal(ResourceStatus.Success, outcome.Status);
        return (await h.Services.RestorePoints.ListAsync("p", resource)).Single(p => !p.IsReplica);
    }

    private static async Task<Ec2Instance> RestoredInstanceAsync(Harness h, string role, string region, Job job)
    {
        var ec2 = await h.Ec2Async(role, region);
        return Assert.Single(await ec2.DescribeInstancesAsync(new InstanceQuery(Ids: [job.Created()["instance"]])));
    }

    private static void AssertLikeOriginal(Ec2Instance restored, string key)
    {
        Assert.Equal("m6i.large", restored.InstanceType);
        Assert.Equal("orders-api", restored.Tags["Name"]);
        Assert.Equal(["/dev/xvda", "/dev/xvdb"], restored.Volumes.Select(v => v.DeviceName).Order());
        Assert.All(restored.Volumes, v => Assert.Equal((true, key), (v.Encrypted, v.KmsKeyId)));
    }

    [Fact]
    public async Task EC2_X0_OriginalLocation_InstanceWithEncryptedVolumesAttached()
    {
        var h = new Harness();
        var point = await SnapshotPointAsync(h, "EC2", AppKeyed);

        var (outcome, job) = await h.RestoreAsync(new RestoreInput(point.RestorePointId, SourceAccount, West, RestoreRole, DrLocalKeyWest));

        Assert.Equal(ResourceStatus.Success, outcome.Status);
        AssertLikeOriginal(await RestoredInstanceAsync(h, RestoreRole, West, job!), AppKey);
        Assert.Equal(0, h.Aws.CallLog.Count("ec2", "ModifySnapshotAttribute"));
        Assert.Equal(0, h.Aws.CallLog.Records.Count(c => c.Operation == "CopySnapshot" && c.Role == RestoreRole));
    }

    [Fact]
    public async Task EC2_X1_OtherRegionSameAccount_CopiedThenRestoredThere()
    {
        var h = new Harness();
        var point = await SnapshotPointAsync(h, "EC2", AppKeyed);
        var copiesBefore = h.Aws.CallLog.Count("ec2", "CopySnapshot", "OK");

        var (outcome, job) = await h.RestoreAsync(new RestoreInput(point.RestorePointId, SourceAccount, Central, RestoreRole, LocalDrKey));

        Assert.Equal(ResourceStatus.Success, outcome.Status);
        AssertLikeOriginal(await RestoredInstanceAsync(h, RestoreRole, Central, job!), LocalDrKey);
        var restoreCopies = h.Aws.CallLog.Records.Where(c => c.Operation == "CopySnapshot" && c.Succeeded).Skip(copiesBefore).ToList();
        Assert.Equal(2, restoreCopies.Count);
        Assert.All(restoreCopies, c => Assert.Equal(RestoreRole, c.Role));
    }

    [Fact]
    public async Task EC2_X2_OtherAccountSameRegion_SourceRoleSharesAndRestoreRoleCreates()
    {
        var h = new Harness();
        var point = await SnapshotPointAsync(h, "EC2", AppKeyed);

        var (outcome, job) = await h.RestoreAsync(new RestoreInput(point.RestorePointId, TargetAccount, West, RestoreTarget, DrWestKey));

        Assert.Equal(ResourceStatus.Success, outcome.Status);
        AssertLikeOriginal(await RestoredInstanceAsync(h, RestoreTarget, West, job!), DrWestKey);
        Assert.All(h.Aws.CallLog.Records.Where(c => c.Operation == "ModifySnapshotAttribute"), c => Assert.Equal(SourceRole, c.Role));
        Assert.DoesNotContain(h.Aws.CallLog.Records, c => c.Operation == "CopySnapshot" && c.Role == RestoreTarget);
    }

    [Fact]
    public async Task EC2_X3_OtherAccountOtherRegion_SharedCopiedRestored()
    {
        var h = new Harness();
        var point = await SnapshotPointAsync(h, "EC2", AppKeyed);

        var (outcome, job) = await h.RestoreAsync(new RestoreInput(point.RestorePointId, TargetAccount, Central, RestoreTarget, DrKey));

        Assert.Equal(ResourceStatus.Success, outcome.Status);
        AssertLikeOriginal(await RestoredInstanceAsync(h, RestoreTarget, Central, job!), DrKey);
        Assert.Contains(h.Aws.CallLog.Records, c => c.Operation == "CopySnapshot" && c.Role == RestoreTarget && c.Region == Central);
    }

    [Fact]
    public async Task EC2_X3_FromReplicaWithRestoreRoleLackingReplicaKey_FailsBeforeAnyChangeNamingRoleAndKey()
    {
        var h = new Harness();
        await SnapshotPointAsync(h, "EC2", AppKeyed, TargetRole, DrKey);
        var replica = (await h.Services.RestorePoints.ListAsync("p", AppKeyed)).Single(p => p.IsReplica);
        var sharesBefore = h.Aws.CallLog.Count("ec2", "ModifySnapshotAttribute");

        var (outcome, _) = await h.RestoreAsync(new RestoreInput(replica.RestorePointId, SourceAccount, Central, RestoreRole, LocalDrKey));

        Assert.Equal(ResourceStatus.Failed, outcome.Status);
        Assert.Contains($"Role {RestoreRole} cannot use key {DrKey}: missing kms:DescribeKey", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(sharesBefore, h.Aws.CallLog.Count("ec2", "ModifySnapshotAttribute"));
    }

    [Fact]
    public async Task RDS_X0_OriginalLocation_RestoredWithTargetKeyNextToTheOriginal()
    {
        var h = new Harness();
        var point = await SnapshotPointAsync(h, "RDS", Orders);

        var (outcome, job) = await h.RestoreAsync(new RestoreInput(point.RestorePointId, SourceAccount, West, RestoreRole, AppKey));

        Assert.Equal(ResourceStatus.Success, outcome.Status);
        var rds = await h.RdsAsync(RestoreRole, West);
        var db = Assert.Single(await rds.DescribeDatabasesAsync([job!.Created()["db"]], null));
        Assert.StartsWith("orders-db-restored-", db.Identifier, StringComparison.Ordinal);
        Assert.Equal(("available", AppKey, "postgres"), (db.Status, db.KmsKeyId, db.Engine));
    }

    [Fact]
    public async Task RDS_X1_OtherRegionSameAccount_CopiedThenRestored()
    {
        var h = new Harness();
        var point = await SnapshotPointAsync(h, "RDS", Orders);

        var (outcome, job) = await h.RestoreAsync(new RestoreInput(point.RestorePointId, SourceAccount, Central, RestoreRole, LocalDrKey));

        Assert.Equal(ResourceStatus.Success, outcome.Status);
        var db = Assert.Single(await (await h.RdsAsync(RestoreRole, Central)).DescribeDatabasesAsync([job!.Created()["db"]], null));
        Assert.Equal((Orders, LocalDrKey, "db.m6g.large"), (db.Identifier, db.KmsKeyId, db.DbClass));
    }

    [Fact]
    public async Task RDS_X2_OtherAccountSameRegion_SharedCopiedReEncryptedRestored()
    {
        var h = new Harness();
        var point = await SnapshotPointAsync(h, "RDS", Orders);

        var (outcome, job) = await h.RestoreAsync(new RestoreInput(point.RestorePointId, TargetAccount, West, RestoreTarget, DrWestKey));

        Assert.Equal(ResourceStatus.Success, outcome.Status);
        var db = Assert.Single(await (await h.RdsAsync(RestoreTarget, West)).DescribeDatabasesAsync([job!.Created()["db"]], null));
        Assert.Equal(DrWestKey, db.KmsKeyId);
        Assert.Contains(h.Aws.CallLog.Records, c => c.Operation == "ModifyDBSnapshotAttribute" && c.Role == SourceRole);
    }

    [Fact]
    public async Task RDS_X3_OtherAccountOtherRegion_SharedStagedCopiedRestored()
    {
        var h = new Harness();
        var point = await SnapshotPointAsync(h, "RDS", Orders);
        var copiesBefore = h.Aws.CallLog.Count("rds", "CopyDBSnapshot", "OK");

        var (outcome, job) = await h.RestoreAsync(new RestoreInput(point.RestorePointId, TargetAccount, Central, RestoreTarget, DrKey));

        Assert.Equal(ResourceStatus.Success, outcome.Status);
        var db = Assert.Single(await (await h.RdsAsync(RestoreTarget, Central)).DescribeDatabasesAsync([job!.Created()["db"]], null));
        Assert.Equal(DrKey, db.KmsKeyId);
        var copies = h.Aws.CallLog.Records.Where(c => c.Operation == "CopyDBSnapshot" && c.Succeeded).Skip(copiesBefore).ToList();
        Assert.Equal([West, Central], copies.Select(c => c.Region));
        Assert.All(copies, c => Assert.Equal(RestoreTarget, c.Role));
    }

    [Fact]
    public async Task X_DEF_OtherAccountRestoreOfDefaultKeySnapshot_FailedBeforeAnyChange()
    {
        var h = new Harness();
        var point = await SnapshotPointAsync(h, "EC2", "i-0a1b2c3d4e5f60003");
        var callsBefore = h.Aws.CallLog.Records.Count(c => c.Operation is "ModifySnapshotAttribute" or "CopySnapshot" or "RunInstances" or "RegisterImage");

        var (outcome, _) = await h.RestoreAsync(new RestoreInput(point.RestorePointId, TargetAccount, West, RestoreTarget, DrWestKey));

        Assert.Equal(ResourceStatus.Failed, outcome.Status);
        Assert.Contains("default key", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(callsBefore, h.Aws.CallLog.Records.Count(c => c.Operation is "ModifySnapshotAttribute" or "CopySnapshot" or "RunInstances" or "RegisterImage"));
        var session = await h.Services.Sessions.GetAsync(outcome.SessionId);
        Assert.Equal((SessionKind.Restore, ResourceStatus.Failed), (session!.Kind, session.Status));
        Assert.NotNull(session.EndedAt);
    }

    [Fact]
    public async Task Restore_RoleOfAnotherAccount_RejectedNamingTheField()
    {
        var h = new Harness();
        var point = await SnapshotPointAsync(h, "EC2", AppKeyed);

        var error = await Assert.ThrowsAsync<Ferry.Core.Errors.FerryInvalidInputException>(() =>
            h.InvokeAsync<PlanOutput>("PlanRestore", new RestoreInput(point.RestorePointId, TargetAccount, West, RestoreRole, DrWestKey)));

        Assert.StartsWith("restoreRole: the role is in account 111111111111", error.Message, StringComparison.Ordinal);
    }
}
