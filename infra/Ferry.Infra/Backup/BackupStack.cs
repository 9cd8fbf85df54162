using Amazon.CDK;
using Constructs;

namespace Ferry.Infra.Backup;

/// <summary>What runs Ferry, in the backup account: tables, step functions, state machines, schedules and the failure alarm.</summary>
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
    }

    public FerryTables Tables { get; }

    public StepLambdas Lambdas { get; }

    public FlowMachines Flows { get; }

    public PolicySchedules Schedules { get; }
}
