using System.Text.Json.Nodes;
using Amazon.CDK;
using Ferry.Aws.Dynamo;
using Ferry.Core.Sessions;
using Ferry.Infra.Backup;

namespace Ferry.Infra.Tests;

/// <summary>The notification topic, the rule that sends it Warning and Failed sessions, and the state machines' right to put the event.</summary>
[Collection(SynthCollection.Name)]
public sealed class NotificationTests(SynthFixture synth) : IDisposable
{
    private const string Email = "ops@example.com";

    private readonly DirectoryInfo _outdir = Directory.CreateTempSubdirectory("ferry-cdk-notify-");

    public void Dispose() => _outdir.Delete(recursive: true);

    [Fact]
    public void Rule_OnTheDefaultBus_SendsWarningAndFailedSessionEvents_ToTheTopic_AsTheReadableMessage()
    {
        var (topicId, topic) = Assert.Single(synth.Backup.Resources("AWS::SNS::Topic"));
        Assert.Equal(Notifications.TopicName, Templates.Render(topic["TopicName"]));
        var rule = Assert.Single(synth.Backup.Resources("AWS::Events::Rule"), r => r.Properties["EventPattern"]?["source"] is not null).Properties;

        Assert.Null(rule["EventBusName"]);
        Assert.True(JsonNode.DeepEquals(SessionEvents.NotifyPattern(), rule["EventPattern"]), rule["EventPattern"]!.ToJsonString());
        var target = Assert.Single(rule["Targets"]!.AsArray())!;
        Assert.Equal($"<{topicId}>", Templates.Render(target["Arn"]));
        var transformer = target["InputTransformer"]!;
        var keyOf = transformer["InputPathsMap"]!.AsObject().ToDictionary(p => p.Value!.GetValue<string>(), p => p.Key);
        Assert.Equal(SessionEvents.MessagePaths.Values.Order(), keyOf.Keys.Order());
        var expected = SessionEvents.Message(DynamoTables.Default.Sessions, path => $"<{keyOf[path]}>");
        Assert.Equal(expected, JsonNode.Parse(transformer["InputTemplate"]!.GetValue<string>())!.GetValue<string>());
        // EventBridge may publish to the topic.
        var policy = Assert.Single(synth.Backup.Resources("AWS::SNS::TopicPolicy")).Properties;
        Assert.Contains(policy["PolicyDocument"]!["Statement"]!.AsArray(), s => s!["Principal"]?["Service"]?.GetValue<string>() == "events.amazonaws.com"
            && Templates.List(s["Action"]).Contains("sns:Publish"));
        Assert.Empty(synth.Backup.Resources("AWS::SNS::Subscription"));
    }

    [Fact]
    public void StateMachines_ThatCloseSessions_MayPutEventsOnlyOnTheDefaultBus()
    {
        var putting = synth.Backup.Statements().Where(s => s.Actions.Any(a => a.StartsWith("events:PutEvents", StringComparison.Ordinal))).ToList();

        Assert.Equal(2, putting.Count);
        Assert.All(putting, s => Assert.Equal(["events:PutEvents"], s.Actions));
        Assert.All(putting, s => Assert.Equal(["arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:event-bus/default"], s.Resources));
    }

    [Fact]
    public void NotifyEmail_InContext_SubscribesTheAddressToTheTopic()
    {
        var context = SynthFixture.Context(SynthFixture.PoliciesFile);
        context[FerrySettings.NotifyEmailKey] = Email;

        var backup = SynthFixture.TemplateOf(SynthFixture.Synthesize(context, _outdir.FullName), FerryApp.BackupStackName);

        var (topicId, _) = Assert.Single(backup.Resources("AWS::SNS::Topic"));
        var subscription = Assert.Single(backup.Resources("AWS::SNS::Subscription")).Properties;
        Assert.Equal(("email", Email, $"<{topicId}>"),
            (Templates.Render(subscription["Protocol"]), Templates.Render(subscription["Endpoint"]), Templates.Render(subscription["TopicArn"])));
    }

    [Theory]
    [InlineData("ops")]
    [InlineData("ops@example")]
    [InlineData("ops team@example.com")]
    public void NotifyEmail_NotAnAddress_FailsSynth_NamingTheSetting(string email)
    {
        var context = SynthFixture.Context(SynthFixture.PoliciesFile);
        context[FerrySettings.NotifyEmailKey] = email;

        var error = Assert.Throws<FerryConfigException>(() => FerryApp.Build(new App(new AppProps { Context = context })));

        Assert.StartsWith($"ferry:notifyEmail: '{email}' is not an e-mail address", error.Message, StringComparison.Ordinal);
    }
}
