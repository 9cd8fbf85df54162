using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Ferry.Core.Inventory;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using Ferry.Local.Host;
using Ferry.Local.Runtime;
using Ferry.Simulator.World;
using Ferry.Tests.Shared;
using static Ferry.Tests.Shared.Scenario;
using FlowNames = Ferry.Core.Runs.Flows;

namespace Ferry.Flows.Tests;

/// <summary>
/// Steps that crash or time out after their effects (injected by the local Lambda host as Lambda reports them), run
/// through the real state machines: retries find the earlier work, and every crash point ends in a true outcome.
/// Each test starts its own Ferry and uses a fixed policy id, so the host's draws (per seed, step and subject) repeat;
/// each seed was chosen so that every faulted step crashes and times out at least once, which AssertInjected checks.
/// </summary>
[Collection(FlowCollection.Name)]
public class CrashFlowTests(FlowFixture fixture)
{
    private static string TwoInstances(string id, string targetRole = TargetRole, string key = DrKey) =>
        ReplicaPolicy(id, "EC2", [AppKeyed, Unencrypted], targetRole, Central, true, key);

    private static void AssertEveryOutcomeFinal(FlowRun run)
    {
        Assert.True(run.Session.EndedAt is not null, run.Describe());
        Assert.All(run.Session.Resources, r => Assert.True(r.Status != ResourceStatus.Running, $"{r.ResourceId} is still Running\n{run.Describe()}"));
    }

    /// <summary>The guard that the seed did inject what the test is about: each step named crashed and timed out at least once.</summary>
    private static void AssertInjected(LocalFerry ferry, params string[] steps)
    {
        var injected = ferry.Host.Faults.Injected;
        foreach (var step in steps)
        {
            foreach (var kind in (StepFaultKind[])[StepFaultKind.Crash, StepFaultKind.Timeout])
                Assert.True(injected.Any(f => f.Step == step && f.Kind == kind), $"no {kind} of {step} was injected; injected: {string.Join(", ", injected)}");
        }
    }

    /// <summary>A Ferry on which each step named crashes (30%) or times out (30%) after its effect, drawn from the seed.</summary>
    private Task<LocalFerry> StartFaultyAsync(int seed, params string[] steps) =>
        fixture.StartAsync(stepFaults: [.. steps.Select(s => new StepFault(s, Crash: 0.3, Timeout: 0.3, Seed: seed))]);

    /// <summary>Runs the policy: each step named crashed and timed out at least once, and still every resource succeeded.</summary>
    private async Task<FlowRun> RunThroughFaultsAsync(LocalFerry ferry, Func<string, string> policy, string policyId, params string[] steps)
    {
        var run = await fixture.RunPolicyAsync(ferry, policy, policyId);
        AssertInjected(ferry, steps);
        Assert.True(run.Session.Status == ResourceStatus.Success, run.Describe());
        return run;
    }

    /// <summary>
    /// Runs a two-instance policy on a Ferry whose step crashes after its effect on every attempt: the run still ends
    /// with every outcome final, its session closed Failed and the policy's run lock released.
    /// </summary>
    private async Task<FlowRun> RunWithStepAlwaysCrashingAsync(string step, string policyId)
    {
        await using var ferry = await fixture.StartAsync(stepFaults: [new StepFault(step, Crash: 1)]);
        var run = await fixture.RunPolicyAsync(ferry, id => TwoInstances(id), policyId);
        AssertEveryOutcomeFinal(run);
        Assert.Equal(ResourceStatus.Failed, run.Session.Status);
        Assert.Null(await ferry.Services.Sessions.GetRunLockAsync(run.PolicyId));
        return run;
    }

