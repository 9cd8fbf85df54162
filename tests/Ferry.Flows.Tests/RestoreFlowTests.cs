using Ferry.Core.Inventory;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using FlowNames = Ferry.Core.Runs.Flows;
using Ferry.Core.Sessions;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Flows.Tests;

/// <summary>Each restore scenario run through the ec2-restore or rds-restore state machine from a restore point a policy run made.</summary>
[Collection(FlowCollection.Name)]
public class RestoreFlowTests(FlowFixture fixture)
{
    /// <summary>Replicates the resource (same account, other region) and returns its snapshot restore point.</summary>
    private async Task<RestorePoint> SnapshotOfAsync(string type, string resource)
    {
        var run = await fixture.RunPolicyAsync(id => ReplicaPolicy(id, type, [resource], LocalTarget, Central, true, LocalDrKey));
        Assert.True(run.Session.Status == ResourceStatus.Success, run.Describe());
        return (await fixture.Ferry.Services.RestorePoints.ListAsync(run.PolicyId, resource)).Single(p => !p.IsReplica);
    }

    private async Task<(FlowRun Run, Ec2Instance Instance)> RestoreEc2Async(string account, string region, string role, string key)
    {
        var point = await SnapshotOfAsync("EC2", AppKeyed);
        var run = await fixture.RunRestoreAsync(FlowNames.Restore, new RestoreInput(point.RestorePointId, account, region, role, key));
        Assert.True(run.Session.Status == ResourceStatus.Success, run.Describe());
        Assert.Equal(role, Assert.Single(run.Calls, c => c.Operation == "RunInstances" && c.Result == "OK").Role);
        return (run, Assert.Single(await Instances(run, role, region)));
    }

    private async Task<IReadOnlyList<Ec2Instance>> Instances(FlowRun run, string role, string region)
    {
        var ec2 = fixture.Ferry.Wire.Ports.Ec2(await fixture.Ferry.Services.Credentials.AssumeAsync(role), region);
        return await ec2.DescribeInstancesAsync(new InstanceQuery(Tags: [new TagQuery(FerryTags.Session, [run.Session.SessionId])]));
    }

    private static void AssertRestored(Ec2Instance instance, string key)
    {
        Assert.Equal(("m6i.large", "orders-api"), (instance.InstanceType, instance.Tags["Name"]));
        Assert.Equal(["/dev/xvda", "/dev/xvdb"], instance.Volumes.Select(v => v.DeviceName).Order());
        Assert.All(instance.Volumes, v => Assert.Equal((true, key), (v.Encrypted, v.KmsKeyId)));
    }

    [Fact]
    public async Task EC2_X0_OriginalLocation_InstanceWithEncryptedVolumes()
    {
        var (run, instance) = await RestoreEc2Async(SourceAccount, West, RestoreRole, AppKey);

        AssertRestored(instance, AppKey);
        Assert.Equal(0, run.CallCount("CopySnapshot") + run.CallCount("ModifySnapshotAttribute"));
    }

    [Fact]
    public async Task EC2_X1_OtherRegion_CopiedThenRestored()
    {
        var (run, instance) = await RestoreEc2Async(SourceAccount, Central, RestoreRole, LocalDrKey);

        AssertRestored(instance, LocalDrKey);
        Assert.All(run.Calls.Where(c => c.Operation == "CopySnapshot"), c => Assert.Equal((RestoreRole, Central), (c.Role, c.Region)));
        Assert.Equal(0, run.CallCount("ModifySnapshotAttribute"));
    }

    [Fact]
    public async Task EC2_X2_OtherAccount_SharedBySourceRoleRestoredByRestoreRole()
    {
        var (run, instance) = await RestoreEc2Async(TargetAccount, West, RestoreTarget, DrWestKey);

        AssertRestored(instance, DrWestKey);
        Assert.All(run.Calls.Where(c => c.Operation == "ModifySnapshotAttribute"), c => Assert.Equal(SourceRole, c.Role));
        Assert.Equal(0, run.CallCount("CopySnapshot"));
    }

