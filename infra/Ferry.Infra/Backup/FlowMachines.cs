using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using ITopic = Amazon.CDK.AWS.SNS.ITopic;
using Amazon.CDK.AWS.StepFunctions;
using Constructs;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using static Ferry.Infra.Iam;

namespace Ferry.Infra.Backup;

/// <summary>
/// The state machines of statemachines/*.asl.json, loaded from their files with DefinitionSubstitutions giving the
/// step functions' and the child machines' ARNs and the session event's facts. Each has its own role allowing exactly what its definition calls, logging and tracing on;
/// one alarm fires on any failed execution.
/// </summary>
public sealed class FlowMachines : Construct
{
    private readonly Dictionary<string, StateMachine> _machines = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, ITopic> _topics;

    /// <param name="topics">The SNS topics definitions publish to, by their placeholder (e.g. NotificationsTopicArn).</param>
    public FlowMachines(Construct scope, string id, IReadOnlyList<FlowDefinition> definitions, StepLambdas lambdas, IReadOnlyDictionary<string, ITopic> topics)
        : base(scope, id)
    {
        _topics = topics;
        // Children first: policy-run's placeholders name the replica machines' ARNs.
        var pending = definitions.ToList();
        while (pending.Count > 0)
        {
            var ready = pending.Where(d => Children(d, definitions).All(c => _machines.ContainsKey(c.Name))).ToList();
            if (ready.Count == 0)
                throw new FerryConfigException($"state machines {string.Join(", ", pending.Select(d => d.Name))} start each other in a cycle");
            foreach (var definition in ready)
            {
                _machines[definition.Name] = Create(definition, Children(definition, definitions), lambdas);
                pending.Remove(definition);
            }
        }

        FailedExecutions = new MathExpression(new MathExpressionProps
        {
            Expression = "SUM(METRICS())",
            UsingMetrics = _machines.Values.Select((m, i) => (Id: $"m{i}", Metric: (IMetric)m.MetricFailed()))
                .ToDictionary(p => p.Id, p => p.Metric),
            Period = Duration.Minutes(5),
            Label = "Failed Ferry executions",
        }).CreateAlarm(this, "FailedExecutions", new CreateAlarmOptions
        {
            AlarmName = "ferry-failed-executions",
            AlarmDescription = "A Ferry state machine execution failed: see its execution history and the session in ferry-sessions.",
            Threshold = 1,
            EvaluationPeriods = 1,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
    }

    public IReadOnlyDictionary<string, StateMachine> ByName => _machines;

    public StateMachine PolicyRun => _machines[Flows.PolicyRun];

    public Alarm FailedExecutions { get; }

    /// <summary>A state machine's fixed name, so its own role can name it (Distributed Map) without a reference cycle.</summary>
    public static string MachineName(string flow) => Flows.MachineName(flow);

    private static List<FlowDefinition> Children(FlowDefinition definition, IReadOnlyList<FlowDefinition> all) =>
        [.. all.Where(d => d != definition && definition.Placeholders.Contains(d.ArnPlaceholder))];

    private StateMachine Create(FlowDefinition definition, List<FlowDefinition> children, StepLambdas lambdas)
    {
        var stack = Stack.Of(this);
        var values = new Dictionary<string, string>(SessionEvents.Placeholders, StringComparer.Ordinal);
        foreach (var step in definition.Steps.Where(lambdas.ByStep.ContainsKey))
            values[step + FlowDefinition.FunctionArnSuffix] = lambdas.ByStep[step].FunctionArn;
        foreach (var child in children)
            values[child.ArnPlaceholder] = _machines[child.Name].StateMachineArn;
        foreach (var (placeholder, topic) in _topics)
            values[placeholder] = topic.TopicArn;

        var id = definition.PascalName;
        var role = new Role(this, id + "Role", new RoleProps
        {
            AssumedBy = new ServicePrincipal("states.amazonaws.com").WithConditions(When("StringEquals", "aws:SourceAccount", stack.Account)),
            Description = $"Ferry state machine {MachineName(definition.Name)}",
        });
        var policy = new Policy(this, id + "Policy", new PolicyProps
        {
            Roles = [role],
            Statements = [.. Statements(definition, children, lambdas, stack)],
        });
        var logs = new LogGroup(this, id + "Logs", new LogGroupProps
        {
            // The vended-logs prefix keeps CloudWatch's log resource policy small however many machines log.
            LogGroupName = $"/aws/vendedlogs/states/{MachineName(definition.Name)}",
            Retention = RetentionDays.THREE_MONTHS,
        });
        var machine = new StateMachine(this, id, new StateMachineProps
        {
            StateMachineName = MachineName(definition.Name),
            StateMachineType = StateMachineType.STANDARD,
            // The ASL file as written; CloudFormation fills its placeholders. A placeholder naming nothing stops synth.
            DefinitionBody = DefinitionBody.FromFile(definition.File),
            DefinitionSubstitutions = definition.Substitutions(values),
            // Immutable: CDK would otherwise add its own logging and tracing statements; ours are in the policy above.
            Role = role.WithoutPolicyUpdates(),
            Logs = new LogOptions { Destination = logs, Level = LogLevel.ALL, IncludeExecutionData = true },
            TracingEnabled = true,
        });
        // Step Functions checks the logging permissions when the machine is created.
        machine.Node.AddDependency(policy);
        return machine;
    }

    private IEnumerable<PolicyStatement> Statements(FlowDefinition definition, List<FlowDefinition> children, StepLambdas lambdas, Stack stack)
    {
        var functions = definition.Steps.Where(lambdas.ByStep.ContainsKey).Select(s => lambdas.ByStep[s]).ToList();
        if (functions.Count > 0)
        {
            yield return Allow(["lambda:InvokeFunction"],
                [.. functions.SelectMany(f => new[] { f.FunctionArn, f.FunctionArn + ":*" })]);
        }
        if (children.Count > 0)
        {
            yield return Allow(["states:StartExecution"], [.. children.Select(c => _machines[c.Name].StateMachineArn)]);
            yield return Allow(["states:DescribeExecution", "states:StopExecution"],
                [.. children.Select(c => Arn(stack, "execution", MachineName(c.Name) + ":*"))]);
        }
        var topics = _topics.Where(t => definition.Placeholders.Contains(t.Key)).Select(t => t.Value.TopicArn).ToList();
        if (topics.Count > 0 && definition.Text.Contains(Core.Digest.DailyDigest.PublishTask, StringComparison.Ordinal))
            yield return Allow(["sns:Publish"], [.. topics]);
        if (definition.StartsExecutionsSync)
        {
            // .sync integrations learn that a child finished through this managed EventBridge rule.
            yield return Allow(["events:PutTargets", "events:PutRule", "events:DescribeRule"],
                [stack.FormatArn(new ArnComponents { Service = "events", Resource = "rule", ResourceName = "StepFunctionsGetEventsForStepFunctionsExecutionRule" })]);
        }
        if (definition.DistributedMap)
        {
            // A Distributed Map runs its items as child executions of this same state machine.
            yield return Allow(["states:StartExecution"], [Arn(stack, "stateMachine", MachineName(definition.Name))]);
            yield return Allow(["states:DescribeExecution", "states:StopExecution"], [Arn(stack, "execution", MachineName(definition.Name) + "/*")]);
        }
        if (definition.PutsEvents)
        {
            // The session's event, on the one bus the definitions name.
            yield return Allow(["events:PutEvents"], [stack.FormatArn(new ArnComponents { Service = "events", Resource = "event-bus", ResourceName = SessionEvents.EventBus })]);
        }
        // Resource "*" required by AWS: CloudWatch Logs log-delivery actions have no resource-level permissions.
        yield return Allow(
            ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries",
                "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"],
            ["*"]);
        // Resource "*" required by AWS: X-Ray's trace and sampling actions have no resource-level permissions.
        yield return Allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"], ["*"]);
    }

    private static string Arn(Stack stack, string resource, string name) => stack.FormatArn(new ArnComponents
    {
        Service = "states",
        Resource = resource,
        ResourceName = name,
        ArnFormat = ArnFormat.COLON_RESOURCE_NAME,
    });
}
