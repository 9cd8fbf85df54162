using System.Text;
using System.Text.Json;
using Ferry.Core.Errors;
using Ferry.Core.Planning;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Local.Runtime;
using Ferry.Simulator;
using Ferry.Simulator.Stores;
using Ferry.Tests.Shared;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Functions.Tests;

/// <summary>
/// A simulated world with in-memory stores, and every step reachable through its Lambda entry
/// point (JSON in, JSON out), plus a driver that runs a replica or restore the way the state machines do.
/// </summary>
internal sealed class Harness
{
    private readonly StringWriter _logOutput = new();
    private readonly InMemoryPolicyStore _policies = new();

    public Harness(FaultSettings? faults = null, string world = "replicas.json", CopyQuotas? quotas = null)
    {
        Aws = SimulatedAws.Load(WorldPath(world), new SimulatorOptions(Faults: faults));
        Local = new LocalAws(Aws);
        Log = new StepLog(_logOutput);
        Services = new FerryServices(Local.Credentials, Local.Ports, _policies, new InMemorySessionStore(),
            new InMemoryRestorePointStore(), new InMemoryCopySlots(Aws.Clock), Aws.Clock, WaitSettings.Default)
        {
            CopyQuotas = quotas ?? CopyQuotas.Default,
            Metrics = new EmfMetrics(Log, Aws.Clock),
        };
    }

    public SimulatedAws Aws { get; }

    /// <summary>The production adapters on the world's endpoint, which the steps use.</summary>
    public LocalAws Local { get; }

    public IAwsPorts Ports => Local.Ports;

    public FerryServices Services { get; }

    public StepLog Log { get; }

    public ManualClock Clock => (ManualClock)Aws.Clock;

    public string LogText => _logOutput.ToString();

    public Task PutPolicyAsync(string json) => _policies.PutAsync(json);

    /// <summary>Invokes a step by name through its Stream entry point, as Lambda would.</summary>
    public async Task<TOutput> InvokeAsync<TOutput>(string step, object input)
    {
        var handler = StepCatalog.Find(step)?.Create(Services, Log) ?? throw new ArgumentException($"No step {step}");
        var json = JsonSerializer.Serialize(input, input.GetType(), FerryJson.Default);
        await using var output = await handler.HandleAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        return (TOutput)(await JsonSerializer.DeserializeAsync(output, typeof(TOutput), FerryJson.Default))!;
    }

