using System.Globalization;
using System.Text;
using Ferry.Core.Policies;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;

namespace Ferry.Core.Digest;

/// <summary>The daily digest's input: the deployed policies (the deployment lists them, so no step scans the policies table).</summary>
public sealed record DigestInput(IReadOnlyList<string> PolicyIds);

/// <summary>One session of the window, as its header says.</summary>
public sealed record DigestRun(string SessionId, SessionKind Kind, ResourceStatus Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string? Reason);

/// <param name="Missed">How many times the schedule should have started a run in the window and did not.</param>
/// <param name="LastRunAt">When the policy's newest run started, if it ever ran.</param>
public sealed record MissedSchedule(string Expression, string TimeZone, int Missed, DateTimeOffset? LastRunAt);

/// <param name="NewestAt">When the resource's newest restore point was made; null when it has none.</param>
public sealed record RpoBreach(string ResourceId, DateTimeOffset? NewestAt);

/// <summary>One policy's day: its runs, whether its schedule was kept, and its resources past the recovery point objective.</summary>
/// <param name="Problem">Why the policy could not be looked at (missing or invalid), instead of the rest.</param>
/// <param name="RpoBreaches">At most <see cref="DailyDigest.MaxListed"/>; <paramref name="RpoBreachCount"/> counts them all.</param>
public sealed record PolicyDigest(
    string PolicyId,
    string? Name,
    IReadOnlyList<DigestRun> Runs,
    MissedSchedule? MissedSchedule,
    double? RpoHours,
    IReadOnlyList<RpoBreach> RpoBreaches,
    int RpoBreachCount,
    string? Problem = null);

/// <summary>The digest: structured per policy, and as the text a person reads (the SNS message).</summary>
public sealed record DigestOutput(
    DateTimeOffset From,
    DateTimeOffset To,
    string Subject,
    string Text,
    int Runs,
    int FailedRuns,
    int WarningRuns,
    int MissedSchedules,
    int RpoBreaches,
    IReadOnlyList<PolicyDigest> Policies);

/// <summary>
/// The last 24 hours of every deployed policy, read through the stores: the runs with their outcomes, the scheduled runs
/// that did not start, and the resources whose newest restore point is older than the policy's <c>rpoHours</c> (or that
/// have none). Resources are those of the policy's newest closed run; every restore point Ferry writes is a good one (a
/// failed outcome writes none).
/// </summary>
public sealed class DailyDigest(FerryServices services)
{
    /// <summary>The Task resource of Step Functions' SNS integration, with which the digest machine publishes the text.</summary>
    public const string PublishTask = "arn:aws:states:::sns:publish";

    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    /// <summary>How long after a scheduled time a run may start and still count as that time's run.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(15);

    /// <summary>Runs and breaches listed per policy, so the digest stays far within Step Functions' 256 KB payload.</summary>
    public const int MaxListed = 50;

    /// <summary>SNS allows a subject of 100 characters.</summary>
    public const int MaxSubjectLength = 100;

    /// <summary>The text's bound, well within SNS's 256 KB message and the step's payload.</summary>
    public const int MaxTextLength = 64_000;

    public async Task<DigestOutput> RunAsync(DigestInput input, CancellationToken cancellationToken = default)
    {
        var to = services.Clock.UtcNow;
        var from = to - Window;
        var policies = new List<PolicyDigest>();
        foreach (var policyId in input.PolicyIds.Distinct(StringComparer.Ordinal))
            policies.Add(await PolicyAsync(policyId, from, to, cancellationToken));
        var runs = policies.SelectMany(p => p.Runs).ToList();
        var output = new DigestOutput(from, to, "", "",
            runs.Count,
            runs.Count(r => r.Status == ResourceStatus.Failed),
            runs.Count(r => r.Status == ResourceStatus.Warning),
            policies.Count(p => p.MissedSchedule is not null),
            policies.Sum(p => p.RpoBreachCount),
            policies);
        return output with { Subject = Subject(output), Text = Text(output) };
    }

