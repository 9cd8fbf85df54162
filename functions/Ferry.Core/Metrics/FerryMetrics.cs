namespace Ferry.Core.Metrics;

/// <summary>A metric Ferry publishes: its name, CloudWatch unit and dimension sets (each a list of dimension names).</summary>
public sealed record MetricDefinition(string Name, string Unit, IReadOnlyList<IReadOnlyList<string>> Dimensions);

/// <summary>
/// The CloudWatch metrics sessions publish, in the embedded metric format (one JSON log line a metric; CloudWatch
/// extracts the values), declared once for the functions that write them and the CDK dashboard that shows them.
/// Each is published overall (the first dimension set) and per policy.
/// </summary>
public static class FerryMetrics
{
    public const string Namespace = "Ferry";

    public const string PolicyDimension = "Policy";

    public const string OutcomeDimension = "Outcome";

    /// <summary>One per resource outcome recorded, by outcome (Success, Warning, Failed, Canceled).</summary>
    public static readonly MetricDefinition Resources =
        new("Resources", "Count", [[OutcomeDimension], [PolicyDimension, OutcomeDimension]]);

    /// <summary>From the start of a copy (staging or replica) to when it was seen complete.</summary>
    public static readonly MetricDefinition CopyDuration = new("CopyDuration", "Seconds", [[], [PolicyDimension]]);

    /// <summary>From a restore session's start to its successful outcome being recorded (the resource ready).</summary>
    public static readonly MetricDefinition RestoreTime = new("RestoreTime", "Seconds", [[], [PolicyDimension]]);

    public static readonly IReadOnlyList<MetricDefinition> All = [Resources, CopyDuration, RestoreTime];
}

/// <summary>Where a step's metrics go: embedded-metric-format log lines in Lambda, nowhere unless a host asks.</summary>
public interface IMetrics
{
    /// <summary>One value of a metric, with the values of the dimensions its sets name.</summary>
    void Record(MetricDefinition metric, double value, IReadOnlyDictionary<string, string> dimensions);
}

/// <summary>Records nothing: services built without a metrics sink.</summary>
public sealed class NoMetrics : IMetrics
{
    public static readonly NoMetrics Instance = new();

    public void Record(MetricDefinition metric, double value, IReadOnlyDictionary<string, string> dimensions)
    {
    }
}
