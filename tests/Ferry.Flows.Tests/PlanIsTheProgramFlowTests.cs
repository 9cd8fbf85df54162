using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Runs;
using Ferry.Local.Demo;
using Ferry.Local.Planning;
using Ferry.Local.Runtime;

namespace Ferry.Flows.Tests;

/// <summary>
/// For every scenario the demo demonstrates (local/demo/demo.json), the real state machines execute exactly the steps
/// <c>ferry plan</c> prints for its resource (restores: the steps PlanRestore planned), in order, with the same roles.
/// A resource whose plan fails or skips executes none.
/// </summary>
[Collection(FlowCollection.Name)]
public partial class PlanIsTheProgramFlowTests(FlowFixture fixture)
{
    private static readonly DemoManifest Demo = DemoManifest.Load(Repository.PathOf("local", "demo", "demo.json"));

    /// <summary>Every scenario a demo policy resource or restore demonstrates, by its name in demo.json.</summary>
    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var scenario in Cases().Keys.Order(StringComparer.Ordinal))
            data.Add(scenario);
        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Scenario_RealStateMachines_ExecuteExactlyThePlannedSteps(string scenario)
    {
        var (world, policy, resource, restore) = Cases()[scenario];
        var ferry = world.World.EndsWith("efs.json", StringComparison.Ordinal) ? await fixture.EfsAsync() : fixture.Ferry;
        if (restore is null)
        {
            var (planned, run) = await PlanAndRunAsync(ferry, policy!, history: true);
            var executed = ExecutedSteps.ByResource(run.Execution.History!, run.Execution.Children!);
            AssertSameSteps(scenario, Steps(planned, resource!), executed.GetValueOrDefault(resource!, []), run);
            return;
        }

        var (_, snapshotRun) = await PlanAndRunAsync(ferry, $"policies/{restore.Policy}.json", history: false);
        var point = (await ferry.Services.RestorePoints.ListAsync(snapshotRun.PolicyId, restore.Resource)).First(p => p.IsReplica == restore.Replica);
        var machine = Core.Runs.Flows.Restore;
        var restoreRun = await fixture.RunRestoreAsync(machine, new RestoreInput(point.RestorePointId, restore.TargetAccount, restore.TargetRegion, restore.RestoreRole, restore.TargetKmsKey, ShareKey: restore.ShareKey), history: true);
        var restored = ExecutedSteps.ByResource(restoreRun.Execution.History!, restoreRun.Execution.Children!);
        AssertSameSteps(scenario, RestorePlan(restoreRun), restored.GetValueOrDefault(restore.Resource, []), restoreRun);
    }

    [Fact]
    public void EveryReplicaBackupCopyAndRestoreScenario_IsDemonstratedBySomeCase()
    {
        // local/worlds/README.md maps every scenario id of behaviour.md (replicas, backup copies, restores) to its resources.
        var ids = ScenarioRow().Matches(File.ReadAllText(Repository.PathOf("local", "worlds", "README.md"))).Select(m => m.Groups[1].Value).ToList();
        var cases = Cases().Keys.ToList();

        Assert.True(ids.Count >= 34, $"only {ids.Count} scenario ids read");
        var uncovered = ids.Where(id => !cases.Any(c => c == id || c.StartsWith(id + " ", StringComparison.Ordinal))).ToList();
        Assert.True(uncovered.Count == 0, $"no demo case demonstrates {string.Join(", ", uncovered)}");
    }

    private sealed record Case(DemoWorld World, string? PolicyFile, string? Resource, DemoRestore? Restore);

    /// <summary>Each demo scenario: a resource of a demo policy, or a restore.</summary>
    private static Dictionary<string, Case> Cases()
    {
        var cases = new Dictionary<string, Case>(StringComparer.Ordinal);
        foreach (var world in Demo.AllWorlds())
        {
            foreach (var policy in world.Policies)
            {
                foreach (var (resource, scenario) in policy.Scenarios ?? new Dictionary<string, string>())
                    cases.TryAdd(scenario, new Case(world, policy.File, resource, null));
            }
            foreach (var restore in world.Restores ?? [])
                cases.Add(restore.Scenario, new Case(world, null, null, restore));
        }
        return cases;
    }

    /// <summary>Plans the demo policy (under a fresh id) as <c>ferry plan --world</c> does, in the world as it is now, then runs it.</summary>
    private async Task<(IReadOnlyList<ResourcePlan> Plans, FlowRun Run)> PlanAndRunAsync(LocalFerry ferry, string policyFile, bool history)
    {
        var json = JsonNode.Parse(File.ReadAllText(Repository.PathOf("local", "demo", policyFile)))!.AsObject();
        var id = fixture.NewId(json["id"]!.GetValue<string>());
        json["id"] = id;
        var policy = PolicyParser.Parse(json.ToJsonString());
        var plans = await WorldPlans.PlanAsync(ferry.Services, policy);
        var run = await fixture.RunPolicyAsync(ferry, _ => json.ToJsonString(), id, history);
        return (plans, run);
    }

    private static IReadOnlyList<RunStep> Steps(IReadOnlyList<ResourcePlan> plans, string resource)
    {
        var plan = plans.SingleOrDefault(p => p.ResourceId == resource)
            ?? throw new Xunit.Sdk.XunitException($"ferry plan printed no plan for {resource}; it planned {string.Join(", ", plans.Select(p => p.ResourceId))}");
        return plan.Verdict == Verdict.Proceed ? [.. plan.Steps.Select(RunStep.Of)] : [];
    }

    /// <summary>The steps of the job PlanRestore returned; none when it did not proceed.</summary>
    private static IReadOnlyList<RunStep> RestorePlan(FlowRun run)
    {
        var exited = run.Execution.History!.Single(e => e is { Type: "StateExited", State: "PlanRestore" }).Output!;
        // The state's output holds PlanRestore's result under "plan" (its ResultPath), or is that result.
        var planned = exited["plan"] ?? exited;
        if (planned["proceed"]?.GetValue<bool>() == false)
            return [];
        var job = planned["job"] ?? planned;
        if (!ExecutedSteps.TryJob(job, out var steps, out var cursor) || cursor != 0)
            throw new Xunit.Sdk.XunitException($"PlanRestore proceeded but returned no job with plan steps and cursor 0: {planned.ToJsonString()}");
        return [.. steps.Select(ExecutedSteps.Step)];
    }

    private static void AssertSameSteps(string scenario, IReadOnlyList<RunStep> planned, IReadOnlyList<RunStep> executed, FlowRun run)
    {
        if (!planned.SequenceEqual(executed))
        {
            throw new Xunit.Sdk.XunitException($"{scenario}: the run executed other steps than planned\n  planned:  {string.Join("\n            ", planned)}\n"
                + $"  executed: {string.Join("\n            ", executed)}\n{run.Describe()}");
        }
    }

    [GeneratedRegex(@"^\| ([A-Z0-9]+-[A-Z0-9]+) \|", RegexOptions.Multiline)]
    private static partial Regex ScenarioRow();
}
