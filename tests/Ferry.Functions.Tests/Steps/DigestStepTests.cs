using System.Text.Json.Nodes;
using Ferry.Core.Digest;
using Ferry.Core.Metrics;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Functions.Tests.Steps;

/// <summary>The Digest step through its Lambda entry point, and what the other steps publish as metrics and log context.</summary>
public class DigestStepTests
{
    private const string Missing = "i-0fffffffffffffff0";

    private static string Scheduled(string policy, string expression, double? rpoHours = null) =>
        policy.TrimEnd().TrimEnd('}') + $$""", "schedule": { "expression": "{{expression}}" }{{(rpoHours is null ? "" : $", \"rpoHours\": {rpoHours}")}} }""";

    [Fact]
    public async Task Digest_MissedScheduleAndRpoBreach_NamesThePolicyTheResourcesAndTheirAge()
    {
        var h = new Harness();
        await h.PutPolicyAsync(Scheduled(ReplicaPolicy("p", "EC2", [AppKeyed, Missing], TargetRole, Central, true, DrKey), "cron(0 2 * * ? *)", 24));
        await h.PutPolicyAsync(Scheduled(ReplicaPolicy("q", "EC2", [AppKeyed], TargetRole, Central, true, DrKey), "rate(1 day)"));
        var (outcome, _) = await h.ReplicateAsync("p", AppKeyed);
        var ranAt = h.Clock.UtcNow;
        h.Clock.Advance(TimeSpan.FromHours(30));

        var digest = await h.InvokeAsync<DigestOutput>("Digest", new DigestInput(["p", "q", "gone"]));

        Assert.Equal(ResourceStatus.Success, outcome.Status);
        var p = digest.Policies[0];
        Assert.Empty(p.Runs);
        Assert.Equal(1, p.MissedSchedule!.Missed);
        Assert.Equal([AppKeyed, Missing], p.RpoBreaches.Select(b => b.ResourceId));
        Assert.Null(p.RpoBreaches[1].NewestAt);
        Assert.True(p.RpoBreaches[0].NewestAt <= ranAt);
        Assert.Equal(new MissedSchedule("rate(1 day)", "UTC", 1, null), digest.Policies[1].MissedSchedule);
        Assert.Equal("no such policy in the policies table", digest.Policies[2].Problem);
        Assert.Equal((2, 2), (digest.MissedSchedules, digest.RpoBreaches));
        Assert.StartsWith("Ferry digest ", digest.Subject, StringComparison.Ordinal);
        Assert.Contains("2 missed schedules, 2 RPO breaches", digest.Subject, StringComparison.Ordinal);
        Assert.Contains("Missed schedule: cron(0 2 * * ? *) (UTC) should have started 1 run that did not start", digest.Text, StringComparison.Ordinal);
        Assert.Contains($"RPO 24 h breached by 2 resources:", digest.Text, StringComparison.Ordinal);
        Assert.Contains($"{Missing}: no restore point", digest.Text, StringComparison.Ordinal);
        Assert.Contains($"{AppKeyed}: newest restore point", digest.Text, StringComparison.Ordinal);
        Assert.Contains("Not checked: no such policy", digest.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Digest_FreshRunOnSchedule_ListsTheRunWithItsOutcome_AndNoBreachOfItsRestoredResource()
    {
        var h = new Harness();
        await h.PutPolicyAsync(Scheduled(ReplicaPolicy("p", "EC2", [AppKeyed], TargetRole, Central, true, DrKey), "rate(12 hours)", 24));
        await h.ReplicateAsync("p", AppKeyed);
        h.Clock.Advance(TimeSpan.FromHours(2));

        var digest = await h.InvokeAsync<DigestOutput>("Digest", new DigestInput(["p"]));

        var run = Assert.Single(digest.Policies[0].Runs);
        Assert.Equal((SessionKind.PolicyRun, ResourceStatus.Success), (run.Kind, run.Status));
        Assert.Null(digest.Policies[0].MissedSchedule);
        Assert.Empty(digest.Policies[0].RpoBreaches);
        Assert.EndsWith("all well", digest.Subject, StringComparison.Ordinal);
        Assert.Contains($"Success  {run.SessionId} (PolicyRun) started", digest.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Digest_PolicyIdNotAnId_IsRefusedNamingTheField()
    {
        var h = new Harness();

        var error = await Assert.ThrowsAsync<Core.Errors.FerryInvalidInputException>(() => h.InvokeAsync<DigestOutput>("Digest", new DigestInput(["ok", "no spaces"])));

        Assert.StartsWith("policyIds[1]: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replica_PublishesEmfMetrics_ResourcesByOutcomeAndEachCopysDuration_UnderTheFerryNamespace()
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [AppKeyed], TargetRole, Central, true, DrKey));

        await h.ReplicateAsync("p", AppKeyed);

        var documents = h.LogText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).Where(d => d["_aws"] is not null).ToList();
        var resources = Assert.Single(documents, d => d[FerryMetrics.Resources.Name] is not null);
        var directive = resources["_aws"]!["CloudWatchMetrics"]![0]!;
        Assert.Equal(FerryMetrics.Namespace, directive["Namespace"]!.GetValue<string>());
        Assert.Equal("""[["Outcome"],["Policy","Outcome"]]""", directive["Dimensions"]!.ToJsonString());
        Assert.Equal("""[{"Name":"Resources","Unit":"Count"}]""", directive["Metrics"]!.ToJsonString());
        Assert.Equal(("Success", "p", 1), (resources["Outcome"]!.GetValue<string>(), resources["Policy"]!.GetValue<string>(), resources["Resources"]!.GetValue<int>()));
        Assert.Equal(h.Clock.UtcNow.ToUnixTimeMilliseconds(), resources["_aws"]!["Timestamp"]!.GetValue<long>());
        // One copy per volume of the instance, each from its start to when its check saw it complete.
        var copies = documents.Where(d => d[FerryMetrics.CopyDuration.Name] is not null).ToList();
        Assert.Equal(2, copies.Count);
        Assert.All(copies, c => Assert.True(c[FerryMetrics.CopyDuration.Name]!.GetValue<double>() > 0));
    }

    [Fact]
    public async Task NamedResourceNeverFound_FailedByCloseSession_IsCountedUnderItsOutcomeToo()
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [AppKeyed, Missing], TargetRole, Central, true, DrKey));

