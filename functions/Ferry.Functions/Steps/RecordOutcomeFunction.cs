using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Writes a resource's outcome and restore points.</summary>
public sealed class RecordOutcomeFunction : StepFunction<OutcomeInput, OutcomeOutput>
{
    public RecordOutcomeFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public RecordOutcomeFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }


    protected override JsonTypeInfo<OutcomeInput> InputType => FerryJson.Default.OutcomeInput;

    protected override JsonTypeInfo<OutcomeOutput> OutputType => FerryJson.Default.OutcomeOutput;

    protected override Task<OutcomeOutput> RunAsync(OutcomeInput input, CancellationToken cancellationToken) =>
        new SessionSteps(Services).RecordOutcomeAsync(input, cancellationToken);
}
