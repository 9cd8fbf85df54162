using System.Globalization;
using System.Text.Json.Nodes;
using Ferry.Core.Ports;
using Ferry.Core.Sessions;
using Ferry.Local.Runtime;
using Ferry.Simulator;
using Ferry.Simulator.World;

namespace Ferry.Bench;

/// <summary>One world's figures: the run's simulated makespan against the quota's lower bound.</summary>
public sealed record MakespanResult(BenchWorld World, int Copies, int Succeeded, TimeSpan Makespan, TimeSpan LowerBound, int Peak)
{
    public double Ratio => Makespan / LowerBound;
}

/// <summary>
/// Runs bulk EC2 worlds through the real policy-run state machine (LocalFerry: simulator, dynalite, the local
/// Lambda host and the ASL runner with the state machines' own Wait and Retry intervals as the runner applies them)
/// and compares each run's simulated makespan with its lower bound:
/// ceil(copies / quota) x copy time + snapshot time.
/// </summary>
public static class Makespan
{
    public static async Task<int> RunAsync(BenchOptions options, TextWriter output)
    {
        await using var dynalite = await DynaliteServer.StartAsync();
        output.WriteLine($"{"world",-10} {"copies",6} {"succeeded",9} {"makespan",9} {"bound",9} {"ratio",6} {"peak",5}");
        var results = new List<MakespanResult>();
        var n = 0;
        foreach (var world in options.Worlds)
        {
            var result = await RunAsync(world, options, dynalite, $"bench{++n}", options.Trace ? Console.Error : null);
            results.Add(result);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.World,-10} {result.Copies,6} {result.Succeeded,9} {Minutes(result.Makespan),9} {Minutes(result.LowerBound),9} {result.Ratio,6:0.00} {result.Peak,5}{(result.Ratio > options.Target ? "  over target" : "")}"));
        }
        return results.Any(r => r.Succeeded < r.World.Instances) ? 1
            : results.Any(r => r.Ratio > options.Target) ? 2
            : 0;
    }

    private static async Task<MakespanResult> RunAsync(BenchWorld world, BenchOptions options, DynaliteServer dynalite, string prefix, TextWriter? trace)
    {
        var timings = new TimingSpec
        {
            EbsSnapshotSeconds = options.Snapshot.TotalSeconds,
            EbsSnapshotSecondsPerGiB = 0,
            EbsCopySeconds = options.Copy.TotalSeconds,
            EbsCopySecondsPerGiB = 0,
        };
        var path = BulkWorld.WriteTemporary(BulkWorld.Instances(world.Instances, world.Volumes, timings, new LimitSpec { EbsConcurrentCopies = options.Quota }));
        try
        {
            var quotas = CopyQuotas.Parse(string.Create(CultureInfo.InvariantCulture, $"ebs={options.Quota}"));
            await using var ferry = await LocalFerry.StartAsync(new LocalOptions(path, options.Acceleration, CopyQuotas: quotas), dynalite, prefix);
            var policy = $"{prefix}-policy";
            await ferry.PutPolicyAsync(BulkWorld.Policy(policy));
            var start = ferry.Aws.Clock.UtcNow;
            await ferry.RunAsync(Core.Runs.Flows.PolicyRun, new JsonObject { ["policyId"] = policy }, $"{prefix}-run");
            var makespan = ferry.Aws.Clock.UtcNow - start;
            var header = (await ferry.Services.Sessions.ListByPolicyAsync(policy)).Single(s => s.Kind == SessionKind.PolicyRun);
            var session = (await ferry.Services.Sessions.GetAsync(header.SessionId))!;
            var windows = ferry.Aws.CallLog.CopyWindows(CopyService.Ebs, BulkWorld.Account, BulkWorld.TargetRegion);
            var copies = windows.Count;
            if (trace is not null)
                Trace(trace, ferry.Aws.CallLog, windows, start);
            var bound = (options.Copy * Math.Ceiling((double)world.Copies / options.Quota)) + options.Snapshot;
            return new MakespanResult(world, copies, session.Resources.Count(r => r.Status == ResourceStatus.Success), makespan, bound,
                ferry.Aws.CallLog.PeakCopiesInFlight(CopyService.Ebs, BulkWorld.Account, BulkWorld.TargetRegion));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>When each snapshot call and each copy happened, in simulated minutes from the run's start: where the time went.</summary>
    private static void Trace(TextWriter trace, CallLog log, IReadOnlyList<CopyWindow> windows, DateTimeOffset start)
    {
        foreach (var call in log.Records.Where(r => r.Operation is "CreateSnapshots" && r.Succeeded))
            trace.WriteLine(string.Create(CultureInfo.InvariantCulture, $"snapshot {Minutes(call.At - start)}"));
        foreach (var window in windows.OrderBy(w => w.Start))
            trace.WriteLine(string.Create(CultureInfo.InvariantCulture, $"copy {Minutes(window.Start - start)} -> {Minutes(window.End - start)} {window.CopyId}"));
    }

    private static string Minutes(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0.0}m");
}
