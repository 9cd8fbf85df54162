using System.Text.Json.Nodes;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using Ferry.Local.Runtime;
using static Ferry.Tests.Shared.Scenario;
using FlowNames = Ferry.Core.Runs.Flows;

namespace Ferry.Flows.Tests;

/// <summary>
/// The event every session puts when it ends (through the real ASL's events:putEvents, captured by the runner), and the
/// message the stack's notification rule makes of it for Warning and Failed sessions.
/// </summary>
[Collection(FlowCollection.Name)]
public class NotificationFlowTests(FlowFixture fixture)
{
    /// <summary>The one event the execution put, checked against its session; its detail.</summary>
    private static JsonNode SessionEventOf(FlowRun run, SessionEventKind kind)
    {
        var entry = Assert.Single(run.Execution.Events);
        Assert.Equal((SessionEvents.Source, SessionEvents.DetailType, SessionEvents.EventBus),
            (entry["Source"]!.GetValue<string>(), entry["DetailType"]!.GetValue<string>(), entry["EventBusName"]!.GetValue<string>()));
        var detail = entry["Detail"]!;
        Assert.Equal((run.Session.SessionId, kind.ToString(), run.PolicyId, run.Session.Status.ToString()),
            (detail["sessionId"]!.GetValue<string>(), detail["kind"]!.GetValue<string>(), detail["policyId"]!.GetValue<string>(), detail["status"]!.GetValue<string>()));
        foreach (var status in (ResourceStatus[])[ResourceStatus.Success, ResourceStatus.Warning, ResourceStatus.Failed])
        {
            var name = char.ToLowerInvariant(status.ToString()[0]) + status.ToString()[1..];
            Assert.Equal(run.Session.Resources.Count(r => r.Status == status), detail["counts"]![name]!.GetValue<int>());
        }
        // Every resource that did not succeed is listed with its reason; none was left out.
        Assert.Equal(run.Session.Resources.Where(r => r.Status != ResourceStatus.Success).Select(r => (r.ResourceId, r.Status.ToString(), r.Reason)),
            detail["resources"]!.AsArray().Select(r => (r!["resourceId"]!.GetValue<string>(), r["status"]!.GetValue<string>(), r["reason"]?.GetValue<string>())));
        Assert.Equal(0, detail["resourcesLeftOut"]!.GetValue<int>());
        // Step Functions names the execution that put it.
        Assert.Contains(entry["Resources"]!.AsArray(), r => r!.GetValue<string>().Contains($":execution:ferry-{run.Execution.Machine}:", StringComparison.Ordinal));
        return detail;
    }

    /// <summary>Replicates the instance (same account, other region) and returns its snapshot restore point.</summary>
    private async Task<RestorePoint> SnapshotOfAsync(string instance, bool encrypted, string? key = null)
    {
        var run = await fixture.RunPolicyAsync(id => ReplicaPolicy(id, "EC2", [instance], LocalTarget, Central, encrypted, key));
        return (await fixture.Ferry.Services.RestorePoints.ListAsync(run.PolicyId, instance)).Single(p => !p.IsReplica);
    }

    /// <summary>The one message the notification rule sent for the run, and what it says.</summary>
    private static string MessageOf(FlowRun run, params string[] says)
    {
        var message = Assert.Single(run.Ferry.Notifications.NotificationsOf(run.Execution)).Message;
        Assert.Contains($"policy {run.PolicyId} ended {run.Session.Status}", message, StringComparison.Ordinal);
        Assert.Contains($"Look at it: session {run.Session.SessionId} in Ferry's sessions table", message, StringComparison.Ordinal);
        Assert.Contains("-sessions\nExecution: https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/"
            + $"arn:aws:states:us-east-1:000000000000:execution:ferry-{run.Execution.Machine}:", message, StringComparison.Ordinal);
        foreach (var text in says)
            Assert.Contains(text, message, StringComparison.Ordinal);
        return message;
    }

