using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Constructs;
using Ferry.Core.Metrics;
using Ferry.Core.Sessions;

namespace Ferry.Infra.Backup;

/// <summary>
/// A CloudWatch dashboard of the metrics sessions publish (<see cref="FerryMetrics"/>, embedded metric format): resources
/// by outcome, copy duration and restore time, each over all policies.
/// </summary>
public sealed class FerryDashboard : Construct
{
    public const string DashboardName = "ferry";

    public FerryDashboard(Construct scope, string id)
        : base(scope, id)
    {
        var hour = Duration.Hours(1);
        var outcomes = Enum.GetValues<ResourceStatus>().Where(s => s != ResourceStatus.Running)
            .Select(s => (IMetric)Metric(FerryMetrics.Resources, "Sum", hour, new() { [FerryMetrics.OutcomeDimension] = s.ToString() }, s.ToString()))
            .ToArray();
        Dashboard = new Dashboard(this, "Dashboard", new DashboardProps
        {
            DashboardName = DashboardName,
            Widgets =
            [
                [
                    new GraphWidget(new GraphWidgetProps { Title = "Resources by outcome (per hour)", Left = outcomes, Stacked = true, Width = 12 }),
                    Durations("Copy duration (seconds)", FerryMetrics.CopyDuration, hour),
                ],
                [
                    Durations("Restore time (seconds)", FerryMetrics.RestoreTime, hour),
                ],
            ],
        });
    }

    public Dashboard Dashboard { get; }

    private static GraphWidget Durations(string title, MetricDefinition metric, Duration period) => new(new GraphWidgetProps
    {
        Title = title,
        Left = [Metric(metric, "Average", period, [], "average"), Metric(metric, "p90", period, [], "p90"), Metric(metric, "Maximum", period, [], "maximum")],
        Width = 12,
    });

    private static Metric Metric(MetricDefinition metric, string statistic, Duration period, Dictionary<string, string> dimensions, string label) => new(new MetricProps
    {
        Namespace = FerryMetrics.Namespace,
        MetricName = metric.Name,
        DimensionsMap = dimensions,
        Statistic = statistic,
        Period = period,
        Label = label,
    });
}
