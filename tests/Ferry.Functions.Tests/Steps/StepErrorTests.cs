using System.Text;
using Ferry.Core.Errors;
using Ferry.Core.Planning;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using Ferry.Simulator;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Functions.Tests.Steps;

/// <summary>Each failure leaves a step as the typed error the state machines match, and ends the resource with a reason.</summary>
public class StepErrorTests
{

    private static async Task<(Harness Harness, Job Job)> PlannedAsync(FaultSettings? faults = null, string targetRole = TargetRole, string key = DrKey)
    {
        var h = new Harness(faults);
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [AppKeyed], targetRole, Central, true, key));
        var session = await h.OpenSessionAsync("p");
        var plan = await h.PlanAsync("p", session, AppKeyed);
        return (h, plan.Job!);
    }

    [Fact]
    public async Task TakeSnapshot_Throttled_FailsAsThrottledWithAwsCode()
    {
        var (h, job) = await PlannedAsync(new FaultSettings(7, [new FaultRule("ec2:CreateSnapshots", Throttle: 1)]));

        var error = await Assert.ThrowsAsync<FerryThrottledException>(() => h.InvokeAsync<Job>("TakeSnapshot", job));

        Assert.Equal(("RequestLimitExceeded", true), (error.AwsErrorCode, error.Retryable));
        Assert.NotNull(error.AwsRequestId);
        Assert.Contains("\"error\":\"FerryThrottledException\"", h.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAvailable_SnapshotEndsInError_FailsAsSnapshotFailedAndResourceFailsWithReason()
    {
        var h = new Harness(new FaultSettings(7, [new FaultRule("ec2:CreateSnapshots", SnapshotError: 1)]));
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [AppKeyed], TargetRole, Central, true, DrKey));

        var (outcome, _) = await h.ReplicateAsync("p", AppKeyed);

        Assert.Equal(ResourceStatus.Failed, outcome.Status);
        Assert.Contains("is in state error", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(0, h.Aws.CallLog.Count("ec2", "CopySnapshot"));
    }

    [Fact]
    public async Task CopyToRegion_NoFreeCopySlot_FailsAsQuotaExceededThenCopiesOnceASlotFrees()
    {
        var (h, job) = await PlannedAsync();
        job = await h.RunStepsAsync(job, until: StepKind.Copy);
        var scope = new CopySlotKey(TargetAccount, Central, "ebs");
        var limit = h.Services.CopyQuotas.For(scope);
        for (var i = 0; i < limit; i++)
            Assert.True(await h.Services.Slots.TryClaimAsync(scope, CopySlot.Name(i), $"other-{i}", h.Clock.UtcNow.AddHours(1)));

        var error = await Assert.ThrowsAsync<FerryQuotaExceededException>(() => h.InvokeAsync<Job>("CopyToRegion", job));
        Assert.Contains("wait for a free slot of the ebs:222222222222:eu-central-1 quota", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.Aws.CallLog.Count("ec2", "CopySnapshot"));

        await h.Services.Slots.FreeAsync(scope, new CopySlot(CopySlot.Name(0), "other-0"));
        await h.Services.Slots.FreeAsync(scope, new CopySlot(CopySlot.Name(1), "other-1"));
        job = await h.InvokeAsync<Job>("CopyToRegion", job);
        Assert.Equal(limit, (await h.Services.Slots.ReadAsync(scope)).Count(s => !s.IsFreeAt(h.Clock.UtcNow)));
        job = await h.WaitAsync(job);
        Assert.All(job.Items, i => Assert.Equal(2, i.Ids.Count));
        Assert.Equal(limit - 2, (await h.Services.Slots.ReadAsync(scope)).Count(s => !s.IsFreeAt(h.Clock.UtcNow)));
    }

    [Fact]
    public async Task CopyToRegion_TargetRoleCannotUseTheKey_FailsAsAccessDeniedNamingRoleAndKey()
    {
        var (h, job) = await PlannedAsync();
        job = await h.RunStepsAsync(job, until: StepKind.Copy);
        var tampered = job with { Steps = [.. job.Steps.Select((s, i) => i == job.Cursor ? s with { KmsKey = LocalDrKey } : s)] };

        var error = await Assert.ThrowsAsync<FerryAccessDeniedException>(() => h.InvokeAsync<Job>("CopyToRegion", tampered));

        Assert.Contains(TargetRole, error.Message, StringComparison.Ordinal);
        Assert.Contains(LocalDrKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenSession_UnknownPolicy_FailsAsNotFoundNamingTheField()
    {
        var h = new Harness();

        var error = await Assert.ThrowsAsync<FerryNotFoundException>(() => h.InvokeAsync<OpenSessionOutput>("OpenSession", new OpenSessionInput("nope")));

        Assert.Equal("policyId: no policy 'nope'", error.Message);
    }

    [Fact]
    public async Task Step_MalformedInput_FailsAsInvalidInputNamingThePath()
    {
        var h = new Harness();
        var handler = StepCatalog.Find("Plan")!.Create(h.Services, h.Log);

        var error = await Assert.ThrowsAsync<FerryInvalidInputException>(() =>
            handler.HandleAsync(new MemoryStream(Encoding.UTF8.GetBytes("""{ "policyId": "p", "sessionId": "s", "region": 42 }"""))));

        Assert.StartsWith("Plan: input $.region:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discover_RegionOutsideThePolicy_FailsAsInvalidInputNamingTheField()
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [AppKeyed], TargetRole, Central, true, DrKey));

        var error = await Assert.ThrowsAsync<FerryInvalidInputException>(() => h.InvokeAsync<DiscoverOutput>("Discover", new DiscoverInput("p", "s", "us-east-1")));

        Assert.StartsWith("region: us-east-1 is not a source region of policy p", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordOutcome_AfterCatch_ExplainsTheLambdaCause()
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [AppKeyed], TargetRole, Central, true, DrKey));
        var session = await h.OpenSessionAsync("p");

        var outcome = await h.InvokeAsync<OutcomeOutput>("RecordOutcome", new OutcomeInput("p", session, AppKeyed,
            Error: "FerryQuotaExceededException", Cause: """{"errorType":"FerryQuotaExceededException","errorMessage":"2 copies wait for a free slot"}"""));

        Assert.Equal((ResourceStatus.Failed, "Gave up waiting for a copy slot: 2 copies wait for a free slot"), (outcome.Status, outcome.Reason));
    }

    [Fact]
    public async Task Log_NeverContainsCredentials_OnlyLogLinesAndMetrics()
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [AppKeyed], TargetRole, Central, true, DrKey));
        await h.ReplicateAsync("p", AppKeyed);
        var session = await h.Services.Credentials.AssumeAsync(TargetRole);

        Assert.DoesNotContain(session.Credentials.SecretAccessKey, h.LogText, StringComparison.Ordinal);
        Assert.DoesNotContain(session.Credentials.SessionToken, h.LogText, StringComparison.Ordinal);
        // Each line is a step's log line or a metric's embedded-metric-format document.
        Assert.All(h.LogText.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            line => Assert.True(line.StartsWith("{\"level\":", StringComparison.Ordinal) || line.StartsWith("{\"_aws\":", StringComparison.Ordinal), line));
    }
}
