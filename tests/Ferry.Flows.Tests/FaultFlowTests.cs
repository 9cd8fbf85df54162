using Ferry.Core.Ports;
using System.Text;
using Ferry.Core.Sessions;
using Ferry.Simulator;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Flows.Tests;

/// <summary>Faults injected into the world: retries recover, persistent failures fail only their resource, quotas are respected.</summary>
[Collection(FlowCollection.Name)]
public class FaultFlowTests(FlowFixture fixture)
{
    private static string TwoInstances(string id) =>
        ReplicaPolicy(id, "EC2", [Unencrypted, AppKeyed], LocalTarget, Central, true, LocalDrKey);

    [Fact]
    public async Task ThrottledStep_IsRetriedAndSucceeds()
    {
        // Seed 2 throttles the first CreateSnapshots calls of this run (draws are deterministic per seed).
        await using var ferry = await fixture.StartAsync(faults: new FaultSettings(2, [new FaultRule("ec2:CreateSnapshots", Throttle: 0.6)]));

        var run = await fixture.RunPolicyAsync(ferry, id => ReplicaPolicy(id, "EC2", [AppKeyed], LocalTarget, Central, true, LocalDrKey));

        Assert.True(run.Session.Status == ResourceStatus.Success, run.Describe());
        Assert.NotEqual(0, run.CallCount("CreateSnapshots", "RequestLimitExceeded"));
        Assert.Equal(1, run.CallCount("CreateSnapshots"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task ThrottlingStorm_ThirtyPercentOnCopyAndDescribe_AllSuccessWithOneCopyPerVolume(int seed)
    {
        await using var ferry = await fixture.StartAsync(faults: new FaultSettings(seed,
            [new FaultRule("ec2:CopySnapshot", Throttle: 0.3), new FaultRule("ec2:DescribeSnapshots", Throttle: 0.3)]));

        var run = await fixture.RunPolicyAsync(ferry, id => ReplicaPolicy(id, "EC2", [Unencrypted, AppKeyed, Mixed], TargetRole, Central, true, DrKey));

        Assert.True(run.Session.Status == ResourceStatus.Success, run.Describe());
        Assert.NotEqual(0, run.CallCount("CopySnapshot", "RequestLimitExceeded") + run.CallCount("DescribeSnapshots", "RequestLimitExceeded"));
        // Read the world directly: the storm still throttles API calls.
        var replicas = ferry.Aws.Snapshots().Where(s => s.Tags.GetValueOrDefault(FerryTags.Policy) == run.PolicyId && s.Tags.GetValueOrDefault(FerryTags.Step) == "replica").ToList();
        Assert.All(replicas.GroupBy(r => r.Tags[FerryTags.Item]), copies => Assert.Single(copies));
        Assert.Equal(replicas.Count, run.CallCount("CopySnapshot"));
    }

    [Fact]
    public async Task StepThatKeepsFailing_FailsItsResourceWithTheReason_OthersSucceed()
    {
        await using var ferry = await fixture.StartAsync(faults: new FaultSettings(1, [new FaultRule("kms:DescribeKey", Transient: 1, Resource: AppKey)]));

        var run = await fixture.RunPolicyAsync(ferry, TwoInstances);

        Assert.Equal(ResourceStatus.Success, run.Outcome(Unencrypted).Status);
        var failed = run.Outcome(AppKeyed);
        Assert.Equal(ResourceStatus.Failed, failed.Status);
        Assert.Contains("AWS kept failing the step", failed.Reason, StringComparison.Ordinal);
        Assert.Contains("kms:DescribeKey", failed.Reason, StringComparison.Ordinal);
        Assert.Equal(ResourceStatus.Failed, run.Session.Status);
        Assert.True(run.CallCount("DescribeKey", "KMSInternalException") > 1, "the step was retried before giving up");
    }

    [Fact]
    public async Task SnapshotEndingInError_FailsOnlyItsOwnResource()
    {
        await using var ferry = await fixture.StartAsync(faults: new FaultSettings(1, [new FaultRule("ec2:CreateSnapshots", SnapshotError: 1, Resource: AppKeyed)]));

        var run = await fixture.RunPolicyAsync(ferry, TwoInstances);

        Assert.Equal(ResourceStatus.Success, run.Outcome(Unencrypted).Status);
        Assert.Equal(ResourceStatus.Failed, run.Outcome(AppKeyed).Status);
        Assert.Contains("is in state error", run.Outcome(AppKeyed).Reason, StringComparison.Ordinal);
        Assert.Single(await run.EbsReplicasAsync(LocalTarget, Central));
    }

    [Fact]
    public async Task SixtyResources_CopyQuotaOfTwenty_NeverMoreThanTwentyInFlightAndAllFinish()
    {
        var world = Path.Combine(Path.GetTempPath(), $"ferry-bulk-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(world, BulkWorld(60));
        try
        {
            await using var ferry = await fixture.StartAsync(world, acceleration: 1800);

            var run = await fixture.RunPolicyAsync(ferry, id => $$"""
                {
                  "id": "{{id}}", "type": "EC2",
                  "sources": { "sourceRole": "{{SourceRole}}", "regions": ["{{West}}"], "resources": { "tags": [{ "key": "backup", "value": "bulk" }] } },
                  "replicas": { "mappings": [{ "sourceRegion": "{{West}}", "targetRole": "{{LocalTarget}}", "targetRegion": "{{Central}}", "encryption": { "enabled": false } }] },
                  "retention": { "restorePoints": 1 }
                }
                """);

            Assert.Equal(60, run.Session.Resources.Count);
            Assert.All(run.Session.Resources, r => Assert.True(r.Status == ResourceStatus.Success, $"{r.ResourceId}: {r.Status} {r.Reason}"));
            Assert.Equal(60, run.CallCount("CopySnapshot"));
            var peak = ferry.Aws.CallLog.PeakCopiesInFlight(CopyService.Ebs, SourceAccount, Central);
            Assert.InRange(peak, 2, 20);
            Assert.Equal(0, run.CallCount("CopySnapshot", "ResourceLimitExceeded"));
        }
        finally
        {
            File.Delete(world);
        }
    }

    /// <summary>A world of <paramref name="count"/> unencrypted one-volume instances tagged for one policy, with slow copies so they overlap.</summary>
    private static string BulkWorld(int count)
    {
        var instances = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            instances.Append(i == 0 ? "" : ",\n").Append($$"""
                { "instanceId": "i-{{i:x17}}", "account": "111111111111", "region": "eu-west-1", "instanceType": "t3.small",
                  "tags": { "backup": "bulk" }, "volumes": [{ "volumeId": "vol-{{i:x17}}", "deviceName": "/dev/xvda", "sizeGiB": 8 }] }
                """);
        }
        return $$"""
            {
              "ferry": { "principal": "arn:aws:iam::999999999999:role/FerryService", "externalId": "ferry-ext" },
              "accounts": ["111111111111"], "regions": ["eu-west-1", "eu-central-1"],
              "roles": [
                { "arn": "{{SourceRole}}", "assumableBy": ["arn:aws:iam::999999999999:role/FerryService"], "externalId": "ferry-ext" },
                { "arn": "{{LocalTarget}}", "assumableBy": ["arn:aws:iam::999999999999:role/FerryService"], "externalId": "ferry-ext" }
              ],
              "timings": { "ebsCopySeconds": 3600 },
              "instances": [{{instances}}]
            }
            """;
    }
}
