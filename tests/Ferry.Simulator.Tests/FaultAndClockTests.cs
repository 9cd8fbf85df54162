using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Ports;
using Ferry.Local.Runtime;
using static Ferry.Simulator.Tests.Sim;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Simulator.Tests;

public sealed class FaultAndClockTests
{
    private static FaultSettings Always(string operation, double throttle = 0, double transient = 0) =>
        new(1, [new FaultRule(operation, throttle, transient)]);

    [Fact]
    public async Task Throttling_Ec2_FailsWithRequestLimitExceeded()
    {
        var sim = new Sim(faults: Always("ec2:DescribeInstances", throttle: 1));
        var ec2 = await sim.Ec2(Source);

        await Fails<FerryThrottledException>("RequestLimitExceeded", () => ec2.DescribeInstancesAsync(new InstanceQuery()));
        await ec2.DescribeVolumesAsync(["vol-0a1b2c3d4e5f60011"]);
    }

    [Fact]
    public async Task Throttling_KmsBackupStsRds_FailWithEachServicesThrottlingCode()
    {
        var kms = new Sim(faults: Always("kms:*", throttle: 1));
        await Fails<FerryThrottledException>("ThrottlingException", async () => await (await kms.Kms(Source)).DescribeKeyAsync(AppKey));
        var backup = new Sim("efs.json", faults: Always("backup:*", throttle: 1));
        await Fails<FerryThrottledException>("ThrottlingException", async () => await (await backup.Backup(Source)).ListVaultsAsync());
        var sts = new Sim(faults: Always("sts:AssumeRole", throttle: 1));
        await Fails<FerryThrottledException>("Throttling", () => sts.Credentials.AssumeAsync(Source));
        var rds = new Sim(faults: Always("rds:*", throttle: 1));
        await Fails<FerryThrottledException>("Throttling", async () => await (await rds.Rds(Source)).DescribeEngineVersionsAsync("postgres"));
    }

    [Fact]
    public async Task Throttling_OnTheWire_IsRetriedByTheSdksOwnRetryLayer_AsInProduction()
    {
        var sim = new Sim(faults: new FaultSettings(7, [new FaultRule("ec2:DescribeInstances", Throttle: 0.5)]));
        using var production = new LocalAws(sim.Aws);
        var ec2 = production.Ports.Ec2(await production.Credentials.AssumeAsync(Source), West);

        for (var i = 0; i < 8; i++)
            Assert.NotEmpty(await ec2.DescribeInstancesAsync(new InstanceQuery(Ids: ["i-0a1b2c3d4e5f60001"])));

        Assert.Equal(8, sim.Aws.CallLog.Count("ec2", "DescribeInstances", CallLog.Ok));
        Assert.InRange(sim.Aws.CallLog.Count("ec2", "DescribeInstances", "RequestLimitExceeded"), 1, 8 * 3);
    }

    [Fact]
    public async Task ResourceScopedFault_FailsOnlyThatResourcesCalls()
    {
        var sim = new Sim(faults: new FaultSettings(1, [new FaultRule("ec2:CreateSnapshots", SnapshotError: 1, Resource: "i-0a1b2c3d4e5f60002")]));
        var ec2 = await sim.Ec2(Source);

        var failing = await ec2.CreateSnapshotsAsync("i-0a1b2c3d4e5f60002", NoTags);
        var healthy = await ec2.CreateSnapshotsAsync("i-0a1b2c3d4e5f60001", NoTags);
        sim.Advance(6);
        var states = (await ec2.DescribeSnapshotsAsync(new SnapshotQuery([.. failing.Concat(healthy).Select(s => s.SnapshotId)])))
            .ToDictionary(s => s.SnapshotId, s => s.State);

        Assert.All(failing, s => Assert.Equal("error", states[s.SnapshotId]));
        Assert.All(healthy, s => Assert.Equal("completed", states[s.SnapshotId]));
    }

    [Fact]
    public async Task TransientFault_FailsWithServerErrorCode()
    {
        var sim = new Sim(faults: Always("*", transient: 1));

        await Fails<FerryTransientException>("InternalFailure", () => sim.Credentials.AssumeAsync(Source));
        var backup = new Sim("efs.json", faults: Always("backup:*", transient: 1));
        await Fails<FerryTransientException>("ServiceUnavailableException", async () => await (await backup.Backup(Source)).GetResourceTypeOptInAsync());
    }

