using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Scheduler;
using Amazon.CDK.AWS.StepFunctions;
using Amazon.CDK.CustomResources;
using Constructs;
using static Ferry.Infra.Iam;

namespace Ferry.Infra.Backup;

/// <summary>
/// The deployed policies: each written to the policies table (as DynamoPolicyStore writes it: policyId, document,
/// updatedAt) and, when it has a schedule, started by an EventBridge Scheduler schedule with <c>{"policyId": ...}</c>.
/// </summary>
public sealed class PolicySchedules : Construct
{
    public const string GroupName = "ferry";

    public PolicySchedules(Construct scope, string id, IReadOnlyList<DeployedPolicy> policies, Table table, StateMachine policyRun)
        : base(scope, id)
    {
        var stack = Stack.Of(this);
        var group = new CfnScheduleGroup(this, "Group", new CfnScheduleGroupProps { Name = GroupName });
        var role = new Role(this, "SchedulerRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("scheduler.amazonaws.com").WithConditions(When("StringEquals", "aws:SourceAccount", stack.Account)),
            Description = "Ferry's schedules: start policy runs",
        });
        role.AddToPolicy(Allow(["states:StartExecution"], [policyRun.StateMachineArn]));
        // Written at synth: the item says when this deployment's policies were last put.
        var updatedAt = DateTimeOffset.UtcNow.ToString("O");

        foreach (var (policy, document) in policies)
        {
            var key = new Dictionary<string, object> { ["policyId"] = new Dictionary<string, object> { ["S"] = policy.Id } };
            var put = new AwsSdkCall
            {
                Service = "DynamoDB",
                Action = "putItem",
                Parameters = new Dictionary<string, object>
                {
                    ["TableName"] = table.TableName,
                    ["Item"] = new Dictionary<string, object>(key)
                    {
                        ["document"] = new Dictionary<string, object> { ["S"] = document },
                        ["updatedAt"] = new Dictionary<string, object> { ["S"] = updatedAt },
                    },
                },
                PhysicalResourceId = PhysicalResourceId.Of($"ferry-policy-{policy.Id}"),
            };
            new AwsCustomResource(this, $"Policy-{policy.Id}", new AwsCustomResourceProps
            {
                OnCreate = put,
                OnUpdate = put,
                // A policy removed from the file is removed from the table too.
                OnDelete = new AwsSdkCall
                {
                    Service = "DynamoDB",
                    Action = "deleteItem",
                    Parameters = new Dictionary<string, object> { ["TableName"] = table.TableName, ["Key"] = key },
                },
                Policy = AwsCustomResourcePolicy.FromStatements([Allow(["dynamodb:PutItem", "dynamodb:DeleteItem"], [table.TableArn])]),
                InstallLatestAwsSdk = false,
            });

            if (policy.Schedule is not { } schedule)
                continue;
            var run = new CfnSchedule(this, $"Schedule-{policy.Id}", new CfnScheduleProps
            {
                Name = policy.Id,
                GroupName = GroupName,
                Description = $"Ferry policy {policy.Id} ({policy.Name})",
                ScheduleExpression = schedule.Expression,
                ScheduleExpressionTimezone = schedule.TimeZone,
                FlexibleTimeWindow = new CfnSchedule.FlexibleTimeWindowProperty { Mode = "OFF" },
                State = "ENABLED",
                Target = new CfnSchedule.TargetProperty
                {
                    Arn = policyRun.StateMachineArn,
                    RoleArn = role.RoleArn,
                    Input = JsonSerializer.Serialize(new Dictionary<string, string> { ["policyId"] = policy.Id }),
                },
            });
            run.AddDependency(group);
        }
    }
}
