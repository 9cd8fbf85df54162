using System.Text.Json;
using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Planning;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Functions.Tests.Steps;

/// <summary>A job is its plan and a cursor: each step runs only the plan step at the cursor, and the job crosses JSON whole.</summary>
public class PlanDrivenJobTests
{
    private static async Task<(Harness Harness, Job Job)> PlannedAsync(string type, string resource)
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", type, [resource], TargetRole, Central, true, DrKey));
        var plan = await h.PlanAsync("p", await h.OpenSessionAsync("p"), resource);
        return (h, plan.Job!);
    }

    [Theory]
    [InlineData(StepRunners.Share)]
    [InlineData(StepRunners.CopyToRegion)]
    [InlineData(StepRunners.CheckAvailable)]
    [InlineData(StepRunners.EnableBackupOptIn)]
    public async Task Step_PlansNextStepIsOfAnotherKind_FailsAsInvalidInputNamingTheCursor_AndCallsNoAws(string step)
    {
        var (h, job) = await PlannedAsync("EC2", AppKeyed);
        var calls = h.Aws.CallLog.Records.Count;

        var error = await Assert.ThrowsAsync<FerryInvalidInputException>(() => h.InvokeAsync<Job>(step, job));

        Assert.Equal(StepKind.TakeSnapshot.ToString(), job.Next);
        Assert.StartsWith($"cursor: the plan's step 0 of {AppKeyed} is TakeSnapshot, but {step} runs only", error.Message, StringComparison.Ordinal);
        Assert.Equal(calls, h.Aws.CallLog.Records.Count);
    }

    [Fact]
    public async Task Job_OfARestoreUnderWay_RoundTripsThroughJsonWithItsPlanCursorAndTypedPayload()
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [AppKeyed], LocalTarget, Central, true, LocalDrKey));
        await h.ReplicateAsync("p", AppKeyed);
        var point = (await h.Services.RestorePoints.ListAsync("p", AppKeyed)).Single(p => !p.IsReplica);
        var plan = await h.InvokeAsync<PlanOutput>("PlanRestore", new RestoreInput(point.RestorePointId, SourceAccount, Central, RestoreRole, LocalDrKey));
        var copied = await h.RunStepsAsync(plan.Job!, until: StepKind.CreateInstance);
        var job = await h.InvokeAsync<Job>(StepRunners.Restore, copied);

        var json = JsonSerializer.Serialize(job, FerryJson.Default.Job);
        var read = JsonSerializer.Deserialize(json, FerryJson.Default.Job)!;

        Assert.Contains($"\"next\":\"{job.Next}\"", json, StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"restore\"", json, StringComparison.Ordinal);
        Assert.Equal(json, JsonSerializer.Serialize(read, FerryJson.Default.Job));
        Assert.Equal((job.Cursor, job.Next), (read.Cursor, read.Next));
        Assert.Equal(job.Steps.Select(s => (s.Kind, s.Role, s.Account, s.Region)), read.Steps.Select(s => (s.Kind, s.Role, s.Account, s.Region)));
        var payload = Assert.IsType<RestorePayload>(read.Payload);
        Assert.Equal(point.RestorePointId, payload.RestorePointId);
        Assert.Equal(job.Created().OrderBy(c => c.Key), payload.CreatedIds.OrderBy(c => c.Key));
        Assert.Contains("instance", payload.CreatedIds.Keys);
        Assert.Equal(job.Items.Select(i => i.Ids), read.Items.Select(i => i.Ids));
    }

    [Fact]
    public async Task RdsCrossAccountOtherRegion_PlanHasTwoCopies_StagingCopyKeptUntilTheReplicaCompletesThenDeleted()
    {
        var (h, job) = await PlannedAsync("RDS", Orders);
        var copies = job.Copies.Select(c => c.Step).ToList();
        Assert.Equal([(TargetRole, TargetAccount, West), (TargetRole, TargetAccount, Central)], copies.Select(c => (c.Role, c.Account, c.Region)));
        Assert.Equal(DrKey, copies[1].KmsKey);
        var staging = await h.RdsAsync(TargetRole, West);
        var target = await h.RdsAsync(TargetRole, Central);

        job = await h.RunStepsAsync(job, until: StepKind.Copy);
        job = await h.RunStepsAsync(await h.StepAsync(job), until: StepKind.Copy);
        var stagingId = job.Items[0].Ids[1];
        var staged = Assert.Single(await staging.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, Identifiers: [stagingId])));
        Assert.Equal("staging", staged.Tags[FerryTags.Step]);

        job = await h.InvokeAsync<Job>(StepRunners.CopyToRegion, job);
        Assert.Single(await staging.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, Identifiers: [stagingId])));
        job = await h.RunStepsAsync(job);

        Assert.True(job.Finished);
        Assert.Equal(3, job.Items[0].Ids.Count);
        var replica = Assert.Single(await target.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, Identifiers: [job.Items[0].Current])));
        Assert.Equal(("available", DrKey, "replica"), (replica.Status, replica.KmsKeyId, replica.Tags[FerryTags.Step]));
        Assert.Empty(await staging.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, Identifiers: [stagingId])));
    }
}
