using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ferry.Core.Digest;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using Ferry.Functions;
using Ferry.Local.Host;
using Ferry.Local.Runtime;
using Ferry.Simulator;
using Ferry.Simulator.Stores;
using Ferry.Simulator.World;
using Ferry.Tests.Shared;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Local.Tests.Host;

public sealed class LambdaHostTests : IAsyncLifetime
{
    private const string Instance = "i-0a1b2c3d4e5f60002";
    private const string Policy = """
        {
          "id": "p", "type": "EC2",
          "sources": { "sourceRole": "arn:aws:iam::111111111111:role/FerrySource", "regions": ["eu-west-1"], "resources": { "ids": ["i-0a1b2c3d4e5f60002"] } },
          "replicas": { "mappings": [{ "sourceRegion": "eu-west-1", "targetRole": "arn:aws:iam::222222222222:role/FerryTarget", "targetRegion": "eu-central-1",
            "encryption": { "enabled": true, "kmsKey": "arn:aws:kms:eu-central-1:222222222222:key/2222bbbb-0000-4000-8000-000000000222" } }] },
          "retention": { "restorePoints": 2 }
        }
        """;

    private const string EfsPolicy = """
        {
          "id": "p", "type": "EFS",
          "sources": { "sourceRole": "arn:aws:iam::111111111111:role/FerrySource", "regions": ["eu-north-1"], "resources": { "ids": ["fs-0a1b2c3d4e5f60003"] } },
          "backupCopies": { "mappings": [{ "sourceRegion": "eu-north-1", "targetRegion": "eu-central-1", "vault": "dr-vault" }] },
          "retention": { "restorePoints": 2 }
        }
        """;

    /// <summary>The steps only EFS backup copies use; <see cref="EfsSteps_InvokedOverHttp_CopyABackup"/> invokes them.</summary>
    private static readonly string[] EfsSteps = [StepRunners.EnableBackupOptIn];

    private readonly HttpClient _http = new();
    private SimulatedAws _aws = null!;
    private FerryServices _services = null!;
    private LambdaHost _host = null!;
    private StringWriter _log = null!;

    public Task InitializeAsync() => StartAsync("replicas.json", Policy);