        await h.ReplicateAsync("p", AppKeyed);

        var outcomes = h.LogText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!)
            .Where(d => d[FerryMetrics.Resources.Name] is not null).Select(d => d[FerryMetrics.OutcomeDimension]!.GetValue<string>());
        Assert.Equal(["Failed", "Success"], outcomes.Order());
    }

    [Fact]
    public async Task EC2_X0_Restore_PublishesItsRestoreTime_OnceItsOutcomeIsRecorded()
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [AppKeyed], LocalTarget, Central, true, LocalDrKey));
        await h.ReplicateAsync("p", AppKeyed);
        var point = (await h.Services.RestorePoints.ListAsync("p", AppKeyed)).Single(p => !p.IsReplica);
        var started = h.Clock.UtcNow;

        var (outcome, _) = await h.RestoreAsync(new RestoreInput(point.RestorePointId, SourceAccount, West, RestoreRole, AppKey));

        Assert.Equal(ResourceStatus.Success, outcome.Status);
        var restore = Assert.Single(h.LogText.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains($"\"{FerryMetrics.RestoreTime.Name}\":", StringComparison.Ordinal));
        var seconds = JsonNode.Parse(restore)![FerryMetrics.RestoreTime.Name]!.GetValue<double>();
        Assert.Equal((h.Clock.UtcNow - started).TotalSeconds, seconds, precision: 3);
    }

    [Fact]
    public async Task StepLogLines_CarryTheInvocationsRequestAndTraceIds_WhenTheHostGivesThem()
    {
        var h = new Harness();
        const string trace = "Root=1-67687c5a-a1b2c3d4e5f67890abcdef01;Parent=53995c3f42cd8ad8;Sampled=1";
        StepLog.Enter(new Invocation("7d8a5f3e-1111-4222-8333-444455556666", trace));

        await h.InvokeAsync<DigestOutput>("Digest", new DigestInput([]));

        var line = JsonNode.Parse(h.LogText.Split('\n')[0])!;
        Assert.Equal(("Digest", "7d8a5f3e-1111-4222-8333-444455556666", trace),
            (line["step"]!.GetValue<string>(), line["requestId"]!.GetValue<string>(), line["traceId"]!.GetValue<string>()));
    }
}
