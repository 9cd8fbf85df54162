using System.CommandLine;
using System.Text.Json.Nodes;
using Ferry.Local.Cli;
using Ferry.Local.Runtime;

namespace Ferry.Local.Tests.Cli;

/// <summary>One local stack (what <c>ferry up</c> runs, replicas world) per test class, its state file in a folder of its own.</summary>
public sealed class CliStackFixture : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ferry-cli-").FullName;

    public string StateFile => Path.Combine(_folder, "up.json");

    public LocalStack Stack { get; private set; } = null!;

    public async Task InitializeAsync() => Stack = await LocalStack.StartAsync(Repository.PathOf("local", "worlds", "replicas.json"), StateFile, 1200);

    public async Task DisposeAsync()
    {
        await Stack.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Runs `ferry ARGS` against this stack, as the program does, capturing what it prints.</summary>
    public Task<CliResult> RunAsync(params string[] args) => RunWithAsync(StateFile, args);

    public static async Task<CliResult> RunWithAsync(string stateFile, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var root = new RootCommand();
        var io = CliIo.Captured(output, error, stateFile);
        new FerryCli(io).AddTo(root);
        var code = await FerryCli.InvokeAsync(root, args, io);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public static string Policy(string name) => Repository.PathOf("local", "demo", "policies", name);
}

public sealed record CliResult(int Code, string Output, string Error)
{
    public JsonNode Json => JsonNode.Parse(Output) ?? throw new InvalidOperationException("no JSON output");
}
