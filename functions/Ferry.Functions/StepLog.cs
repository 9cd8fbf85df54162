using System.Text.Json;
using Ferry.Core.Errors;
using Ferry.Core.Runs;

namespace Ferry.Functions;

/// <summary>
/// One structured JSON line per event (CloudWatch Logs Insights can query every field).
/// Only ids, roles and messages are written: never credentials or whole payloads.
/// </summary>
public sealed class StepLog(TextWriter output)
{
    /// <summary>Lambda sends standard output to CloudWatch Logs.</summary>
    public static readonly StepLog Console = new(System.Console.Out);

    private readonly Lock _lock = new();

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
            json.WriteString("message", message);
            WriteIf(json, "error", error?.ErrorName);
            WriteIf(json, "awsErrorCode", error?.AwsErrorCode);
            WriteIf(json, "awsRequestId", error?.AwsRequestId);
            json.WriteEndObject();
        }
        var line = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        lock (_lock)
            output.WriteLine(line);
    }

    private static void WriteIf(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
            json.WriteString(name, value);
    }
}

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