    private async Task<PolicyDigest> PolicyAsync(string policyId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        Policy? policy;
        try
        {
            policy = await services.Policies.GetAsync(policyId, cancellationToken);
        }
        catch (PolicyValidationException e)
        {
            return new PolicyDigest(policyId, null, [], null, null, [], 0, $"the stored policy is invalid: {e.Message}");
        }
        if (policy is null)
            return new PolicyDigest(policyId, null, [], null, null, [], 0, "no such policy in the policies table");

        var sessions = await services.Sessions.ListByPolicyAsync(policyId, cancellationToken);
        var runs = sessions.Where(s => s.StartedAt >= from && s.StartedAt <= to).OrderBy(s => s.StartedAt)
            .Select(s => new DigestRun(s.SessionId, s.Kind, s.Status, s.StartedAt, s.EndedAt, s.Reason)).ToList();
        var policyRuns = sessions.Where(s => s.Kind == SessionKind.PolicyRun).Select(s => s.StartedAt).ToList();
        var missed = policy.Schedule is { } schedule ? Missed(schedule, policyRuns, from, to) : null;

        List<RpoBreach> breaches = [];
        if (policy.RpoHours is { } hours)
            breaches = await BreachesAsync(policy, sessions, to - TimeSpan.FromHours(hours), cancellationToken);
        return new PolicyDigest(policy.Id, policy.Name, runs, missed, policy.RpoHours, [.. breaches.Take(MaxListed)], breaches.Count);
    }

    /// <summary>
    /// A cron time in the window with no policy run started from a minute before it to <see cref="Grace"/> after it is
    /// missed. A rate fires every period after its first run: each such time in the window after the newest run is missed
    /// (never run: every period that fits in the window).
    /// </summary>
    public static MissedSchedule? Missed(Schedule schedule, IReadOnlyList<DateTimeOffset> runStarts, DateTimeOffset from, DateTimeOffset to)
    {
        var due = to - Grace;
        var lastRun = runStarts.Where(s => s <= to).Order().LastOrDefault() is var last && last != default ? last : (DateTimeOffset?)null;
        int missed;
        if (ScheduleOccurrences.RatePeriod(schedule.Expression) is { } period)
        {
            if (lastRun is { } since)
            {
                missed = 0;
                for (var next = since + period; next <= due; next += period)
                {
                    if (next >= from)
                        missed++;
                }
            }
            else
            {
                missed = (int)(Window.Ticks / period.Ticks);
            }
        }
        else
        {
            missed = ScheduleOccurrences.Cron(schedule, from, due)
                .Count(at => !runStarts.Any(s => s >= at.AddMinutes(-1) && s <= at + Grace));
        }
        return missed == 0 ? null : new MissedSchedule(schedule.Expression, schedule.TimeZone, missed, lastRun);
    }

    private async Task<List<RpoBreach>> BreachesAsync(Policy policy, IReadOnlyList<Session> sessions, DateTimeOffset oldestAllowed, CancellationToken cancellationToken)
    {
        // Newest first: the resources the policy protects now are those of its newest closed run (one whole read).
        var newest = sessions.Where(s => s.Kind == SessionKind.PolicyRun && s.EndedAt is not null).MaxBy(s => s.StartedAt);
        if (newest is null || await services.Sessions.GetAsync(newest.SessionId, cancellationToken) is not { } session)
            return [];
        var breaches = new List<RpoBreach>();
        foreach (var resource in session.Resources.Where(r => !r.ResourceId.StartsWith(RegionEntryPrefix, StringComparison.Ordinal)).OrderBy(r => r.ResourceId, StringComparer.Ordinal))
        {
            var points = await services.RestorePoints.ListAsync(policy.Id, resource.ResourceId, cancellationToken);
            var newestAt = points.Count == 0 ? (DateTimeOffset?)null : points.Max(p => p.CreatedAt);
            if (newestAt is null || newestAt < oldestAllowed)
                breaches.Add(new RpoBreach(resource.ResourceId, newestAt));
        }
        return breaches;
    }

