using System.Collections.Concurrent;
using System.Text.Json;
using Ferry.Core.Runs;
using Ferry.Functions;
using Ferry.Local.Runtime;
using Ferry.Simulator.World;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Ferry.Local.Host;

/// <summary>
/// Serves the Lambda Invoke API (POST /2015-03-31/functions/{name}/invocations) for every step on
/// one machine. A function error comes back as Lambda reports it: HTTP 200, X-Amz-Function-Error:
/// Unhandled, and a body with errorType (the exception's class name) and errorMessage. Step faults
/// (<see cref="StepFaultInjector"/>) let the handler run, then discard its answer and report a crash or
/// a timeout as Lambda reports them, so the step's effects happened but Step Functions sees it fail. Each invocation
/// runs as its step for <see cref="TableGrants"/>, which refuses table access the step does not declare.
/// </summary>
public sealed class LambdaHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    /// <summary>The timeout Ferry's functions are deployed with (FlowDefinition.LambdaTimeouts: ten seconds under the tasks' 120 s), as a timed-out invocation reports it.</summary>
    private const double FunctionTimeoutSeconds = 110;

    private static readonly AsyncLocal<string?> Running = new();

    private readonly ConcurrentDictionary<string, int> _invocations = new(StringComparer.Ordinal);

    private LambdaHost(WebApplication app, StepFaultInjector faults)
    {
        _app = app;
        Faults = faults;
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>The step whose invocation the calling code runs in, null outside every step: lets a hook on a client attribute its calls.</summary>
    public static string? CurrentStep => Running.Value;

    /// <summary>How many times each step was invoked.</summary>
    public IReadOnlyDictionary<string, int> Invocations => _invocations;

    /// <summary>The crashes and timeouts this host injects, and those it injected.</summary>
    public StepFaultInjector Faults { get; }

    public static async Task<LambdaHost> StartAsync(FerryServices services, StepLog log, int port = 0, IReadOnlyList<StepFault>? stepFaults = null)
    {
        var handlers = StepCatalog.All.ToDictionary(s => s.Name, s => (s, s.Create(services, log)), StringComparer.OrdinalIgnoreCase);
        LambdaHost? host = null;
        var app = await LoopbackServer.StartAsync("The local Lambda host", port,
            web => web.MapPost("/2015-03-31/functions/{name}/invocations", (string name, HttpContext context) => host!.InvokeAsync(handlers, name, context)));
        host = new LambdaHost(app, new StepFaultInjector(stepFaults ?? []));
        host.Url = new Uri(app.Urls.First());
        return host;
    }

    /// <summary>The step a function name or ARN names: "TakeSnapshot", "ferry-TakeSnapshot", or "arn:aws:lambda:…:function:ferry-TakeSnapshot[:qualifier]".</summary>
    public static string StepName(string functionName)
    {
        var name = Uri.UnescapeDataString(functionName);
        var marker = name.IndexOf(":function:", StringComparison.Ordinal);
        if (marker >= 0)
            name = name[(marker + ":function:".Length)..].Split(':')[0];
        return name.StartsWith(StepCatalog.FunctionPrefix, StringComparison.OrdinalIgnoreCase) ? name[StepCatalog.FunctionPrefix.Length..] : name;
    }

    private async Task InvokeAsync(Dictionary<string, (StepDefinition Definition, IStepHandler Handler)> handlers, string functionName, HttpContext context)
    {
        if (!handlers.TryGetValue(StepName(functionName), out var step))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.Headers["x-amzn-ErrorType"] = "ResourceNotFoundException";
            await context.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["Type"] = "User", ["Message"] = $"Function not found: {functionName}" });
            return;
        }
        var handler = step.Handler;
        _invocations.AddOrUpdate(handler.Name, 1, (_, n) => n + 1);
        // The ASL interpreter opens a new Lambda client, and so a new connection, for every invocation and never reuses
        // or closes it: kept alive, tens of thousands of idle connections pile up in a large run until the host fails.
        context.Response.Headers.Connection = "close";
        context.Response.Headers["X-Amz-Executed-Version"] = "$LATEST";
        var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var payload = body.ToArray();
        body.Position = 0;
        Stream? result = null;
        Exception? error = null;
        try
        {
            TableGrants.Enter(step.Definition);
            Running.Value = step.Definition.Name;
            StepLog.Enter(new Invocation(RequestId(context), TraceId(context)));
            result = await handler.HandleAsync(body);
        }
        catch (Exception e)
        {
            error = e;
        }
        await using (result)
        {
            // Drawn after the handler ran: its AWS calls took effect whatever the answer says.
            switch (Faults.Draw(handler.Name, payload))
            {
                case StepFaultKind.Crash:
                    await WriteFunctionErrorAsync(context, "Runtime.ExitError", $"RequestId: {RequestId(context)} Error: Runtime exited with error: signal: killed", null);
                    return;
                case StepFaultKind.Timeout:
                    await WriteFunctionErrorAsync(context, "Sandbox.Timedout", $"RequestId: {RequestId(context)} Error: Task timed out after {FunctionTimeoutSeconds:0.00} seconds", null);
                    return;
            }
            if (error is not null)
            {
                await WriteFunctionErrorAsync(context, error.GetType().Name, error.Message,
                    (error.StackTrace ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
                return;
            }
            context.Response.ContentType = "application/json";
            await result!.CopyToAsync(context.Response.Body);
        }
    }

    /// <summary>The invocation's request id, made once and answered in X-Amzn-RequestId, as Lambda does.</summary>
    private static string RequestId(HttpContext context)
    {
        if (context.Items.TryGetValue(RequestIdItem, out var existing) && existing is string known)
            return known;
        var id = Guid.NewGuid().ToString();
        context.Items[RequestIdItem] = id;
        context.Response.Headers["X-Amzn-RequestId"] = id;
        return id;
    }

    private const string RequestIdItem = "ferry.requestId";

    /// <summary>
    /// The trace header the caller sent (X-Amzn-Trace-Id), else a new sampled X-Ray trace as Lambda starts one: what the
    /// managed runtime puts in _X_AMZN_TRACE_ID for the invocation.
    /// </summary>
    private static string TraceId(HttpContext context)
    {
        if (context.Request.Headers["X-Amzn-Trace-Id"] is [{ Length: > 0 } sent])
            return sent;
        var random = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        return $"Root=1-{DateTimeOffset.UtcNow.ToUnixTimeSeconds():x8}-{random[..24]};Parent={random[24..]};Sampled=1";
    }

    /// <summary>A function error as Lambda's Invoke answers it: HTTP 200, X-Amz-Function-Error: Unhandled, errorType and errorMessage.</summary>
    /// <param name="stackTrace">The handler's; null when the runtime itself failed (a crash or timeout reports none).</param>
    private static async Task WriteFunctionErrorAsync(HttpContext context, string errorType, string errorMessage, IEnumerable<string>? stackTrace)
    {
        context.Response.Headers["X-Amz-Function-Error"] = "Unhandled";
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("errorType", errorType);
        json.WriteString("errorMessage", errorMessage);
        if (stackTrace is not null)
        {
            json.WriteStartArray("stackTrace");
            foreach (var line in stackTrace)
                json.WriteStringValue(line);
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
