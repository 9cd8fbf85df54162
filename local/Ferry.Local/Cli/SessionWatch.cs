using Ferry.Core.Ports;
using Ferry.Core.Sessions;
using Spectre.Console;

namespace Ferry.Local.Cli;

/// <summary>
/// Follows an execution and the session it writes until the execution ends: resources done out of all with a progress bar,
/// each running resource's current step as it changes, and each failure as it happens.
/// </summary>
public sealed class SessionWatch(FerryTarget target, IAnsiConsole console, bool quiet)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    /// <summary>Waits for the execution to end; returns the session as it ended, or null when the execution never opened it.</summary>
    public async Task<(ExecutionInfo Execution, Session? Session)> FollowAsync(string executionArn, string sessionId, CancellationToken cancellationToken)
    {
        if (quiet)
            return await PollAsync(executionArn, sessionId, _ => { }, cancellationToken);
        (ExecutionInfo, Session?) result = default;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("resources done", maxValue: 1);
                var shown = new Dictionary<string, string>(StringComparer.Ordinal);
                result = await PollAsync(executionArn, sessionId, session => Show(session, task, shown), cancellationToken);
                task.Value = task.MaxValue;
            });
        return result;
    }

    private async Task<(ExecutionInfo, Session?)> PollAsync(string executionArn, string sessionId, Action<Session> show, CancellationToken cancellationToken)
    {
        while (true)
        {
            var execution = await target.Executions.DescribeAsync(executionArn, cancellationToken);
            var session = await target.Sessions.GetAsync(sessionId, cancellationToken);
            if (session is not null)
                show(session);
            if (!execution.Running)
                return (execution, session);
            await Task.Delay(Interval, cancellationToken);
        }
    }

    private void Show(Session session, ProgressTask task, Dictionary<string, string> shown)
    {
        task.MaxValue = Math.Max(1, session.Resources.Count);
        task.Value = session.Resources.Count(r => r.Status != ResourceStatus.Running);
        task.Description = $"{task.Value:0}/{session.Resources.Count} resources done";
        foreach (var resource in session.Resources.OrderBy(r => r.ResourceId, StringComparer.Ordinal))
        {
            var now = resource.Status == ResourceStatus.Running ? resource.CurrentStep ?? "Running" : resource.Status.ToString();
            if (shown.GetValueOrDefault(resource.ResourceId) == now)
                continue;
            shown[resource.ResourceId] = now;
            var line = resource.Status switch
            {
                ResourceStatus.Running => $"  {resource.ResourceId,-24} {now}",
                ResourceStatus.Failed => $"  ✗ {resource.ResourceId} failed: {resource.Reason}",
                ResourceStatus.Warning => $"  ! {resource.ResourceId} warning: {resource.Reason}",
                _ => $"  ✓ {resource.ResourceId} {now}",
            };
            console.WriteLine(line);
        }
    }
}
