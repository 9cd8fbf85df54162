using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ferry.Core.Policies;

namespace Ferry.Core.Sessions;

/// <summary>What a session did: replicas or backup copies of a policy's run, or a restore.</summary>
public enum SessionEventKind
{
    Replica,
    BackupCopy,
    Restore,

    /// <summary>A policy run whose policy could not be read (missing or invalid), so what it would have done is unknown.</summary>
    PolicyRun,
}

/// <summary>How many of a session's resources ended with each outcome.</summary>
public sealed record SessionCounts(int Success, int Warning, int Canceled, int Failed, int Running);

/// <summary>A resource that did not simply succeed, with why (cut to <see cref="SessionEvent.MaxReasonChars"/>).</summary>
public sealed record SessionEventResource(string ResourceId, ResourceStatus Status, string? Reason);

/// <summary>
/// The detail of the EventBridge event a session emits when it ends (<see cref="SessionEvents"/>): its status and
/// counts, the resources that did not succeed with their reasons (as many as fit in <see cref="MaxDetailBytes"/>;
/// <paramref name="ResourcesLeftOut"/> says how many did not), and a summary a person can read in an e-mail.
/// </summary>
/// <param name="Reason">Why the session ended as it did when that is not its resources' doing (a refused or failed run).</param>
public sealed record SessionEvent(
    string SessionId,
    SessionEventKind Kind,
    string PolicyId,
    ResourceStatus Status,
    string? Reason,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    SessionCounts Counts,
    IReadOnlyList<SessionEventResource> Resources,
    int ResourcesLeftOut,
    string Summary)
{
    /// <summary>
    /// Half of EventBridge's 256 KB entry limit: the detail travels in the closing step's output too, beside the rest of
    /// the state, within Step Functions' own 256 KB payload limit.
    /// </summary>
    public const int MaxDetailBytes = 128 * 1024;

    /// <summary>A reason longer than this (they may reach 32,768 characters) is cut in the event; the session keeps it whole.</summary>
    public const int MaxReasonChars = 2_000;

    /// <summary>How many resources, and how much of each reason, the summary lists: it is meant for an e-mail.</summary>
    public const int SummaryResources = 10;

    public const int SummaryReasonChars = 300;

    /// <summary>The event of a closed session; <paramref name="policyType"/> is the run's policy's type when it could be read.</summary>
    public static SessionEvent Of(Session session, ResourceType? policyType)
    {
        var kind = session.Kind == SessionKind.Restore ? SessionEventKind.Restore
            : policyType switch
            {
                ResourceType.Efs => SessionEventKind.BackupCopy,
                null => SessionEventKind.PolicyRun,
                _ => SessionEventKind.Replica,
            };
        int Count(ResourceStatus status) => session.Resources.Count(r => r.Status == status);
        var counts = new SessionCounts(Count(ResourceStatus.Success), Count(ResourceStatus.Warning), Count(ResourceStatus.Canceled),
            Count(ResourceStatus.Failed), Count(ResourceStatus.Running));
        // The worst first, then by id, so a cut list keeps the failures.
        var notable = session.Resources.Where(r => r.Status != ResourceStatus.Success)
            .OrderByDescending(r => r.Status).ThenBy(r => r.ResourceId, StringComparer.Ordinal)
            .Select(r => new SessionEventResource(r.ResourceId, r.Status, Cut(r.Reason, MaxReasonChars)))
            .ToList();
        var reason = Cut(session.Reason, MaxReasonChars);
        var summary = Summarize(session, kind, counts, notable);

        var detail = new SessionEvent(session.SessionId, kind, session.PolicyId, session.Status, reason, session.StartedAt, session.EndedAt,
            counts, [], 0, summary);
        var budget = MaxDetailBytes - Bytes(detail) - 32;
        var kept = new List<SessionEventResource>();
        foreach (var resource in notable)
        {
            // Each entry costs its escaped fields plus the JSON around them (names, status, punctuation).
            var size = Bytes(resource.ResourceId) + Bytes(resource.Reason ?? "") + 80;
            if (size > budget)
                break;
            budget -= size;
            kept.Add(resource);
        }
        return detail with { Resources = kept, ResourcesLeftOut = notable.Count - kept.Count };
    }

    private static string Summarize(Session session, SessionEventKind kind, SessionCounts counts, List<SessionEventResource> notable)
    {
        var text = new StringBuilder();
        var what = kind switch
        {
            SessionEventKind.Restore => "Restore",
            SessionEventKind.BackupCopy => "Backup copy run",
            SessionEventKind.Replica => "Replica run",
            _ => "Run",
        };
        text.Append($"Ferry: {what} of policy {session.PolicyId} ended {session.Status}");
        text.Append($" (session {session.SessionId}, started {session.StartedAt:u}");
        text.Append(session.EndedAt is { } ended ? $", ended {ended:u}).\n" : ").\n");
        var parts = new[] { (ResourceStatus.Success, counts.Success), (ResourceStatus.Warning, counts.Warning), (ResourceStatus.Canceled, counts.Canceled), (ResourceStatus.Failed, counts.Failed) }
            .Where(p => p.Item2 > 0).Select(p => $"{p.Item2} {p.Item1}").ToList();
        text.Append($"{session.Resources.Count} resource{(session.Resources.Count == 1 ? "" : "s")}{(parts.Count > 0 ? ": " + string.Join(", ", parts) : "")}.\n");
        if (session.Reason is not null)
            text.Append($"Why: {Cut(session.Reason, SummaryReasonChars)}\n");
        foreach (var resource in notable.Take(SummaryResources))
            text.Append($"- {resource.ResourceId} {resource.Status}: {Cut(resource.Reason, SummaryReasonChars) ?? "no reason recorded"}\n");
        if (notable.Count > SummaryResources)
            text.Append($"- and {notable.Count - SummaryResources} more (the event's detail lists them).\n");
        text.Append($"Look at it: session {session.SessionId} in Ferry's sessions table (each resource's steps, roles and reasons), or its execution in the Step Functions console.");
        return text.ToString();
    }

    private static string? Cut(string? text, int chars) =>
        text is null || text.Length <= chars ? text : string.Concat(text.AsSpan(0, chars - 1), "…");

    /// <summary>The text's size as a JSON string, escaped as System.Text.Json's default encoder escapes it (non-ASCII and quotes as \uXXXX).</summary>
    private static int Bytes(string text) => JsonEncodedText.Encode(text).EncodedUtf8Bytes.Length;

    /// <summary>The detail's size without its resources: its strings, plus a bound for its names, counts, times and punctuation.</summary>
    private static int Bytes(SessionEvent detail) =>
        Bytes(detail.SessionId) + Bytes(detail.PolicyId) + Bytes(detail.Reason ?? "") + Bytes(detail.Summary) + 512;
}

