using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ferry.Core.Runs;
using Ferry.Functions;
using Ferry.Local.Runtime;

namespace Ferry.Flows.Tests;

/// <summary>The ASL files themselves: valid, fully substitutable, and with no path that leaves a resource without an outcome.</summary>
public partial class StateMachineDefinitionTests
{
    private static readonly string Folder = Repository.PathOf("statemachines");

    /// <summary>Steps that act on one resource: each must retry AWS's transient failures and catch into a state that records the outcome.</summary>
    private static readonly HashSet<string> ResourceSteps = ["Plan", "TakeSnapshot", "Share", "CopyToRegion", "CheckAvailable", "Restore"];

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
            if (name.EndsWith("FunctionArn", StringComparison.Ordinal))
                Assert.Contains(name[..^"FunctionArn".Length], steps);
            else
                Assert.Contains(Kebab().Replace(name[..^"Arn".Length], "$1-$2").ToLowerInvariant(), machines);
        }
    }

    [Theory]
    [MemberData(nameof(Definitions))]
    public void ResourceSteps_RetryThrottlingWithJitter_AndCatchIntoARecordedOutcome(string file)
    {
        var definition = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, file)))!;
        foreach (var (states, name, state) in Tasks(definition))
        {
            var retry = state["Retry"]?.AsArray() ?? throw new Xunit.Sdk.XunitException($"{file}: {name} has no Retry");
            var step = Step(state);
            // Lambda steps retry Ferry's throttling errors; child executions retry Step Functions' own limits.
            var throttling = step == "startExecution" ? "StepFunctions.ExecutionLimitExceededException" : "FerryThrottledException";
            Assert.Contains(retry, r => r!["ErrorEquals"]!.AsArray().Any(e => e!.GetValue<string>() == throttling) && r["JitterStrategy"]?.GetValue<string>() == "FULL");
            if (!ResourceSteps.Contains(step) && step != "startExecution")
                continue;
            var target = state["Catch"]?.AsArray().Single()!["Next"]!.GetValue<string>() ?? throw new Xunit.Sdk.XunitException($"{file}: {name} has no Catch");
            Assert.True(RecordsOutcome(states, target), $"{file}: {name} catches into {target}, which does not record an outcome");
        }
    }

    [Theory]
    [InlineData("policy-run.json", typeof(OpenSessionInput))]
    [InlineData("ec2-restore.json", typeof(RestoreInput))]
    [InlineData("rds-restore.json", typeof(RestoreInput))]
    [InlineData("ec2-replica-cross-account.json", typeof(ReplicaJob))]
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

    /// <summary>True when the state (following Pass states) is a Task that invokes RecordOutcome.</summary>
    private static bool RecordsOutcome(JsonObject states, string name)
    {
        var state = states[name]!.AsObject();
        return state["Type"]!.GetValue<string>() switch
        {
            "Task" => Step(state) == "RecordOutcome",
            "Pass" => RecordsOutcome(states, state["Next"]!.GetValue<string>()),
            _ => false,
        };
    }

    [GeneratedRegex(@"\$\{([A-Za-z0-9]+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex Kebab();
}