    [Fact]
    public async Task EC2_X3_OtherAccountOtherRegion_SharedCopiedRestored()
    {
        var (run, instance) = await RestoreEc2Async(TargetAccount, Central, RestoreTarget, DrKey);

        AssertRestored(instance, DrKey);
        Assert.NotEqual(0, run.CallCount("ModifySnapshotAttribute"));
        Assert.All(run.Calls.Where(c => c.Operation == "CopySnapshot"), c => Assert.Equal((RestoreTarget, Central), (c.Role, c.Region)));
    }

    private async Task<(FlowRun Run, RdsDatabase Db)> RestoreRdsAsync(string account, string region, string role, string key)
    {
        var point = await SnapshotOfAsync("RDS", Orders);
        var run = await fixture.RunRestoreAsync(FlowNames.Restore, new RestoreInput(point.RestorePointId, account, region, role, key));
        Assert.True(run.Session.Status == ResourceStatus.Success, run.Describe());
        var restored = Assert.Single(run.Calls, c => c.Operation == "RestoreDBInstanceFromDBSnapshot" && c.Result == "OK");
        Assert.Equal((role, region), (restored.Role, restored.Region));
        var rds = fixture.Ferry.Wire.Ports.Rds(await fixture.Ferry.Services.Credentials.AssumeAsync(role), region);
        var db = (await rds.DescribeDatabasesAsync(null, [new TagQuery(FerryTags.Session, [run.Session.SessionId])])).Single();
        Assert.Equal(("available", key, "postgres"), (db.Status, db.KmsKeyId, db.Engine));
        return (run, db);
    }

