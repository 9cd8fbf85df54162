using Amazon.CDK;
using Amazon.CDK.AWS.SNS;
using Constructs;
using Ferry.Aws.Dynamo;

namespace Ferry.Infra.Backup;

/// <summary>What runs Ferry, in the backup account: tables, step functions, state machines, schedules, the failure alarm, the notifications, the daily digest and the dashboard.</summary>
public sealed class BackupStack : Stack
{
    public BackupStack(Construct scope, string id, FerrySettings settings, IReadOnlyList<DeployedPolicy> policies, IStackProps props)
        : base(scope, id, props)
    {
        var definitions = FlowDefinition.LoadAll(settings.StateMachinesDirectory);
        Tables = new FerryTables(this, "Tables");
        Lambdas = new StepLambdas(this, "Steps", settings, Tables, FlowDefinition.LambdaTimeouts(definitions));
        Notifications = new Notifications(this, "Notifications", DynamoTables.Default.Sessions, settings.NotifyEmail);
        Flows = new FlowMachines(this, "Flows", definitions, Lambdas, new Dictionary<string, ITopic> { [NotificationsTopicPlaceholder] = Notifications.Topic });
        Schedules = new PolicySchedules(this, "Policies", policies, Tables.Policies, Flows.PolicyRun);
        Digest = new DigestSchedule(this, "Digest", settings.DigestSchedule, policies, Flows.ByName[Core.Runs.Flows.Digest]);
        Dashboard = new FerryDashboard(this, "Dashboard");
    }

    /// <summary>The placeholder of the notification topic's ARN in the ASL files (local runs: local/runner/definitions.mjs).</summary>
    public const string NotificationsTopicPlaceholder = "NotificationsTopicArn";

    public DigestSchedule Digest { get; }

    public FerryDashboard Dashboard { get; }

    public FerryTables Tables { get; }

    public StepLambdas Lambdas { get; }

    public FlowMachines Flows { get; }

    public PolicySchedules Schedules { get; }

    public Notifications Notifications { get; }
}