    /// <summary>A failed region's entry in a session (the policy run's RecordRegionFailure), not a resource.</summary>
    public const string RegionEntryPrefix = "region:";

    private static string Subject(DigestOutput d)
    {
        var parts = new List<string>();
        if (d.FailedRuns > 0)
            parts.Add(Count(d.FailedRuns, "failed run"));
        if (d.WarningRuns > 0)
            parts.Add(Count(d.WarningRuns, "run with warnings", "runs with warnings"));
        if (d.MissedSchedules > 0)
            parts.Add(Count(d.MissedSchedules, "missed schedule"));
        if (d.RpoBreaches > 0)
            parts.Add(Count(d.RpoBreaches, "RPO breach", "RPO breaches"));
        var subject = $"Ferry digest {Day(d.To)}: {(parts.Count == 0 ? "all well" : string.Join(", ", parts))}";
        return subject.Length <= MaxSubjectLength ? subject : subject[..(MaxSubjectLength - 1)] + "…";
    }

    private static string Text(DigestOutput d)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Ferry daily digest for {Time(d.From)} to {Time(d.To)}");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{Count(d.Policies.Count, "policy", "policies")}, {Count(d.Runs, "run")} ({d.FailedRuns} Failed, {d.WarningRuns} Warning), "
            + $"{Count(d.MissedSchedules, "missed schedule")}, {Count(d.RpoBreaches, "resource")} past the RPO of their policy.");
        foreach (var p in d.Policies)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Policy {p.PolicyId}{(p.Name is null || p.Name == p.PolicyId ? "" : $" ({p.Name})")}");
            if (p.Problem is not null)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  Not checked: {p.Problem}");
                continue;
            }
            text.AppendLine(CultureInfo.InvariantCulture, $"  Runs: {(p.Runs.Count == 0 ? "none" : p.Runs.Count.ToString(CultureInfo.InvariantCulture))}");
            foreach (var run in p.Runs.TakeLast(MaxListed))
            {
                var ended = run.EndedAt is { } end ? $", ended {Time(end)}" : ", still running";
                var reason = run.Reason is null ? "" : $": {run.Reason}";
                text.AppendLine(CultureInfo.InvariantCulture, $"    {run.Status,-8} {run.SessionId} ({run.Kind}) started {Time(run.StartedAt)}{ended}{reason}");
            }
            if (p.Runs.Count > MaxListed)
                text.AppendLine(CultureInfo.InvariantCulture, $"    … and {p.Runs.Count - MaxListed} earlier runs");
            if (p.MissedSchedule is { } missed)
            {
                var last = missed.LastRunAt is { } at ? $"its newest run started {Time(at)}" : "it has never run";
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  Missed schedule: {missed.Expression} ({missed.TimeZone}) should have started {Count(missed.Missed, "run")} that did not start; {last}");
            }
            if (p.RpoBreachCount > 0)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  RPO {Hours(p.RpoHours!.Value)} h breached by {Count(p.RpoBreachCount, "resource")}:");
                foreach (var breach in p.RpoBreaches)
                {
                    var age = breach.NewestAt is { } at ? $"newest restore point {Time(at)} ({Hours((d.To - at).TotalHours)} h old)" : "no restore point";
                    text.AppendLine(CultureInfo.InvariantCulture, $"    {breach.ResourceId}: {age}");
                }
                if (p.RpoBreachCount > p.RpoBreaches.Count)
                    text.AppendLine(CultureInfo.InvariantCulture, $"    … and {p.RpoBreachCount - p.RpoBreaches.Count} more");
            }
        }
        text.AppendLine();
        text.AppendLine("Each session's resources, steps and reasons are kept in Ferry's sessions table under the session id above.");
        var all = text.ToString();
        return all.Length <= MaxTextLength ? all : all[..(MaxTextLength - 40)] + "\n… (cut: the digest is longer than a message)\n";
    }

    private static string Count(int n, string one, string? many = null) =>
        n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many ?? one + "s");

    private static string Hours(double hours) => hours.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
