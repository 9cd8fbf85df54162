using System.Collections.Concurrent;
using System.Text.Json;
using Ferry.Core.Runs;
using Ferry.Functions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ferry.Local.Host;

/// <summary>
/// Serves the Lambda Invoke API (POST /2015-03-31/functions/{name}/invocations) for every step on
/// one machine. A function error comes back as Lambda reports it: HTTP 200, X-Amz-Function-Error:
/// Unhandled, and a body with errorType (the exception's class name) and errorMessage.
/// </summary>
public sealed class LambdaHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _invocations = new(StringComparer.Ordinal);

    private LambdaHost(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>How many times each step was invoked.</summary>
    public IReadOnlyDictionary<string, int> Invocations => _invocations;

    public static async Task<LambdaHost> StartAsync(FerryServices services, StepLog log, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var host = new LambdaHost(app);
        var handlers = StepCatalog.All.ToDictionary(s => s.Name, s => s.Create(services, log), StringComparer.OrdinalIgnoreCase);
        app.MapPost("/2015-03-31/functions/{name}/invocations", (string name, HttpContext context) => host.InvokeAsync(handlers, name, context));
        await app.StartAsync();
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
        return name.StartsWith("ferry-", StringComparison.OrdinalIgnoreCase) ? name["ferry-".Length..] : name;
    }

    private async Task InvokeAsync(Dictionary<string, IStepHandler> handlers, string functionName, HttpContext context)
    {
        var step = StepName(functionName);
        if (!handlers.TryGetValue(step, out var handler))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.Headers["x-amzn-ErrorType"] = "ResourceNotFoundException";
            await context.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["Type"] = "User", ["Message"] = $"Function not found: {functionName}" });
            return;
        }
        _invocations.AddOrUpdate(handler.Name, 1, (_, n) => n + 1);
        context.Response.Headers["X-Amz-Executed-Version"] = "$LATEST";
        var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        body.Position = 0;
        try
        {
            await using var result = await handler.HandleAsync(body);
            context.Response.ContentType = "application/json";
            await result.CopyToAsync(context.Response.Body);
        }
        catch (Exception e)
        {
            context.Response.Headers["X-Amz-Function-Error"] = "Unhandled";
            context.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(context.Response.Body);
            json.WriteStartObject();
            json.WriteString("errorType", e.GetType().Name);
            json.WriteString("errorMessage", e.Message);
            json.WriteStartArray("stackTrace");
            foreach (var line in (e.StackTrace ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
                json.WriteStringValue(line.Trim());
            json.WriteEndArray();
            json.WriteEndObject();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
