namespace Ferry.Core.Sessions;

/// <summary>A resource's or session's status; the numeric order is severity, so the worst is the largest.</summary>
public enum ResourceStatus
{
    Running = 0,
    Success = 1,
    Warning = 2,
    Canceled = 3,
    Failed = 4,
}

public enum SessionKind
{
    PolicyRun,
    Restore,
}

/// <summary>One entry of a resource's ordered log: what was done, by which role, with which ids.</summary>
public sealed record LogEntry(
    int Sequence,
    DateTimeOffset At,
    string Step,
    ResourceStatus Level,
    string Message,
    string? Role = null,
    IReadOnlyDictionary<string, string>? Ids = null);

/// <param name="CurrentStep">The step the resource is at while Running (live progress).</param>
public sealed record ResourceOutcome(
    string ResourceId,
    ResourceStatus Status,
    string? Reason,
    IReadOnlyList<LogEntry> Log,
    string? CurrentStep = null);

/// <summary>One run of a policy or one restore, with the outcome of each of its resources.</summary>
/// <param name="Reason">Why the session ended as it did when that is not its resources' doing (a refused or failed run).</param>
public sealed record Session(
    string SessionId,
    SessionKind Kind,
    string PolicyId,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    ResourceStatus Status,
    IReadOnlyList<ResourceOutcome> Resources,
    string? Reason = null)
{
    public static Session Open(string sessionId, SessionKind kind, string policyId, DateTimeOffset at) =>
        new(sessionId, kind, policyId, at, null, ResourceStatus.Running, []);

    /// <summary>Records (or replaces) a resource's outcome; the session stays Running until closed.</summary>
    public Session WithOutcome(ResourceOutcome outcome) =>
        this with { Resources = [.. Resources.Where(r => r.ResourceId != outcome.ResourceId), outcome] };

    /// <summary>
    /// Closes the session with the worst of its resources' statuses and <paramref name="end"/>'s (a session with neither
    /// succeeds), keeping the end's reason.
    /// </summary>
    public Session Close(DateTimeOffset at, SessionEnd? end = null) =>
        this with
        {
            EndedAt = at,
            Status = SessionStatus.Worst(Resources.Select(r => r.Status).Concat(end is null ? [] : [end.Status])),
            Reason = end?.Reason,
        };
}

/// <summary>How a session ended when not (only) by its resources' outcomes: refused (Canceled) or failed, and why.</summary>
public sealed record SessionEnd(ResourceStatus Status, string Reason);

public static class SessionStatus
{
    /// <summary>Worst wins: Failed over Canceled over Warning over Success; a resource still Running makes the whole Failed, because closing it means it was dropped.</summary>
    public static ResourceStatus Worst(IEnumerable<ResourceStatus> statuses)
    {
        var worst = ResourceStatus.Success;
        foreach (var status in statuses)
        {
            var effective = status == ResourceStatus.Running ? ResourceStatus.Failed : status;
            if (effective > worst)
                worst = effective;
        }
        return worst;
    }
}
