using System.Text.Json.Nodes;
using Ferry.Aws;
using Ferry.Core.Runs;
using Ferry.Local.Runtime;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Local.Tests.Runtime;

/// <summary>The demo's composition reaches the simulated AWS only over the wire, through the production adapters.</summary>
public sealed class LocalAwsTests
{
    [Fact]
    public async Task DemoComposition_ReplicaRuns_SendEveryAwsCallSignedByAnAssumedRoleThroughTheProductionAdapters()
    {
        await using var ferry = await LocalFerry.StartAsync(new LocalOptions(WorldPath("replicas.json"), 800), tablePrefix: "wire-test");
        Assert.IsType<AwsPorts>(ferry.Services.Aws);
        foreach (var policy in new[] { "ec2-dr-account", "rds-dr-account" })
        {
            await ferry.PutPolicyAsync(await File.ReadAllTextAsync(Repository.PathOf("local", "demo", "policies", $"{policy}.json")));
            var run = await ferry.RunAsync(Flows.PolicyRun, new JsonObject { ["policyId"] = policy });
            Assert.True(run.Succeeded, $"{policy}: {run.Error}: {run.Cause}");
        }

        var calls = ferry.Aws.CallLog.Records;
        Assert.Superset(new HashSet<string> { "sts", "ec2", "rds", "kms" }, calls.Select(c => c.Service).ToHashSet());
        var principal = ferry.Aws.Spec.Ferry.Principal;
        Assert.All(calls, call =>
        {
            Assert.NotNull(call.AccessKeyId);
            if (call.Service == "sts")
            {
                // AssumeRole is signed with the long-term keys of Ferry's own principal, as Lambda's execution role signs it.
                Assert.StartsWith("AKIA", call.AccessKeyId);
                Assert.Equal(principal, call.Role);
            }
            else
            {
                // Everything else is signed with temporary credentials AssumeRole issued, and runs as that role.
                Assert.StartsWith("ASIA", call.AccessKeyId);
                Assert.NotEqual(principal, call.Role);
            }
        });
    }
}
