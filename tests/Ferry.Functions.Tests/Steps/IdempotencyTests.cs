using Ferry.Core.Inventory;
using Ferry.Core.Planning;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Functions.Tests.Steps;

/// <summary>Step Functions retries steps: every creating step, run twice, leaves exactly one result in the world.</summary>
public class IdempotencyTests
{

    private static async Task<(Harness Harness, Job Job)> PlannedAsync(string type = "EC2", string resource = AppKeyed)
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", type, [resource], TargetRole, Central, true, DrKey));
        var plan = await h.PlanAsync("p", await h.OpenSessionAsync("p"), resource);
        return (h, plan.Job!);
    }

    [Fact]
    public async Task TakeSnapshot_RunTwice_OneSnapshotPerVolume()
    {
        var (h, job) = await PlannedAsync();

        var first = await h.InvokeAsync<Job>("TakeSnapshot", job);
        var second = await h.InvokeAsync<Job>("TakeSnapshot", job);

        Assert.Equal(1, h.Aws.CallLog.Count("ec2", "CreateSnapshots", "OK"));
        Assert.Equal(first.Items.Select(i => i.Ids[0]), second.Items.Select(i => i.Ids[0]));
        var ec2 = await h.Ec2Async(SourceRole, West);
        Assert.Equal(job.Items.Count, (await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Tags: [new TagQuery(FerryTags.Source, [AppKeyed])]))).Count);
    }

    [Fact]
    public async Task TakeSnapshot_Rds_RunTwice_OneDbSnapshot()
    {
        var (h, job) = await PlannedAsync("RDS", "orders-db");

        await h.InvokeAsync<Job>("TakeSnapshot", job);
        await h.InvokeAsync<Job>("TakeSnapshot", job);

        Assert.Equal(1, h.Aws.CallLog.Count("rds", "CreateDBSnapshot", "OK"));
    }

    [Fact]
    public async Task ShareAndCopy_RunTwice_OneCopyPerVolume()
    {
        var (h, job) = await PlannedAsync();
        job = await h.RunStepsAsync(job, until: StepKind.Share);

        // A retry runs the step again on the same input.
        var shared = await h.InvokeAsync<Job>("Share", job);
        await h.InvokeAsync<Job>("Share", job);
        var first = await h.InvokeAsync<Job>("CopyToRegion", shared);
        var second = await h.InvokeAsync<Job>("CopyToRegion", shared);

        Assert.Equal(job.Items.Count, h.Aws.CallLog.Count("ec2", "CopySnapshot", "OK"));
        Assert.Equal(first.Items.Select(i => i.Current), second.Items.Select(i => i.Current));
    }

    [Fact]
    public async Task CopyToRegion_Rds_RunTwice_OneCopyWithTheDeterministicIdentifier()
    {
        var (h, job) = await PlannedAsync("RDS", "orders-db");
        job = await h.RunStepsAsync(job, until: StepKind.Copy);

        var first = await h.InvokeAsync<Job>("CopyToRegion", job);
        var second = await h.InvokeAsync<Job>("CopyToRegion", job);

        Assert.Equal(1, h.Aws.CallLog.Count("rds", "CopyDBSnapshot", "OK"));
        Assert.Equal(first.Items[0].Current, second.Items[0].Current);
        Assert.Equal(Names.RdsSnapshot("orders-db", job.SessionId), first.Items[0].Current);
    }

    [Fact]
    public async Task Restore_RunTwice_OneInstanceOneImageOneSetOfVolumes()
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [AppKeyed], LocalTarget, Central, true, LocalDrKey));
        await h.ReplicateAsync("p", AppKeyed);
        var point = (await h.Services.RestorePoints.ListAsync("p", AppKeyed)).Single(p => !p.IsReplica);
        var plan = await h.InvokeAsync<PlanOutput>("PlanRestore", new RestoreInput(point.RestorePointId, SourceAccount, West, RestoreRole, AppKey, SessionId: "restore-1"));

        var first = await h.InvokeAsync<Job>("Restore", plan.Job!);
        await h.InvokeAsync<Job>("Restore", plan.Job!);
        h.Clock.Advance(TimeSpan.FromMinutes(10));
        var done = await h.InvokeAsync<Job>("Restore", first);
        var retried = await h.InvokeAsync<Job>("Restore", first);

        Assert.True(done.Finished);
        Assert.True(retried.Finished);
        Assert.Equal(1, h.Aws.CallLog.Count("ec2", "RegisterImage", "OK"));
        Assert.Single(h.Aws.CallLog.Records.Where(c => c.Operation == "RunInstances" && c.Succeeded).Select(c => c.Parameter("ClientToken")).Distinct());
        var ec2 = await h.Ec2Async(RestoreRole, West);
        var restored = Assert.Single(await ec2.DescribeInstancesAsync(new InstanceQuery(Tags: [new TagQuery(FerryTags.Session, ["restore-1"])])));
        Assert.Equal(2, restored.Volumes.Count);
    }

    [Fact]
    public async Task PlanRestore_RunTwiceWithTheSameSession_OneSession()
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", "RDS", ["orders-db"], LocalTarget, Central, true, LocalDrKey));
        await h.ReplicateAsync("p", "orders-db");
        var point = (await h.Services.RestorePoints.ListAsync("p", "orders-db")).Single(p => !p.IsReplica);
        var input = new RestoreInput(point.RestorePointId, SourceAccount, West, RestoreRole, SessionId: "restore-2");

        await h.InvokeAsync<PlanOutput>("PlanRestore", input);
        await h.InvokeAsync<PlanOutput>("PlanRestore", input);

        Assert.Single(await h.Services.Sessions.ListByPolicyAsync("p"), s => s.Kind == SessionKind.Restore);
    }

    [Fact]
    public async Task RecordOutcome_RunTwice_OneFinalOutcomeNeverOverwritten()
    {
        var (h, job) = await PlannedAsync();

        var first = await h.InvokeAsync<OutcomeOutput>("RecordOutcome", new OutcomeInput("p", job.SessionId, AppKeyed, ResourceStatus.Failed, "first"));
        var second = await h.InvokeAsync<OutcomeOutput>("RecordOutcome", new OutcomeInput("p", job.SessionId, AppKeyed, ResourceStatus.Success));

        Assert.Equal((true, false), (first.Recorded, second.Recorded));
        var resource = (await h.Services.Sessions.GetAsync(job.SessionId))!.Resources.Single();
        Assert.Equal((ResourceStatus.Failed, "first"), (resource.Status, resource.Reason));
        Assert.Single(resource.Log, e => e.Step == "RecordOutcome");
    }
}
