using System.Text.Json.Nodes;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.Events.Targets;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SNS.Subscriptions;
using Constructs;
using Ferry.Core.Sessions;

namespace Ferry.Infra.Backup;

/// <summary>
/// What reaches people: the SNS topic, and the rule on the default bus that sends it every Warning or Failed session's
/// event (<see cref="SessionEvents"/>) as a readable message; with an e-mail address in context, that address subscribes.
/// </summary>
public sealed class Notifications : Construct
{
    public const string TopicName = "ferry-notifications";

    public Notifications(Construct scope, string id, string sessionsTable, string? email)
        : base(scope, id)
    {
        Topic = new Topic(this, "Topic", new TopicProps
        {
            TopicName = TopicName,
            DisplayName = "Ferry",
            EnforceSSL = true,
        });
        var pattern = SessionEvents.NotifyPattern();
        Rule = new Rule(this, "WarningsAndFailures", new RuleProps
        {
            RuleName = "ferry-session-notifications",
            Description = "Ferry sessions that ended Warning or Failed, as a message on the ferry-notifications topic",
            EventPattern = new EventPattern
            {
                Source = Strings(pattern["source"]),
                DetailType = Strings(pattern["detail-type"]),
                Detail = Values(pattern["detail"]!.AsObject()),
            },
            Targets = [new SnsTopic(Topic, new SnsTopicProps { Message = RuleTargetInput.FromText(Message(sessionsTable)) })],
        });
        if (email is not null)
            Topic.AddSubscription(new EmailSubscription(email));
    }

    public Topic Topic { get; }

    public Rule Rule { get; }

    /// <summary>The message with CDK's field of each path, from which CDK writes the rule's input transformer.</summary>
    private static string Message(string sessionsTable) => SessionEvents.Message(sessionsTable, EventField.FromPath);

    private static string[] Strings(JsonNode? values) => [.. values!.AsArray().Select(v => v!.GetValue<string>())];

    private static Dictionary<string, object> Values(JsonObject pattern) =>
        pattern.ToDictionary(p => p.Key, p => p.Value is JsonObject nested ? (object)Values(nested) : Strings(p.Value), StringComparer.Ordinal);
}
