using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using Ferry.Functions;
using Ferry.Local.Runtime;

namespace Ferry.Flows.Tests;

/// <summary>The ASL files themselves: valid, fully substitutable, and with no path that leaves a resource without an outcome.</summary>
public partial class StateMachineDefinitionTests
{
    private const string PutEvents = IntegrationCall.PutEvents;

    private static readonly string Folder = Repository.PathOf("statemachines");

    private static readonly JsonNode RetryPolicy = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "retry-policy.json")))!;

    private static readonly string[] Files = [.. Directory.GetFiles(Folder, "*.asl.json").Select(Path.GetFileName).OfType<string>().Order()];

    public static TheoryData<string> Definitions() => [.. Files];

    [Fact]
    public async Task EveryDefinition_PassesAslValidator()
    {
        using var process = Process.Start(new ProcessStartInfo("node", [Repository.PathOf("local", "runner", "validate.mjs"), Folder])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        var results = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(Files.Length, results.Count);
        Assert.All(results, r => Assert.True(r["valid"]!.GetValue<bool>(), $"{r["name"]}: {r["errors"]}"));
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public void StateMachines_AreThePolicyRunReplicaRestoreAndDigestFlows_AtMostFourFiles()
    {
        Assert.Equal([Core.Runs.Flows.Digest, Core.Runs.Flows.PolicyRun, Core.Runs.Flows.Replica, Core.Runs.Flows.Restore],
            Files.Select(f => f.Replace(".asl.json", "", StringComparison.Ordinal)));
        Assert.True(Files.Length <= 4);
    }

    [Theory]
    [MemberData(nameof(Definitions))]
    public void Placeholders_NameKnownStepsAndStateMachines(string file)
    {
        var text = File.ReadAllText(Path.Combine(Folder, file));
        var steps = StepCatalog.All.Select(s => s.Name).ToHashSet();
        var machines = Files.Select(f => f.Replace(".asl.json", "", StringComparison.Ordinal)).ToHashSet();

        foreach (Match match in Placeholder().Matches(text))
        {
            var name = match.Groups[1].Value;
            if (SessionEvents.Placeholders.ContainsKey(name))
                continue;
            if (name.EndsWith("FunctionArn", StringComparison.Ordinal))
                Assert.Contains(name[..^"FunctionArn".Length], steps);
            else if (name.EndsWith("TopicArn", StringComparison.Ordinal))
                Assert.Equal("NotificationsTopicArn", name);
            else
                Assert.Contains(Kebab().Replace(name[..^"Arn".Length], "$1-$2").ToLowerInvariant(), machines);
        }
    }

    [Fact]
    public async Task EveryDefinition_IsWhatTheRetryPolicyGeneratorWrites()
    {
        using var process = Process.Start(new ProcessStartInfo("node", [Repository.PathOf("local", "runner", "retry-policy.mjs"), "--check", Folder])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, $"run node local/runner/retry-policy.mjs to rewrite them:\n{output}{errors}");
    }

    [Theory]
    [MemberData(nameof(Definitions))]
    public void EveryTask_RetriesExactlyAsTheRetryPolicySays(string file)
    {
        var definition = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, file)))!;
        foreach (var (_, name, state) in Tasks(definition))
        {
            var resource = state["Resource"]!.GetValue<string>();
            var variant = RetryPolicy["variantByResource"]![resource]?.GetValue<string>() ?? RetryPolicy["defaultVariant"]!.GetValue<string>();
            var expected = new JsonArray([.. Retriers(variant).Select(r => r.DeepClone())]);
            foreach (var retrier in expected)
                retrier!.AsObject().Remove("why");

            Assert.True(JsonNode.DeepEquals(expected, state["Retry"]), $"{file}: {name} does not retry as variant '{variant}' of retry-policy.json says");
        }
    }

    [Fact]
    public void CopyTasks_WaitForASlotInALoopThatRestartsTheirRetryCounts_BeforeAnyOtherCatch()
    {
        var copies = 0;
        foreach (var file in Files)
        {
            var states = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, file)))!["States"]!.AsObject();
            foreach (var (name, state) in states.Where(s => s.Value!["Resource"]?.GetValue<string>() == "${CopyToRegionFunctionArn}"))
            {
                copies++;
                var first = state!["Catch"]![0]!;
                Assert.Equal(["FerryQuotaExceededException"], first["ErrorEquals"]!.AsArray().Select(e => e!.GetValue<string>()));
                Assert.True(first.AsObject().TryGetPropertyValue("ResultPath", out var kept) && kept is null, $"{file}: {name} must keep the job (ResultPath null) when it waits for a slot");
                var wait = states[first["Next"]!.GetValue<string>()]!;
                Assert.Equal("Wait", wait["Type"]!.GetValue<string>());
                Assert.Equal(name, wait["Next"]!.GetValue<string>());
            }
        }
        Assert.Equal(2, copies);
    }

    [Fact]
    public void RetryPolicy_RetriesStormsCrashesAndTimeouts_WaitsForSlotsWithoutGivingUp_NeverRetriesCountLimits()
    {
        var step = Retriers("step");
        Assert.Contains(step, r => Errors(r).Contains("FerryThrottledException") && r["JitterStrategy"]!.GetValue<string>() == "FULL" && r["MaxAttempts"]!.GetValue<int>() >= 15);
        foreach (var error in (string[])["Sandbox.Timedout", "Lambda.Unknown", "Runtime.ExitError", "States.Timeout", "Lambda.ServiceException", "FerryTransientException"])
            Assert.Contains(step, r => Errors(r).Contains(error));

        Assert.Single(Retriers("copy"), r => Errors(r).Contains("FerryQuotaExceededException"));
        Assert.DoesNotContain(step, r => Errors(r).Contains("FerryQuotaExceededException"));

        // A count limit fails the resource at once; wildcards would retry it and every other permanent error.
        var listed = RetryPolicy["retriers"]!.AsObject().SelectMany(r => Errors(r.Value!)).ToList();
        Assert.DoesNotContain("FerryLimitExceededException", listed);
        Assert.DoesNotContain("States.ALL", listed);
        Assert.DoesNotContain("States.TaskFailed", listed);
    }

    /// <summary>
    /// Every Task's failure (after its retries) leads to a state that records it: a step catches everything into
    /// RecordOutcome or CloseSession; RecordSuccess into RecordFailure; a RecordOutcome that ends a flow may only go
    /// without a Catch where a parent records the failure again (a child flow, a Map item), never in a restore or at
    /// the top of a policy run. CloseSession is the last resort (a run it cannot close is closed by the next run).
    /// </summary>
    [Theory]
    [MemberData(nameof(Definitions))]
    public void EveryTask_FailsIntoAStateThatRecordsTheOutcome(string file)
    {
        var definition = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, file)))!;
        // The digest has no session and no resource: only reads, then a message; a failure is the failed-executions alarm's.
        if (file == $"{Core.Runs.Flows.Digest}.asl.json")
            return;
        var restore = file.Contains("restore", StringComparison.Ordinal);
        var topStates = definition["States"]!.AsObject();
        foreach (var (states, name, state) in Tasks(definition))
        {
            var step = Step(state);
            var target = state["Catch"]?.AsArray().SingleOrDefault(c => Errors(c!).Contains("States.ALL"))?["Next"]?.GetValue<string>();
            if (step == "CloseSession")
                continue;
            if (state["Resource"]!.GetValue<string>() == PutEvents)
            {
                // It runs after the session closed: its failure must not change how the execution ends.
                Assert.Equal(state["Next"]!.GetValue<string>(), target);
                continue;
            }
            if (step == "ApplyRetention")
            {
                // It runs after the outcome is recorded: its failure must not fail the resource.
                Assert.Equal("Done", target);
                continue;
            }
            var hasParent = !restore && (file != "policy-run.asl.json" || states != topStates);
            if (step == "RecordOutcome" && target is null && hasParent && name != "RecordSuccess")
                continue;
            Assert.True(target is not null, $"{file}: {name} has no Catch of States.ALL");
            Assert.NotEqual(name, target);
            Assert.True(RecordsOutcome(states, target!), $"{file}: {name} catches into {target}, which does not record an outcome");
        }
    }

    /// <summary>
    /// Every state that closes a session (CloseSession, and a restore's RecordOutcome, which closes its one-resource
    /// session) leads, through Choices on whether there was a session, to a putEvents of the session's event with the
    /// facts Core declares; nothing else puts events.
    /// </summary>
    [Theory]
    [MemberData(nameof(Definitions))]
    public void EverySessionClose_LeadsToThePutOfItsEvent(string file)
    {
        var definition = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, file)))!;
        var restore = file.Contains("restore", StringComparison.Ordinal);
        var states = definition["States"]!.AsObject();
        var closing = Tasks(definition).Where(t => t.States == states && (Step(t.State) == "CloseSession" || (restore && Step(t.State) == "RecordOutcome"))).ToList();
        var puts = Tasks(definition).Where(t => t.State["Resource"]!.GetValue<string>() == PutEvents).ToList();

        // The replica flow leaves closing to its policy run; the digest has no session.
        Assert.Equal(file is "replica.asl.json" or "digest.asl.json", closing.Count == 0);
        foreach (var (_, name, state) in closing)
        {
            var next = state["Next"]?.GetValue<string>();
            Assert.True(next is not null, $"{file}: {name} ends the execution without putting the session's event");
            var put = states[next!]!["Type"]!.GetValue<string>() == "Choice"
                ? states[states[next!]!["Choices"]![0]!["Next"]!.GetValue<string>()]!
                : states[next!]!;
            Assert.Equal(PutEvents, put["Resource"]?.GetValue<string>());
        }
        foreach (var (_, name, state) in puts)
        {
            var entry = Assert.Single(state["Parameters"]!["Entries"]!.AsArray())!;
            Assert.Equal("${SessionEventSource}", entry["Source"]!.GetValue<string>());
            Assert.Equal("${SessionEventDetailType}", entry["DetailType"]!.GetValue<string>());
            Assert.Equal("${EventBusName}", entry["EventBusName"]!.GetValue<string>());
            Assert.True(entry["Detail.$"] is not null, $"{file}: {name} puts no detail");
            Assert.True(state.TryGetPropertyValue("ResultPath", out var kept) && kept is null, $"{file}: {name} must keep the closing step's output (ResultPath null)");
        }
    }

    [Theory]
    [InlineData("policy-run.json", typeof(OpenSessionInput))]
    [InlineData("restore.json", typeof(RestoreInput))]
    [InlineData("replica.json", typeof(Job))]
    [InlineData("digest.json", typeof(Core.Digest.DigestInput))]
    public void Examples_AreTheStepContracts_FieldForField(string file, Type contract)
    {
        var text = File.ReadAllText(Path.Combine(Folder, "examples", file));

        var example = JsonSerializer.Deserialize(text, contract, FerryJson.Default)!;
        var again = JsonSerializer.SerializeToNode(example, contract, FerryJson.Default)!.AsObject();

        // Every field of the example survives the round trip, so none is misspelt or unknown to the contract.
        foreach (var (name, value) in JsonNode.Parse(text)!.AsObject())
            Assert.True(JsonNode.DeepEquals(value, again[name]), $"{file}: {name} does not round-trip ({value?.ToJsonString()} became {again[name]?.ToJsonString()})");
    }

    private static IEnumerable<(JsonObject States, string Name, JsonObject State)> Tasks(JsonNode definition)
    {
        var states = definition["States"]!.AsObject();
        foreach (var (name, node) in states)
        {
            var state = node!.AsObject();
            if (state["Type"]!.GetValue<string>() == "Task")
                yield return (states, name, state);
            if (state["ItemProcessor"] is { } processor)
            {
                foreach (var nested in Tasks(processor))
                    yield return nested;
            }
        }
    }

    private static string Step(JsonObject state)
    {
        var resource = state["Resource"]!.GetValue<string>();
        return resource.Contains("startExecution", StringComparison.Ordinal) ? "startExecution" : Placeholder().Match(resource).Groups[1].Value.Replace("FunctionArn", "", StringComparison.Ordinal);
    }

    private static IEnumerable<JsonNode> Retriers(string variant) =>
        RetryPolicy["variants"]![variant]!.AsArray().Select(n => RetryPolicy["retriers"]![n!.GetValue<string>()]!);

    private static IEnumerable<string> Errors(JsonNode retrierOrCatcher) =>
        retrierOrCatcher["ErrorEquals"]!.AsArray().Select(e => e!.GetValue<string>());

    /// <summary>True when the state (following Pass states and Choices' defaults) is a Task that invokes RecordOutcome or CloseSession.</summary>
    private static bool RecordsOutcome(JsonObject states, string name)
    {
        var state = states[name]!.AsObject();
        return state["Type"]!.GetValue<string>() switch
        {
            "Task" => Step(state) is "RecordOutcome" or "CloseSession",
            "Pass" => RecordsOutcome(states, state["Next"]!.GetValue<string>()),
            "Choice" => RecordsOutcome(states, state["Default"]!.GetValue<string>()),
            _ => false,
        };
    }

    [GeneratedRegex(@"\$\{([A-Za-z0-9]+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex Kebab();
}
