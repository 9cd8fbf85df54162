using System.ComponentModel;
using System.Diagnostics;

namespace Ferry.Local.Runtime;

/// <summary>Starts the repository's Node tools (installed by `npm ci` from package-lock.json).</summary>
internal static class NodeTool
{
    public static Process Start(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, bool redirectInput = false)
    {
        var path = Repository.PathOf(script);
        if (!File.Exists(path))
            throw new StartupException($"{script} is missing: run `npm ci` in {Repository.Root} first.");
        var start = new ProcessStartInfo("node", [path, .. arguments])
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        start.Environment["NODE_NO_WARNINGS"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        try
        {
            return Process.Start(start) ?? throw new StartupException($"node {script} did not start");
        }
        catch (Win32Exception e)
        {
            throw new StartupException($"node {script} did not start: {e.Message} (is Node.js installed and on PATH?)");
        }
    }

    /// <summary>How a tool is named in start-up errors: "node local/runner/runner.mjs".</summary>
    public static string Describe(string script) => $"node {script.Replace('\\', '/')}";

    public static void Stop(Process? process)
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        process?.Dispose();
    }
}
