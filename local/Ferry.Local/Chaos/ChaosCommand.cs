using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Ferry.Core.Inventory;
using Ferry.Core.Policies;
using Ferry.Core.Runs;
using Ferry.Local.Runtime;
using Ferry.Simulator;
using Ferry.Simulator.World;

namespace Ferry.Local.Chaos;

/// <summary>The knobs of a chaos run; the defaults are the issue's.</summary>
/// <param name="Acceleration">Simulated seconds per real second.</param>
public sealed record ChaosOptions(
    int Size = 1000,
    int Seed = 1,
    double Throttle = 0.05,
    double SnapshotError = 0.01,
    double Transient = 0.02,
    double Crash = 0.02,
    double Timeout = 0.01,
    double Acceleration = 100)
{
    /// <summary>5% throttling and 2% transient errors on every operation, 1% of snapshots and copies ending in error.</summary>
    public FaultSettings Faults => new(Seed, [new FaultRule("*", Throttle, Transient, SnapshotError)]);

    /// <summary>Every step may crash or time out after its effects.</summary>
    public IReadOnlyList<StepFault> StepFaults => [new StepFault("*", Crash, Timeout, Seed)];
}

/// <summary>
/// <c>ferry chaos</c>: runs a generated world through the real state machines under throttling, transient
/// errors, snapshots ending in error and steps crashing or timing out after their effects, then reports
/// whether every resource still got a true outcome and nothing was duplicated, left behind or leaked.
/// Exit code 0 when every figure that must be zero is zero, 1 otherwise, 2 for bad options.
/// </summary>
public static class ChaosCommand
{
    public const string Usage = "ferry chaos [--size N] [--seed N] [--throttle P] [--snapshot-error P] [--transient P] [--crash P] [--timeout P] [--acceleration X]";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ChaosOptions options;
        try
        {
            options = Parse(args);
        }
        catch (FormatException e)
        {
            error.WriteLine($"ferry chaos: {e.Message}");
            error.WriteLine($"usage: {Usage}");
            return 2;
        }
        var report = await RunAsync(options, output);
        report.Write(output);
        return report.Clean ? 0 : 1;
    }

    /// <summary>Generates the world, runs both policies at once and reads the figures.</summary>
    public static async Task<ChaosReport> RunAsync(ChaosOptions options, TextWriter output)
    {
        var watch = Stopwatch.StartNew();
        var world = ChaosWorld.Generate(options.Size, options.Seed);
        var folder = Repository.PathOf(".ferry", "chaos");
        Directory.CreateDirectory(folder);
        var worldPath = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"world-{options.Size}-{options.Seed}.json"));
        await File.WriteAllTextAsync(worldPath, world.ToJson());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Ferry chaos: {options.Size} generated resources (seed {options.Seed}, world {Path.GetRelativePath(Repository.Root, worldPath)}), {options.Acceleration:0}× time,"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {options.Throttle:P0} throttling and {options.Transient:P0} transient errors on every call, {options.SnapshotError:P0} of snapshots and copies ending in error, {options.Crash:P0} step crashes and {options.Timeout:P0} step timeouts after effect."));

        await using var ferry = await LocalFerry.StartAsync(new LocalOptions(worldPath, options.Acceleration, options.Faults, StepFaults: options.StepFaults), tablePrefix: "chaos");
        var run = await RunPoliciesAsync(ferry);
        foreach (var execution in run.Executions.Where(e => !e.Succeeded))
            output.WriteLine($"  execution {execution.Machine} {execution.Status}: {execution.Error}: {execution.Cause}");
        var report = await ChaosReport.ReadAsync(ferry, world, run.Started, run.Ended);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Finished in {watch.Elapsed.TotalMinutes:0.0} min of real time:"));
        return report;
    }

    /// <summary>Stores the chaos policies and runs both at once, as their schedules would; returns when both ended (simulated times).</summary>
    public static async Task<(DateTimeOffset Started, DateTimeOffset Ended, IReadOnlyList<Execution> Executions)> RunPoliciesAsync(LocalFerry ferry)
    {
        foreach (var type in new[] { ResourceType.Ec2, ResourceType.Rds })
            await ferry.PutPolicyAsync(ChaosWorld.PolicyJson(type));
        var started = ferry.Aws.Clock.UtcNow;
        var executions = await Task.WhenAll(ChaosWorld.PolicyIds.Select(id => ferry.RunAsync(Flows.PolicyRun, new JsonObject { ["policyId"] = id }, $"chaos-{id}")));
        return (started, ferry.Aws.Clock.UtcNow, executions);
    }

    /// <summary>The options; a bad one throws a <see cref="FormatException"/> naming it and why.</summary>
    public static ChaosOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ChaosOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var (name, value) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], i + 1 < args.Count ? args[++i] : null);
            if (value is null)
                throw new FormatException($"{name}: needs a value");
            options = name switch
            {
                "--size" => options with { Size = Integer(name, value, 1) },
                "--seed" => options with { Seed = Integer(name, value, int.MinValue) },
                "--throttle" => options with { Throttle = Probability(name, value) },
                "--snapshot-error" => options with { SnapshotError = Probability(name, value) },
                "--transient" => options with { Transient = Probability(name, value) },
                "--crash" => options with { Crash = Probability(name, value) },
                "--timeout" => options with { Timeout = Probability(name, value) },
                "--acceleration" => options with { Acceleration = Positive(name, value) },
                _ => throw new FormatException($"unknown option '{name}'"),
            };
        }
        return options;
    }

    private static int Integer(string name, string value, int min) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new FormatException($"{name}: must be a whole number{(min > int.MinValue ? $" of at least {min}" : "")}, got '{value}'");

    private static double Probability(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 1
            ? p
            : throw new FormatException($"{name}: must be a probability between 0 and 1, got '{value}'");

    private static double Positive(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x > 0 && double.IsFinite(x)
            ? x
            : throw new FormatException($"{name}: must be a positive number of simulated seconds per real second, got '{value}'");
}
