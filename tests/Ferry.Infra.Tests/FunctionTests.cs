using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using Ferry.Aws.Dynamo;
using Ferry.Core.Planning;
using Ferry.Core.Settings;
using Ferry.Functions;

namespace Ferry.Infra.Tests;

[Collection(SynthCollection.Name)]
public sealed class FunctionTests(SynthFixture synth)
{
    private const string TablesPrefix = "Tables";

    private static readonly string[] Environment =
        [FerryVariables.CopySlotsTable, FerryVariables.ExternalId, FerryVariables.PoliciesTable, FerryVariables.RestorePointsTable, FerryVariables.SessionsTable];

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
            Assert.Equal(SynthFixture.ExternalId, Templates.Render(variables[FerryVariables.ExternalId]));
            Assert.All(TableSchemas.All, t => Assert.Equal($"<Tables{t.Table}", Templates.Render(variables[t.NameVariable])[..(t.Table.ToString().Length + 7)]));
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
    public void FunctionRoles_TrustLambda_AndAllowOnlyTheRolesAndTablesTheirStepDeclares()
    {
        var tables = synth.Backup.Resources("AWS::DynamoDB::Table").ToDictionary(t => t.Id, t => Enum.Parse<FerryTable>(t.Id[TablesPrefix.Length..^8]));
        foreach (var (_, properties) in StepFunctions())
        {
            var step = StepCatalog.Find(Templates.Render(properties["FunctionName"])["ferry-".Length..])!;
            var roleId = properties["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>();
            var trust = synth.Backup["Resources"]![roleId]!["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]!.AsArray().Single()!;
            Assert.Equal("lambda.amazonaws.com", Templates.Render(trust["Principal"]!["Service"]));

            var statements = synth.Backup.StatementsOfRole(roleId);
            var assumable = statements.Where(s => s.Actions.Contains("sts:AssumeRole")).SelectMany(s => s.Resources).Order();
            Assert.Equal(step.Assumes.Select(k => $"arn:<AWS::Partition>:iam::*:role/{RoleNames.Default.Of(k)}").Order(), assumable);
            foreach (var operation in TableOperations)
            {
                Assert.Equal(Enum.GetValues<FerryTable>().Where(t => step.OperationsOn(t).Contains(operation)).Order(),
                    TablesAllowed(statements, $"dynamodb:{operation}", tables));
            }
            Assert.All(statements.SelectMany(s => s.Actions), a => Assert.True(a.StartsWith("dynamodb:", StringComparison.Ordinal) || a.StartsWith("logs:", StringComparison.Ordinal) || a == "sts:AssumeRole", a));
            Assert.DoesNotContain(statements, s => s.Actions.Contains("sts:AssumeRole") && step.Assumes.Count == 0);
        }
    }

    [Fact]
    public void FunctionRoles_NoneMayScan_AndOnlyTheStepsThatDeleteItemsMayDeleteItem()
    {
        var deleting = new List<string>();
        foreach (var (_, properties) in StepFunctions())
        {
            var actions = synth.Backup.StatementsOfRole(properties["Role"]!["Fn::GetAtt"]![0]!.GetValue<string>()).SelectMany(s => s.Actions).ToList();
            Assert.DoesNotContain("dynamodb:Scan", actions);
            if (actions.Contains("dynamodb:DeleteItem"))
                deleting.Add(Templates.Render(properties["FunctionName"]));
        }

        // Run locks (OpenSession takes over an abandoned one, CloseSession releases its own) and expired restore points.
        Assert.Equal(["ferry-ApplyRetention", "ferry-CloseSession", "ferry-OpenSession"], deleting.Order());
    }

    [Fact]
    public void Catalog_OpenSessionAssumesNoRole_RestoreOnlyTheRestoreRole_EveryStepWritesItsSessionLog_ButTheDigestOnlyReads()
    {
        Assert.Empty(StepCatalog.Find("OpenSession")!.Assumes);
        Assert.Equal([RoleKind.Restore], StepCatalog.Find("Restore")!.Assumes);
        Assert.All(StepCatalog.All.Where(s => s.Name != StepCatalog.Digest), s => Assert.Contains(FerryTable.Sessions, s.Writes));
        var digest = StepCatalog.Find(StepCatalog.Digest)!;
        Assert.Empty(digest.Assumes);
        Assert.Empty(digest.Writes);
        Assert.Equal([FerryTable.Policies, FerryTable.Sessions, FerryTable.RestorePoints], digest.Reads);
        Assert.Equal(StepCatalog.All.Count, StepCatalog.All.Select(s => s.Name).Distinct().Count());
    }

    /// <summary>Every DynamoDB item operation of Ferry's stores, and Scan, which none of them uses.</summary>
    private static readonly string[] TableOperations =
        [.. StepDefinition.ReadOperations, .. StepDefinition.WriteOperations, .. StepDefinition.DeleteOperations, "Scan"];

    /// <summary>The tables an action is allowed on, from the "Tables&lt;Table&gt;…" logical ids its resources name.</summary>
    private static IEnumerable<FerryTable> TablesAllowed(IEnumerable<Statement> statements, string action, Dictionary<string, FerryTable> tables) =>
        statements.Where(s => s.Actions.Contains(action)).SelectMany(s => s.Resources)
            .Select(r => tables.Single(t => r.StartsWith($"<{t.Key}", StringComparison.Ordinal)).Value).Distinct().Order();

    private IEnumerable<(string Id, JsonObject Properties)> StepFunctions() =>
        synth.Backup.Resources("AWS::Lambda::Function").Where(f => f.Properties["Runtime"] is JsonValue runtime && runtime.GetValue<string>() == "dotnet10");
}
