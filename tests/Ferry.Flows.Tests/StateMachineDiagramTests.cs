using System.Diagnostics;
using Ferry.Local.Runtime;

namespace Ferry.Flows.Tests;

/// <summary>The README's pictures of the state machines: each drawn from its ASL file as it stands.</summary>
public sealed class StateMachineDiagramTests
{
    [Fact]
    public async Task ReadmeDiagrams_OfEveryDefinition_MatchWhatTheGeneratorDrawsFromTheFiles()
    {
        var (exitCode, output) = await RunAsync("--check", Repository.PathOf("statemachines"), Repository.PathOf("README.md"));

        Assert.True(exitCode == 0, $"run node local/runner/diagrams.mjs to redraw them:\n{output}");
    }

    [Fact]
    public async Task Check_WhenAFileChangedAfterItsDiagramWasDrawn_FailsNamingTheFile()
    {
        var folder = Directory.CreateTempSubdirectory("ferry-diagrams-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(Repository.PathOf("statemachines"), "*.asl.json"))
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
            var readme = Path.Combine(folder, "README.md");
            File.Copy(Repository.PathOf("README.md"), readme);
            var changed = Path.Combine(folder, "policy-run.asl.json");
            await File.WriteAllTextAsync(changed, (await File.ReadAllTextAsync(changed)).Replace("\"CloseSession\"", "\"CloseTheSession\"", StringComparison.Ordinal));

            var (exitCode, output) = await RunAsync("--check", folder, readme);
            var (redrawn, _) = await RunAsync(folder, readme);
            var (afterRedraw, _) = await RunAsync("--check", folder, readme);

            Assert.Equal(1, exitCode);
            Assert.Equal("differs from its diagram: policy-run.asl.json", output.Trim());
            Assert.Equal((0, 0), (redrawn, afterRedraw));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("node", [Repository.PathOf("local", "runner", "diagrams.mjs"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await errors);
    }
}
