using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Amazon.CDK;

namespace Ferry.Infra.Backup;

/// <summary>
/// One state machine as written in statemachines/*.asl.json: its name (the file's, as in <c>Ferry.Core.Runs.Flows</c>),
/// its file and text, the <c>${Placeholders}</c> it needs filled, and what its tasks call.
/// </summary>
/// <param name="PutsEvents">Whether a Task puts EventBridge events (the session's event), on the bus <c>${EventBusName}</c> names.</param>
public sealed partial record FlowDefinition(string Name, string File, string Text, IReadOnlyList<string> Placeholders, bool DistributedMap, bool StartsExecutionsSync,
    bool PutsEvents = false)
{
    public const string FunctionArnSuffix = "FunctionArn";
    private const string Extension = ".asl.json";

    /// <summary>The name in PascalCase, e.g. <c>PolicyRun</c>.</summary>
    public string PascalName => string.Concat(Name.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    /// <summary>The placeholder another definition uses for this state machine's ARN, e.g. <c>ReplicaArn</c>.</summary>
    public string ArnPlaceholder => PascalName + "Arn";

    /// <summary>The steps whose functions this definition invokes.</summary>
    public IEnumerable<string> Steps =>
        Placeholders.Where(p => p.EndsWith(FunctionArnSuffix, StringComparison.Ordinal)).Select(p => p[..^FunctionArnSuffix.Length]);

    public static IReadOnlyList<FlowDefinition> LoadAll(string directory) =>
        [.. Directory.GetFiles(directory, "*" + Extension).Order(StringComparer.Ordinal).Select(Load)];

    /// <summary>
    /// Each step's Lambda timeout: ten seconds under the shortest TimeoutSeconds of the tasks that invoke it, so a
    /// slow invocation ends as the function's own error (retried by the state machine) rather than a States.Timeout.
    /// </summary>
    public static IReadOnlyDictionary<string, Duration> LambdaTimeouts(IEnumerable<FlowDefinition> definitions)
    {
        var shortest = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var definition in definitions)
        {
            foreach (var (step, seconds) in TaskTimeouts(JsonNode.Parse(definition.Text)!))
                shortest[step] = Math.Min(seconds, shortest.GetValueOrDefault(step, int.MaxValue));
        }
        return shortest.ToDictionary(p => p.Key, p => Duration.Seconds(Math.Max(p.Value - 10, 1)), StringComparer.Ordinal);
    }

    /// <summary>The DefinitionSubstitutions for this file: a value for each of its placeholders; one with no value stops synth.</summary>
    public Dictionary<string, string> Substitutions(IReadOnlyDictionary<string, string> values) =>
        Placeholders.ToDictionary(p => p, p => values.TryGetValue(p, out var value)
            ? value
            : throw new FerryConfigException($"statemachines/{Name}{Extension}: ${{{p}}} names neither a step of the catalog, another state machine nor a fact of the session event"), StringComparer.Ordinal);

    private static FlowDefinition Load(string path)
    {
        var text = System.IO.File.ReadAllText(path);
        var root = JsonNode.Parse(text)!;
        var placeholders = PlaceholderPattern().Matches(text).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal).ToList();
        var resources = States(root).Select(s => s["Resource"]?.GetValue<string>()).OfType<string>().ToList();
        return new FlowDefinition(
            Path.GetFileName(path)[..^Extension.Length],
            path,
            text,
            placeholders,
            States(root).Any(s => s["ItemProcessor"]?["ProcessorConfig"]?["Mode"]?.GetValue<string>() == "DISTRIBUTED"),
            resources.Any(r => r.StartsWith("arn:aws:states:::states:startExecution.sync", StringComparison.Ordinal)),
            resources.Contains(Core.Sessions.SessionEvents.PutEventsTask));
    }

    private static IEnumerable<(string Step, int Seconds)> TaskTimeouts(JsonNode root) =>
        from state in States(root)
        let resource = state["Resource"]?.GetValue<string>()
        let seconds = state["TimeoutSeconds"]?.GetValue<int>()
        where resource is not null && seconds is not null
        let match = PlaceholderPattern().Match(resource)
        where match.Success && match.Groups[1].Value.EndsWith(FunctionArnSuffix, StringComparison.Ordinal)
        select (match.Groups[1].Value[..^FunctionArnSuffix.Length], seconds.Value);

    /// <summary>Every state, including those of Map item processors and Parallel branches.</summary>
    private static IEnumerable<JsonObject> States(JsonNode machine)
    {
        foreach (var (_, node) in machine["States"]?.AsObject() ?? [])
        {
            if (node is not JsonObject state)
                continue;
            yield return state;
            var nested = new[] { state["ItemProcessor"], state["Iterator"] }
                .Concat(state["Branches"]?.AsArray() ?? [])
                .OfType<JsonNode>();
            foreach (var inner in nested.SelectMany(States))
                yield return inner;
        }
    }

    [GeneratedRegex(@"\$\{([A-Za-z0-9]+)\}")]
    private static partial Regex PlaceholderPattern();
}
