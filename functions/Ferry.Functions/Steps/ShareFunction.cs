using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Shares the snapshot with the target account, as its owner's role.</summary>
public sealed class ShareFunction : StepFunction<ReplicaJob, ReplicaJob>
{
    public ShareFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public ShareFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }

    public override string Name => "Share";

    protected override JsonTypeInfo<ReplicaJob> InputType => FerryJson.Default.ReplicaJob;

    protected override JsonTypeInfo<ReplicaJob> OutputType => FerryJson.Default.ReplicaJob;

    protected override Task<ReplicaJob> RunAsync(ReplicaJob input, CancellationToken cancellationToken) =>
        new SnapshotSteps(Services).ShareAsync(input, cancellationToken);
}
