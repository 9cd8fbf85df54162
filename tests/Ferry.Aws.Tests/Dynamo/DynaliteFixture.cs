using System.Diagnostics;
using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Ferry.Aws.Dynamo;
using Ferry.Aws.Runtime;
using Ferry.Aws.Tests.Wire;

namespace Ferry.Aws.Tests.Dynamo;

/// <summary>Starts dynalite (node_modules, from the repository's package-lock.json) once for the store tests and kills it at the end.</summary>
public sealed class DynaliteFixture : IAsyncLifetime
{
    private Process? _process;

    public IAmazonDynamoDB Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var root = RepositoryRoot();
        var cli = Path.Combine(root, "node_modules", "dynalite", "cli.js");
        if (!File.Exists(cli))
            throw new InvalidOperationException($"dynalite is not installed ({cli} is missing): run `npm ci` in {root}.");
        var port = FakeAws.FreePort();
        _process = Process.Start(new ProcessStartInfo("node", [cli, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        await WaitForPortAsync(port);
        var options = new AwsOptions(ServiceUrls: new Dictionary<string, string> { ["dynamodb"] = $"http://127.0.0.1:{port}" }, MaxErrorRetry: 0);
        Client = DynamoTables.Client(options, "us-east-1", new BasicAWSCredentials("local", "local"));
    }

    public Task DisposeAsync()
    {
        Client.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Waits however long a busy machine takes, until dynalite accepts connections or exits.</summary>
    private async Task WaitForPortAsync(int port)
    {
        while (true)
        {
            if (_process!.HasExited)
                throw new InvalidOperationException($"dynalite exited: {await _process.StandardError.ReadToEndAsync()}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "package.json")))
                return dir.FullName;
        }
        throw new InvalidOperationException("No package.json above the test directory.");
    }
}

[CollectionDefinition(Name)]
public sealed class DynaliteCollection : ICollectionFixture<DynaliteFixture>
{
    public const string Name = "dynalite";
}