    [Fact]
    public async Task Latency_DelaysEveryMatchingCall()
    {
        var sim = new Sim(faults: new FaultSettings(1, [new FaultRule("ec2:*", LatencyMs: 40)]));
        var ec2 = await sim.Ec2(Source);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        await ec2.DescribeVolumesAsync(["vol-0a1b2c3d4e5f60011"]);

        Assert.True(watch.ElapsedMilliseconds >= 35, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task SameSeedSameWorldSameCalls_GiveTheSameCallLog_FaultsIncluded()
    {
        var faults = new FaultSettings(42, [new FaultRule("*", Throttle: 0.3, Transient: 0.1, SnapshotError: 0.3)]);

        var first = await Script(faults);
        var second = await Script(faults);
        var otherSeed = await Script(faults with { Seed = 43 });

        Assert.Equal(first, second);
        Assert.NotEqual(first, otherSeed);
        Assert.Contains("-> RequestLimitExceeded", first, StringComparison.Ordinal);
    }

    /// <summary>A fixed sequence of calls that keeps going whatever fails; returns the call log.</summary>
    private static async Task<string> Script(FaultSettings faults)
    {
        var sim = new Sim(faults: faults);
        async Task Try(Func<Task> call)
        {
            try
            {
                await call();
            }
            catch (FerryException)
            {
                // The log records the failure; the script carries on so both runs make the same calls.
            }
        }
        for (var round = 0; round < 10; round++)
        {
            await Try(async () =>
            {
                var ec2 = await sim.Ec2(Source);
                var snapshots = await ec2.CreateSnapshotsAsync("i-0a1b2c3d4e5f60002", NoTags);
                sim.Advance(1);
                await ec2.ShareSnapshotAsync(snapshots[0].SnapshotId, TargetAccount);
                var target = await sim.Ec2(Target, Central);
                await target.CopySnapshotAsync(new Ec2CopyRequest(West, snapshots[0].SnapshotId, true, DrKey, "copy", NoTags));
            });
            await Try(async () => await (await sim.Rds(Source)).CreateSnapshotAsync(RdsKind.DbInstance, "orders-db", $"round-{round}", NoTags));
            await Try(async () => await (await sim.Kms(Target)).CheckAccessAsync(AppKey, ["kms:Decrypt"]));
        }
        return sim.Aws.CallLog.ToString();
    }

    [Fact]
    public async Task AcceleratedClock_RunsSimulatedMinutesInMilliseconds()
    {
        var clock = new AcceleratedClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), factor: 100_000);
        var aws = SimulatedAws.Load(WorldPath("replicas.json"), new SimulatorOptions(clock));
        var local = new LocalAws(aws);
        var ec2 = local.Ports.Ec2(await local.Credentials.AssumeAsync(Source), West);
        var snapshot = Assert.Single(await ec2.CreateSnapshotsAsync("i-0a1b2c3d4e5f60001", NoTags));

        await Task.Delay(clock.RealTimeFor(TimeSpan.FromMinutes(10)));

        Assert.Equal("completed", Assert.Single(await ec2.DescribeSnapshotsAsync(new SnapshotQuery([snapshot.SnapshotId]))).State);
        Assert.True(clock.UtcNow - aws.Spec.Start >= TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task ManyThreads_CallingAtOnce_EveryCallLoggedAndEverySnapshotKept()
    {
        var sim = new Sim();
        var ec2 = await sim.Ec2(Source);

        var created = (await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => ec2.CreateSnapshotsAsync("i-0a1b2c3d4e5f60001", NoTags)))))
            .SelectMany(s => s).Select(s => s.SnapshotId).ToList();

        Assert.Equal(64, created.Distinct().Count());
        Assert.Equal(64, sim.Aws.CallLog.Count("ec2", "CreateSnapshots", CallLog.Ok));
        Assert.Equal(64, (await ec2.DescribeSnapshotsAsync(new SnapshotQuery(created))).Count);
    }
}