    [Fact]
    public async Task EC2_R1_SuccessfulRun_PutsItsSessionEvent_AndNotifiesNobody()
    {
        var run = await fixture.RunPolicyAsync(id => ReplicaPolicy(id, "EC2", [Unencrypted], LocalTarget, Central, encrypted: false));
        Assert.True(run.Session.Status == ResourceStatus.Success, run.Describe());

        var detail = SessionEventOf(run, SessionEventKind.Replica);

        Assert.Empty(detail["resources"]!.AsArray());
        Assert.Contains($"Replica run of policy {run.PolicyId} ended Success", detail["summary"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(run.Ferry.Notifications.NotificationsOf(run.Execution));
    }

    [Fact]
    public async Task EC2_R3_WarningRun_PutsItsEvent_AndTheTopicGetsTheResourceAndItsReason()
    {
        var run = await fixture.RunPolicyAsync(id => ReplicaPolicy(id, "EC2", [AppKeyed], LocalTarget, Central, encrypted: true));
        Assert.True(run.Session.Status == ResourceStatus.Warning, run.Describe());

        SessionEventOf(run, SessionEventKind.Replica);

        MessageOf(run, "1 resource: 1 Warning", $"- {AppKeyed} Warning: ", "no target KMS key");
    }

    [Fact]
    public async Task EC2_R8_FailedRun_PutsItsEvent_AndTheTopicGetsTheFailureAndWhy()
    {
        var run = await fixture.RunPolicyAsync(id => ReplicaPolicy(id, "EC2", [DefaultKeyed, Unencrypted], TargetRole, Central, true, DrKey));
        Assert.True(run.Session.Status == ResourceStatus.Failed, run.Describe());

        SessionEventOf(run, SessionEventKind.Replica);

        var message = MessageOf(run, "2 resources: 1 Success, 1 Failed", $"- {DefaultKeyed} Failed: ", "alias/aws/ebs");
        Assert.DoesNotContain($"- {Unencrypted}", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenSessionFailed_MissingPolicy_TheClosedRunPutsAFailedEventSayingWhy()
    {
        var id = fixture.NewId("missing");

        var execution = await fixture.Ferry.RunAsync(FlowNames.PolicyRun, new JsonObject { ["policyId"] = id }, fixture.NewId("run"));

        Assert.True(execution.Succeeded, $"{execution.Error}: {execution.Cause}");
        var entry = Assert.Single(execution.Events);
        Assert.Equal((id, "PolicyRun", "Failed"), (entry["Detail"]!["policyId"]!.GetValue<string>(), entry["Detail"]!["kind"]!.GetValue<string>(),
            entry["Detail"]!["status"]!.GetValue<string>()));
        var message = Assert.Single(fixture.Ferry.Notifications.NotificationsOf(execution)).Message;
        Assert.Contains($"no policy '{id}'", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task X_DEF_FailedRestore_PutsARestoreEvent_AndTheTopicGetsTheFailure()
    {
        var point = await SnapshotOfAsync(DefaultKeyed, true, LocalDrKey);

        var run = await fixture.RunRestoreAsync(FlowNames.Restore, new RestoreInput(point.RestorePointId, TargetAccount, West, RestoreTarget, DrWestKey));

        Assert.True(run.Execution.Succeeded && run.Session.Status == ResourceStatus.Failed, run.Describe());
        SessionEventOf(run, SessionEventKind.Restore);
        MessageOf(run, $"Restore of policy {run.PolicyId} ended Failed", $"- {DefaultKeyed} Failed: ", "default key");
    }

    [Fact]
    public async Task EC2_X0_SuccessfulRestore_PutsARestoreEvent_AndNotifiesNobody()
    {
        var point = await SnapshotOfAsync(Unencrypted, false);

        var run = await fixture.RunRestoreAsync(FlowNames.Restore, new RestoreInput(point.RestorePointId, SourceAccount, West, RestoreRole));

        Assert.True(run.Session.Status == ResourceStatus.Success, run.Describe());
        SessionEventOf(run, SessionEventKind.Restore);
        Assert.Empty(run.Ferry.Notifications.NotificationsOf(run.Execution));
    }

    [Fact]
    public async Task Restore_InvalidInput_OpensNoSession_AndPutsNoEvent()
    {
        var point = await SnapshotOfAsync(Unencrypted, false);

        var execution = await fixture.Ferry.RunAsync(FlowNames.Restore, new RestoreInput(point.RestorePointId, "2222", West, RestoreTarget));

        Assert.Equal(("FAILED", "FerryInvalidInputException"), (execution.Status, execution.Error));
        Assert.Empty(execution.Events);
    }
}
