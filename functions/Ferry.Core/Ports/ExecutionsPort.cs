namespace Ferry.Core.Ports;

/// <summary>One execution of one of Ferry's state machines, as Step Functions describes it.</summary>
/// <param name="Status">RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED or PENDING_REDRIVE.</param>
/// <param name="Output">The execution's output (JSON) once it succeeded; listings leave it out.</param>
public sealed record ExecutionInfo(
    string ExecutionArn,
    string Name,
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? StoppedAt = null,
    string? Error = null,
    string? Cause = null,
    string? Output = null)
{
    public bool Running => Status is "RUNNING";
}

/// <summary>Starting and following executions of Ferry's state machines (by flow name: <c>Runs.Flows</c>), as the operator's CLI does.</summary>
public interface IExecutionsPort
{
    /// <summary>Starts the flow's state machine with the input (a JSON document) under the name; returns the execution's ARN.</summary>
    Task<string> StartAsync(string flow, string name, string input, CancellationToken cancellationToken = default);

    Task<ExecutionInfo> DescribeAsync(string executionArn, CancellationToken cancellationToken = default);

    /// <summary>The flow's executions, newest first, every page; only those of <paramref name="status"/> when given.</summary>
    Task<IReadOnlyList<ExecutionInfo>> ListAsync(string flow, string? status = null, CancellationToken cancellationToken = default);
}
