using System.Text.Json;
using Ferry.Core.Errors;
using Ferry.Core.Runs;

namespace Ferry.Functions;

/// <summary>
/// One structured JSON line per event (CloudWatch Logs Insights can query every field), with the invocation's Lambda
/// request id and X-Ray trace id when the runtime provides them. Only ids, roles and messages are written: never
/// credentials or whole payloads.
/// </summary>
public sealed class StepLog(TextWriter output)
{
    /// <summary>The X-Ray trace header the managed runtime sets for each invocation.</summary>
    public const string TraceVariable = "_X_AMZN_TRACE_ID";

    /// <summary>Lambda sends standard output to CloudWatch Logs.</summary>
    public static readonly StepLog Console = new(System.Console.Out);

    /// <summary>
    /// Standard output itself, past the managed runtime's formatting of Console.Out (which prefixes each line with a
    /// timestamp, the request id and a level): an embedded-metric-format document must be the whole log event.
    /// </summary>
    public static readonly StepLog StandardOutput = new(new StreamWriter(System.Console.OpenStandardOutput()) { AutoFlush = true });

    private static readonly AsyncLocal<Invocation?> Current = new();

    private readonly Lock _lock = new();

    /// <summary>
    /// The invocation a host runs: the local Lambda host names each one as Lambda does. The managed runtime gives a
    /// Stream handler no request id (it adds it to each line it forwards instead), so in Lambda this stays unset and
    /// the trace id comes from <see cref="TraceVariable"/>.
    /// </summary>
    public static void Enter(Invocation invocation) => Current.Value = invocation;

    /// <summary>The running invocation's ids: the host's, else the runtime's trace variable.</summary>
    public static Invocation Ids() =>
        Current.Value ?? new Invocation(null, Environment.GetEnvironmentVariable(TraceVariable) is { Length: > 0 } trace ? trace : null);

    /// <summary>Writes one line as it is (an embedded-metric-format document), under the same lock as the log lines.</summary>
    public void WriteRaw(string line)
    {
        lock (_lock)
            output.WriteLine(line);
    }

    public void Write(string level, string step, StepContext context, string message, FerryException? error = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("level", level);
            json.WriteString("step", step);
            WriteIf(json, "policy", context.PolicyId);
            WriteIf(json, "session", context.SessionId);
            WriteIf(json, "resource", context.ResourceId);
            WriteIf(json, "role", context.Role);
            var ids = Ids();
            WriteIf(json, "requestId", ids.RequestId);
            WriteIf(json, "traceId", ids.TraceId);
            json.WriteString("message", message);
            WriteIf(json, "error", error?.ErrorName);
            WriteIf(json, "awsErrorCode", error?.AwsErrorCode);
            WriteIf(json, "awsRequestId", error?.AwsRequestId);
            json.WriteEndObject();
        }
        WriteRaw(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteIf(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
            json.WriteString(name, value);
    }
}

/// <summary>A Lambda invocation's request id and X-Ray trace header (Root=...;Parent=...;Sampled=...).</summary>
public sealed record Invocation(string? RequestId, string? TraceId);

/// <summary>Who and what a log line is about, taken from a step's input.</summary>
public sealed record StepContext(string? PolicyId, string? SessionId, string? ResourceId, string? Role)
{
    public static StepContext Of(object? input) => input switch
    {
        Job job => new(job.PolicyId, job.SessionId, job.ResourceId, job.Cursor < job.Steps.Count ? job.Steps[job.Cursor].Role : null),
        ResourceKey key => new(key.PolicyId, key.SessionId, key.ResourceId, null),
        OutcomeInput outcome => new(outcome.PolicyId, outcome.SessionId, outcome.ResourceId, outcome.Job?.Steps.LastOrDefault()?.Role),
        DiscoverInput discover => new(discover.PolicyId, discover.SessionId, null, null),
        OpenSessionInput open => new(open.PolicyId, open.SessionId, null, null),
        CloseSessionInput close => new(null, close.SessionId, null, null),
        RetentionInput retention => new(retention.PolicyId, null, retention.ResourceId, null),
        RestoreInput restore => new(null, restore.SessionId, null, restore.RestoreRole),
        _ => new(null, null, null, null),
    };
}
