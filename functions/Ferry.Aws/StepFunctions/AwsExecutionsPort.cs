using Ferry.Aws.Runtime;
using Ferry.Core.Ports;
using Ferry.Core.Runs;

namespace Ferry.Aws.StepFunctions;

/// <summary>
/// Ferry's executions port: each flow's state machine ARN is derived from the deployment's partition, region and account and
/// the machine's fixed name (<see cref="Flows.MachineName"/>), which the CDK stack gives it.
/// </summary>
public sealed class AwsExecutionsPort(StepFunctionsClient client, string partition, string account) : IExecutionsPort
{
    public string MachineArn(string flow) => $"arn:{partition}:states:{client.Region}:{account}:stateMachine:{Flows.MachineName(flow)}";

    public Task<string> StartAsync(string flow, string name, string input, CancellationToken cancellationToken = default) =>
        client.StartExecutionAsync(MachineArn(flow), name, input, cancellationToken);

    public Task<ExecutionInfo> DescribeAsync(string executionArn, CancellationToken cancellationToken = default) =>
        client.DescribeExecutionAsync(executionArn, cancellationToken);

    public async Task<IReadOnlyList<ExecutionInfo>> ListAsync(string flow, string? status = null, CancellationToken cancellationToken = default)
    {
        var all = await Page<ExecutionInfo>.AllAsync((token, ct) => client.ListExecutionsAsync(MachineArn(flow), status, token, ct), cancellationToken).ConfigureAwait(false);
        return [.. all.OrderByDescending(e => e.StartedAt)];
    }
}