    private async Task StartAsync(string world, string policy, IReadOnlyList<StepFault>? stepFaults = null)
    {
        _aws = SimulatedAws.Load(WorldPath(world));
        var policies = new InMemoryPolicyStore();
        var local = new LocalAws(_aws);
        _services = new FerryServices(local.Credentials, local.Ports, policies, new InMemorySessionStore(),
            new InMemoryRestorePointStore(), new InMemoryCopySlots(_aws.Clock), _aws.Clock, WaitSettings.Default);
        await policies.PutAsync(policy);
        _log = new StringWriter();
        _host = await LambdaHost.StartAsync(_services, new StepLog(_log), stepFaults: stepFaults);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task EveryStep_InvokedOverHttp_RunsAReplicaAndARestore()
    {
        var open = await InvokeAsync<OpenSessionOutput>("OpenSession", new OpenSessionInput("p"));
        var found = await InvokeAsync<DiscoverOutput>("arn:aws:lambda:eu-west-1:999999999999:function:ferry-Discover", new DiscoverInput("p", open.SessionId, "eu-west-1"));
        var plan = await InvokeAsync<PlanOutput>("ferry-Plan", new ResourceKey("p", open.SessionId, found.Region, found.ResourceIds.Single()));
        var job = await RunStepsAsync(plan.Job!);
        var outcome = await InvokeAsync<OutcomeOutput>("RecordOutcome", new OutcomeInput("p", open.SessionId, Instance, Job: job));
        await InvokeAsync<RetentionOutput>("ApplyRetention", new RetentionInput("p", Instance, open.SessionId));
        var closed = await InvokeAsync<CloseSessionOutput>("CloseSession", new CloseSessionInput(open.SessionId));

        var point = (await _services.RestorePoints.ListAsync("p", Instance)).Single(p => !p.IsReplica);
        var restore = await InvokeAsync<PlanOutput>("PlanRestore", new RestoreInput(point.RestorePointId, "111111111111", "eu-west-1",
            "arn:aws:iam::111111111111:role/FerryRestore", "arn:aws:kms:eu-west-1:111111111111:key/1111aaaa-0000-4000-8000-000000000111"));
        var restoring = await RunStepsAsync(restore.Job!);
        var digest = await InvokeAsync<DigestOutput>(StepCatalog.Digest, new DigestInput(["p"]));

        Assert.Equal((ResourceStatus.Success, ResourceStatus.Success), (outcome.Status, closed.Status));
        Assert.True(restoring.Finished);
        Assert.Equal(("p", null), (Assert.Single(digest.Policies).PolicyId, digest.Policies[0].Problem));
        Assert.Equal(StepCatalog.All.Select(s => s.Name).Except(EfsSteps).Order(), _host.Invocations.Keys.Order());
    }

    [Fact]
    public async Task EfsSteps_InvokedOverHttp_CopyABackup()
    {
        await _host.DisposeAsync();
        await StartAsync("efs.json", EfsPolicy);

        var open = await InvokeAsync<OpenSessionOutput>("OpenSession", new OpenSessionInput("p"));
        var found = await InvokeAsync<DiscoverOutput>("Discover", new DiscoverInput("p", open.SessionId, "eu-north-1"));
        var plan = await InvokeAsync<PlanOutput>("Plan", new ResourceKey("p", open.SessionId, found.Region, found.ResourceIds.Single()));
        var job = await RunStepsAsync(plan.Job!);
        var outcome = await InvokeAsync<OutcomeOutput>("RecordOutcome", new OutcomeInput("p", open.SessionId, job.ResourceId, Job: job));

        Assert.Equal(ResourceStatus.Success, outcome.Status);
        Assert.Equal(job.Items[0].Current, Assert.Single(await _services.RestorePoints.ListAsync("p", job.ResourceId)).Snapshots[0].SnapshotId);
        Assert.Subset(_host.Invocations.Keys.ToHashSet(), EfsSteps.Concat([StepRunners.CopyToRegion, StepRunners.CheckAvailable]).ToHashSet());
    }

    [Fact]
    public async Task FailingStep_ComesBackAsLambdaFunctionErrorWithTheTypedErrorName()
    {
        using var response = await PostAsync("OpenSession", new OpenSessionInput("no-such-policy"));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Unhandled", Assert.Single(response.Headers.GetValues("X-Amz-Function-Error")));
        Assert.Equal("FerryNotFoundException", body.RootElement.GetProperty("errorType").GetString());
        Assert.Equal("policyId: no policy 'no-such-policy'", body.RootElement.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task UnknownFunction_Is404ResourceNotFound()
    {
        using var response = await PostAsync("NoSuchStep", new OpenSessionInput("p"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("ResourceNotFoundException", Assert.Single(response.Headers.GetValues("x-amzn-ErrorType")));
    }

    [Theory]
    [InlineData(1, 0, "Runtime.ExitError", "Error: Runtime exited with error: signal: killed")]
    [InlineData(0, 1, "Sandbox.Timedout", "Error: Task timed out after 110.00 seconds")]
    public async Task StepFault_AfterTakeSnapshot_SnapshotsExistAndLambdaReportsTheFailure(double crash, double timeout, string errorType, string message)
    {
        await _host.DisposeAsync();
        await StartAsync("replicas.json", Policy, [new StepFault("TakeSnapshot", crash, timeout)]);
        var open = await InvokeAsync<OpenSessionOutput>("OpenSession", new OpenSessionInput("p"));
        var found = await InvokeAsync<DiscoverOutput>("Discover", new DiscoverInput("p", open.SessionId, "eu-west-1"));
        var plan = await InvokeAsync<PlanOutput>("Plan", new ResourceKey("p", open.SessionId, found.Region, found.ResourceIds.Single()));

        using var response = await PostAsync("TakeSnapshot", plan.Job!);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Unhandled", Assert.Single(response.Headers.GetValues("X-Amz-Function-Error")));
        Assert.Equal(errorType, body.RootElement.GetProperty("errorType").GetString());
        var requestId = Assert.Single(response.Headers.GetValues("X-Amzn-RequestId"));
        Assert.Equal($"RequestId: {requestId} {message}", body.RootElement.GetProperty("errorMessage").GetString());
        Assert.False(body.RootElement.TryGetProperty("stackTrace", out _));
        Assert.Equal(1, _aws.CallLog.Count("ec2", "CreateSnapshots", CallLog.Ok));
        Assert.Equal((errorType == "Runtime.ExitError" ? StepFaultKind.Crash : StepFaultKind.Timeout, Instance),
            _host.Faults.Injected.Select(f => (f.Kind, f.Subject.Split('/')[0])).Single());
    }

    [Fact]
    public async Task StepFault_ForAnotherStepOrResource_LeavesTheInvocationAlone()
    {
        await _host.DisposeAsync();
        await StartAsync("replicas.json", Policy, [new StepFault("Share", Crash: 1), new StepFault("*", Crash: 1, Resource: "i-0000000000000000f")]);

        var open = await InvokeAsync<OpenSessionOutput>("OpenSession", new OpenSessionInput("p"));
        await InvokeAsync<DiscoverOutput>("Discover", new DiscoverInput("p", open.SessionId, "eu-west-1"));

        Assert.Empty(_host.Faults.Injected);
    }

    [Fact]
    public void WorldFile_WithStepFaults_ReadsEachRule()
    {
        var world = SimulatedAws.FromJson("""{ "stepFaults": [{ "step": "TakeSnapshot", "crash": 0.02, "timeout": 0.01, "seed": 7, "resource": null }] }""");

        Assert.Equal(new StepFault("TakeSnapshot", 0.02, 0.01, 7), Assert.Single(world.Spec.StepFaults));
    }

    [Fact]
    public void StepFaultDraws_SameSeed_RepeatWhateverTheOrderOfSubjects()
    {
        var rules = new[] { new StepFault("TakeSnapshot", Crash: 0.3, Timeout: 0.2, Seed: 7) };
        var payloads = Enumerable.Range(0, 40).Select(i => $$"""{"policyId":"p","sessionId":"s-{{i}}","resourceId":"i-{{i % 8}}"}""").ToList();

        var forward = DrawAll(new StepFaultInjector(rules), payloads);
        var backward = DrawAll(new StepFaultInjector(rules), Enumerable.Reverse(payloads).ToList());
        var otherSeed = DrawAll(new StepFaultInjector([rules[0] with { Seed = 8 }]), payloads);

        // Each resource's n-th invocation draws the same, whichever resources ran in between.
        Assert.Equal(PerSubject(forward), PerSubject(backward));
        Assert.NotEqual(PerSubject(forward), PerSubject(otherSeed));
        Assert.Contains(StepFaultKind.Crash, forward.Select(f => f.Kind));
        Assert.Contains(StepFaultKind.Timeout, forward.Select(f => f.Kind));
        Assert.Contains(StepFaultKind.None, forward.Select(f => f.Kind));

        static List<(string Subject, StepFaultKind Kind)> DrawAll(StepFaultInjector injector, List<string> payloads) =>
            payloads.Select(p => (StepFaultInjector.SubjectOf(p), injector.Draw("TakeSnapshot", System.Text.Encoding.UTF8.GetBytes(p)))).ToList();

        static string PerSubject(List<(string Subject, StepFaultKind Kind)> draws) =>
            string.Join("\n", draws.GroupBy(d => d.Subject).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {string.Join(",", g.Select(d => d.Kind))}"));
    }

    [Theory]
    [InlineData("TakeSnapshot", "TakeSnapshot")]
    [InlineData("ferry-TakeSnapshot", "TakeSnapshot")]
    [InlineData("arn:aws:lambda:us-east-1:000000000000:function:ferry-TakeSnapshot", "TakeSnapshot")]
    [InlineData("arn:aws:lambda:us-east-1:000000000000:function:ferry-Plan:$LATEST", "Plan")]
    public void StepName_AcceptsNamesAndArns(string functionName, string step) => Assert.Equal(step, LambdaHost.StepName(functionName));

    private Task<Job> RunStepsAsync(Job job) => PlanWalk.RunAsync(job, InvokeAsync<Job>, (ManualClock)_aws.Clock);

    [Fact]
    public async Task LogLines_CarryTheRequestIdTheHostAnswers_AndTheTraceHeaderItWasSent_AsTheManagedRuntimeGivesThem()
    {
        const string trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        using var traced = new HttpRequestMessage(HttpMethod.Post, new Uri(_host.Url, "/2015-03-31/functions/OpenSession/invocations"))
        {
            Content = JsonContent.Create(new OpenSessionInput("p"), options: FerryJson.Default.Options),
        };
        traced.Headers.Add("X-Amzn-Trace-Id", trace);

        using var first = await _http.SendAsync(traced);
        using var second = await PostAsync("OpenSession", new OpenSessionInput("p"));

        var lines = _log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var firstId = Assert.Single(first.Headers.GetValues("X-Amzn-RequestId"));
        var secondId = Assert.Single(second.Headers.GetValues("X-Amzn-RequestId"));
        Assert.NotEqual(firstId, secondId);
        var ofFirst = lines.Where(l => l.GetProperty("requestId").GetString() == firstId).ToList();
        Assert.Equal(2, ofFirst.Count);
        Assert.All(ofFirst, l => Assert.Equal(trace, l.GetProperty("traceId").GetString()));
        var ofSecond = lines.Where(l => l.GetProperty("requestId").GetString() == secondId).ToList();
        Assert.Equal(2, ofSecond.Count);
        Assert.All(ofSecond, l => Assert.Matches("^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$", l.GetProperty("traceId").GetString()!));
    }

    private async Task<T> InvokeAsync<T>(string function, object input)
    {
        using var response = await PostAsync(function, input);
        var text = await response.Content.ReadAsStringAsync();
        Assert.False(response.Headers.Contains("X-Amz-Function-Error"), $"{function} failed: {text}");
        return (T)JsonSerializer.Deserialize(text, typeof(T), FerryJson.Default)!;
    }

    private Task<HttpResponseMessage> PostAsync(string function, object input) =>
        _http.PostAsync(new Uri(_host.Url, $"/2015-03-31/functions/{Uri.EscapeDataString(function)}/invocations"),
            JsonContent.Create(input, input.GetType(), options: FerryJson.Default.Options));
}
