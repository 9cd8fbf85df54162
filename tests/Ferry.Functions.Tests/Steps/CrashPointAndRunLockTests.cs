using System.Text.Json;
using Ferry.Core.Errors;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Functions.Tests.Steps;

/// <summary>
/// What the state machines' last-resort paths rely on: closing a session gives every resource a final outcome, a
/// failed OpenSession or PlanRestore still ends in a session that says why, and one run of a policy runs at a time.
/// </summary>
public class CrashPointAndRunLockTests
{
    private static string Policy(string id = "p") => ReplicaPolicy(id, "EC2", [AppKeyed, Unencrypted], LocalTarget, Central, true, LocalDrKey);

    private static string CauseOf(FerryException error) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["errorType"] = error.ErrorName, ["errorMessage"] = error.Message });

    private static Task<OpenSessionOutput> OpenAsync(Harness h, string sessionId, string policyId = "p") =>
        h.InvokeAsync<OpenSessionOutput>("OpenSession", new OpenSessionInput(policyId, sessionId));

    [Fact]
    public async Task OpenSession_WhileAnotherRunOfThePolicyRuns_IsRefused_ItsSessionClosedCanceledNamingTheRunningOne()
    {
        var h = new Harness();
        await h.PutPolicyAsync(Policy());
        var first = await OpenAsync(h, "p-run1");

        var second = await OpenAsync(h, "p-run2");
        var closed = await h.InvokeAsync<CloseSessionOutput>("CloseSession", new CloseSessionInput("p-run2", "p"));

        Assert.Equal([West], first.Regions);
        Assert.Empty(second.Regions);
        var refused = (await h.Services.Sessions.GetAsync("p-run2"))!;
        Assert.Equal(ResourceStatus.Canceled, refused.Status);
        Assert.NotNull(refused.EndedAt);
        Assert.StartsWith("Not run: policy p is already running in session p-run1", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(ResourceStatus.Canceled, closed.Status);
        Assert.Null((await h.Services.Sessions.GetAsync("p-run1"))!.EndedAt);
        Assert.Equal("p-run1", (await h.Services.Sessions.GetRunLockAsync("p"))!.SessionId);
    }

    [Fact]
    public async Task OpenSession_RetriedAfterItTookTheLock_FindsItsOwnSessionAndLock()
    {
        var h = new Harness();
        await h.PutPolicyAsync(Policy());

        await OpenAsync(h, "p-run1");
        var retried = await OpenAsync(h, "p-run1");

        Assert.Equal([West], retried.Regions);
        Assert.Single(await h.Services.Sessions.ListByPolicyAsync("p"));
    }

    [Fact]
    public async Task CloseSession_ReleasesTheRunLock_TheNextRunProceeds()
    {
        var h = new Harness();
        await h.PutPolicyAsync(Policy());
        await OpenAsync(h, "p-run1");

        await h.InvokeAsync<CloseSessionOutput>("CloseSession", new CloseSessionInput("p-run1", "p"));
        var next = await OpenAsync(h, "p-run2");

        Assert.Equal([West], next.Regions);
        Assert.Equal("p-run2", (await h.Services.Sessions.GetRunLockAsync("p"))!.SessionId);
    }

    [Fact]
    public async Task OpenSession_RunThatStoppedWithoutClosing_AfterItsLease_NextRunClosesItFailedAndRuns()
    {
        var h = new Harness();
        await h.PutPolicyAsync(Policy());
        await OpenAsync(h, "p-run1");
        await h.InvokeAsync<DiscoverOutput>("Discover", new DiscoverInput("p", "p-run1", West));

        h.Clock.Advance(SessionSteps.RunLease + TimeSpan.FromMinutes(1));
        var next = await OpenAsync(h, "p-run2");

        Assert.Equal([West], next.Regions);
        var abandoned = (await h.Services.Sessions.GetAsync("p-run1"))!;
        Assert.Equal(ResourceStatus.Failed, abandoned.Status);
        Assert.Contains("The run stopped without closing its session; run p-run2 closed it", abandoned.Reason, StringComparison.Ordinal);
        Assert.NotEmpty(abandoned.Resources);
        Assert.All(abandoned.Resources, r => Assert.Equal(ResourceStatus.Failed, r.Status));
    }

    [Fact]
    public async Task OpenSession_LockLeftByARunWhoseSessionIsClosed_IsTakenAtOnce()
    {
        var h = new Harness();
        await h.PutPolicyAsync(Policy());
        await OpenAsync(h, "p-run1");
        // Closed, but the lock was never given back (CloseSession kept failing after it closed the session).
        await h.Services.Sessions.CloseAsync("p-run1", h.Clock.UtcNow);

        var next = await OpenAsync(h, "p-run2");

        Assert.Equal([West], next.Regions);
        Assert.Equal("p-run2", (await h.Services.Sessions.GetRunLockAsync("p"))!.SessionId);
        Assert.Equal(ResourceStatus.Success, (await h.Services.Sessions.GetAsync("p-run1"))!.Status);
    }

    [Fact]
    public async Task RecordOutcome_RenewsTheRunLock_ALiveRunLongerThanOneLeaseKeepsIt()
    {
        var h = new Harness();
        await h.PutPolicyAsync(Policy());
        await OpenAsync(h, "p-run1");

        h.Clock.Advance(SessionSteps.RunLease - TimeSpan.FromHours(1));
        await h.InvokeAsync<OutcomeOutput>("RecordOutcome", new OutcomeInput("p", "p-run1", AppKeyed, ResourceStatus.Success));
        h.Clock.Advance(TimeSpan.FromHours(2));
        var second = await OpenAsync(h, "p-run2");

        Assert.Empty(second.Regions);
        Assert.Null((await h.Services.Sessions.GetAsync("p-run1"))!.EndedAt);
    }

    [Fact]
    public async Task Discover_ForARunThatLostItsLock_NotesNothingAndFindsNothing()
    {
        var h = new Harness();
        await h.PutPolicyAsync(Policy());
        await OpenAsync(h, "p-run1");
        h.Clock.Advance(SessionSteps.RunLease + TimeSpan.FromMinutes(1));
        await OpenAsync(h, "p-run2");

        var late = await h.InvokeAsync<DiscoverOutput>("Discover", new DiscoverInput("p", "p-run1", West));

        Assert.Empty(late.ResourceIds);
        Assert.Empty((await h.Services.Sessions.GetAsync("p-run1"))!.Resources);
    }

    [Fact]
    public async Task CloseSession_AfterDiscoverNotedResourcesAndTheRunStopped_FailsEachWithTheRunEndedReason()
    {
        var h = new Harness();
        await h.PutPolicyAsync(Policy());
        await OpenAsync(h, "p-run1");
        var discovered = await h.InvokeAsync<DiscoverOutput>("Discover", new DiscoverInput("p", "p-run1", West));

        var closed = await h.InvokeAsync<CloseSessionOutput>("CloseSession", new CloseSessionInput("p-run1", "p"));

        Assert.Equal(ResourceStatus.Failed, closed.Status);
        var session = (await h.Services.Sessions.GetAsync("p-run1"))!;
        Assert.Equal(discovered.ResourceIds.Order(), session.Resources.Select(r => r.ResourceId).Order());
        Assert.All(session.Resources, r => Assert.Equal((ResourceStatus.Failed, SessionSteps.EndedWithoutOutcome), (r.Status, r.Reason)));
        Assert.All(session.Resources, r => Assert.Contains(r.Log, e => e.Step == "RecordOutcome" && e.Level == ResourceStatus.Failed));
        Assert.Null(await h.Services.Sessions.GetRunLockAsync("p"));
    }

    [Fact]
    public async Task CloseSession_WithTheErrorOfAnOpenSessionThatFailed_RecordsAFailedSessionWithTheReason()
    {
        var h = new Harness();
        var error = await Assert.ThrowsAsync<FerryNotFoundException>(() => OpenAsync(h, "missing-run1", "missing"));

        var closed = await h.InvokeAsync<CloseSessionOutput>("CloseSession", new CloseSessionInput("missing-run1", "missing", error.ErrorName, CauseOf(error)));

        var session = (await h.Services.Sessions.GetAsync("missing-run1"))!;
        Assert.Equal((ResourceStatus.Failed, "policyId: no policy 'missing'"), (closed.Status, closed.Reason));
        Assert.Equal((SessionKind.PolicyRun, ResourceStatus.Failed, "policyId: no policy 'missing'"), (session.Kind, session.Status, session.Reason));
        Assert.NotNull(session.EndedAt);
    }

    [Fact]
    public async Task PlanRestore_InvalidRequest_FailsNamingTheField_OpensNoSession_CloseSessionFindsNone()
    {
        var h = new Harness();
        await h.PutPolicyAsync(Policy());
        await h.ReplicateAsync("p", AppKeyed);
        var point = (await h.Services.RestorePoints.ListAsync("p", AppKeyed)).Single(p => !p.IsReplica);
        var before = (await h.Services.Sessions.ListByPolicyAsync("p")).Count;

        var error = await Assert.ThrowsAsync<FerryInvalidInputException>(() =>
            h.InvokeAsync<PlanOutput>("PlanRestore", new RestoreInput(point.RestorePointId, "12345", West, RestoreRole, SessionId: "restore-bad")));
        var closed = await h.InvokeAsync<CloseSessionOutput>("CloseSession", new CloseSessionInput("restore-bad", Error: error.ErrorName, Cause: CauseOf(error)));

        Assert.StartsWith("targetAccount:", error.Message, StringComparison.Ordinal);
        Assert.False(closed.Found);
        Assert.Null(await h.Services.Sessions.GetAsync("restore-bad"));
        Assert.Equal(before, (await h.Services.Sessions.ListByPolicyAsync("p")).Count);
    }

    [Fact]
    public async Task PlanRestore_FailingAfterItOpenedTheSession_CloseSessionFailsTheResourceAndClosesWithTheReason()
    {
        var h = new Harness();
        await h.PutPolicyAsync(Policy());
        await h.ReplicateAsync("p", AppKeyed);
        var point = (await h.Services.RestorePoints.ListAsync("p", AppKeyed)).Single(p => !p.IsReplica);
        // An owner role that no longer exists: planning fails when it asks KMS as that role, after opening the session.
        await h.Services.RestorePoints.PutAsync(point with { RestorePointId = "rp-orphaned", OwnerRole = "arn:aws:iam::111111111111:role/Gone" });

        var error = await Assert.ThrowsAnyAsync<FerryException>(() =>
            h.InvokeAsync<PlanOutput>("PlanRestore", new RestoreInput("rp-orphaned", SourceAccount, West, RestoreRole, SessionId: "restore-orphaned")));
        var closed = await h.InvokeAsync<CloseSessionOutput>("CloseSession", new CloseSessionInput("restore-orphaned", Error: error.ErrorName, Cause: CauseOf(error)));

        var session = (await h.Services.Sessions.GetAsync("restore-orphaned"))!;
        var resource = Assert.Single(session.Resources);
        Assert.Equal((AppKeyed, ResourceStatus.Failed), (resource.ResourceId, resource.Status));
        Assert.Contains(error.Message, resource.Reason, StringComparison.Ordinal);
        Assert.Equal((ResourceStatus.Failed, resource.Reason), (session.Status, session.Reason));
        Assert.Equal((true, ResourceStatus.Failed), (closed.Found, closed.Status));
    }
}
