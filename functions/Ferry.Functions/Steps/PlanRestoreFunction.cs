using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Opens a restore session and plans the restore.</summary>
public sealed class PlanRestoreFunction : StepFunction<RestoreInput, PlanOutput>
{
    public PlanRestoreFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public PlanRestoreFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }


    protected override JsonTypeInfo<RestoreInput> InputType => FerryJson.Default.RestoreInput;

    protected override JsonTypeInfo<PlanOutput> OutputType => FerryJson.Default.PlanOutput;

    protected override Task<PlanOutput> RunAsync(RestoreInput input, CancellationToken cancellationToken) =>
        new RestoreSteps(Services).PlanAsync(input, cancellationToken);
}
