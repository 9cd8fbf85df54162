using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Takes the source snapshot (or finds the one an earlier attempt took).</summary>
public sealed class TakeSnapshotFunction : StepFunction<ReplicaJob, ReplicaJob>
{
    public TakeSnapshotFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public TakeSnapshotFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }

    public override string Name => "TakeSnapshot";

    protected override JsonTypeInfo<ReplicaJob> InputType => FerryJson.Default.ReplicaJob;

    protected override JsonTypeInfo<ReplicaJob> OutputType => FerryJson.Default.ReplicaJob;

    protected override Task<ReplicaJob> RunAsync(ReplicaJob input, CancellationToken cancellationToken) =>
        new SnapshotSteps(Services).TakeAsync(input, cancellationToken);
}
