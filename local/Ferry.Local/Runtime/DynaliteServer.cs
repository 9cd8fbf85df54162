using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Ferry.Aws.Dynamo;
using Ferry.Aws.Runtime;

namespace Ferry.Local.Runtime;

/// <summary>dynalite (a DynamoDB implementation in Node) on a free loopback port, for local runs and tests.</summary>
public sealed class DynaliteServer : IAsyncDisposable
{
    private readonly Process _process;

    private DynaliteServer(Process process, int port)
    {
        _process = process;
        Port = port;
        Options = new AwsOptions(ServiceUrls: new Dictionary<string, string> { ["dynamodb"] = Endpoint }, MaxErrorRetry: 2);
        Client = DynamoTables.Client(Options, "us-east-1", new BasicAWSCredentials("local", "local"));
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public AwsOptions Options { get; }

    public IAmazonDynamoDB Client { get; }

    /// <summary>Starts dynalite and waits until it accepts connections, however long a busy machine takes, or until it exits.</summary>
    public static async Task<DynaliteServer> StartAsync()
    {
        var port = Repository.FreePort();
        var script = Path.Combine("node_modules", "dynalite", "cli.js");
        var process = NodeTool.Start(script, ["--port", port.ToString(CultureInfo.InvariantCulture)]);
        while (true)
        {
            if (process.HasExited)
            {
                var error = await process.StandardError.ReadToEndAsync();
                var exited = StartupException.Exited($"dynalite ({NodeTool.Describe(script)})", process.ExitCode, error);
                process.Dispose();
                throw exited;
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return new DynaliteServer(process, port);
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Creates Ferry's tables (with a prefix, so several worlds can share one server).</summary>
    public async Task<DynamoTables> CreateTablesAsync(string prefix = TableSchemas.DefaultPrefix)
    {
        var tables = DynamoTables.WithPrefix(prefix);
        await tables.CreateAsync(Client);
        return tables;
    }

    public ValueTask DisposeAsync()
    {
        Client.Dispose();
        NodeTool.Stop(_process);
        return ValueTask.CompletedTask;
    }
}
