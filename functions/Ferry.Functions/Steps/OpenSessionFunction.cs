using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Opens a policy run's session; the policy must exist and be valid.</summary>
public sealed class OpenSessionFunction : StepFunction<OpenSessionInput, OpenSessionOutput>
{
    public OpenSessionFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public OpenSessionFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }


    protected override JsonTypeInfo<OpenSessionInput> InputType => FerryJson.Default.OpenSessionInput;

    protected override JsonTypeInfo<OpenSessionOutput> OutputType => FerryJson.Default.OpenSessionOutput;

    protected override Task<OpenSessionOutput> RunAsync(OpenSessionInput input, CancellationToken cancellationToken) =>
        new SessionSteps(Services).OpenAsync(input, cancellationToken);
}
