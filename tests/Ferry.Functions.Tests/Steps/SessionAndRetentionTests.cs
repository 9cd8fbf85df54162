using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Functions.Tests.Steps;

public class SessionAndRetentionTests
{

    [Fact]
    public async Task PolicyRun_DiscoversByIdAndTag_AndCloseFailsNamedResourcesNeverFound()
    {
        var h = new Harness();
        var policy = ReplicaPolicy("p", "EC2", [AppKeyed, "i-0fffffffffffffff0"], TargetRole, Central, true, DrKey)
            .Replace("\"resources\": { \"ids\"", "\"resources\": { \"tags\": [{ \"key\": \"backup\", \"value\": \"gold\" }], \"ids\"", StringComparison.Ordinal);
        await h.PutPolicyAsync(policy);
        var open = await h.InvokeAsync<OpenSessionOutput>("OpenSession", new OpenSessionInput("p"));

        var discovered = await h.InvokeAsync<DiscoverOutput>("Discover", new DiscoverInput("p", open.SessionId, West));
        foreach (var resource in discovered.ResourceIds)
            await h.InvokeAsync<OutcomeOutput>("RecordOutcome", new OutcomeInput("p", open.SessionId, resource, ResourceStatus.Success));
        var closed = await h.InvokeAsync<CloseSessionOutput>("CloseSession", new CloseSessionInput(open.SessionId));

        Assert.Equal([West], open.Regions);
        Assert.Contains(AppKeyed, discovered.ResourceIds);
        Assert.Contains("i-0a1b2c3d4e5f60001", discovered.ResourceIds);
        Assert.Equal(ResourceStatus.Failed, closed.Status);
        var session = (await h.Services.Sessions.GetAsync(open.SessionId))!;
        var missing = session.Resources.Single(r => r.ResourceId == "i-0fffffffffffffff0");
        Assert.Equal(ResourceStatus.Failed, missing.Status);
        Assert.Contains("was not found in account 111111111111", missing.Reason, StringComparison.Ordinal);
        Assert.Equal(discovered.ResourceIds.Count + 1, closed.Resources);
    }

    [Fact]
    public async Task ApplyRetention_KeepsTheNewestOfEachKind_DeletesOlderSnapshotsAndTheirPoints()
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [AppKeyed], TargetRole, Central, true, DrKey, keep: 1));
        for (var run = 0; run < 3; run++)
        {
            await h.ReplicateAsync("p", AppKeyed);
            h.Clock.Advance(TimeSpan.FromHours(1));
        }

        var result = await h.InvokeAsync<RetentionOutput>("ApplyRetention", new RetentionInput("p", AppKeyed));

        Assert.Equal(2, result.Kept);
        Assert.Equal(4, result.DeletedRestorePoints.Count);
        var points = await h.Services.RestorePoints.ListAsync("p", AppKeyed);
        Assert.Equal([false, true], points.Select(p => p.IsReplica).Order());
        var source = await h.Ec2Async(SourceRole, West);
        var target = await h.Ec2Async(TargetRole, Central);
        Assert.Equal(2, (await source.DescribeSnapshotsAsync(new SnapshotQuery(Tags: [new TagQuery(FerryTags.Policy, ["p"])]))).Count);
        var replicas = await target.DescribeSnapshotsAsync(new SnapshotQuery(Tags: [new TagQuery(FerryTags.Policy, ["p"])]));
        Assert.Equal(points.Single(p => p.IsReplica).Snapshots.Select(s => s.SnapshotId).Order(), replicas.Select(r => r.SnapshotId).Order());
    }

    [Fact]
    public async Task ApplyRetention_SnapshotNotTaggedForThePolicy_IsLeftAlone()
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [AppKeyed], TargetRole, Central, true, DrKey, keep: 1));
        await h.ReplicateAsync("p", AppKeyed);
        h.Clock.Advance(TimeSpan.FromHours(1));
        await h.ReplicateAsync("p", AppKeyed);
        var oldest = (await h.Services.RestorePoints.ListAsync("p", AppKeyed)).Where(p => !p.IsReplica).MinBy(p => p.CreatedAt)!;
        var source = await h.Ec2Async(SourceRole, West);
        await Ferry.Tests.Shared.ByHand.CreateTagsAsync(h.Local, SourceRole, West, [oldest.Snapshots[0].SnapshotId], new Dictionary<string, string> { [FerryTags.Policy] = "someone-else" });

        var result = await h.InvokeAsync<RetentionOutput>("ApplyRetention", new RetentionInput("p", AppKeyed));

        Assert.DoesNotContain(oldest.RestorePointId, result.DeletedRestorePoints);
        Assert.Single(await source.DescribeSnapshotsAsync(new SnapshotQuery(Ids: [oldest.Snapshots[0].SnapshotId])));
    }
}
