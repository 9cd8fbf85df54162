using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Core.Ports;
using Ferry.Core.Sessions;

namespace Ferry.Local.Runtime;

/// <summary>One event of an execution's history, at its simulated time.</summary>
/// <param name="Type">The interpreter's event type, e.g. StateEntered, StateFailed, StateRetried, StateExited.</param>
/// <param name="StateType">The state's ASL type (Task, Choice, Map, ...); null for events of no state.</param>
/// <param name="Input">A Task's StateExited: the state's input.</param>
/// <param name="Output">A Task's StateExited: the state's output.</param>
public sealed record HistoryEvent(string Type, string? State, DateTimeOffset At, string? StateType = null, JsonNode? Input = null, JsonNode? Output = null);

/// <summary>An execution a startExecution.sync state started (at any depth, Map iterations included), with its own history.</summary>
/// <param name="Name">The execution's name.</param>
public sealed record ChildExecution(string Machine, string Name, JsonNode? Input, string Status, IReadOnlyList<HistoryEvent> History, IReadOnlyList<ChildExecution> Children);

/// <summary>
/// A call of a Step Functions service integration (events:putEvents, sns:publish) that the runner answered as AWS
/// does instead of calling AWS.
/// </summary>
/// <param name="Machine">The state machine whose Task called it (the execution's own or a child's).</param>
/// <param name="Execution">That execution's name.</param>
/// <param name="Resource">The Task's Resource, e.g. arn:aws:states:::events:putEvents.</param>
/// <param name="Parameters">The Task's resolved Parameters as sent (putEvents entries with the execution and state machine ARNs appended to Resources, as Step Functions does).</param>
/// <param name="Result">AWS's answer; null when the call was refused (the Task failed).</param>
public sealed record IntegrationCall(string Machine, string Execution, string State, string Resource, JsonNode? Parameters, JsonNode? Result)
{
    public const string PutEvents = SessionEvents.PutEventsTask;
    public const string SnsPublish = Core.Digest.DailyDigest.PublishTask;
}

/// <summary>The result of one state machine execution.</summary>
/// <param name="History">The execution's events, when they were asked for.</param>
/// <param name="Children">With the history: the child executions it started, in start order.</param>
/// <param name="Integrations">The service integrations the execution and its children called, in call order.</param>
public sealed record Execution(string Machine, string Status, JsonNode? Output, string? Error, string? Cause, IReadOnlyList<HistoryEvent>? History = null,
    IReadOnlyList<ChildExecution>? Children = null, IReadOnlyList<IntegrationCall>? Integrations = null)
{
    public bool Succeeded => Status == "SUCCEEDED";

    /// <summary>The EventBridge entries put (and accepted), in order: each with Source, DetailType, EventBusName, Detail and Resources.</summary>
    public IReadOnlyList<JsonObject> Events =>
        (Integrations ?? []).Where(c => c is { Resource: IntegrationCall.PutEvents, Result: not null })
            .SelectMany(c => c.Parameters!["Entries"]!.AsArray().Select(e => e!.AsObject()))
            .ToList();

    /// <summary>The SNS messages published (and accepted), in order: each with TopicArn (or TargetArn), Message and the other parameters.</summary>
    public IReadOnlyList<JsonObject> Messages =>
        (Integrations ?? []).Where(c => c is { Resource: IntegrationCall.SnsPublish, Result: not null })
            .Select(c => c.Parameters!.AsObject())
            .ToList();
}

/// <summary>
/// Runs Ferry's ASL definitions with aws-local-stepfunctions (local/runner/runner.mjs) against a
/// Lambda endpoint. Each Wait and Retry pause lasts its own simulated duration divided by the world's
/// acceleration, so simulated hours pass in seconds on both sides.
/// </summary>
public sealed class StateMachineRunner : IAsyncDisposable
{
    private static readonly string Script = Path.Combine("local", "runner", "runner.mjs");

    private readonly Process _process;
    private readonly Task<string> _stderr;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Execution>> _pending = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _write = new(1, 1);
    private int _next;

    private StateMachineRunner(Process process)
    {
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
        _ = Task.Run(ReadAsync);
    }