    private static async Task<IReadOnlyList<Ec2Snapshot>> SourceSnapshotsAsync(FlowRun run)
    {
        var ec2 = run.Ferry.Wire.Ports.Ec2(await run.Ferry.Services.Credentials.AssumeAsync(SourceRole), West);
        return await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Tags: [new TagQuery(FerryTags.Policy, [run.PolicyId])]));
    }

    [Fact]
    public async Task CreatingSteps_CrashAndTimeOutAfterEffect_CrossAccountEc2_OneSnapshotAndOneCopyPerVolume_AllSuccess()
    {
        string[] steps = ["TakeSnapshot", "Share", "CopyToRegion"];
        await using var ferry = await StartFaultyAsync(3, steps);

        var run = await RunThroughFaultsAsync(ferry, id => TwoInstances(id), "crash-ec2-cross", steps);

        Assert.Equal(2, run.CallCount("CreateSnapshots"));
        Assert.Equal(3, (await SourceSnapshotsAsync(run)).Count);
        Assert.Equal(3, run.CallCount("CopySnapshot"));
        Assert.Equal(3, (await run.EbsReplicasAsync(TargetRole, Central)).Count);
    }

    [Fact]
    public async Task CreatingSteps_CrashAndTimeOutAfterEffect_RdsStagedCopy_OneSnapshotOneStagingOneReplica_Success()
    {
        string[] steps = ["TakeSnapshot", "Share", "CopyToRegion"];
        await using var ferry = await StartFaultyAsync(48, steps);

        var run = await RunThroughFaultsAsync(ferry, id => ReplicaPolicy(id, "RDS", [Orders], TargetRole, Central, true, DrKey), "crash-rds-staged", steps);

        Assert.Equal(1, run.CallCount("CreateDBSnapshot"));
        Assert.Equal([West, Central], run.Calls.Where(c => c.Operation == "CopyDBSnapshot" && c.Result == "OK").Select(c => c.Region));
        Assert.Single(await run.RdsReplicasAsync(TargetRole, Central));
    }

    [Fact]
    public async Task RestoreSteps_CrashAndTimeOutAfterEffect_OneCopyOneInstanceOneSetOfVolumes_Success()
    {
        await using var ferry = await fixture.StartAsync(stepFaults:
        [
            new StepFault("CopyToRegion", Crash: 0.3, Timeout: 0.3, Seed: 76, Resource: "restore-"),
            new StepFault("Restore", Crash: 0.3, Timeout: 0.3, Seed: 76),
        ]);
        var replicated = await fixture.RunPolicyAsync(ferry, id => ReplicaPolicy(id, "EC2", [AppKeyed], LocalTarget, Central, true, LocalDrKey), "crash-restore");
        var point = (await ferry.Services.RestorePoints.ListAsync(replicated.PolicyId, AppKeyed)).Single(p => !p.IsReplica);
        var mark = ferry.Aws.CallLog.Records.Count;

        var execution = await ferry.RunAsync(FlowNames.Restore, new RestoreInput(point.RestorePointId, TargetAccount, Central, RestoreTarget, DrKey), "restore-crash");

        AssertInjected(ferry, "CopyToRegion", "Restore");
        var session = (await ferry.Services.Sessions.GetAsync("restore-restore-crash"))!;
        Assert.True(execution.Succeeded && session.Status == ResourceStatus.Success, $"{execution.Status} {execution.Error} {execution.Cause}: {session.Status}");
        var calls = ferry.Aws.CallLog.Records.Skip(mark).Where(c => c.Succeeded).ToList();
        Assert.Equal(2, calls.Count(c => c.Operation == "CopySnapshot"));
        Assert.Single(calls, c => c.Operation == "RegisterImage");
        Assert.Single(calls.Where(c => c.Operation == "RunInstances").Select(c => c.Parameter("ClientToken")).Distinct());
        var ec2 = ferry.Wire.Ports.Ec2(await ferry.Services.Credentials.AssumeAsync(RestoreTarget), Central);
        var instance = Assert.Single(await ec2.DescribeInstancesAsync(new InstanceQuery(Tags: [new TagQuery(FerryTags.Session, [session.SessionId])])));
        Assert.Equal(2, instance.Volumes.Count);
    }

    [Fact]
    public async Task EfsCopyToRegion_CrashesAndTimesOutAfterEffect_OneCopyJobOneCopy_Success()
    {
        await using var ferry = await fixture.StartAsync("efs.json", stepFaults: [new StepFault("CopyToRegion", Crash: 0.3, Timeout: 0.3, Seed: 8)]);

        var run = await RunThroughFaultsAsync(ferry, id => EfsScenario.AccountPolicy(id, [EfsScenario.SharedHome], "dr-vault"), "crash-efs", "CopyToRegion");

        Assert.Single(run.Calls.Where(c => c.Operation == "StartCopyJob" && c.Result == "OK").Select(c => c.Parameter("IdempotencyToken")).Distinct());
        var point = Assert.Single(await ferry.Services.RestorePoints.ListAsync(run.PolicyId, EfsScenario.SharedHome));
        var backup = ferry.Wire.Ports.Backup(await ferry.Services.Credentials.AssumeAsync(EfsScenario.SourceRole), Central);
        var copies = await backup.ListRecoveryPointsByResourceAsync(Simulator.SimulatedAws.FileSystemArn(EfsScenario.Management, West, EfsScenario.SharedHome));
        Assert.Equal(point.Snapshots[0].SnapshotId, Assert.Single(copies, c => c.VaultName == "dr-vault").Arn);
    }

    [Fact]
    public async Task BookkeepingSteps_CrashAndTimeOutAfterEffect_OneOutcomeEach_SessionClosedSuccess_LockReleased()
    {
        string[] steps = ["Plan", "RecordOutcome", "ApplyRetention", "CloseSession"];
        await using var ferry = await StartFaultyAsync(6, steps);

        var run = await RunThroughFaultsAsync(ferry, id => TwoInstances(id, LocalTarget, LocalDrKey), "crash-bookkeeping", steps);

        AssertEveryOutcomeFinal(run);
        Assert.All(run.Session.Resources, r => Assert.Single(r.Log, e => e.Step == "RecordOutcome"));
        Assert.Equal(2, (await ferry.Services.RestorePoints.ListAsync(run.PolicyId, AppKeyed)).Count);
        Assert.Null(await ferry.Services.Sessions.GetRunLockAsync(run.PolicyId));
    }

    [Fact]
    public async Task OpenSession_CrashingAfterItWroteTheSession_TheRetryFindsItsOwnSession_OneSessionAllSuccess()
    {
        await using var ferry = await fixture.StartAsync(stepFaults: [new StepFault("OpenSession", Crash: 0.5, Seed: 1)]);

        var run = await fixture.RunPolicyAsync(ferry, id => TwoInstances(id, LocalTarget, LocalDrKey), "crash-open-once");

        Assert.Contains(ferry.Host.Faults.Injected, f => f.Step == "OpenSession" && f.Invocation == 1);
        Assert.True(run.Session.Status == ResourceStatus.Success, run.Describe());
        AssertEveryOutcomeFinal(run);
        Assert.Null(await ferry.Services.Sessions.GetRunLockAsync(run.PolicyId));
    }

    [Fact]
    public async Task OpenSession_CrashingEveryTime_EndsInAFailedClosedSessionSayingSo_TheLockReleased()
    {
        var run = await RunWithStepAlwaysCrashingAsync("OpenSession", "crash-open-always");

        Assert.StartsWith("The step crashed: ", run.Session.Reason, StringComparison.Ordinal);
        Assert.Equal(0, run.CallCount("CreateSnapshots", null));
    }

    [Fact]
    public async Task Discover_CrashingAfterItNotedTheResources_EveryResourceGetsAFinalOutcome_NoSessionRunning()
    {
        var run = await RunWithStepAlwaysCrashingAsync("Discover", "crash-discover");

        Assert.Equal((SessionSteps.EndedWithoutOutcome, ResourceStatus.Failed), (run.Outcome(AppKeyed).Reason, run.Outcome(AppKeyed).Status));
        Assert.Equal((SessionSteps.EndedWithoutOutcome, ResourceStatus.Failed), (run.Outcome(Unencrypted).Reason, run.Outcome(Unencrypted).Status));
        Assert.StartsWith("The step crashed: ", run.Outcome($"region:{West}").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanRestore_CrashingAfterItOpenedTheSession_ClosesItFailedWithTheReason_TheExecutionFails()
    {
        await using var ferry = await fixture.StartAsync(stepFaults: [new StepFault("PlanRestore", Crash: 1)]);
        var replicated = await fixture.RunPolicyAsync(ferry, id => ReplicaPolicy(id, "EC2", [AppKeyed], LocalTarget, Central, true, LocalDrKey), "crash-plan-restore");
        var point = (await ferry.Services.RestorePoints.ListAsync(replicated.PolicyId, AppKeyed)).Single(p => !p.IsReplica);

        var execution = await ferry.RunAsync(FlowNames.Restore, new RestoreInput(point.RestorePointId, SourceAccount, Central, RestoreRole, LocalDrKey), "plan-crash");

        Assert.Equal(("FAILED", "Runtime.ExitError"), (execution.Status, execution.Error));
        var session = (await ferry.Services.Sessions.GetAsync("restore-plan-crash"))!;
        Assert.Equal(ResourceStatus.Failed, session.Status);
        Assert.NotNull(session.EndedAt);
        var resource = Assert.Single(session.Resources);
        Assert.Equal(ResourceStatus.Failed, resource.Status);
        Assert.StartsWith("The step crashed: ", resource.Reason, StringComparison.Ordinal);
        Assert.Equal(resource.Reason, session.Reason);
    }

    [Fact]
    public async Task Restore_InvalidRequest_FailsNamingTheField_OpensNoSession()
    {
        var execution = await fixture.Ferry.RunAsync(FlowNames.Restore,
            new RestoreInput("rp-anything", "12345", Central, RestoreRole), "restore-invalid");

        Assert.Equal(("FAILED", "FerryInvalidInputException"), (execution.Status, execution.Error));
        Assert.Contains("targetAccount: '12345' is not a 12-digit AWS account id", execution.Cause, StringComparison.Ordinal);
        Assert.Null(await fixture.Ferry.Services.Sessions.GetAsync("restore-restore-invalid"));
    }

    [Fact]
    public async Task PolicyRun_InvalidStoredPolicy_EndsInAFailedSessionWithTheReason()
    {
        var id = fixture.NewId("p");
        // The stores validate on put: an invalid document can only have been stored before a rule changed, so it is written raw.
        foreach (var table in (await fixture.Dynalite.Client.ListTablesAsync()).TableNames.Where(t => t.EndsWith("-policies", StringComparison.Ordinal)))
        {
            await fixture.Dynalite.Client.PutItemAsync(new PutItemRequest(table, new()
            {
                ["policyId"] = new AttributeValue(id),
                ["document"] = new AttributeValue($$"""{ "id": "{{id}}", "type": "EC2" }"""),
                ["updatedAt"] = new AttributeValue("2026-01-01T00:00:00Z"),
            }));
        }

        var execution = await fixture.Ferry.RunAsync(FlowNames.PolicyRun, new JsonObject { ["policyId"] = id }, fixture.NewId("run"));

        Assert.True(execution.Succeeded, $"{execution.Error} {execution.Cause}");
        var session = Assert.Single(await fixture.Ferry.Services.Sessions.ListByPolicyAsync(id));
        Assert.Equal(ResourceStatus.Failed, session.Status);
        Assert.NotNull(session.EndedAt);
        Assert.True(session.Reason?.StartsWith($"policyId: policy '{id}' is stored but invalid: ", StringComparison.Ordinal), session.Reason);
        Assert.Contains("$.sources", session.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondRunOfARunningPolicy_IsRefused_WithACanceledSessionNamingTheRunningOne_TheFirstSucceeds()
    {
        // Snapshots that take two simulated hours keep the first run running while the second starts.
        var world = Path.Combine(Path.GetTempPath(), $"ferry-slow-{Guid.NewGuid():N}.json");
        var text = await File.ReadAllTextAsync(Repository.PathOf("local", "worlds", "replicas.json"));
        await File.WriteAllTextAsync(world, "{ \"timings\": { \"ebsSnapshotSeconds\": 7200 }," + text[(text.IndexOf('{', StringComparison.Ordinal) + 1)..]);
        try
        {
            await using var ferry = await fixture.StartAsync(world);
            var id = fixture.NewId("p");
            await ferry.PutPolicyAsync(ReplicaPolicy(id, "EC2", [Unencrypted], LocalTarget, Central, false));

            var first = ferry.RunAsync(FlowNames.PolicyRun, new JsonObject { ["policyId"] = id }, "first");
            while (!first.IsCompleted && (await ferry.Services.Sessions.GetAsync($"{id}-first"))?.Resources is not { Count: > 0 })
                await Task.Delay(50);
            var second = await ferry.RunAsync(FlowNames.PolicyRun, new JsonObject { ["policyId"] = id }, "second");
            var firstWhileRefused = (await ferry.Services.Sessions.GetHeaderAsync($"{id}-first"))!;
            var firstDone = await first;

            Assert.True(second.Succeeded, $"{second.Error} {second.Cause}");
            Assert.Null(firstWhileRefused.EndedAt);
            var refused = (await ferry.Services.Sessions.GetAsync($"{id}-second"))!;
            Assert.Equal(ResourceStatus.Canceled, refused.Status);
            Assert.StartsWith($"Not run: policy {id} is already running in session {id}-first", refused.Reason, StringComparison.Ordinal);
            Assert.Empty(refused.Resources);
            Assert.True(firstDone.Succeeded, $"{firstDone.Error} {firstDone.Cause}");
            Assert.Equal(ResourceStatus.Success, (await ferry.Services.Sessions.GetAsync($"{id}-first"))!.Status);
            Assert.Equal(1, ferry.Aws.CallLog.Count("ec2", "CreateSnapshots", "OK"));
        }
        finally
        {
            File.Delete(world);
        }
    }
}