    /// <summary>Invokes a step with a payload exactly as written, for what a typed input cannot hold (duplicate keys, lone surrogates, wrong types).</summary>
    public async Task InvokeRawAsync(string step, string json)
    {
        var handler = StepCatalog.Find(step)?.Create(Services, Log) ?? throw new ArgumentException($"No step {step}");
        await using var output = await handler.HandleAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)));
    }

    /// <summary>A step's input as the state machine sends it, as text.</summary>
    public static string Json(object input) => JsonSerializer.Serialize(input, input.GetType(), FerryJson.Default);

    public async Task<string> OpenSessionAsync(string policyId) =>
        (await InvokeAsync<OpenSessionOutput>("OpenSession", new OpenSessionInput(policyId))).SessionId;

    public Task<PlanOutput> PlanAsync(string policyId, string sessionId, string resourceId, string region = West) =>
        InvokeAsync<PlanOutput>("Plan", new ResourceKey(policyId, sessionId, region, resourceId));

    /// <summary>Runs the plan's WaitForAvailable step at the cursor: Wait → CheckAvailable → Choice until the stage is done.</summary>
    public Task<Job> WaitAsync(Job job)
    {
        Assert.Equal(nameof(StepKind.WaitForAvailable), job.Next);
        return StepAsync(job);
    }

    /// <summary>
    /// Walks the job's plan from its cursor, invoking for each plan step the Lambda step that runs it, as the state
    /// machines do, until the plan's end or a step of kind <paramref name="until"/>. Returns the job as the last step left it.
    /// </summary>
    public Task<Job> RunStepsAsync(Job job, StepKind? until = null) => PlanWalk.RunAsync(job, InvokeAsync<Job>, Clock, until);

    /// <summary>Runs the plan step at the cursor until the cursor moves on (<see cref="PlanWalk.StepAsync"/>).</summary>
    public Task<Job> StepAsync(Job job) => PlanWalk.StepAsync(job, InvokeAsync<Job>, Clock);

    /// <summary>
    /// Runs one resource's replica flow as the state machines do, recording the outcome on success or failure, then
    /// closes the run's session (giving back the policy's run lock, so the next run proceeds).
    /// </summary>
    public async Task<(OutcomeOutput Outcome, Job? Job)> ReplicateAsync(string policyId, string resourceId, string region = West)
    {
        var sessionId = await OpenSessionAsync(policyId);
        try
        {
            return await ReplicateInAsync(policyId, sessionId, resourceId, region);
        }
        finally
        {
            await InvokeAsync<CloseSessionOutput>("CloseSession", new CloseSessionInput(sessionId, policyId));
        }
    }

    private async Task<(OutcomeOutput Outcome, Job? Job)> ReplicateInAsync(string policyId, string sessionId, string resourceId, string region)
    {
        await InvokeAsync<DiscoverOutput>("Discover", new DiscoverInput(policyId, sessionId, region));
        var plan = await PlanAsync(policyId, sessionId, resourceId, region);
        if (!plan.Proceed)
            return (await InvokeAsync<OutcomeOutput>("RecordOutcome", new OutcomeInput(policyId, sessionId, resourceId, plan.Status, plan.Reason)), null);
        return await RunAndRecordAsync(plan.Job!);
    }

    /// <summary>Runs a restore as the restore state machine does.</summary>
    public async Task<(OutcomeOutput Outcome, Job? Job)> RestoreAsync(RestoreInput input)
    {
        var plan = await InvokeAsync<PlanOutput>("PlanRestore", input);
        var job = plan.Job!;
        if (!plan.Proceed)
            return (await InvokeAsync<OutcomeOutput>("RecordOutcome", new OutcomeInput(job.PolicyId, job.SessionId, job.ResourceId, plan.Status, plan.Reason)), null);
        return await RunAndRecordAsync(job);
    }

    private async Task<(OutcomeOutput Outcome, Job? Job)> RunAndRecordAsync(Job job)
    {
        try
        {
            // Step by step, so a failure hands RecordOutcome the job as the last step that completed left it, as a Catch does.
            while (!job.Finished)
                job = await StepAsync(job);
            return (await InvokeAsync<OutcomeOutput>("RecordOutcome", new OutcomeInput(job.PolicyId, job.SessionId, job.ResourceId, Job: job)), job);
        }
        catch (FerryException e)
        {
            return (await RecordFailureAsync(job.PolicyId, job.SessionId, job.ResourceId, job, e), job);
        }
    }

    /// <summary>What a state machine's Catch hands RecordOutcome: the error name and Lambda's JSON cause.</summary>
    public Task<OutcomeOutput> RecordFailureAsync(string policyId, string sessionId, string resourceId, Job? job, FerryException error) =>
        InvokeAsync<OutcomeOutput>("RecordOutcome", new OutcomeInput(policyId, sessionId, resourceId, Job: job, Error: error.ErrorName,
            Cause: JsonSerializer.Serialize(new Dictionary<string, string> { ["errorType"] = error.ErrorName, ["errorMessage"] = error.Message })));

    public async Task<IEc2Port> Ec2Async(string role, string region) => Ports.Ec2(await Services.Credentials.AssumeAsync(role), region);

    public async Task<IRdsPort> RdsAsync(string role, string region) => Ports.Rds(await Services.Credentials.AssumeAsync(role), region);
}

/// <summary>What tests read of a job's payload.</summary>
internal static class JobFacts
{
    /// <summary>What a restore created so far (image, instance, volumes, DB).</summary>
    public static IReadOnlyDictionary<string, string> Created(this Job job) =>
        Assert.IsType<RestorePayload>(job.Payload).CreatedIds;
}
