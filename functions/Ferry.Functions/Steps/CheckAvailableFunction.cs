using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Checks every snapshot of the current stage in one call.</summary>
public sealed class CheckAvailableFunction : StepFunction<ReplicaJob, ReplicaJob>
{
    public CheckAvailableFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public CheckAvailableFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }

    public override string Name => "CheckAvailable";

    protected override JsonTypeInfo<ReplicaJob> InputType => FerryJson.Default.ReplicaJob;

    protected override JsonTypeInfo<ReplicaJob> OutputType => FerryJson.Default.ReplicaJob;

    protected override Task<ReplicaJob> RunAsync(ReplicaJob input, CancellationToken cancellationToken) =>
        new CheckSteps(Services).CheckAsync(input, cancellationToken);
}
