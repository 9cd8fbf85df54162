using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.Local.Runtime;

/// <summary>The result of one state machine execution.</summary>
public sealed record Execution(string Machine, string Status, JsonNode? Output, string? Error, string? Cause)
{
    public bool Succeeded => Status == "SUCCEEDED";
}

/// <summary>
/// Runs Ferry's ASL definitions with aws-local-stepfunctions (local/runner/runner.mjs) against a
/// Lambda endpoint. Wait states and Retry pauses are scaled by the world's acceleration, so
/// simulated hours pass in seconds on both sides.
/// </summary>
public sealed class StateMachineRunner : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Execution>> _pending = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _write = new(1, 1);
    private int _next;

    private StateMachineRunner(Process process)
    {
        _process = process;
        _ = Task.Run(ReadAsync);
    }

    public static async Task<StateMachineRunner> StartAsync(Uri lambdaEndpoint, double acceleration)
    {
        var process = NodeTool.Start(Path.Combine("local", "runner", "runner.mjs"),
            [$"--statemachines={Repository.PathOf("statemachines")}", $"--acceleration={acceleration.ToString(CultureInfo.InvariantCulture)}"],
            new Dictionary<string, string> { ["AWS_ENDPOINT_URL_LAMBDA"] = lambdaEndpoint.ToString().TrimEnd('/') },
            redirectInput: true);
        var runner = new StateMachineRunner(process);
        await runner._ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return runner;
    }

    public async Task<Execution> RunAsync(string machine, object input, string? executionName = null)
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
                    message["error"]?.GetValue<string>(), message["cause"]?.GetValue<string>()));
            }
        }
        var error = await _process.StandardError.ReadToEndAsync();
        var exited = new InvalidOperationException($"The state machine runner exited: {error}");
        _ready.TrySetException(exited);
        foreach (var pending in _pending.Values)
            pending.TrySetException(exited);
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        await Task.WhenAny(_process.WaitForExitAsync(), Task.Delay(2000));
        NodeTool.Stop(_process);
        _write.Dispose();
    }
}
