using Amazon.CDK;
using Amazon.CDK.AWS.SNS;
using Constructs;

namespace Ferry.Infra.Backup;

/// <summary>What runs Ferry, in the backup account: tables, step functions, state machines, schedules, the failure alarm, the notification topic, the daily digest and the dashboard.</summary>
public sealed class BackupStack : Stack
{
    public BackupStack(Construct scope, string id, FerrySettings settings, IReadOnlyList<DeployedPolicy> policies, IStackProps props)
        : base(scope, id, props)
    {
        var definitions = FlowDefinition.LoadAll(settings.StateMachinesDirectory);
        Tables = new FerryTables(this, "Tables");
        Lambdas = new StepLambdas(this, "Steps", settings, Tables, FlowDefinition.LambdaTimeouts(definitions));
        Notifications = new Topic(this, "Notifications", new TopicProps { TopicName = NotificationTopicName, DisplayName = "Ferry" });
        Flows = new FlowMachines(this, "Flows", definitions, Lambdas, new Dictionary<string, ITopic> { [NotificationsTopicPlaceholder] = Notifications });
        Schedules = new PolicySchedules(this, "Policies", policies, Tables.Policies, Flows.PolicyRun);
        Digest = new DigestSchedule(this, "Digest", settings.DigestSchedule, policies, Flows.ByName[Core.Runs.Flows.Digest]);
        Dashboard = new FerryDashboard(this, "Dashboard");
    }

    public const string NotificationTopicName = "ferry-notifications";

    /// <summary>The placeholder of the notification topic's ARN in the ASL files (local runs: local/runner/definitions.mjs).</summary>
    public const string NotificationsTopicPlaceholder = "NotificationsTopicArn";

    /// <summary>Where Ferry's messages go: the daily digest.</summary>
    public Topic Notifications { get; }

    public DigestSchedule Digest { get; }

    public FerryDashboard Dashboard { get; }

    public FerryTables Tables { get; }

    public StepLambdas Lambdas { get; }

    public FlowMachines Flows { get; }

    public PolicySchedules Schedules { get; }
}
