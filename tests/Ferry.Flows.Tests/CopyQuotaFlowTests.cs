using Ferry.Core.Sessions;
using Ferry.Local.Runtime;
using Ferry.Simulator;
using Ferry.Simulator.World;

namespace Ferry.Flows.Tests;

/// <summary>
/// The copy scheduler through the real state machines: copy quotas are never exceeded, never deadlock and never
/// leave a resource waiting on itself; count limits fail their resource at once with the reason.
/// </summary>
[Collection(FlowCollection.Name)]
public class CopyQuotaFlowTests(FlowFixture fixture)
{
    // Copies of 30 simulated minutes, so many overlap and the quota is what paces them.
    private static readonly TimingSpec HalfHourCopies = new() { EbsSnapshotSeconds = 300, EbsCopySeconds = 1800 };

    [Fact]
    public async Task HundredInstancesOfTwoVolumes_CopyQuotaOfTwenty_AllSucceedWithOneCopyPerVolumeAndNeverMoreThanTwentyInFlight()
    {
        var run = await RunBulkAsync(BulkWorld.Instances(100, 2, HalfHourCopies));

        Assert.Equal(100, run.Session.Resources.Count);
        Assert.All(run.Session.Resources, r => Assert.True(r.Status == ResourceStatus.Success, $"{r.ResourceId}: {r.Status} {r.Reason}"));
        AssertOneCopyPerVolumeWithinTheQuota(run, volumes: 200);
    }

    [Fact]
    public async Task OneInstanceWithTwentyFiveVolumes_CopyQuotaOfTwenty_SucceedsInWavesNeverMoreThanTwentyInFlight()
    {
        var run = await RunBulkAsync(BulkWorld.Instances(1, 25, HalfHourCopies));

        var outcome = Assert.Single(run.Session.Resources);
        Assert.True(outcome.Status == ResourceStatus.Success, run.Describe());
        AssertOneCopyPerVolumeWithinTheQuota(run, volumes: 25);
        var windows = run.Ferry.Aws.CallLog.CopyWindows(CopyService.Ebs, BulkWorld.Account, BulkWorld.TargetRegion);
        Assert.Equal(20, run.Ferry.Aws.CallLog.PeakCopiesInFlight(CopyService.Ebs, BulkWorld.Account, BulkWorld.TargetRegion));
        // The second wave starts within a few quota retries (a minute each at most) of the first wave's copies ending.
        var secondWave = windows.OrderBy(w => w.Start).Skip(20).Min(w => w.Start);
        var firstEnded = windows.OrderBy(w => w.Start).Take(20).Min(w => w.End);
        Assert.InRange(secondWave - firstEnded, TimeSpan.Zero, TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task RdsCopyIntoARegionAtItsManualSnapshotLimit_FailsAtOnceNamingTheLimitAccountAndRegion()
    {
        var world = Path.Combine(Path.GetTempPath(), $"ferry-limit-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(world, ManualSnapshotLimitWorld);
        try
        {
            await using var ferry = await fixture.StartAsync(world, acceleration: 1800);
            // The target region already holds its one allowed manual snapshot.
            var rds = ferry.Wire.Ports.Rds(await ferry.Services.Credentials.AssumeAsync(BulkWorld.TargetRole), BulkWorld.TargetRegion);
            await rds.CreateSnapshotAsync(Core.Inventory.RdsKind.DbInstance, "local-db", "someone-elses", new Dictionary<string, string>());

            var run = await fixture.RunPolicyAsync(ferry, id => $$"""
                {
                  "id": "{{id}}", "type": "RDS",
                  "sources": { "sourceRole": "{{BulkWorld.SourceRole}}", "regions": ["{{BulkWorld.SourceRegion}}"], "resources": { "ids": ["orders-db"] } },
                  "replicas": { "mappings": [{ "sourceRegion": "{{BulkWorld.SourceRegion}}", "targetRole": "{{BulkWorld.TargetRole}}", "targetRegion": "{{BulkWorld.TargetRegion}}", "encryption": { "enabled": false } }] },
                  "retention": { "restorePoints": 1 }
                }
                """);

            var outcome = run.Outcome("orders-db");
            Assert.Equal(ResourceStatus.Failed, outcome.Status);
            Assert.Contains("manual DB snapshots per account and region", outcome.Reason, StringComparison.Ordinal);
            Assert.Contains($"in account {BulkWorld.Account}, region {BulkWorld.TargetRegion}", outcome.Reason, StringComparison.Ordinal);
            Assert.Equal(1, run.CallCount("CopyDBSnapshot", "SnapshotQuotaExceeded"));
            Assert.Equal(0, run.CallCount("CopyDBSnapshot"));
        }
        finally
        {
            File.Delete(world);
        }
    }

    private async Task<FlowRun> RunBulkAsync(WorldSpec spec)
    {
        var world = BulkWorld.WriteTemporary(spec);
        try
        {
            await using var ferry = await fixture.StartAsync(world, acceleration: 1800);
            return await fixture.RunPolicyAsync(ferry, BulkWorld.Policy);
        }
        finally
        {
            File.Delete(world);
        }
    }

    private static void AssertOneCopyPerVolumeWithinTheQuota(FlowRun run, int volumes)
    {
        var copies = run.Calls.Where(c => c.Operation == "CopySnapshot" && c.Succeeded).ToList();
        Assert.Equal(volumes, copies.Count);
        Assert.Equal(volumes, copies.Select(c => c.Parameter("SourceSnapshotId")).Distinct().Count());
        Assert.Equal(0, run.CallCount("CopySnapshot", "ResourceLimitExceeded"));
        Assert.InRange(run.Ferry.Aws.CallLog.PeakCopiesInFlight(CopyService.Ebs, BulkWorld.Account, BulkWorld.TargetRegion), 1, 20);
    }

    private static readonly string ManualSnapshotLimitWorld = $$"""
        {
          "ferry": { "principal": "{{BulkWorld.Principal}}", "externalId": "{{BulkWorld.ExternalId}}" },
          "accounts": ["{{BulkWorld.Account}}"], "regions": ["{{BulkWorld.SourceRegion}}", "{{BulkWorld.TargetRegion}}"],
          "roles": [
            { "arn": "{{BulkWorld.SourceRole}}", "assumableBy": ["{{BulkWorld.Principal}}"], "externalId": "{{BulkWorld.ExternalId}}" },
            { "arn": "{{BulkWorld.TargetRole}}", "assumableBy": ["{{BulkWorld.Principal}}"], "externalId": "{{BulkWorld.ExternalId}}" }
          ],
          "limits": { "rdsManualSnapshots": 1 },
          "databases": [
            { "identifier": "orders-db", "kind": "DbInstance", "account": "{{BulkWorld.Account}}", "region": "{{BulkWorld.SourceRegion}}", "engine": "postgres", "engineVersion": "16.3" },
            { "identifier": "local-db", "kind": "DbInstance", "account": "{{BulkWorld.Account}}", "region": "{{BulkWorld.TargetRegion}}", "engine": "postgres", "engineVersion": "16.3" }
          ]
        }
        """;
}
