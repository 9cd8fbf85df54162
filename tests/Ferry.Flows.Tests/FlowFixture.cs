using System.Text.Json.Nodes;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using Ferry.Local.Runtime;
using Ferry.Simulator;
using Ferry.Simulator.World;

namespace Ferry.Flows.Tests;

/// <summary>
/// One dynalite and one running Ferry on the replicas world for all scenario flows (each test uses its
/// own policy id, so runs never share resources' sessions or tags); fault tests start their own worlds.
/// </summary>
public sealed class FlowFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _efsGate = new(1, 1);
    private LocalFerry? _efs;
    private int _next;

    public DynaliteServer Dynalite { get; private set; } = null!;

    public LocalFerry Ferry { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Dynalite = await DynaliteServer.StartAsync();
        Ferry = await StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_efs is not null)
            await _efs.DisposeAsync();
        if (Ferry is not null)
            await Ferry.DisposeAsync();
        if (Dynalite is not null)
            await Dynalite.DisposeAsync();
    }

    /// <param name="stepFaults">Steps that crash or time out after their effects (see <see cref="StepFault"/>).</param>
    public Task<LocalFerry> StartAsync(string world = "replicas.json", FaultSettings? faults = null, double acceleration = 800, IReadOnlyList<StepFault>? stepFaults = null) =>
        LocalFerry.StartAsync(new LocalOptions(WorldPath(world), acceleration, faults, StepFaults: stepFaults), Dynalite, $"t{Interlocked.Increment(ref _next)}");

    /// <summary>One Ferry on the EFS world for the EFS scenarios, started by the first that needs it.</summary>
    public async Task<LocalFerry> EfsAsync()
    {
        await _efsGate.WaitAsync();
        try
        {
            return _efs ??= await StartAsync("efs.json");
        }
        finally
        {
            _efsGate.Release();
        }
    }

    public string NewId(string prefix) => $"{prefix}-{Interlocked.Increment(ref _next)}";

    /// <summary>Stores a policy (built for a fresh id) and runs the policy-run state machine for it, as a schedule would.</summary>
    public Task<FlowRun> RunPolicyAsync(Func<string, string> policy) => RunPolicyAsync(Ferry, policy);

    /// <param name="policyId">A fixed id, for runs whose step faults are drawn per policy and resource (a fresh Ferry's tables hold no other).</param>
    /// <param name="history">Whether the execution keeps its history and its child executions'.</param>
    public async Task<FlowRun> RunPolicyAsync(LocalFerry ferry, Func<string, string> policy, string? policyId = null, bool history = false)
    {
        var id = policyId ?? NewId("p");
        await ferry.PutPolicyAsync(policy(id));
        var mark = ferry.Aws.CallLog.Records.Count;
        var execution = await ferry.RunAsync(Core.Runs.Flows.PolicyRun, new JsonObject { ["policyId"] = id }, NewId("run"), history);
        var header = Assert.Single(await ferry.Services.Sessions.ListByPolicyAsync(id), s => s.Kind == SessionKind.PolicyRun);
        return new FlowRun(ferry, id, execution, (await ferry.Services.Sessions.GetAsync(header.SessionId))!, mark);
    }

    /// <summary>Runs a restore state machine and returns the restore session it wrote.</summary>
    public async Task<FlowRun> RunRestoreAsync(string machine, RestoreInput input, bool history = false)
    {
        var point = (await Ferry.Services.RestorePoints.GetAsync(input.RestorePointId))!;
        var mark = Ferry.Aws.CallLog.Records.Count;
        var before = (await Ferry.Services.Sessions.ListByPolicyAsync(point.PolicyId)).Select(s => s.SessionId).ToHashSet();
        var execution = await Ferry.RunAsync(machine, input, NewId("restore"), history);
        var header = Assert.Single(await Ferry.Services.Sessions.ListByPolicyAsync(point.PolicyId), s => s.Kind == SessionKind.Restore && !before.Contains(s.SessionId));
        return new FlowRun(Ferry, point.PolicyId, execution, (await Ferry.Services.Sessions.GetAsync(header.SessionId))!, mark);
    }

    private static string WorldPath(string world) => Path.IsPathRooted(world) ? world : Repository.PathOf("local", "worlds", world);
}

[CollectionDefinition(Name)]
public sealed class FlowCollection : ICollectionFixture<FlowFixture>
{
    public const string Name = "flows";
}

/// <summary>One state machine execution and what it left in DynamoDB and in the world.</summary>
public sealed record FlowRun(LocalFerry Ferry, string PolicyId, Execution Execution, Session Session, int CallMark)
{
    public ResourceOutcome Outcome(string resourceId) =>
        Session.Resources.SingleOrDefault(r => r.ResourceId == resourceId)
            ?? throw new Xunit.Sdk.XunitException($"No outcome for {resourceId}; the session has {string.Join(", ", Session.Resources.Select(r => r.ResourceId))}");

    /// <summary>The calls this run made, in order.</summary>
    public IReadOnlyList<Simulator.CallRecord> Calls => [.. Ferry.Aws.CallLog.Records.Skip(CallMark)];

    public int CallCount(string operation, string? result = "OK") =>
        Calls.Count(c => c.Operation == operation && (result is null || c.Result == result));

    /// <param name="step">What the copies were tagged as: replicas, or the staging copies only a later copy needed.</param>
    public async Task<IReadOnlyList<Ec2Snapshot>> EbsReplicasAsync(string role, string region, string step = "replica")
    {
        var ec2 = Ferry.Wire.Ports.Ec2(await Ferry.Services.Credentials.AssumeAsync(role), region);
        return await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Tags: [new TagQuery(FerryTags.Policy, [PolicyId]), new TagQuery(FerryTags.Step, [step])]));
    }

    public async Task<IReadOnlyList<RdsSnapshot>> RdsReplicasAsync(string role, string region, Core.Inventory.RdsKind kind = Core.Inventory.RdsKind.DbInstance, string step = "replica")
    {
        var rds = Ferry.Wire.Ports.Rds(await Ferry.Services.Credentials.AssumeAsync(role), region);
        return await rds.DescribeSnapshotsAsync(new RdsSnapshotQuery(kind, Tags: [new TagQuery(FerryTags.Policy, [PolicyId]), new TagQuery(FerryTags.Step, [step])]));
    }

    /// <summary>Whether the resource's session log has an entry of the step written as the role.</summary>
    public bool Logged(string resourceId, string step, string role) => Outcome(resourceId).Log.Any(l => l.Step == step && l.Role == role);

    public string Describe() =>
        $"{Execution.Status} {Execution.Error} {Execution.Cause}\n" + string.Join("\n", Session.Resources.Select(r =>
            $"{r.ResourceId} {r.Status} {r.Reason}\n  " + string.Join("\n  ", r.Log.Select(l => $"{l.Step} [{l.Role}] {l.Message}"))));
}
