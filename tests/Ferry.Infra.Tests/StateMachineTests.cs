using System.Text.Json.Nodes;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using Ferry.Infra.Backup;

namespace Ferry.Infra.Tests;

[Collection(SynthCollection.Name)]
public sealed class StateMachineTests(SynthFixture synth)
{
    private static readonly string Directory = Path.Combine(FindRoot(), "statemachines");

    [Fact]
    public void EveryDefinitionFile_IsDeployed_WithItsFlowName()
    {
        var names = Machines().Select(m => Templates.Render(m.Properties["StateMachineName"])).Order();

        Assert.Equal(FlowDefinition.LoadAll(Directory).Select(d => $"ferry-{d.Name}").Order(), names);
        Assert.Contains($"ferry-{Flows.PolicyRun}", names);
        Assert.Equal(FlowDefinition.LoadAll(Directory).Count, names.Count());
    }

    [Fact]
    public void Definitions_AreTheFilesAsWritten_WithEveryPlaceholderSubstituted()
    {
        var placeholders = PlaceholdersByResource();
        foreach (var (_, properties) in Machines())
        {
            var name = Templates.Render(properties["StateMachineName"])["ferry-".Length..];
            var file = File.ReadAllText(Path.Combine(Directory, $"{name}.asl.json"));
            Assert.Null(properties["DefinitionString"]);
            Assert.Equal(file, File.ReadAllText(synth.AssetPath(properties["DefinitionS3Location"]!["Key"]!.GetValue<string>())));

            var substitutions = properties["DefinitionSubstitutions"]!.AsObject();
            var resolved = substitutions.Aggregate(file, (text, s) => text.Replace($"${{{s.Key}}}", Templates.Render(s.Value), StringComparison.Ordinal));
            Assert.DoesNotContain("${", resolved, StringComparison.Ordinal);
            // Each value is the ARN of the function or machine its placeholder names.
            Assert.All(substitutions, s => Assert.Equal($"${{{s.Key}}}", placeholders[Templates.Render(s.Value)]));
        }
    }

    [Fact]
    public void EveryMachine_LogsAndTraces()
    {
        foreach (var (_, properties) in Machines())
        {
            Assert.Equal("ALL", Templates.Render(properties["LoggingConfiguration"]!["Level"]));
            Assert.True(properties["TracingConfiguration"]!["Enabled"]!.GetValue<bool>());
        }
    }

    [Fact]
    public void EveryRole_AllowsExactlyWhatItsDefinitionInvokes()
    {
        var definitions = FlowDefinition.LoadAll(Directory).ToDictionary(d => d.Name);
        var functions = synth.Backup.Resources("AWS::Lambda::Function")
            .Where(f => f.Properties["FunctionName"] is not null)
            .ToDictionary(f => Templates.Render(f.Properties["FunctionName"])["ferry-".Length..], f => f.Id);
        foreach (var (id, properties) in Machines())
        {
            var definition = definitions[Templates.Render(properties["StateMachineName"])["ferry-".Length..]];
            var statements = synth.Backup.StatementsOfRole(properties["RoleArn"]!["Fn::GetAtt"]![0]!.GetValue<string>());

            var invoked = statements.Where(s => s.Actions.Contains("lambda:InvokeFunction")).SelectMany(s => s.Resources).Order();
            Assert.Equal(definition.Steps.SelectMany(s => new[] { $"<{functions[s]}.Arn>", $"<{functions[s]}.Arn>:*" }).Order(), invoked);

            var started = statements.Where(s => s.Actions.Contains("states:StartExecution")).SelectMany(s => s.Resources).ToList();
            var events = statements.Where(s => s.Actions.Contains("events:PutRule")).SelectMany(s => s.Resources).ToList();
            if (definition.Name == Flows.PolicyRun)
            {
                // Each child machine the definition names, and itself (its Distributed Map runs child workflows).
                Assert.Equal(definitions.Values.Count(d => definition.Placeholders.Contains(d.ArnPlaceholder)) + 1, started.Count);
                Assert.Contains("arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:ferry-policy-run", started);
                Assert.Contains(statements, s => s.Actions.Contains("states:DescribeExecution")
                    && s.Resources.Contains("arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:ferry-replica:*"));
                Assert.Equal(["arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"], events);
            }
            else
            {
                Assert.Empty(started);
                Assert.Empty(events);
            }
            // Only the digest publishes, and only to the notification topic.
            var published = statements.Where(s => s.Actions.Contains("sns:Publish")).SelectMany(s => s.Resources).ToList();
            var topic = Assert.Single(synth.Backup.Resources("AWS::SNS::Topic")).Id;
            Assert.Equal(definition.Name == Flows.Digest ? [$"<{topic}>"] : [], published);
        }
    }

    [Fact]
    public void OneAlarm_WatchesFailedExecutionsOfEveryMachine()
    {
        var alarm = Assert.Single(synth.Backup.Resources("AWS::CloudWatch::Alarm")).Properties;
        var metrics = alarm["Metrics"]!.AsArray().Where(m => m!["MetricStat"] is not null).Select(m => m!["MetricStat"]!["Metric"]!).ToList();

        Assert.Equal(FlowDefinition.LoadAll(Directory).Count, metrics.Count);
        Assert.All(metrics, m => Assert.Equal("ExecutionsFailed", Templates.Render(m["MetricName"])));
        Assert.Equal(1, alarm["Threshold"]!.GetValue<int>());
    }

    [Fact]
    public void APlaceholderNamingNothing_StopsSynth()
    {
        var definition = new FlowDefinition("broken", "broken.asl.json", """{"Resource": "${NoSuchFunctionArn}"}""", ["NoSuchFunctionArn"], false, false);

        var error = Assert.Throws<FerryConfigException>(() => definition.Substitutions(new Dictionary<string, string>()));
        Assert.Contains("${NoSuchFunctionArn}", error.Message, StringComparison.Ordinal);
    }

    private IEnumerable<(string Id, JsonObject Properties)> Machines() => synth.Backup.Resources("AWS::StepFunctions::StateMachine");

    /// <summary>What each deployed value was in the file: a function's ARN its step's placeholder, a machine's its flow's, a session event fact its own.</summary>
    private Dictionary<string, string> PlaceholdersByResource()
    {
        var map = SessionEvents.Placeholders.ToDictionary(p => p.Value, p => $"${{{p.Key}}}", StringComparer.Ordinal);
        foreach (var (id, properties) in synth.Backup.Resources("AWS::Lambda::Function").Where(f => f.Properties["FunctionName"] is not null))
            map[$"<{id}.Arn>"] = $"${{{Templates.Render(properties["FunctionName"])["ferry-".Length..]}FunctionArn}}";
        foreach (var (id, properties) in Machines())
        {
            var flow = new FlowDefinition(Templates.Render(properties["StateMachineName"])["ferry-".Length..], "", "", [], false, false);
            map[$"<{id}>"] = $"${{{flow.ArnPlaceholder}}}";
            map[$"<{id}.Arn>"] = $"${{{flow.ArnPlaceholder}}}";
        }
        foreach (var (id, _) in synth.Backup.Resources("AWS::SNS::Topic"))
            map[$"<{id}>"] = $"${{{BackupStack.NotificationsTopicPlaceholder}}}";
        return map;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "cdk.json")))
                return dir.FullName;
        }
        throw new InvalidOperationException("no cdk.json above the test's folder");
    }
}
