using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Copies into the target account and region, re-encrypting when the plan says so.</summary>
public sealed class CopyToRegionFunction : StepFunction<ReplicaJob, ReplicaJob>
{
    public CopyToRegionFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public CopyToRegionFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }

    public override string Name => "CopyToRegion";

    protected override JsonTypeInfo<ReplicaJob> InputType => FerryJson.Default.ReplicaJob;

    protected override JsonTypeInfo<ReplicaJob> OutputType => FerryJson.Default.ReplicaJob;

    protected override Task<ReplicaJob> RunAsync(ReplicaJob input, CancellationToken cancellationToken) =>
        new CopySteps(Services).CopyAsync(input, cancellationToken);
}
