using System.Globalization;
using Ferry.Core.Ports;
using Ferry.Core.Sessions;
using Ferry.Local.Host;
using Ferry.Local.Runtime;
using Ferry.Simulator;
using Ferry.Simulator.World;

namespace Ferry.Local.Chaos;

/// <summary>A copy quota scope's busiest moment.</summary>
public sealed record ScopePeak(CopySlotKey Scope, int Copies, int Peak, int Quota);

/// <summary>Copy slots still held in a scope.</summary>
public sealed record HeldSlots(CopySlotKey Scope, int Held);

/// <summary>What was injected during a chaos run.</summary>
public sealed record InjectedCounts(int Throttled, int Transient, int SnapshotErrors, int StepCrashes, int StepTimeouts);

/// <summary>
/// The figures of a chaos run, read from the sessions, restore points and copy slots in DynamoDB and the
/// simulated world's state after the run. Each list names what it counts, so a non-zero figure can be traced.
/// </summary>
/// <param name="Lost">Resources with no final outcome.</param>
/// <param name="Duplicates">Source items with more than one good snapshot or copy in one stage of one session (one entry per extra).</param>
/// <param name="Orphans">Ferry-tagged snapshots and copies that no restore point references, outside Running sessions.</param>
/// <param name="WronglyFailed">Resources Failed although no injected fault that may fail a resource (a snapshot or copy ending in error) hit them.</param>
/// <param name="SessionsRunning">Sessions of the run still Running.</param>
/// <param name="SlotsLeaked">Copy slots still held, per scope.</param>
public sealed record ChaosReport(
    int Resources,
    IReadOnlyDictionary<ResourceStatus, int> Outcomes,
    IReadOnlyList<string> Lost,
    IReadOnlyList<string> Duplicates,
    IReadOnlyList<string> Orphans,
    IReadOnlyList<string> WronglyFailed,
    IReadOnlyList<string> SessionsRunning,
    IReadOnlyList<HeldSlots> SlotsLeaked,
    TimeSpan Makespan,
    TimeSpan LowerBound,
    IReadOnlyList<ScopePeak> Peaks,
    InjectedCounts Injected)
{
    private static readonly HashSet<string> ThrottleCodes = ["RequestLimitExceeded", "Throttling", "ThrottlingException"];
    private static readonly HashSet<string> TransientCodes = ["InternalError", "InternalFailure", "KMSInternalException", "ServiceUnavailableException", "InternalServerError"];

    public int OutcomesRecorded => Outcomes.Values.Sum();

    public int SlotsLeakedCount => SlotsLeaked.Sum(s => s.Held);

    /// <summary>True when every figure that must be zero is zero.</summary>
    public bool Clean => Lost.Count == 0 && Duplicates.Count == 0 && Orphans.Count == 0 && WronglyFailed.Count == 0 && SessionsRunning.Count == 0 && SlotsLeaked.Count == 0;

    /// <param name="started">The simulated time the policy runs started.</param>
    /// <param name="ended">The simulated time the last of them ended.</param>
    public static async Task<ChaosReport> ReadAsync(LocalFerry ferry, ChaosWorld world, DateTimeOffset started, DateTimeOffset ended)
    {
        var services = ferry.Services;
        var sessions = new List<Session>();
        foreach (var policy in ChaosWorld.PolicyIds)
        {
            // Listing gives headers; the report needs every resource's outcome.
            foreach (var header in (await services.Sessions.ListByPolicyAsync(policy)).Where(s => s.Kind == SessionKind.PolicyRun))
                sessions.Add((await services.Sessions.GetAsync(header.SessionId))!);
        }
        var final = sessions.OrderBy(s => s.StartedAt)
            .SelectMany(s => s.Resources)
            .Where(r => r.Status != ResourceStatus.Running)
            .GroupBy(r => r.ResourceId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var outcomes = world.Resources.Where(r => final.ContainsKey(r.Id))
            .GroupBy(r => final[r.Id].Status)
            .ToDictionary(g => g.Key, g => g.Count());
        var lost = world.Resources.Where(r => !final.ContainsKey(r.Id)).Select(r => r.Id).ToList();
        var running = sessions.Where(s => s.Status == ResourceStatus.Running).Select(s => s.SessionId).ToHashSet(StringComparer.Ordinal);

        var injectedErrors = ferry.Aws.InjectedErrors;
        var wronglyFailed = world.Resources
            .Where(r => final.TryGetValue(r.Id, out var outcome) && outcome.Status == ResourceStatus.Failed)
            .Where(r => !injectedErrors.Any(e => e.ParameterValues.Any(v => v.Contains(r.Id, StringComparison.Ordinal))))
            .Select(r => $"{r.Id}: {final[r.Id].Reason}")
            .ToList();

        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resource in world.Resources)
        {
            foreach (var point in await services.RestorePoints.ListAsync(resource.PolicyId, resource.Id))
                referenced.UnionWith(point.Snapshots.Select(s => ShortId(s.SnapshotId)));
        }
        var ferrySnapshots = ferry.Aws.Snapshots()
            .Where(s => s.Tags.TryGetValue(FerryTags.Policy, out var policy) && ChaosWorld.PolicyIds.Contains(policy))
            .ToList();
        var orphans = ferrySnapshots
            .Where(s => !referenced.Contains(s.Id) && !running.Contains(s.Tags.GetValueOrDefault(FerryTags.Session, "")))
            .Select(s => $"{s.Service} {s.Id} in {s.Account}/{s.Region} ({s.State}, {Tag(s, FerryTags.Step)} of {Tag(s, FerryTags.Source)})")
            .ToList();
        var duplicates = ferrySnapshots
            .Where(s => s.State is not ("error" or "failed"))
            .GroupBy(s => $"{Tag(s, FerryTags.Session)} {Tag(s, FerryTags.Source)} {s.Tags.GetValueOrDefault(FerryTags.Item, s.Origin)} {Tag(s, FerryTags.Step)}", StringComparer.Ordinal)
            .SelectMany(g => g.Skip(1).Select(s => $"{g.Key}: {s.Id} besides {g.First().Id}"))
            .ToList();

        var scopes = world.Resources.SelectMany(r => r.CopyScopes).Distinct().OrderBy(s => s.ToString(), StringComparer.Ordinal).ToList();
        var leaked = new List<HeldSlots>();
        foreach (var scope in scopes)
        {
            var inUse = (await services.Slots.ReadAsync(scope)).Count(s => !s.IsFreeAt(services.Clock.UtcNow));
            if (inUse > 0)
                leaked.Add(new HeldSlots(scope, inUse));
        }

        var peaks = scopes.Select(scope => new ScopePeak(scope, world.Resources.Where(r => r.CopyScopes.Contains(scope)).Sum(r => r.Items),
            ferry.Aws.CallLog.PeakCopiesInFlight(Enum.Parse<CopyService>(scope.Service, ignoreCase: true), scope.Account, scope.Region),
            Quota(world.Spec.Limits, scope.Service))).ToList();

        var results = ferry.Aws.CallLog.Records.Select(r => r.Result).ToList();
        var stepFaults = ferry.Host.Faults.Injected;
        var injected = new InjectedCounts(results.Count(ThrottleCodes.Contains), results.Count(TransientCodes.Contains), injectedErrors.Count,
            stepFaults.Count(f => f.Kind == StepFaultKind.Crash), stepFaults.Count(f => f.Kind == StepFaultKind.Timeout));

        return new ChaosReport(world.Resources.Count, outcomes, lost, duplicates, orphans, wronglyFailed, [.. running], leaked,
            ended - started, LowerBoundOf(world), peaks, injected);
    }

    /// <summary>
    /// The shortest possible run: in each copy scope, ceil(copies / quota) waves of one copy time, after the
    /// snapshot (and, for a replica after a staging copy, that copy); the longest scope bounds the run.
    /// </summary>
    public static TimeSpan LowerBoundOf(ChaosWorld world)
    {
        var timings = world.Spec.Timings;
        var bound = 0.0;
        foreach (var group in world.Resources.SelectMany(r => r.CopyScopes.Select((scope, stage) => (Scope: scope, Stage: stage, r.Items))).GroupBy(c => c.Scope))
        {
            var ebs = group.Key.Service == "ebs";
            var copy = ebs ? timings.EbsCopySeconds + timings.EbsCopySecondsPerGiB * ChaosWorld.SizeGiB : timings.RdsCopySeconds + timings.RdsSecondsPerGiB * ChaosWorld.SizeGiB;
            var snapshot = ebs ? timings.EbsSnapshotSeconds + timings.EbsSnapshotSecondsPerGiB * ChaosWorld.SizeGiB : timings.RdsSnapshotSeconds + timings.RdsSecondsPerGiB * ChaosWorld.SizeGiB;
            var waves = Math.Ceiling(group.Sum(c => c.Items) / (double)Quota(world.Spec.Limits, group.Key.Service));
            bound = Math.Max(bound, snapshot + group.Min(c => c.Stage) * copy + waves * copy);
        }
        return TimeSpan.FromSeconds(bound);
    }

    public void Write(TextWriter output)
    {
        var failed = Outcomes.GetValueOrDefault(ResourceStatus.Failed);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
              resources                           {Resources}
              outcomes recorded                   {OutcomesRecorded} ({string.Join(", ", Outcomes.OrderBy(o => o.Key).Select(o => $"{o.Value} {o.Key}"))})
              lost outcomes                       {Lost.Count}
              duplicate snapshots or copies       {Duplicates.Count}
              orphans left                        {Orphans.Count}
              failed without a fault of their own {WronglyFailed.Count} (of {failed} failed)
              sessions left Running               {SessionsRunning.Count}
              slots leaked                        {SlotsLeakedCount}
              makespan / lower bound              {Makespan.TotalHours:0.00} h / {LowerBound.TotalHours:0.00} h = {Makespan / LowerBound:0.00}
              peak copies in flight               {string.Join(", ", Peaks.Select(p => $"{p.Peak}/{p.Quota} {p.Scope} ({p.Copies} copies)"))}
              injected                            {Injected.Throttled} throttled calls, {Injected.Transient} transient errors, {Injected.SnapshotErrors} snapshots or copies ending in error, {Injected.StepCrashes} step crashes, {Injected.StepTimeouts} step timeouts
            """));
        Examples(output, "lost", Lost);
        Examples(output, "duplicate", Duplicates);
        Examples(output, "orphan", Orphans);
        Examples(output, "failed without a fault", WronglyFailed);
        Examples(output, "session Running", SessionsRunning);
        Examples(output, "slots held", [.. SlotsLeaked.Select(s => $"{s.Scope}: {s.Held}")]);
    }

    private static void Examples(TextWriter output, string what, IReadOnlyList<string> items)
    {
        foreach (var item in items.Take(5))
            output.WriteLine($"  {what}: {item}");
        if (items.Count > 5)
            output.WriteLine($"  … and {items.Count - 5} more");
    }

    private static int Quota(LimitSpec limits, string service) => service switch
    {
        "ebs" => limits.EbsConcurrentCopies,
        "aurora" => limits.AuroraConcurrentCopies,
        _ => limits.RdsConcurrentCopies,
    };

    private static string Tag(SnapshotFacts snapshot, string key) => snapshot.Tags.GetValueOrDefault(key, "?");

    /// <summary>RDS restore points may name a snapshot by ARN; the world knows it by identifier.</summary>
    private static string ShortId(string id) => id.StartsWith("arn:", StringComparison.Ordinal) ? id[(id.LastIndexOf(':') + 1)..] : id;
}
