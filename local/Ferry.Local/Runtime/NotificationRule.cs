using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ferry.Core.Sessions;

namespace Ferry.Local.Runtime;

/// <summary>A message the notification topic would have delivered, for the event that caused it.</summary>
public sealed record Notification(JsonObject Event, string Message);

/// <summary>
/// The CDK stack's notification rule, applied locally to the events an execution put: its pattern
/// (<see cref="SessionEvents.NotifyPattern"/>) selects the events, and its input transformer
/// (<see cref="SessionEvents.MessagePaths"/>, <see cref="SessionEvents.Message"/>) turns each into the text
/// the SNS topic sends people. Events are what EventBridge delivers: the put entry in EventBridge's envelope, in
/// the local runner's account and region.
/// </summary>
public sealed partial class NotificationRule(string sessionsTable)
{
    public const string Account = "000000000000";
    public const string Region = "us-east-1";

    private readonly JsonObject _pattern = SessionEvents.NotifyPattern();

    /// <summary>The events the execution (and its children) put, as EventBridge delivers them to rules.</summary>
    public static IReadOnlyList<JsonObject> EventsOf(Execution execution) =>
        [.. execution.Events.Select((entry, i) => new JsonObject
        {
            ["version"] = "0",
            ["id"] = $"{execution.Machine}-{i}",
            ["detail-type"] = entry["DetailType"]?.DeepClone(),
            ["source"] = entry["Source"]?.DeepClone(),
            ["account"] = Account,
            ["time"] = (entry["Detail"]?["endedAt"]?.GetValue<string>() is { } ended
                ? DateTimeOffset.Parse(ended, CultureInfo.InvariantCulture) : DateTimeOffset.UnixEpoch).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["region"] = Region,
            ["resources"] = entry["Resources"]?.DeepClone() ?? new JsonArray(),
            ["detail"] = entry["Detail"] is JsonValue text ? JsonNode.Parse(text.GetValue<string>()) : entry["Detail"]?.DeepClone(),
        })];

    /// <summary>The messages the rule would have sent for the execution's events, in order.</summary>
    public IReadOnlyList<Notification> NotificationsOf(Execution execution) =>
        [.. EventsOf(execution).Where(e => Matches(e)).Select(e => new Notification(e, MessageOf(e)))];

    /// <summary>EventBridge's matching for the pattern's forms used here: a field's value is one of the listed values; objects nest.</summary>
    public bool Matches(JsonObject @event) => Matches(_pattern, @event);

    /// <summary>A path that leads nowhere gives an empty text, as the input transformer's does.</summary>
    public string MessageOf(JsonObject @event) =>
        SessionEvents.Message(sessionsTable, path => Resolve(@event, path) is JsonValue value ? value.ToString() : "");

    private static bool Matches(JsonObject pattern, JsonNode? node) =>
        pattern.All(field => field.Value switch
        {
            JsonArray allowed => node?[field.Key] is JsonValue value && allowed.Any(a => JsonNode.DeepEquals(a, value)),
            JsonObject nested => Matches(nested, node?[field.Key]),
            _ => false,
        });

    /// <summary>The input transformer's paths: $.a.b and $.a[0].</summary>
    private static JsonNode? Resolve(JsonNode root, string path)
    {
        JsonNode? node = root;
        foreach (Match step in PathStep().Matches(path[1..]))
        {
            node = step.Groups["name"].Success ? node?[step.Groups["name"].Value]
                : node is JsonArray array && int.Parse(step.Groups["index"].Value, CultureInfo.InvariantCulture) is var i && i < array.Count ? array[i] : null;
        }
        return node;
    }

    [GeneratedRegex(@"\.(?<name>[A-Za-z0-9_-]+)|\[(?<index>[0-9]+)\]")]
    private static partial Regex PathStep();
}
