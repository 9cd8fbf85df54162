using Amazon.Runtime;
using Ferry.Aws.Runtime;
using Ferry.Aws.StepFunctions;
using Ferry.Core.Errors;
using Ferry.Local.Tests.Cli;

namespace Ferry.Local.Tests.Runtime;

/// <summary>The local Step Functions endpoint refuses what AWS refuses, as the production client reads it.</summary>
public sealed class LocalStepFunctionsTests(CliStackFixture stack) : IClassFixture<CliStackFixture>
{
    private static readonly AWSCredentials Keys = new BasicAWSCredentials("local", "local");

    private AwsExecutionsPort Port(string region = "us-east-1", string account = "999999999999") =>
        new(new StepFunctionsClient(Keys, region, new AwsOptions(ServiceUrls: new Dictionary<string, string> { ["states"] = stack.Stack.State.StepFunctions }, MaxErrorRetry: 0)),
            "aws", account);

    [Fact]
    public async Task StartExecution_OfAMachineNotDeployed_IsStateMachineDoesNotExist()
    {
        var e = await Assert.ThrowsAsync<FerryNotFoundException>(() => Port(account: "123456789012").StartAsync("policy-run", "x", "{}"));

        Assert.Equal("StateMachineDoesNotExist", e.AwsErrorCode);
    }

    [Fact]
    public async Task StartExecution_SignedForAnotherRegion_IsRefused()
    {
        var e = await Assert.ThrowsAsync<FerryAccessDeniedException>(() => Port(region: "eu-west-1").StartAsync("policy-run", "x", "{}"));

        Assert.Equal("InvalidSignatureException", e.AwsErrorCode);
    }

    [Fact]
    public async Task StartExecution_NameTakenWithAnotherInput_IsExecutionAlreadyExists()
    {
        var port = Port();
        var name = $"dup-{Guid.NewGuid():N}"[..20];
        await port.StartAsync("policy-run", name, """{"policyId":"no-such-policy"}""");

        var e = await Assert.ThrowsAsync<FerryInvalidStateException>(() => port.StartAsync("policy-run", name, """{"policyId":"other"}"""));
        Assert.Equal("ExecutionAlreadyExists", e.AwsErrorCode);
        Assert.Contains(name, (await port.ListAsync("policy-run")).Select(x => x.Name));
    }

    [Fact]
    public async Task DescribeExecution_Unknown_IsExecutionDoesNotExist()
    {
        var e = await Assert.ThrowsAsync<FerryNotFoundException>(() => Port().DescribeAsync("arn:aws:states:us-east-1:999999999999:execution:ferry-policy-run:nope"));

        Assert.Equal("ExecutionDoesNotExist", e.AwsErrorCode);
    }
}
