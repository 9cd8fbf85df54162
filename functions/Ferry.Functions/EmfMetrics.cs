using System.Text.Json;
using Ferry.Core.Metrics;
using Ferry.Core.Ports;

namespace Ferry.Functions;

/// <summary>
/// Publishes a metric as one log line in CloudWatch's embedded metric format: an <c>_aws</c> member naming the
/// namespace, the metric's unit and dimension sets, then the dimension values and the value as top-level members.
/// CloudWatch extracts the metric from the log event, so no SDK call and no extra permission is needed.
/// </summary>
public sealed class EmfMetrics(StepLog log, IClock clock) : IMetrics
{
    public void Record(MetricDefinition metric, double value, IReadOnlyDictionary<string, string> dimensions)
    {
        var sets = metric.Dimensions.Where(set => set.All(dimensions.ContainsKey)).ToList();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("_aws");
            json.WriteNumber("Timestamp", clock.UtcNow.ToUnixTimeMilliseconds());
            json.WriteStartArray("CloudWatchMetrics");
            json.WriteStartObject();
            json.WriteString("Namespace", FerryMetrics.Namespace);
            json.WriteStartArray("Dimensions");
            foreach (var set in sets)
            {
                json.WriteStartArray();
                foreach (var name in set)
                    json.WriteStringValue(name);
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteStartArray("Metrics");
            json.WriteStartObject();
            json.WriteString("Name", metric.Name);
            json.WriteString("Unit", metric.Unit);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            foreach (var name in sets.SelectMany(set => set).Distinct(StringComparer.Ordinal))
                json.WriteString(name, dimensions[name]);
            json.WriteNumber(metric.Name, value);
            var ids = StepLog.Ids();
            if (ids.RequestId is not null)
                json.WriteString("requestId", ids.RequestId);
            if (ids.TraceId is not null)
                json.WriteString("traceId", ids.TraceId);
            json.WriteEndObject();
        }
        log.WriteRaw(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
