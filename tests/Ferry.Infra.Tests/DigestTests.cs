using System.Text.Json.Nodes;
using Amazon.CDK;
using Ferry.Core.Metrics;
using Ferry.Core.Runs;
using Ferry.Infra.Backup;

namespace Ferry.Infra.Tests;

/// <summary>The daily digest's schedule and machine, the notification topic and the metrics dashboard in the backup stack.</summary>
[Collection(SynthCollection.Name)]
public sealed class DigestTests(SynthFixture synth)
{
    [Fact]
    public void DigestSchedule_IsADailyRule_StartingOnlyTheDigestMachine_WithTheDeployedPolicies()
    {
        var (_, rule) = Assert.Single(DigestRules(synth.Backup));
        var machine = synth.Backup.Resources("AWS::StepFunctions::StateMachine")
            .Single(m => Templates.Render(m.Properties["StateMachineName"]) == FlowMachines.MachineName(Flows.Digest)).Id;

        Assert.Equal((DigestSchedule.RuleName, "cron(0 7 * * ? *)", "ENABLED"),
            (Templates.Render(rule["Name"]), Templates.Render(rule["ScheduleExpression"]), Templates.Render(rule["State"])));
        var target = Assert.Single(rule["Targets"]!.AsArray())!;
        Assert.Equal($"<{machine}>", Templates.Render(target["Arn"]));
        var input = JsonNode.Parse(Templates.Render(target["Input"]))!;
        Assert.Equal(synth.Policies.Select(p => p.Policy.Id), input["policyIds"]!.AsArray().Select(i => i!.GetValue<string>()));
        var statements = synth.Backup.StatementsOfRole(target["RoleArn"]!["Fn::GetAtt"]![0]!.GetValue<string>());
        var start = Assert.Single(statements);
        Assert.Equal(["states:StartExecution"], start.Actions);
        Assert.Equal([$"<{machine}>"], start.Resources);
    }

    [Fact]
    public void DigestSchedule_FromContext_IsUsed_AndAnInvalidOneFailsSynthNamingTheSetting()
    {
        var context = SynthFixture.Context(SynthFixture.PoliciesFile);
        context[FerrySettings.DigestScheduleKey] = "cron(30 6 ? * MON-FRI *)";
        var outdir = Directory.CreateTempSubdirectory("ferry-cdk-digest-");
        try
        {
            var backup = SynthFixture.TemplateOf(SynthFixture.Synthesize(context, outdir.FullName), FerryApp.BackupStackName);
            Assert.Equal("cron(30 6 ? * MON-FRI *)", Templates.Render(Assert.Single(DigestRules(backup)).Properties["ScheduleExpression"]));
        }
        finally
        {
            outdir.Delete(recursive: true);
        }

        context[FerrySettings.DigestScheduleKey] = "cron(0 7 * * *)";
        var error = Assert.Throws<FerryConfigException>(() => FerryApp.Build(new App(new AppProps { Context = context })));
        Assert.StartsWith($"{FerrySettings.DigestScheduleKey}: cron needs 6 fields", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DigestMachine_PublishesToTheNotificationTopic_AndItsStepOnlyReadsTables()
    {
        var (topic, properties) = Assert.Single(synth.Backup.Resources("AWS::SNS::Topic"));
        var machine = synth.Backup.Resources("AWS::StepFunctions::StateMachine")
            .Single(m => Templates.Render(m.Properties["StateMachineName"]) == FlowMachines.MachineName(Flows.Digest)).Properties;

        Assert.Equal(Notifications.TopicName, Templates.Render(properties["TopicName"]));
        Assert.Equal($"<{topic}>", Templates.Render(machine["DefinitionSubstitutions"]![BackupStack.NotificationsTopicPlaceholder]));
        var digest = synth.Backup.Resources("AWS::Lambda::Function").Single(f => f.Properties["FunctionName"] is { } name && Templates.Render(name) == "ferry-Digest").Properties;
        var actions = synth.Backup.StatementsOfRole(digest["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>()).SelectMany(s => s.Actions).Where(a => a.StartsWith("dynamodb:", StringComparison.Ordinal));
        Assert.Equal(["dynamodb:GetItem", "dynamodb:Query"], actions.Distinct().Order());
    }

    [Fact]
    public void Dashboard_GraphsEveryFerryMetric_InTheFerryNamespace_ResourcesByEachOutcome()
    {
        var (_, dashboard) = Assert.Single(synth.Backup.Resources("AWS::CloudWatch::Dashboard"));
        var body = Templates.Render(dashboard["DashboardBody"]);

        Assert.Equal(FerryDashboard.DashboardName, Templates.Render(dashboard["DashboardName"]));
        var metrics = JsonNode.Parse(body)!["widgets"]!.AsArray().SelectMany(w => w!["properties"]!["metrics"]!.AsArray()).Select(m => m!.AsArray()).ToList();
        Assert.All(metrics, m => Assert.Equal(FerryMetrics.Namespace, m[0]!.GetValue<string>()));
        Assert.Equal(FerryMetrics.All.Select(m => m.Name).Order(), metrics.Select(m => m[1]!.GetValue<string>()).Distinct().Order());
        Assert.Equal(["Canceled", "Failed", "Success", "Warning"],
            metrics.Where(m => m[1]!.GetValue<string>() == FerryMetrics.Resources.Name).Select(m => m[3]!.GetValue<string>()).Order());
    }

    /// <summary>The digest's rule among the stack's rules (the notifications have their own).</summary>
    private static IEnumerable<(string Id, JsonObject Properties)> DigestRules(JsonObject template) =>
        template.Resources("AWS::Events::Rule").Where(r => r.Properties["Name"] is { } name && Templates.Render(name) == DigestSchedule.RuleName);
}
