using System.Text.Json.Nodes;
using Ferry.Core.Inventory;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using Ferry.Local.Runtime;
using Ferry.Simulator;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Flows.Tests;

/// <summary>Through the real state machines: what failed attempts made is deleted, in the same run or by the next, and nothing else.</summary>
[Collection(FlowCollection.Name)]
public class CleanupFlowTests(FlowFixture fixture)
{
    private const string OrdersDataVolume = "vol-0a1b2c3d4e5f60021";

    /// <summary>Runs the policy run state machine under a chosen execution name, so the session's id is known before the run.</summary>
    private static async Task<FlowRun> RunAsync(LocalFerry ferry, string policyId, string execution)
    {
        var mark = ferry.Aws.CallLog.Records.Count;
        var result = await ferry.RunAsync(Core.Runs.Flows.PolicyRun, new JsonObject { ["policyId"] = policyId }, execution);
        var session = await ferry.Services.Sessions.GetAsync(SessionOf(policyId, execution));
        Assert.True(session is not null, $"policy-run names its session {SessionOf(policyId, execution)}: {result.Status} {result.Error} {result.Cause}");
        return new FlowRun(ferry, policyId, result, session!, mark);
    }

    /// <summary>policy-run's OpenSession names the session after the policy and the execution.</summary>
    private static string SessionOf(string policyId, string execution) => $"{policyId}-{execution}";

    private static Dictionary<string, string> Tags(string policyId, string sessionId, string step) => new()
    {
        [FerryTags.Policy] = policyId, [FerryTags.Session] = sessionId, [FerryTags.Source] = AppKeyed, [FerryTags.Step] = step,
    };

    private static async Task<IEc2Port> Ec2Async(LocalFerry ferry, string role, string region) =>
        ferry.Wire.Ports.Ec2(await ferry.Services.Credentials.AssumeAsync(role), region);