    /// <summary>Starts the runner and waits until it is ready, however long a busy machine takes, or until it exits.</summary>
    /// <param name="clock">The world's clock, so Timestamp waits and histories use simulated time.</param>
    /// <param name="statemachines">The folder of *.asl.json definitions; the repository's statemachines/ by default.</param>
    public static async Task<StateMachineRunner> StartAsync(Uri lambdaEndpoint, double acceleration, IClock? clock = null, string? statemachines = null)
    {
        var now = DateTimeOffset.UtcNow;
        var simulated = clock?.UtcNow ?? now;
        var process = NodeTool.Start(Script,
            [
                $"--statemachines={statemachines ?? Repository.PathOf("statemachines")}",
                $"--acceleration={acceleration.ToString(CultureInfo.InvariantCulture)}",
                $"--clock={simulated.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}@{now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}",
                // The session event's facts, as CDK's DefinitionSubstitutions give them.
                $"--substitutions={new JsonObject(SessionEvents.Placeholders.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))).ToJsonString()}",
            ],
            new Dictionary<string, string> { ["AWS_ENDPOINT_URL_LAMBDA"] = lambdaEndpoint.ToString().TrimEnd('/') },
            redirectInput: true);
        var runner = new StateMachineRunner(process);
        try
        {
            await runner._ready.Task;
        }
        catch
        {
            NodeTool.Stop(process);
            throw;
        }
        return runner;
    }

    /// <param name="history">Whether to return the execution's events and child executions (<see cref="Execution.History"/>); large for a policy run.</param>
    public async Task<Execution> RunAsync(string machine, object input, string? executionName = null, bool history = false)
    {
        var id = Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<Execution>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        var request = new JsonObject
        {
            ["id"] = id,
            ["machine"] = machine,
            ["input"] = input as JsonNode ?? JsonSerializer.SerializeToNode(input, input.GetType(), Functions.FerryJson.Default),
            ["name"] = executionName,
            ["history"] = history,
        };
        await _write.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(request.ToJsonString());
            await _process.StandardInput.FlushAsync();
        }
        finally
        {
            _write.Release();
        }
        var execution = await completion.Task;
        return execution with { Machine = machine };
    }

    private async Task ReadAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            var message = JsonNode.Parse(line)!.AsObject();
            if (message.ContainsKey("ready"))
            {
                _ready.TrySetResult();
                continue;
            }
            if (_pending.TryRemove(message["id"]!.GetValue<string>(), out var completion))
            {
                completion.TrySetResult(new Execution("", message["status"]!.GetValue<string>(), message["output"]?.DeepClone(),
                    message["error"]?.GetValue<string>(), message["cause"]?.GetValue<string>(), HistoryOf(message), ChildrenOf(message),
                    IntegrationsOf(message)));
            }
        }
        var stderr = await _stderr;
        await _process.WaitForExitAsync();
        var what = $"The ASL runner ({NodeTool.Describe(Script)})";
        _ready.TrySetException(StartupException.Exited(what, _process.ExitCode, stderr));
        var exited = new InvalidOperationException($"{what} exited: {stderr.Split('\n')[0].Trim()}");
        foreach (var pending in _pending.Values)
            pending.TrySetException(exited);
    }

    private static List<HistoryEvent>? HistoryOf(JsonObject message) =>
        message["history"]?.AsArray()
            .Select(e => new HistoryEvent(e!["type"]!.GetValue<string>(), e["state"]?.GetValue<string>(),
                DateTimeOffset.Parse(e["at"]!.GetValue<string>(), CultureInfo.InvariantCulture), e["stateType"]?.GetValue<string>(),
                e["input"]?.DeepClone(), e["output"]?.DeepClone()))
            .ToList();

    private static List<ChildExecution>? ChildrenOf(JsonObject message) =>
        message["children"]?.AsArray()
            .Select(c => c!.AsObject())
            .Select(c => new ChildExecution(c["machine"]!.GetValue<string>(), c["name"]!.GetValue<string>(), c["input"]?.DeepClone(),
                c["status"]!.GetValue<string>(), HistoryOf(c) ?? [], ChildrenOf(c) ?? []))
            .ToList();

    private static List<IntegrationCall> IntegrationsOf(JsonObject message) =>
        (message["integrations"]?.AsArray() ?? [])
            .Select(c => c!.AsObject())
            .Select(c => new IntegrationCall(c["machine"]!.GetValue<string>(), c["execution"]!.GetValue<string>(), c["state"]!.GetValue<string>(),
                c["resource"]!.GetValue<string>(), c["parameters"]?.DeepClone(), c["result"]?.DeepClone()))
            .ToList();

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        await Task.WhenAny(_process.WaitForExitAsync(), Task.Delay(2000));
        NodeTool.Stop(_process);
        _write.Dispose();
    }
}
