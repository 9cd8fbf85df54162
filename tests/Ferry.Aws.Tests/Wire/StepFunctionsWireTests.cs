using System.Text.Json.Nodes;
using Ferry.Aws.StepFunctions;
using Ferry.Core.Errors;

namespace Ferry.Aws.Tests.Wire;

public sealed class StepFunctionsWireTests : IDisposable
{
    private const string Machine = "arn:aws:states:eu-west-1:999999999999:stateMachine:ferry-policy-run";
    private const string ExecutionArn = "arn:aws:states:eu-west-1:999999999999:execution:ferry-policy-run:cli-daily";
    private readonly FakeAws _aws = new();
    private readonly StepFunctionsClient _client;
    private readonly AwsExecutionsPort _port;

    public StepFunctionsWireTests()
    {
        _client = new StepFunctionsClient(FakeAws.Credentials, "eu-west-1", _aws.Options);
        _port = new AwsExecutionsPort(_client, "aws", "999999999999");
    }

    public void Dispose()
    {
        _client.Dispose();
        _aws.Dispose();
    }

    /// <summary>A JSON 1.0 call: POST /, the operation in X-Amz-Target, signed for "states" in the client's region.</summary>
    private JsonObject Sent(int index, string operation)
    {
        var r = _aws.Requests[index];
        Assert.Equal(("POST", "/"), (r.Method, r.Path));
        Assert.Equal($"AWSStepFunctions.{operation}", r.Headers["X-Amz-Target"]);
        Assert.StartsWith("application/x-amz-json-1.0", r.Headers["Content-Type"], StringComparison.Ordinal);
        WireAssert.Signed(r, "eu-west-1", "states");
        return JsonNode.Parse(r.Body)!.AsObject();
    }

    [Fact]
    public async Task StartExecution_NamesTheFlowsMachineByItsDeployedName_ReturnsTheExecutionArn()
    {
        _aws.ReplyJson($$"""{"executionArn":"{{ExecutionArn}}","startDate":1.7647632E9}""");

        var arn = await _port.StartAsync("policy-run", "cli-daily", """{"policyId":"daily"}""");

        Assert.Equal(ExecutionArn, arn);
        var body = Sent(0, "StartExecution");
        Assert.Equal((Machine, "cli-daily", """{"policyId":"daily"}"""),
            (body["stateMachineArn"]!.GetValue<string>(), body["name"]!.GetValue<string>(), body["input"]!.GetValue<string>()));
    }

    [Fact]
    public async Task DescribeExecution_ReadsStatusDatesErrorAndOutput()
    {
        _aws.ReplyJson($$"""
            {"executionArn":"{{ExecutionArn}}","stateMachineArn":"{{Machine}}","name":"cli-daily","status":"FAILED",
             "startDate":1764763200.5,"stopDate":1764763260,"error":"FerryInvalidInputException","cause":"policyId: no policy","output":null}
            """);

        var execution = await _port.DescribeAsync(ExecutionArn);

        Assert.Equal(ExecutionArn, Sent(0, "DescribeExecution")["executionArn"]!.GetValue<string>());
        Assert.Equal(("cli-daily", "FAILED", false, "FerryInvalidInputException", "policyId: no policy"),
            (execution.Name, execution.Status, execution.Running, execution.Error, execution.Cause));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764763200500), execution.StartedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764763260), execution.StoppedAt);
    }

    [Fact]
    public async Task ListExecutions_FollowsNextToken_FiltersByStatus_NewestFirst()
    {
        _aws.ReplyJson($$"""{"executions":[{"executionArn":"{{ExecutionArn}}-1","stateMachineArn":"{{Machine}}","name":"one","status":"RUNNING","startDate":1764763200}],"nextToken":"t2"}""")
            .ReplyJson($$"""{"executions":[{"executionArn":"{{ExecutionArn}}-2","stateMachineArn":"{{Machine}}","name":"two","status":"RUNNING","startDate":1764763300}]}""");

        var executions = await _port.ListAsync("policy-run", "RUNNING");

        var first = Sent(0, "ListExecutions");
        var second = Sent(1, "ListExecutions");
        Assert.Equal((Machine, "RUNNING", false), (first["stateMachineArn"]!.GetValue<string>(), first["statusFilter"]!.GetValue<string>(), first.ContainsKey("nextToken")));
        Assert.Equal("t2", second["nextToken"]!.GetValue<string>());
        Assert.Equal(["two", "one"], executions.Select(e => e.Name));
    }

    [Theory]
    [InlineData(400, "ExecutionDoesNotExist", typeof(FerryNotFoundException))]
    [InlineData(400, "StateMachineDoesNotExist", typeof(FerryNotFoundException))]
    [InlineData(400, "ExecutionAlreadyExists", typeof(FerryInvalidStateException))]
    [InlineData(400, "InvalidArn", typeof(FerryInvalidInputException))]
    [InlineData(400, "AccessDeniedException", typeof(FerryAccessDeniedException))]
    [InlineData(400, "ThrottlingException", typeof(FerryThrottledException))]
    [InlineData(500, "InternalFailure", typeof(FerryTransientException))]
    public async Task Errors_FromJson10TypeWithNamespace_MapToTypedErrors(int status, string code, Type expected)
    {
        _aws.ReplyJson($$"""{"__type":"com.amazonaws.swf.service.v2.model#{{code}}","message":"m"}""", status, new Dictionary<string, string> { ["x-amzn-RequestId"] = "rid-9" });

        var e = await Assert.ThrowsAnyAsync<FerryException>(() => _port.DescribeAsync(ExecutionArn));

        Assert.IsType(expected, e);
        Assert.Equal((code, "rid-9"), (e.AwsErrorCode, e.AwsRequestId));
        Assert.Contains("states:DescribeExecution in eu-west-1", e.Message, StringComparison.Ordinal);
    }
}
