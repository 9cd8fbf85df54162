using Ferry.Core.Ports;
using Ferry.Core.Sessions;
using Ferry.Local.Chaos;
using Ferry.Local.Runtime;
using Ferry.Simulator;
using Ferry.Simulator.World;

namespace Ferry.Local.Tests.Chaos;

/// <summary>
/// The chaos report's figures checked against what was planted in a small run: they must count what is
/// there, whatever the figures are (until every robustness fix is in, some are not zero).
/// </summary>
public sealed class ChaosTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ferry-chaos-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ChaosReport_OfASmallRunWithPlantedProblems_CountsEachOfThem()
    {
        var world = ChaosWorld.Generate(20, seed: 3);
        var path = Path.Combine(_folder, "world.json");
        await File.WriteAllTextAsync(path, world.ToJson());
        var errored = world.Resources.First(r => r.Service == "ebs").Id;
        var crashing = world.Resources.First(r => r.Service == "rds").Id;
        var faults = new FaultSettings(1, [new FaultRule("ec2:CreateSnapshots", SnapshotError: 1, Resource: errored)]);
        StepFault[] stepFaults = [new StepFault("CopyToRegion", Crash: 1, Resource: crashing)];
        await using var ferry = await LocalFerry.StartAsync(new LocalOptions(path, 600, faults, StepFaults: stepFaults), tablePrefix: "chaos-test");

        var (started, ended, _) = await ChaosCommand.RunPoliciesAsync(ferry);
        Assert.Empty(ferry.Grants.Refused);
        var planted = await PlantDuplicateAsync(ferry);
        var scope = world.Resources.First().CopyScopes[0];
        await ferry.Services.Slots.TryClaimAsync(scope, CopySlot.Name(0), "planted", ferry.Services.Clock.UtcNow + TimeSpan.FromDays(1));
        var report = await ChaosReport.ReadAsync(ferry, world, started, ended);

        Assert.Equal(20, report.Resources);
        Assert.Equal(report.Resources, report.OutcomesRecorded + report.Lost.Count);
        var headers = (await ferry.Services.Sessions.ListByPolicyAsync(ChaosWorld.Ec2Policy)).Concat(await ferry.Services.Sessions.ListByPolicyAsync(ChaosWorld.RdsPolicy));
        var sessions = new List<Session>();
        foreach (var header in headers)
            sessions.Add((await ferry.Services.Sessions.GetAsync(header.SessionId))!);
        var failed = sessions.SelectMany(s => s.Resources).Where(r => r.Status == ResourceStatus.Failed).Select(r => r.ResourceId).ToHashSet();
        Assert.Equal(failed.Count, report.Outcomes.GetValueOrDefault(ResourceStatus.Failed));
        Assert.Contains(report.WronglyFailed, w => w.StartsWith($"{crashing}: ", StringComparison.Ordinal));
        Assert.DoesNotContain(report.WronglyFailed, w => w.StartsWith($"{errored}: ", StringComparison.Ordinal));
        Assert.All(report.WronglyFailed, w => Assert.Contains(w[..w.IndexOf(':', StringComparison.Ordinal)], failed));
        Assert.Contains(report.Duplicates, d => d.Contains(planted, StringComparison.Ordinal));
        Assert.Contains(report.Orphans, o => o.Contains(planted, StringComparison.Ordinal));
        Assert.Contains(report.SlotsLeaked, s => s.Scope == scope && s.Held >= 1);
        Assert.Equal(sessions.Count(s => s.Status == ResourceStatus.Running), report.SessionsRunning.Count);
        Assert.False(report.Clean);
        Assert.Equal(world.Resources.Sum(r => r.Items * r.CopyScopes.Count), report.Peaks.Sum(p => p.Copies));
        Assert.Equal(ChaosReport.LowerBoundOf(world), report.LowerBound);
        Assert.True(report.Makespan > TimeSpan.Zero);
        Assert.True(report.Injected.SnapshotErrors >= 1 && report.Injected.StepCrashes >= 1, $"{report.Injected}");
        var printed = new StringWriter();
        report.Write(printed);
        Assert.Contains($"failed without a fault of their own {report.WronglyFailed.Count} (of {failed.Count} failed)", printed.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--size 0", "--size: must be a whole number of at least 1, got '0'")]
    [InlineData("--throttle=1.5", "--throttle: must be a probability between 0 and 1, got '1.5'")]
    [InlineData("--acceleration fast", "--acceleration: must be a positive number of simulated seconds per real second, got 'fast'")]
    [InlineData("--seed", "--seed: needs a value")]
    [InlineData("--sizes 5", "unknown option '--sizes'")]
    public void ChaosOptions_BadValue_NameTheOptionAndWhy(string args, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => ChaosCommand.Parse(args.Split(' '))).Message);

    [Fact]
    public void ChaosOptions_NoArguments_AreTheIssuesDefaults()
    {
        var options = ChaosCommand.Parse([]);

        Assert.Equal((1000, 0.05, 0.01, 0.02, 0.02, 0.01), (options.Size, options.Throttle, options.SnapshotError, options.Transient, options.Crash, options.Timeout));
    }

    [Fact]
    public void ChaosWorld_SameSizeAndSeed_IsTheSameWorld() =>
        Assert.Equal(ChaosWorld.Generate(50, 7).ToJson(), ChaosWorld.Generate(50, 7).ToJson());

    /// <summary>A second snapshot of a volume Ferry already snapshotted in the EC2 session, tagged as Ferry's: a duplicate and an orphan.</summary>
    private static async Task<string> PlantDuplicateAsync(LocalFerry ferry)
    {
        var original = ferry.Aws.Snapshots().First(s => s.Service == "ebs" && s.Tags.GetValueOrDefault(FerryTags.Step) == "snapshot" && s.State == "completed");
        var source = ferry.Aws.Spec.Roles.Single(r => r.Arn.EndsWith("/FerrySource", StringComparison.Ordinal)).Arn;
        var copy = await Ferry.Tests.Shared.ByHand.CreateSnapshotAsync(ferry.Wire, source, original.Region, original.Origin, "planted", new Dictionary<string, string>(original.Tags));
        return copy.SnapshotId;
    }
}