    [Fact]
    public async Task RDS_X0_OriginalLocation_RestoredNextToTheOriginalWithTheTargetKey()
    {
        var (_, db) = await RestoreRdsAsync(SourceAccount, West, RestoreRole, AppKey);

        Assert.StartsWith("orders-db-restored-", db.Identifier, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RDS_X1_OtherRegion_CopiedThenRestored()
    {
        var (run, _) = await RestoreRdsAsync(SourceAccount, Central, RestoreRole, LocalDrKey);

        Assert.Equal([Central], run.Calls.Where(c => c.Operation == "CopyDBSnapshot" && c.Result == "OK").Select(c => c.Region));
    }

    [Fact]
    public async Task RDS_X2_OtherAccount_SharedCopiedReEncryptedRestored()
    {
        var (run, _) = await RestoreRdsAsync(TargetAccount, West, RestoreTarget, DrWestKey);

        Assert.All(run.Calls.Where(c => c.Operation == "ModifyDBSnapshotAttribute"), c => Assert.Equal(SourceRole, c.Role));
        Assert.Equal([West], run.Calls.Where(c => c.Operation == "CopyDBSnapshot" && c.Result == "OK").Select(c => c.Region));
    }

    [Fact]
    public async Task RDS_X3_OtherAccountOtherRegion_SharedCopiedTwiceRestored()
    {
        var (run, _) = await RestoreRdsAsync(TargetAccount, Central, RestoreTarget, DrKey);

        Assert.Equal([West, Central], run.Calls.Where(c => c.Operation == "CopyDBSnapshot" && c.Result == "OK").Select(c => c.Region));
        Assert.All(run.Calls.Where(c => c.Operation == "CopyDBSnapshot"), c => Assert.Equal(RestoreTarget, c.Role));
    }

    [Fact]
    public async Task X_DEF_OtherAccountRestoreOfDefaultKeySnapshot_FailedBeforeAnyChange()
    {
        var point = await SnapshotOfAsync("EC2", DefaultKeyed);

        var run = await fixture.RunRestoreAsync(FlowNames.Restore, new RestoreInput(point.RestorePointId, TargetAccount, West, RestoreTarget, DrWestKey));

        Assert.True(run.Execution.Succeeded, run.Describe());
        Assert.Equal(ResourceStatus.Failed, run.Session.Status);
        Assert.Contains("default key", run.Outcome(DefaultKeyed).Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Calls, c => c.Operation is "ModifySnapshotAttribute" or "CopySnapshot" or "RegisterImage" or "RunInstances");
    }

    [Fact]
    public async Task X_DEF2_Ec2DefaultKeyRestorePointWithShareKey_ReEncryptedSharedRestoredAndIntermediateDeleted()
    {
        var point = await SnapshotOfAsync("EC2", DefaultKeyed);

        var run = await fixture.RunRestoreAsync(FlowNames.Restore, new RestoreInput(point.RestorePointId, TargetAccount, West, RestoreTarget, DrWestKey, ShareKey: ShareKey));

        Assert.True(run.Execution.Succeeded, run.Describe());
        Assert.True(run.Session.Status == ResourceStatus.Success, run.Describe());
        var instance = Assert.Single(await Instances(run, RestoreTarget, West));
        Assert.All(instance.Volumes, v => Assert.Equal((true, DrWestKey), (v.Encrypted, v.KmsKeyId)));
        var reEncrypting = Assert.Single(run.Calls, c => c.Operation == "CopySnapshot" && c.Result == "OK" && c.Role == SourceRole);
        Assert.Equal((SourceAccount, West), (reEncrypting.Account, reEncrypting.Region));
        Assert.All(run.Calls.Where(c => c.Operation == "ModifySnapshotAttribute"), c => Assert.Equal(SourceRole, c.Role));
        Assert.Equal(1, run.Calls.Count(c => c.Operation == "DeleteSnapshot" && c.Result == "OK" && c.Role == SourceRole));
        var source = fixture.Ferry.Wire.Ports.Ec2(await fixture.Ferry.Services.Credentials.AssumeAsync(SourceRole), West);
        Assert.Empty(await source.DescribeSnapshotsAsync(new SnapshotQuery(Tags: [new TagQuery(FerryTags.Session, [run.Session.SessionId])])));
        Assert.True(run.Logged(DefaultKeyed, "CopyToRegion", SourceRole), run.Describe());
        Assert.True(run.Logged(DefaultKeyed, "Share", SourceRole), run.Describe());
        Assert.True(run.Logged(DefaultKeyed, "CopyToRegion", RestoreTarget), run.Describe());
        Assert.True(run.Logged(DefaultKeyed, "Restore", RestoreTarget), run.Describe());
    }

    [Fact]
    public async Task X_DEF2_RdsDefaultKeyRestorePointWithShareKey_ReEncryptedSharedCopiedRestored()
    {
        var point = await SnapshotOfAsync("RDS", "legacy-db");

        var run = await fixture.RunRestoreAsync(FlowNames.Restore, new RestoreInput(point.RestorePointId, TargetAccount, Central, RestoreTarget, DrKey, ShareKey: ShareKey));

        Assert.True(run.Execution.Succeeded, run.Describe());
        Assert.True(run.Session.Status == ResourceStatus.Success, run.Describe());
        var rds = fixture.Ferry.Wire.Ports.Rds(await fixture.Ferry.Services.Credentials.AssumeAsync(RestoreTarget), Central);
        var db = Assert.Single(await rds.DescribeDatabasesAsync(null, [new TagQuery(FerryTags.Session, [run.Session.SessionId])]));
        Assert.Equal(("available", DrKey, "mysql"), (db.Status, db.KmsKeyId, db.Engine));
        Assert.Equal([(SourceRole, West), (RestoreTarget, West), (RestoreTarget, Central)],
            run.Calls.Where(c => c.Operation == "CopyDBSnapshot" && c.Result == "OK").Select(c => (c.Role, c.Region)));
        var source = fixture.Ferry.Wire.Ports.Rds(await fixture.Ferry.Services.Credentials.AssumeAsync(SourceRole), West);
        Assert.Empty(await source.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, Tags: [new TagQuery(FerryTags.Session, [run.Session.SessionId])])));
        Assert.True(run.Logged("legacy-db", "Share", SourceRole), run.Describe());
        Assert.True(run.Logged("legacy-db", "Restore", RestoreTarget), run.Describe());
    }

    [Fact]
    public async Task Restore_InvalidInput_FailsTheExecutionNamingTheField()
    {
        var point = await SnapshotOfAsync("EC2", Unencrypted);

        var execution = await fixture.Ferry.RunAsync(FlowNames.Restore, new RestoreInput(point.RestorePointId, "2222", West, RestoreTarget));

        Assert.Equal(("FAILED", "FerryInvalidInputException"), (execution.Status, execution.Error));
        Assert.Contains("targetAccount: '2222' is not a 12-digit AWS account id", execution.Cause, StringComparison.Ordinal);
    }
}
