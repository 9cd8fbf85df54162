using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Ferry.Aws.Runtime;
using Ferry.Core.Ports;

namespace Ferry.Aws.StepFunctions;

/// <summary>The AWS Step Functions API (protocol <c>json</c> 1.0, target prefix AWSStepFunctions) operations the CLI uses, in one region.</summary>
public sealed class StepFunctionsClient : WireClient
{
    public static readonly AwsService Service = new("states", "states", "2016-11-23");

    public StepFunctionsClient(AWSCredentials credentials, string region, AwsOptions options)
        : base(credentials, Service, region, options, Json.ReadError)
    {
    }

    public Task<string> StartExecutionAsync(string stateMachineArn, string name, string input, CancellationToken ct) =>
        Call("StartExecution", new JsonObject { ["stateMachineArn"] = stateMachineArn, ["name"] = name, ["input"] = input }, j => j.Req("executionArn"), ct);

    public Task<ExecutionInfo> DescribeExecutionAsync(string executionArn, CancellationToken ct) =>
        Call("DescribeExecution", new JsonObject { ["executionArn"] = executionArn }, ReadExecution, ct);

    /// <param name="statusFilter">RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED or PENDING_REDRIVE; every status when null.</param>
    public Task<Page<ExecutionInfo>> ListExecutionsAsync(string stateMachineArn, string? statusFilter, string? nextToken, CancellationToken ct)
    {
        var body = new JsonObject { ["stateMachineArn"] = stateMachineArn, ["maxResults"] = 1000 };
        if (statusFilter is not null)
            body["statusFilter"] = statusFilter;
        if (nextToken is not null)
            body["nextToken"] = nextToken;
        return Call("ListExecutions", body,
            j => new Page<ExecutionInfo>([.. (j["executions"]?.AsArray() ?? []).OfType<JsonNode>().Select(ReadExecution)], j.Str("nextToken")), ct);
    }

    private static ExecutionInfo ReadExecution(JsonNode e) => new(
        e.Req("executionArn"),
        e.Req("name"),
        e.Req("status"),
        e.Epoch("startDate") ?? DateTimeOffset.MinValue,
        e.Epoch("stopDate"),
        e.Str("error"),
        e.Str("cause"),
        e.Str("output"));

    /// <summary>One JSON 1.0 call: a POST to / naming the operation in X-Amz-Target.</summary>
    private Task<T> Call<T>(string operation, JsonObject body, Func<JsonNode, T> read, CancellationToken ct) =>
        SendAsync(new WireRequest<T>(operation, request =>
        {
            request.HttpMethod = "POST";
            request.ResourcePath = "/";
            request.Content = Encoding.UTF8.GetBytes(body.ToJsonString());
            request.Headers["Content-Type"] = "application/x-amz-json-1.0";
            request.Headers["X-Amz-Target"] = $"AWSStepFunctions.{operation}";
        }, response => read(Json.Parse(response))), ct);
}
