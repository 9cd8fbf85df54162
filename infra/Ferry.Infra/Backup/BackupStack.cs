using Amazon.CDK;
using Constructs;
using Ferry.Aws.Dynamo;

namespace Ferry.Infra.Backup;

/// <summary>What runs Ferry, in the backup account: tables, step functions, state machines, schedules, the failure alarm and the notifications.</summary>
public sealed class BackupStack : Stack
{
    public BackupStack(Construct scope, string id, FerrySettings settings, IReadOnlyList<DeployedPolicy> policies, IStackProps props)
        : base(scope, id, props)
    {
        var definitions = FlowDefinition.LoadAll(settings.StateMachinesDirectory);
        Tables = new FerryTables(this, "Tables");
        Lambdas = new StepLambdas(this, "Steps", settings, Tables, FlowDefinition.LambdaTimeouts(definitions));
        Flows = new FlowMachines(this, "Flows", definitions, Lambdas);
        Schedules = new PolicySchedules(this, "Policies", policies, Tables.Policies, Flows.PolicyRun);
        Notifications = new Notifications(this, "Notifications", DynamoTables.Default.Sessions, settings.NotifyEmail);
    }

    public FerryTables Tables { get; }

    public StepLambdas Lambdas { get; }

    public FlowMachines Flows { get; }

    public PolicySchedules Schedules { get; }

    public Notifications Notifications { get; }
}
