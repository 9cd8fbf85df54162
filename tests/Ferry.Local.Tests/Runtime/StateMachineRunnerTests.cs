using System.Text.Json.Nodes;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Functions;
using Ferry.Local.Host;
using Ferry.Local.Runtime;
using Ferry.Simulator;
using Ferry.Simulator.Stores;
using Ferry.Simulator.World;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Local.Tests.Runtime;

/// <summary>
/// The ASL runner with small definitions of its own. Times are compared on the simulated clock and only
/// with lower bounds or orderings, so a slow machine cannot fail them.
/// </summary>
public sealed class StateMachineRunnerTests : IDisposable
{
    private const double Acceleration = 40;
    private static readonly Uri NoLambda = new("http://127.0.0.1:9");
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Directory.CreateTempSubdirectory("ferry-runner-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task WaitsAndRetries_TakeTheirOwnSimulatedDurations_DividedByTheAcceleration()
    {
        // Retry pauses 40 s then 160 s (BackoffRate 4); then a Wait of 240 s from the input, then a Wait until a simulated time.
        Write("timing", """
            {
              "StartAt": "Fails",
              "States": {
                "Fails": {
                  "Type": "Parallel",
                  "Branches": [{ "StartAt": "Boom", "States": { "Boom": { "Type": "Fail", "Error": "Boom", "Cause": "always" } } }],
                  "Retry": [{ "ErrorEquals": ["Boom"], "IntervalSeconds": 40, "BackoffRate": 4, "MaxAttempts": 2, "MaxDelaySeconds": 3600 }],
                  "Catch": [{ "ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Pause" }]
                },
                "Pause": { "Type": "Wait", "SecondsPath": "$.seconds", "Next": "Until" },
                "Until": { "Type": "Wait", "TimestampPath": "$.until", "End": true }
              }
            }
            """);
        var until = Start.AddSeconds(520);
        await using var runner = await StateMachineRunner.StartAsync(NoLambda, Acceleration, new ManualClock(Start), _folder);

        var execution = await runner.RunAsync("timing", new JsonObject { ["seconds"] = 240, ["until"] = until.ToString("O") }, history: true);

        Assert.True(execution.Succeeded, $"{execution.Error}: {execution.Cause}");
        Assert.Equal("Boom", execution.Output!["error"]!["Error"]!.GetValue<string>());
        var history = execution.History!;
        var failed = history.Where(e => e is { Type: "StateFailed", State: "Fails" }).Select(e => e.At).ToList();
        var retried = history.Where(e => e is { Type: "StateRetried", State: "Fails" }).Select(e => e.At).ToList();
        Assert.Equal(3, failed.Count);
        Assert.Equal(2, retried.Count);
        var pauses = retried.Select((at, i) => (at - failed[i]).TotalSeconds).ToList();
        // 1 s of slack for timer rounding (25 ms of real time at this acceleration).
        Assert.True(pauses[0] >= 39 && pauses[1] >= 159, $"retry pauses {string.Join(", ", pauses)} s");
        Assert.True(pauses[1] > 2 * pauses[0], $"retry pauses {string.Join(", ", pauses)} s do not back off");
        var wait = (Time(history, "StateExited", "Pause") - Time(history, "StateEntered", "Pause")).TotalSeconds;
        Assert.True(wait >= 239 && wait < 480, $"a Wait of 240 s took {wait} simulated seconds");
        Assert.True(Time(history, "StateExited", "Until") >= until.AddSeconds(-1), $"waited until {Time(history, "StateExited", "Until"):O}, not {until:O}");
    }

    [Fact]
    public async Task History_OfARunWhoseMapStartsChildren_HasStateTypesTaskInputsAndEveryChildsOwnHistory()
    {
        // parent: a Distributed Map whose iterations each start a child; each child starts a grandchild from a Task.
        Write("parent", """
            {
              "StartAt": "Each",
              "States": {
                "Each": {
                  "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
                  "ItemProcessor": {
                    "ProcessorConfig": { "Mode": "DISTRIBUTED", "ExecutionType": "STANDARD" },
                    "StartAt": "Child",
                    "States": {
                      "Child": {
                        "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                        "Parameters": { "StateMachineArn": "${ChildArn}", "Name.$": "States.Format('child-{}', $.n)", "Input": { "n.$": "$.n" } },
                        "End": true
                      }
                    }
                  },
                  "End": true
                }
              }
            }
            """);
        Write("child", """
            {
              "StartAt": "Pause",
              "States": {
                "Pause": { "Type": "Wait", "Seconds": 1, "Next": "Grandchild" },
                "Grandchild": {
                  "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                  "Parameters": { "StateMachineArn": "${GrandchildArn}", "Input": { "n.$": "$.n" } },
                  "ResultSelector": { "doubled.$": "$.Output.doubled" },
                  "End": true
                }
              }
            }
            """);
        Write("grandchild", """{ "StartAt": "Double", "States": { "Double": { "Type": "Pass", "Parameters": { "doubled.$": "States.MathAdd($.n, $.n)" }, "End": true } } }""");
        await using var runner = await StateMachineRunner.StartAsync(NoLambda, Acceleration, new ManualClock(Start), _folder);

        var execution = await runner.RunAsync("parent", new JsonObject { ["items"] = new JsonArray(new JsonObject { ["n"] = 1 }, new JsonObject { ["n"] = 2 }) }, history: true);

        Assert.True(execution.Succeeded, $"{execution.Error}: {execution.Cause}");
        Assert.Contains(execution.History!, e => e is { Type: "StateEntered", State: "Each", StateType: "Map" });
        var children = execution.Children!;
        Assert.Equal(["child-1", "child-2"], children.Select(c => c.Name).Order());
        foreach (var child in children)
        {
            var n = child.Input!["n"]!.GetValue<int>();
            Assert.Equal(("child", "SUCCEEDED"), (child.Machine, child.Status));
            Assert.Contains(child.History, e => e is { Type: "StateExited", State: "Pause", StateType: "Wait", Input: null, Output: null });
            var task = Assert.Single(child.History, e => e is { Type: "StateExited", State: "Grandchild" });
            Assert.Equal("Task", task.StateType);
            Assert.Equal(n, task.Input!["n"]!.GetValue<int>());
            Assert.Equal(2 * n, task.Output!["doubled"]!.GetValue<int>());
            var grandchild = Assert.Single(child.Children);
            Assert.Equal(("grandchild", "SUCCEEDED", n), (grandchild.Machine, grandchild.Status, grandchild.Input!["n"]!.GetValue<int>()));
            Assert.Contains(grandchild.History, e => e is { Type: "StateExited", State: "Double", StateType: "Pass" });
        }
    }

    [Fact]
    public async Task History_NotAskedFor_IsLeftOutWithTheChildren()
    {
        Write("child", """{ "StartAt": "Done", "States": { "Done": { "Type": "Succeed" } } }""");
        Write("parent", """
            { "StartAt": "Child", "States": { "Child": { "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
              "Parameters": { "StateMachineArn": "${ChildArn}", "Input": {} }, "End": true } } }
            """);
        await using var runner = await StateMachineRunner.StartAsync(NoLambda, Acceleration, new ManualClock(Start), _folder);

        var execution = await runner.RunAsync("parent", new JsonObject());

        Assert.True(execution.Succeeded, $"{execution.Error}: {execution.Cause}");
        Assert.Equal((null, null), (execution.History, execution.Children));
    }

    [Fact]
    public async Task ServiceIntegrations_PutEventsAndSnsPublish_AreCapturedWithResolvedParametersAndAnsweredAsAwsDoes()
    {
        // The child puts an event and publishes a message; the parent sees both, in call order, without asking for history.
        Write("child", """
            {
              "StartAt": "Emit",
              "States": {
                "Emit": {
                  "Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
                  "Parameters": { "Entries": [{ "Source": "ferry", "DetailType": "Done", "EventBusName": "default", "Detail": { "n.$": "$.n" } }] },
                  "ResultPath": "$.put", "Next": "Notify"
                },
                "Notify": {
                  "Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                  "Parameters": { "TopicArn": "arn:aws:sns:us-east-1:000000000000:ferry", "Message.$": "States.Format('n is {}', $.n)" },
                  "ResultPath": "$.published", "End": true
                }
              }
            }
            """);
        Write("parent", """
            { "StartAt": "Child", "States": { "Child": { "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
              "Parameters": { "StateMachineArn": "${ChildArn}", "Name": "the-child", "Input": { "n": 7 } }, "OutputPath": "$.Output", "End": true } } }
            """);
        await using var runner = await StateMachineRunner.StartAsync(NoLambda, Acceleration, new ManualClock(Start), _folder);

        var execution = await runner.RunAsync("parent", new JsonObject());

        Assert.True(execution.Succeeded, $"{execution.Error}: {execution.Cause}");
        Assert.Equal([("child", "the-child", "Emit", IntegrationCall.PutEvents), ("child", "the-child", "Notify", IntegrationCall.SnsPublish)],
            execution.Integrations!.Select(c => (c.Machine, c.Execution, c.State, c.Resource)));
        var entry = Assert.Single(execution.Events);
        Assert.Equal(("ferry", "Done", "default", 7), (entry["Source"]!.GetValue<string>(), entry["DetailType"]!.GetValue<string>(),
            entry["EventBusName"]!.GetValue<string>(), entry["Detail"]!["n"]!.GetValue<int>()));
        Assert.Contains(entry["Resources"]!.AsArray(), r => r!.GetValue<string>().EndsWith(":execution:ferry-child:the-child", StringComparison.Ordinal));
        Assert.Equal("n is 7", Assert.Single(execution.Messages)["Message"]!.GetValue<string>());
        var put = execution.Output!["put"]!;
        Assert.Equal(0, put["FailedEntryCount"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(Assert.Single(put["Entries"]!.AsArray())!["EventId"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(execution.Output!["published"]!["MessageId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ServiceIntegrations_AnEntryAwsRefuses_FailsTheTaskWithEventBridgeFailedEntryAndIsNotCountedAsSent()
    {
        Write("refused", """
            {
              "StartAt": "Emit",
              "States": {
                "Emit": {
                  "Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
                  "Parameters": { "Entries": [{ "Source": "ferry", "Detail": {} }] },
                  "Catch": [{ "ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Done" }], "Next": "Done"
                },
                "Done": { "Type": "Succeed" }
              }
            }
            """);
        await using var runner = await StateMachineRunner.StartAsync(NoLambda, Acceleration, new ManualClock(Start), _folder);

        var execution = await runner.RunAsync("refused", new JsonObject());

        Assert.True(execution.Succeeded, $"{execution.Error}: {execution.Cause}");
        Assert.Equal("EventBridge.FailedEntry", execution.Output!["error"]!["Error"]!.GetValue<string>());
        Assert.Null(Assert.Single(execution.Integrations!).Result);
        Assert.Empty(execution.Events);
    }

    [Theory]
    [InlineData(1, 0, "Runtime.ExitError")]
    [InlineData(0, 1, "Sandbox.Timedout")]
    public async Task StepFault_InALambdaTask_ReachesTheStateMachineAsLambdasErrorName(double crash, double timeout, string error)
    {
        Write("crash", """
            {
              "StartAt": "Open",
              "States": {
                "Open": {
                  "Type": "Task", "Resource": "${OpenSessionFunctionArn}", "TimeoutSeconds": 120,
                  "Catch": [{ "ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Done" }],
                  "Next": "Done"
                },
                "Done": { "Type": "Succeed" }
              }
            }
            """);
        var aws = SimulatedAws.Load(WorldPath("replicas.json"));
        var local = new LocalAws(aws);
        var services = new FerryServices(local.Credentials, local.Ports, new InMemoryPolicyStore(), new InMemorySessionStore(),
            new InMemoryRestorePointStore(), new InMemoryCopySlots(aws.Clock), aws.Clock, WaitSettings.Default);
        await using var host = await LambdaHost.StartAsync(services, new StepLog(TextWriter.Null), stepFaults: [new StepFault("OpenSession", crash, timeout)]);
        await using var runner = await StateMachineRunner.StartAsync(host.Url, Acceleration, aws.Clock, _folder);

        var execution = await runner.RunAsync("crash", new JsonObject { ["policyId"] = "no-such-policy" });

        Assert.True(execution.Succeeded, $"{execution.Error}: {execution.Cause}");
        Assert.Equal(error, execution.Output!["error"]!["Error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Runner_WithABrokenDefinition_FailsToStartWithOneLineSayingWhy()
    {
        Write("broken", "{ \"StartAt\": ");

        var failure = await Assert.ThrowsAsync<StartupException>(() => StateMachineRunner.StartAsync(NoLambda, Acceleration, statemachines: _folder));

        Assert.StartsWith("The ASL runner (node local/runner/runner.mjs) exited before it was ready: broken.asl.json: ", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', failure.Message);
    }

    private static DateTimeOffset Time(IReadOnlyList<HistoryEvent> history, string type, string state) =>
        history.Single(e => e.Type == type && e.State == state).At;

    private void Write(string name, string definition) => File.WriteAllText(Path.Combine(_folder, $"{name}.asl.json"), definition);
}
