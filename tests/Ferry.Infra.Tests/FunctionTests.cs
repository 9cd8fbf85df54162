using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using Ferry.Functions;

namespace Ferry.Infra.Tests;

[Collection(SynthCollection.Name)]
public sealed class FunctionTests(SynthFixture synth)
{
    private static readonly string[] Environment =
        ["FERRY_COPY_SLOTS_TABLE", "FERRY_EXTERNAL_ID", "FERRY_POLICIES_TABLE", "FERRY_RESTORE_POINTS_TABLE", "FERRY_SESSIONS_TABLE"];

    [Fact]
    public void OneFunctionPerStep_WithItsHandler_OnDotnet10()
    {
        var functions = StepFunctions().Select(f => (Templates.Render(f.Properties["FunctionName"]), Templates.Render(f.Properties["Handler"])));

        Assert.Equal(
            StepCatalog.All.Select(s => ($"ferry-{s.Name}", s.Handler)).Order(),
            functions.Order());
        foreach (var step in StepCatalog.All)
        {
            synth.BackupTemplate.HasResourceProperties("AWS::Lambda::Function", new Dictionary<string, object>
            {
                ["FunctionName"] = $"ferry-{step.Name}",
                ["Handler"] = step.Handler,
                ["Runtime"] = "dotnet10",
            });
        }
        synth.BackupTemplate.HasResourceProperties("AWS::Lambda::Function", Match.ObjectLike(new Dictionary<string, object>
        {
            ["Handler"] = "Ferry.Functions::Ferry.Functions.Steps.TakeSnapshotFunction::HandleAsync",
        }));
    }

    [Fact]
    public void EveryFunction_GetsTheEnvironmentLambdaServicesReads()
    {
        foreach (var (_, properties) in StepFunctions())
        {
            var variables = properties["Environment"]!["Variables"]!.AsObject();
            Assert.Equal(Environment, variables.Select(v => v.Key).Order());
            Assert.Equal(SynthFixture.ExternalId, Templates.Render(variables["FERRY_EXTERNAL_ID"]));
            Assert.Equal("<TablesPolicies", Templates.Render(variables["FERRY_POLICIES_TABLE"])[..15]);
        }
    }

    [Fact]
    public void FunctionTimeouts_EndBeforeTheirTasks()
    {
        var timeouts = StepFunctions().ToDictionary(f => Templates.Render(f.Properties["FunctionName"]), f => f.Properties["Timeout"]!.GetValue<int>());

        Assert.Equal(110, timeouts["ferry-OpenSession"]);
        Assert.Equal(290, timeouts["ferry-Discover"]);
    }

    [Fact]
    public void FunctionRoles_TrustLambda_AndAssumeOnlyTheFerryRolesOfTheirStep()
    {
        foreach (var (_, properties) in StepFunctions())
        {
            var step = Templates.Render(properties["FunctionName"])["ferry-".Length..];
            var roleId = properties["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>();
            var trust = synth.Backup["Resources"]![roleId]!["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]!.AsArray().Single()!;
            Assert.Equal("lambda.amazonaws.com", Templates.Render(trust["Principal"]!["Service"]));

            var statements = synth.Backup.StatementsOfRole(roleId);
            var assumable = statements.Where(s => s.Actions.Contains("sts:AssumeRole")).SelectMany(s => s.Resources).Order();
            var expected = StepRoles.Of(step).Select(k => $"arn:<AWS::Partition>:iam::*:role/{RoleNames.Default.Of(k)}").Order();
            Assert.Equal(expected, assumable);
            Assert.All(statements.SelectMany(s => s.Actions), a => Assert.True(a.StartsWith("dynamodb:", StringComparison.Ordinal) || a.StartsWith("logs:", StringComparison.Ordinal) || a == "sts:AssumeRole", a));
        }
    }

    [Fact]
    public void EveryStep_SaysWhichRolesItAssumes()
    {
        Assert.All(StepCatalog.All, s => StepRoles.Of(s.Name));
        Assert.Empty(StepRoles.Of("OpenSession"));
        Assert.Equal([RoleKind.Restore], StepRoles.Of("Restore"));
    }

    private IEnumerable<(string Id, JsonObject Properties)> StepFunctions() =>
        synth.Backup.Resources("AWS::Lambda::Function").Where(f => f.Properties["Runtime"] is JsonValue runtime && runtime.GetValue<string>() == "dotnet10");
}
