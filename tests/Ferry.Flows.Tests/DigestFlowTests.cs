using System.Text.Json.Nodes;
using Ferry.Core.Sessions;
using Ferry.Local.Runtime;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Flows.Tests;

/// <summary>The daily digest through statemachines/digest.asl.json: the Digest step, then the SNS message the runner captures.</summary>
[Collection(FlowCollection.Name)]
public class DigestFlowTests(FlowFixture fixture)
{
    private const string NeverFound = "i-0fffffffffffffff0";

    private static string With(string policy, string extra) => policy.TrimEnd().TrimEnd('}') + ", " + extra + " }";

    [Fact]
    public async Task Digest_OnAWorldWithAMissedScheduleAndAnRpoBreach_PublishesOneMessageNamingBoth()
    {
        // p ran now (a resource it names was never found, so it has no restore point); q is scheduled hourly and never ran.
        var run = await fixture.RunPolicyAsync(id => With(ReplicaPolicy(id, "EC2", [AppKeyed, NeverFound], LocalTarget, Central, true, LocalDrKey),
            """ "schedule": { "expression": "rate(1 day)" }, "rpoHours": 24 """));
        var idle = fixture.NewId("q");
        await fixture.Ferry.PutPolicyAsync(With(ReplicaPolicy(idle, "EC2", [AppKeyed], LocalTarget, Central, true, LocalDrKey),
            """ "schedule": { "expression": "rate(1 hour)" } """));

        var execution = await fixture.Ferry.RunAsync(Core.Runs.Flows.Digest, new JsonObject { ["policyIds"] = new JsonArray(run.PolicyId, idle) }, fixture.NewId("digest"));

        Assert.True(execution.Succeeded, $"{execution.Error}: {execution.Cause}");
        Assert.Equal(ResourceStatus.Failed, run.Session.Status);
        var message = Assert.Single(execution.Messages);
        Assert.Equal("arn:aws:sns:us-east-1:000000000000:ferry-notifications", message["TopicArn"]!.GetValue<string>());
        Assert.Contains("1 missed schedule, 1 RPO breach", message["Subject"]!.GetValue<string>(), StringComparison.Ordinal);
        var text = message["Message"]!.GetValue<string>();
        Assert.Contains($"Policy {run.PolicyId}", text, StringComparison.Ordinal);
        Assert.Contains($"Failed   {run.Session.SessionId} (PolicyRun) started", text, StringComparison.Ordinal);
        Assert.Contains($"RPO 24 h breached by 1 resource:\n    {NeverFound}: no restore point", text, StringComparison.Ordinal);
        Assert.Contains($"Policy {idle}\n  Runs: none\n  Missed schedule: rate(1 hour) (UTC) should have started 24 runs that did not start; it has never run", text, StringComparison.Ordinal);
        var digest = execution.Output!["digest"]!;
        Assert.Equal((1, 1, 1), (digest["failedRuns"]!.GetValue<int>(), digest["missedSchedules"]!.GetValue<int>(), digest["rpoBreaches"]!.GetValue<int>()));
    }
}
