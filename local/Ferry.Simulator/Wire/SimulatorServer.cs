using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ferry.Simulator.Wire;

/// <summary>
/// Simulated AWS on the wire: one loopback endpoint for every service (routed by the SigV4 credential scope) and every
/// world in the process (routed by the access key, which names the world that issued it).
/// </summary>
public sealed class SimulatorServer
{
    private SimulatorServer(Uri url) => Url = url;

    /// <summary>The endpoint every service answers on.</summary>
    public Uri Url { get; }

    private static readonly Lazy<Task<SimulatorServer>> SharedServer = new(() => Task.Run(StartAsync), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The process's endpoint, started by the first caller (blocking it until Kestrel listens).</summary>
    public static SimulatorServer Shared => SharedServer.Value.GetAwaiter().GetResult();

    private static async Task<SimulatorServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Error).SetMinimumLevel(LogLevel.Error);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(async context =>
        {
            var request = await WireRequest.ReadAsync(context.Request);
            var reply = await SimulatedAws.ServeAnyAsync(request, context.RequestAborted);
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = reply.ContentType;
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
                context.Response.Headers[name] = value;
            await context.Response.WriteAsync(reply.Body, context.RequestAborted);
        });
        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException($"The simulated AWS endpoint did not start on 127.0.0.1: {e.Message}", e);
        }
        // Lives as long as the process: worlds come and go, the endpoint stays.
        return new SimulatorServer(new Uri(app.Urls.First()));
    }
}