    private static async Task<IReadOnlyList<string>> ExistingAsync(IEc2Port ec2, IEnumerable<string> ids) =>
        [.. (await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Ids: [.. ids]))).Select(s => s.SnapshotId)];

    /// <summary>Waits (on the world's accelerated clock, however slow the machine) until the snapshots have completed.</summary>
    private static async Task CompletedAsync(IEc2Port ec2, IReadOnlyList<string> ids)
    {
        while ((await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Ids: ids))).Any(s => s.State != "completed"))
            await Task.Delay(50);
    }

    [Fact]
    public async Task LeftoversOfAFailedAttempt_AreDeletedByTheNextRun_NeverAForeignOrNewestGoodSnapshot()
    {
        var policyId = fixture.NewId("p");
        var (good, failing, next) = (fixture.NewId("run"), fixture.NewId("run"), fixture.NewId("run"));
        // Copies of the second and third runs end in error, so the first run's replica stays the newest good one.
        await using var ferry = await fixture.StartAsync(faults: new FaultSettings(1,
        [
            new FaultRule("ec2:CopySnapshot", SnapshotError: 1, Resource: $"{FerryTags.Session}={SessionOf(policyId, failing)};"),
            new FaultRule("ec2:CopySnapshot", SnapshotError: 1, Resource: $"{FerryTags.Session}={SessionOf(policyId, next)};"),
        ]));
        await ferry.PutPolicyAsync(ReplicaPolicy(policyId, "EC2", [AppKeyed], TargetRole, Central, true, DrKey));
        var first = await RunAsync(ferry, policyId, good);
        Assert.True(first.Outcome(AppKeyed).Status == ResourceStatus.Success, first.Describe());
        var failed = await RunAsync(ferry, policyId, failing);
        Assert.True(failed.Outcome(AppKeyed).Status == ResourceStatus.Failed, failed.Describe());

        // What a TakeSnapshot and a CopyToRegion of the failed attempt left when they took effect after its outcome (their answers lost).
        var source = await Ec2Async(ferry, SourceRole, West);
        var target = await Ec2Async(ferry, TargetRole, Central);
        var late = (await source.CreateSnapshotsAsync(AppKeyed, Tags(policyId, failed.Session.SessionId, "snapshot"))).Select(s => s.SnapshotId).ToList();
        await CompletedAsync(source, late);
        await source.ShareSnapshotAsync(late[0], TargetAccount);
        var lateCopy = await target.CopySnapshotAsync(new Ec2CopyRequest(West, late[0], true, DrKey, "late copy",
            new Dictionary<string, string>(Tags(policyId, failed.Session.SessionId, "replica")) { [FerryTags.Item] = OrdersDataVolume }));
        var foreign = await Ferry.Tests.Shared.ByHand.CreateSnapshotAsync(ferry.Wire, SourceRole, West, OrdersDataVolume, "a person's own snapshot", new Dictionary<string, string>());
        var otherPolicy = await Ferry.Tests.Shared.ByHand.CreateSnapshotAsync(ferry.Wire, SourceRole, West, OrdersDataVolume, "another policy's", Tags("other-policy", "other-policy-run", "snapshot"));

        var last = await RunAsync(ferry, policyId, next);

        Assert.True(last.Outcome(AppKeyed).Status == ResourceStatus.Failed, last.Describe());
        Assert.Empty(await ExistingAsync(source, late));
        Assert.Empty(await ExistingAsync(target, [lateCopy]));
        Assert.Equal([foreign.SnapshotId, otherPolicy.SnapshotId], (await ExistingAsync(source, [foreign.SnapshotId, otherPolicy.SnapshotId])).Order());
        var points = await ferry.Services.RestorePoints.ListAsync(policyId, AppKeyed);
        Assert.Equal([first.Session.SessionId], points.Select(p => p.SessionId).Distinct());
        var replica = points.Single(p => p.IsReplica);
        Assert.Equal(replica.Snapshots.Count, (await ExistingAsync(target, replica.Snapshots.Select(s => s.SnapshotId))).Count);
        var snapshot = points.Single(p => !p.IsReplica);
        Assert.Equal(snapshot.Snapshots.Count, (await ExistingAsync(source, snapshot.Snapshots.Select(s => s.SnapshotId))).Count);
        var swept = last.Outcome(AppKeyed).Log.Where(e => e.Step == "ApplyRetention" && e.Message.StartsWith("Removed", StringComparison.Ordinal)).ToList();
        Assert.Equal([TargetRole, SourceRole], swept.Select(e => e.Role));
        Assert.Equal([lateCopy], swept[0].Ids!.Keys);
        Assert.Equal(late.Order(), swept[1].Ids!.Keys.Order());
        Assert.All(swept, e => Assert.Contains($"left by session {failed.Session.SessionId}, which ended Failed", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FailedResource_ItsSnapshotStagingCopyAndReplica_DeletedInTheSameRun_AndTheSessionLogSaysSo()
    {
        await using var ferry = await fixture.StartAsync(faults: new FaultSettings(1, [new FaultRule("rds:CopyDBSnapshot", SnapshotError: 1, Resource: "ferry:step=replica")]));

        var run = await fixture.RunPolicyAsync(ferry, id => ReplicaPolicy(id, "RDS", [Orders], TargetRole, Central, true, DrKey));

        var outcome = run.Outcome(Orders);
        Assert.True(outcome.Status == ResourceStatus.Failed, run.Describe());
        var identifier = Names.RdsSnapshot(Orders, run.Session.SessionId);
        foreach (var (role, region) in new[] { (TargetRole, Central), (TargetRole, West), (SourceRole, West) })
        {
            var rds = ferry.Wire.Ports.Rds(await ferry.Services.Credentials.AssumeAsync(role), region);
            Assert.Empty(await rds.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, Identifiers: [identifier])));
        }
        var removed = outcome.Log.Where(e => e.Step == "RecordOutcome" && e.Message.StartsWith("Removed", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [$"Removed from {TargetAccount}/{Central}", $"Removed from {TargetAccount}/{West}", $"Removed from {SourceAccount}/{West}"],
            removed.Select(e => e.Message[..e.Message.IndexOf(':', StringComparison.Ordinal)]));
        Assert.Equal([TargetRole, TargetRole, SourceRole], removed.Select(e => e.Role));
        Assert.All(removed, e => Assert.Equal([identifier], e.Ids!.Keys));
        Assert.DoesNotContain(outcome.Log, e => e.Level == ResourceStatus.Warning);
        Assert.Empty(await ferry.Services.RestorePoints.ListAsync(run.PolicyId, Orders));
    }
}
