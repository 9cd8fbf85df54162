using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Deletes a resource's restore points beyond the policy's count.</summary>
public sealed class ApplyRetentionFunction : StepFunction<RetentionInput, RetentionOutput>
{
    public ApplyRetentionFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public ApplyRetentionFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }


    protected override JsonTypeInfo<RetentionInput> InputType => FerryJson.Default.RetentionInput;

    protected override JsonTypeInfo<RetentionOutput> OutputType => FerryJson.Default.RetentionOutput;

    protected override Task<RetentionOutput> RunAsync(RetentionInput input, CancellationToken cancellationToken) =>
        new RetentionStep(Services).RunAsync(input, cancellationToken);
}
