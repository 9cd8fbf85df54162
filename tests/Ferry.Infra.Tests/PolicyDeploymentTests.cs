using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using Ferry.Aws.Dynamo;

namespace Ferry.Infra.Tests;

[Collection(SynthCollection.Name)]
public sealed class PolicyDeploymentTests(SynthFixture synth)
{
    [Fact]
    public void OneSchedulePerScheduledPolicy_StartingPolicyRunWithItsId()
    {
        var machine = synth.Backup.Resources("AWS::StepFunctions::StateMachine")
            .Single(m => Templates.Render(m.Properties["StateMachineName"]) == "ferry-policy-run").Id;
        var schedules = synth.Backup.Resources("AWS::Scheduler::Schedule").ToDictionary(s => Templates.Render(s.Properties["Name"]), s => s.Properties);

        var scheduled = synth.Policies.Where(p => p.Policy.Schedule is not null).ToList();
        Assert.Equal(2, scheduled.Count);
        Assert.Equal(scheduled.Select(p => p.Policy.Id).Order(), schedules.Keys.Order());
        foreach (var (policy, _) in scheduled)
        {
            var schedule = schedules[policy.Id];
            Assert.Equal(policy.Schedule!.Expression, Templates.Render(schedule["ScheduleExpression"]));
            Assert.Equal(policy.Schedule.TimeZone, Templates.Render(schedule["ScheduleExpressionTimezone"]));
            Assert.Equal($"<{machine}>", Templates.Render(schedule["Target"]!["Arn"]));
            var input = JsonNode.Parse(Templates.Render(schedule["Target"]!["Input"]))!.AsObject();
            Assert.Equal(policy.Id, input["policyId"]!.GetValue<string>());
            Assert.Single(input);
        }
        Assert.Equal("UTC", Templates.Render(schedules["orders-db"]["ScheduleExpressionTimezone"]));
        synth.BackupTemplate.ResourceCountIs("AWS::Scheduler::Schedule", scheduled.Count);
        synth.BackupTemplate.HasResourceProperties("AWS::Scheduler::Schedule", Match.ObjectLike(new Dictionary<string, object>
        {
            ["Name"] = "prod-ec2-dr",
            ["Target"] = Match.ObjectLike(new Dictionary<string, object> { ["Input"] = "{\"policyId\":\"prod-ec2-dr\"}" }),
        }));
    }

    [Fact]
    public void SchedulerRole_MayOnlyStartPolicyRuns()
    {
        var roleId = Templates.Render(synth.Backup.Resources("AWS::Scheduler::Schedule").First().Properties["Target"]!["RoleArn"]).Trim('<', '>').Split('.')[0];
        var statement = Assert.Single(synth.Backup.StatementsOfRole(roleId));

        Assert.Equal(["states:StartExecution"], statement.Actions);
        Assert.Single(statement.Resources);
    }

    [Fact]
    public void EveryPolicy_IsWrittenToThePoliciesTable_AsDynamoPolicyStoreReadsIt()
    {
        var writes = synth.Backup.Resources("Custom::AWS")
            .Select(r => JsonNode.Parse(Templates.Render(r.Properties["Create"]))!)
            .ToDictionary(c => c["parameters"]!["Item"]!["policyId"]!["S"]!.GetValue<string>());

        Assert.Equal(synth.Policies.Select(p => p.Policy.Id).Order(), writes.Keys.Order());
        foreach (var (policy, document) in synth.Policies)
        {
            var call = writes[policy.Id];
            Assert.Equal("putItem", call["action"]!.GetValue<string>());
            Assert.StartsWith("<TablesPolicies", call["parameters"]!["TableName"]!.GetValue<string>(), StringComparison.Ordinal);
            var item = call["parameters"]!["Item"]!.AsObject();
            Assert.Equal(["document", "policyId", "updatedAt"], item.Select(a => a.Key).Order());
            Assert.Equal(document, item["document"]!["S"]!.GetValue<string>());
            Assert.True(DateTimeOffset.TryParse(item["updatedAt"]!["S"]!.GetValue<string>(), out _));
            Assert.Equal(policy.Id, Ferry.Core.Policies.PolicyParser.Parse(document).Id);
        }
    }

    [Fact]
    public void Tables_HaveTheKeysAndIndexesOfFerrysStores_WithRecoveryAndEncryption()
    {
        var tables = synth.Backup.Resources("AWS::DynamoDB::Table").ToDictionary(t => Templates.Render(t.Properties["TableName"]), t => t.Properties);

        Assert.Equal(["ferry-copy-slots", "ferry-policies", "ferry-restore-points", "ferry-sessions"], tables.Keys.Order());
        Assert.Equal("policyId/HASH", Keys(tables["ferry-policies"]));
        Assert.Equal("sessionId/HASH item/RANGE", Keys(tables["ferry-sessions"]));
        Assert.Equal("restorePointId/HASH", Keys(tables["ferry-restore-points"]));
        Assert.Equal("scope/HASH slot/RANGE", Keys(tables["ferry-copy-slots"]));
        Assert.Equal("byPolicy policyId/HASH startedAt/RANGE INCLUDE", Index(tables["ferry-sessions"]));
        Assert.Equal(DynamoTables.ByPolicyAttributes, tables["ferry-sessions"]["GlobalSecondaryIndexes"]![0]!["Projection"]!["NonKeyAttributes"]!.AsArray().Select(a => Templates.Render(a)));
        Assert.Equal("byResource policyResource/HASH createdAt/RANGE ALL", Index(tables["ferry-restore-points"]));
        foreach (var table in tables.Values)
        {
            Assert.Equal("PAY_PER_REQUEST", Templates.Render(table["BillingMode"]));
            Assert.True(table["PointInTimeRecoverySpecification"]!["PointInTimeRecoveryEnabled"]!.GetValue<bool>());
            Assert.True(table["SSESpecification"]!["SSEEnabled"]!.GetValue<bool>());
        }
    }

    private static string Keys(JsonNode owner) =>
        string.Join(' ', owner["KeySchema"]!.AsArray().Select(k => $"{Templates.Render(k!["AttributeName"])}/{Templates.Render(k["KeyType"])}"));

    private static string Index(JsonObject table)
    {
        var index = Assert.Single(table["GlobalSecondaryIndexes"]!.AsArray())!;
        return $"{Templates.Render(index["IndexName"])} {Keys(index)} {Templates.Render(index["Projection"]!["ProjectionType"])}";
    }
}