/// <summary>
/// The event every session emits when it ends, and the rule that turns Warning and Failed ones into a message for people:
/// declared once for the state machines (through their placeholders), CDK and the local stack.
/// </summary>
public static partial class SessionEvents
{
    public const string Source = "ferry";

    public const string DetailType = "Ferry Session Completed";

    /// <summary>The Task resource that puts the event: Step Functions' own EventBridge integration.</summary>
    public const string PutEventsTask = "arn:aws:states:::events:putEvents";

    /// <summary>The statuses that notify people.</summary>
    public static readonly IReadOnlyList<ResourceStatus> Notified = [ResourceStatus.Warning, ResourceStatus.Failed];

    /// <summary>The account's default bus: the state machines put the event there and the notification rule listens there.</summary>
    public const string EventBus = "default";

    /// <summary>The ASL placeholders of the event's facts, with their values (CloudFormation and the local runner substitute them).</summary>
    public static readonly IReadOnlyDictionary<string, string> Placeholders = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["SessionEventSource"] = Source,
        ["SessionEventDetailType"] = DetailType,
        ["EventBusName"] = EventBus,
    };

    /// <summary>The EventBridge event pattern of the sessions that notify.</summary>
    public static JsonObject NotifyPattern() => new()
    {
        ["source"] = new JsonArray(Source),
        ["detail-type"] = new JsonArray(DetailType),
        ["detail"] = new JsonObject { ["status"] = new JsonArray([.. Notified.Select(s => (JsonNode)s.ToString())]) },
    };

    /// <summary>The input transformer's paths into the event, by the name the message uses them with (&lt;name&gt;).</summary>
    public static readonly IReadOnlyDictionary<string, string> MessagePaths = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["summary"] = "$.detail.summary",
        ["region"] = "$.region",
        // Step Functions appends the execution's ARN, then its state machine's, to each entry's resources.
        ["execution"] = "$.resources[0]",
    };

    /// <summary>
    /// The message people receive: the summary, then where to look (the sessions table, the execution in the console).
    /// Each &lt;name&gt; of the template becomes <paramref name="valueAt"/> of its path: the event's value locally, CDK's
    /// field of it for the rule's input transformer.
    /// </summary>
    public static string Message(string sessionsTable, Func<string, string> valueAt) =>
        MessageName().Replace(
            "<summary>\n\n"
            + $"Sessions table: {sessionsTable}\n"
            + "Execution: https://<region>.console.aws.amazon.com/states/home?region=<region>#/v2/executions/details/<execution>",
            m => valueAt(MessagePaths[m.Groups[1].Value]));

    [GeneratedRegex("<([A-Za-z]+)>")]
    private static partial Regex MessageName();
}
