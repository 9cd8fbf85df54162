using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Ferry.Local.Runtime;

/// <summary>A small HTTP server on 127.0.0.1 for the local stack's endpoints (Lambda host, Step Functions).</summary>
public static class LoopbackServer
{
    /// <summary>Builds the app on the port (0: a free one), lets <paramref name="map"/> add its routes, and starts it.</summary>
    /// <param name="what">The endpoint as a failure to start names it, e.g. "The local Lambda host".</param>
    public static async Task<WebApplication> StartAsync(string what, int port, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Only the server's own failures (a broken accept loop, an unhandled request error) reach stderr.
        builder.Logging.ClearProviders().AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Error).SetMinimumLevel(LogLevel.Error);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        map(app);
        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new StartupException($"{what} did not start on 127.0.0.1:{port}: {e.Message}");
        }
        return app;
    }
}
