using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Ferry.Local.Runtime;

/// <summary>
/// Step Functions' wire protocol (JSON 1.0: POST /, X-Amz-Target AWSStepFunctions.StartExecution, DescribeExecution,
/// ListExecutions) in front of the local ASL runner, so the CLI's production client drives a local stack exactly as it
/// drives AWS: only the endpoint and the credentials differ. It refuses what AWS refuses: an unsigned request, a machine
/// that does not exist, a name taken by another execution, an execution it does not know.
/// </summary>
public sealed partial class LocalStepFunctions : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly StateMachineRunner _runner;
    private readonly IClock _clock;
    private readonly IReadOnlySet<string> _flows;
    private readonly ConcurrentDictionary<string, Started> _executions = new(StringComparer.Ordinal);

    private LocalStepFunctions(WebApplication app, StateMachineRunner runner, IClock clock, IReadOnlySet<string> flows, string region, string account)
    {
        _app = app;
        _runner = runner;
        _clock = clock;
        _flows = flows;
        Region = region;
        Account = account;
    }

    public Uri Url { get; private set; } = null!;

    public string Region { get; }

    public string Account { get; }

    /// <param name="flows">The flows the runner has definitions for (statemachines/*.asl.json).</param>
    public static async Task<LocalStepFunctions> StartAsync(StateMachineRunner runner, IClock clock, IReadOnlySet<string> flows, string region, string account, int port = 0)
    {
        LocalStepFunctions? service = null;
        var app = await LoopbackServer.StartAsync("The local Step Functions endpoint", port,
            web => web.MapPost("/", async context => await (await service!.HandleAsync(context)).ExecuteAsync(context)));
        service = new LocalStepFunctions(app, runner, clock, flows, region, account);
        service.Url = new Uri(app.Urls.First());
        return service;
    }

    /// <summary>The flows of a folder of ASL definitions: policy-run.asl.json is "policy-run".</summary>
    public static IReadOnlySet<string> FlowsIn(string folder) =>
        Directory.GetFiles(folder, "*.asl.json").Select(f => Path.GetFileName(f)[..^".asl.json".Length]).ToHashSet(StringComparer.Ordinal);

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        // A request signed for another service, or not at all, is refused as AWS refuses it.
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.Contains($"/{Region}/states/aws4_request", StringComparison.Ordinal))
            return Error(403, "InvalidSignatureException", $"Credential should be scoped to a valid region and to the service 'states' in {Region}.");
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        JsonNode body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body) ?? new JsonObject();
        }
        catch (System.Text.Json.JsonException e)
        {
            return Error(400, "SerializationException", e.Message);
        }
        return target switch
        {
            "AWSStepFunctions.StartExecution" => Start(body),
            "AWSStepFunctions.DescribeExecution" => Describe(body),
            "AWSStepFunctions.ListExecutions" => List(body),
            _ => Error(400, "UnknownOperationException", $"Operation {target} is not served by the local Step Functions endpoint."),
        };
    }

    private IResult Start(JsonNode body)
    {
        var machineArn = body["stateMachineArn"]?.GetValue<string>() ?? "";
        if (FlowOf(machineArn) is not { } flow)
            return Error(400, "StateMachineDoesNotExist", $"State Machine Does Not Exist: '{machineArn}'");
        var name = body["name"]?.GetValue<string>() ?? Guid.NewGuid().ToString();
        if (!NamePattern().IsMatch(name))
            return Error(400, "InvalidName", $"Invalid Name: '{name}'");
        var input = body["input"]?.GetValue<string>() ?? "{}";
        JsonNode document;
        try
        {
            document = JsonNode.Parse(input) ?? new JsonObject();
        }
        catch (System.Text.Json.JsonException e)
        {
            return Error(400, "InvalidExecutionInput", $"Invalid State Machine Execution Input: '{e.Message}'");
        }
        var arn = $"arn:aws:states:{Region}:{Account}:execution:{Flows.MachineName(flow)}:{name}";
        var started = new Started(arn, name, flow, input, _clock.UtcNow);
        var existing = _executions.GetOrAdd(arn, started);
        if (ReferenceEquals(existing, started))
            started.Run = _runner.RunAsync(flow, document, name);
        else if (existing.Input != input || existing.Run is { IsCompleted: true })
            return Error(400, "ExecutionAlreadyExists", $"Execution Already Exists: '{arn}'");
        return Results.Json(new JsonObject { ["executionArn"] = arn, ["startDate"] = Epoch(existing.StartedAt) }, contentType: ContentType);
    }

    private IResult Describe(JsonNode body)
    {
        var arn = body["executionArn"]?.GetValue<string>() ?? "";
        if (!_executions.TryGetValue(arn, out var execution))
            return Error(400, "ExecutionDoesNotExist", $"Execution Does Not Exist: '{arn}'");
        var json = Summary(execution);
        if (execution.Run is { IsCompletedSuccessfully: true } run)
        {
            json["output"] = run.Result.Output?.ToJsonString();
            json["error"] = run.Result.Error;
            json["cause"] = run.Result.Cause;
        }
        else if (execution.Run is { IsFaulted: true } crashed)
        {
            json["error"] = "States.Runtime";
            json["cause"] = crashed.Exception!.InnerException!.Message;
        }
        json["input"] = execution.Input;
        return Results.Json(json, contentType: ContentType);
    }

    private IResult List(JsonNode body)
    {
        var machineArn = body["stateMachineArn"]?.GetValue<string>() ?? "";
        if (FlowOf(machineArn) is not { } flow)
            return Error(400, "StateMachineDoesNotExist", $"State Machine Does Not Exist: '{machineArn}'");
        var status = body["statusFilter"]?.GetValue<string>();
        var executions = _executions.Values
            .Where(e => e.Flow == flow && (status is null || StatusOf(e) == status))
            .OrderByDescending(e => e.StartedAt)
            .Select(e => (JsonNode)Summary(e));
        return Results.Json(new JsonObject { ["executions"] = new JsonArray([.. executions]) }, contentType: ContentType);
    }

    private JsonObject Summary(Started execution) => new()
    {
        ["executionArn"] = execution.Arn,
        ["stateMachineArn"] = $"arn:aws:states:{Region}:{Account}:stateMachine:{Flows.MachineName(execution.Flow)}",
        ["name"] = execution.Name,
        ["status"] = StatusOf(execution),
        ["startDate"] = Epoch(execution.StartedAt),
        ["stopDate"] = execution.StoppedAt is { } stopped ? Epoch(stopped) : null,
    };

    /// <summary>The runner's status once the run ended (and when it ended, on the world's clock); RUNNING until then.</summary>
    private string StatusOf(Started execution)
    {
        if (execution.Run is not { IsCompleted: true } run)
            return "RUNNING";
        execution.StoppedAt ??= _clock.UtcNow;
        return run.IsCompletedSuccessfully ? run.Result.Status : "FAILED";
    }

    private string? FlowOf(string machineArn)
    {
        var parts = machineArn.Split(':');
        return parts is ["arn", _, "states", var region, var account, "stateMachine", var name] && region == Region && account == Account
            && Flows.FlowOf(name) is { } flow && _flows.Contains(flow)
            ? flow
            : null;
    }

    private const string ContentType = "application/x-amz-json-1.0";

    private static double Epoch(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 1000.0;

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new JsonObject { ["__type"] = $"com.amazonaws.swf.service.v2.model#{code}", ["message"] = message }, contentType: ContentType, statusCode: status);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,80}$")]
    private static partial Regex NamePattern();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed record Started(string Arn, string Name, string Flow, string Input, DateTimeOffset StartedAt)
    {
        public Task<Execution>? Run { get; set; }

        public DateTimeOffset? StoppedAt { get; set; }
    }
}
