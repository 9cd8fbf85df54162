using System.Text.Json.Nodes;
using Ferry.Local.Runtime;

namespace Ferry.Flows.Tests;

/// <summary><see cref="ExecutedSteps"/> on small synthetic histories, shaped as the ASL runner reports them.</summary>
public class ExecutedStepsTests
{
    private const string Source = "arn:aws:iam::111111111111:role/FerrySource";
    private const string Target = "arn:aws:iam::222222222222:role/FerryTarget";

    // The plan of a cross-account EC2 replica (EC2-R7): snapshot, wait, share, copy, wait.
    private const string CrossAccountSteps = $$"""
        [
          { "kind": "TakeSnapshot", "roleKind": "Source", "role": "{{Source}}", "account": "111111111111", "region": "eu-west-1" },
          { "kind": "WaitForAvailable", "roleKind": "Source", "role": "{{Source}}", "account": "111111111111", "region": "eu-west-1" },
          { "kind": "Share", "roleKind": "Source", "role": "{{Source}}", "account": "111111111111", "region": "eu-west-1" },
          { "kind": "Copy", "roleKind": "Target", "role": "{{Target}}", "account": "222222222222", "region": "eu-central-1" },
          { "kind": "WaitForAvailable", "roleKind": "Target", "role": "{{Target}}", "account": "222222222222", "region": "eu-central-1" }
        ]
        """;

    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static JsonObject Job(int cursor, string steps = CrossAccountSteps) =>
        new() { ["resourceId"] = "i-1", ["steps"] = JsonNode.Parse(steps), ["cursor"] = cursor };

    private static HistoryEvent Exited(string state, JsonNode? input, JsonNode? output) => new("StateExited", state, At, "Task", input, output);

    [Fact]
    public void CrossAccountReplica_EveryTaskAdvancingTheCursor_YieldsThePlanStepsInOrderWithTheirRoles()
    {
        HistoryEvent[] history =
        [
            new("StateEntered", "TakeSnapshot", At, "Task"),
            Exited("TakeSnapshot", Job(0), Job(1)),
            new("StateExited", "Wait", At, "Wait"),
            Exited("CheckAvailable", Job(1), Job(1)),
            Exited("CheckAvailable", Job(1), Job(2)),
            Exited("Share", Job(2), Job(3)),
            Exited("CopyToRegion", Job(3), Job(4)),
            Exited("CheckAvailable", Job(4), Job(5)),
            Exited("RecordOutcome", Job(5), new JsonObject { ["status"] = "Success" }),
        ];

        var steps = ExecutedSteps.Of(history);

        Assert.Equal(
        [
            new RunStep("TakeSnapshot", "Source", Source, "111111111111", "eu-west-1"),
            new RunStep("WaitForAvailable", "Source", Source, "111111111111", "eu-west-1"),
            new RunStep("Share", "Source", Source, "111111111111", "eu-west-1"),
            new RunStep("Copy", "Target", Target, "222222222222", "eu-central-1"),
            new RunStep("WaitForAvailable", "Target", Target, "222222222222", "eu-central-1"),
        ], steps);
    }

    [Fact]
    public void Restore_OneInvocationCompletingSeveralSteps_YieldsEachOfThem()
    {
        const string restore = $$"""
            [
              { "kind": "CreateInstance", "roleKind": "Restore", "role": "r", "account": "111111111111", "region": "eu-west-1" },
              { "kind": "CreateVolumes", "roleKind": "Restore", "role": "r", "account": "111111111111", "region": "eu-west-1" },
              { "kind": "AttachVolumes", "roleKind": "Restore", "role": "r", "account": "111111111111", "region": "eu-west-1" }
            ]
            """;

        var steps = ExecutedSteps.Of([Exited("Restore", Job(0, restore), Job(0, restore)), Exited("Restore", Job(0, restore), Job(3, restore))]);

        Assert.Equal(["CreateInstance", "CreateVolumes", "AttachVolumes"], steps.Select(s => s.Kind));
    }

    [Fact]
    public void PolicyRunWithNestedChildren_StepsGroupedByTheResourceOfEachJob()
    {
        static JsonObject For(string resource, int cursor) => new() { ["resourceId"] = resource, ["steps"] = JsonNode.Parse(CrossAccountSteps), ["cursor"] = cursor };
        static ChildExecution Child(string resource, int from, int to, params ChildExecution[] children) =>
            new("replica", $"run-{resource}", For(resource, 0), "SUCCEEDED", [Exited("TakeSnapshot", For(resource, from), For(resource, to))], children);
        HistoryEvent[] parent = [Exited("Plan", new JsonObject(), new JsonObject { ["job"] = For("i-1", 0) })];

        var steps = ExecutedSteps.ByResource(parent, [Child("i-1", 0, 1, Child("i-2", 0, 1)), Child("i-3", 0, 0)]);

        Assert.Equal(["i-1", "i-2"], steps.Keys.Order());
        Assert.All(steps.Values, s => Assert.Equal("TakeSnapshot", Assert.Single(s).Kind));
    }

    [Fact]
    public void TasksWithoutJobsOnBothSides_ExecuteNothing()
    {
        HistoryEvent[] history =
        [
            Exited("Plan", new JsonObject { ["policyId"] = "p" }, new JsonObject { ["proceed"] = true, ["job"] = Job(0) }),
            Exited("TakeSnapshot", Job(0), null),
            Exited("TakeSnapshot", new JsonObject { ["steps"] = new JsonArray(), ["cursor"] = "0" }, Job(1)),
        ];

        Assert.Empty(ExecutedSteps.Of(history));
    }

    [Fact]
    public void AStateExecutingAStepOfAnotherKind_FailsNamingStateAndKind()
    {
        var failure = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => ExecutedSteps.Of([Exited("Share", Job(2), Job(4))]));

        Assert.Contains("Share executed a Copy step", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AStateNotListed_AdvancingTheCursor_Fails()
    {
        var failure = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => ExecutedSteps.Of([Exited("Replica", Job(0), Job(1))]));

        Assert.Contains("Replica executed a TakeSnapshot step; it executes no plan step", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, 2)]
    [InlineData(4, 6)]
    public void ACursorMovingBackOrPastThePlan_Fails(int from, int to)
    {
        var failure = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => ExecutedSteps.Of([Exited("CopyToRegion", Job(from), Job(to))]));

        Assert.Contains($"moved the cursor from {from} to {to} over 5 plan step(s)", failure.Message, StringComparison.Ordinal);
    }
}
