using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Closes a policy run's session with its worst outcome.</summary>
public sealed class CloseSessionFunction : StepFunction<CloseSessionInput, CloseSessionOutput>
{
    public CloseSessionFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public CloseSessionFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }


    protected override JsonTypeInfo<CloseSessionInput> InputType => FerryJson.Default.CloseSessionInput;

    protected override JsonTypeInfo<CloseSessionOutput> OutputType => FerryJson.Default.CloseSessionOutput;

    protected override Task<CloseSessionOutput> RunAsync(CloseSessionInput input, CancellationToken cancellationToken) =>
        new SessionSteps(Services).CloseAsync(input, cancellationToken);
}
