using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Creates the instance and volumes, or the DB, a little more on each call.</summary>
public sealed class RestoreFunction : StepFunction<ReplicaJob, ReplicaJob>
{
    public RestoreFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public RestoreFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }

    public override string Name => "Restore";

    protected override JsonTypeInfo<ReplicaJob> InputType => FerryJson.Default.ReplicaJob;

    protected override JsonTypeInfo<ReplicaJob> OutputType => FerryJson.Default.ReplicaJob;

    protected override Task<ReplicaJob> RunAsync(ReplicaJob input, CancellationToken cancellationToken) =>
        new RestoreSteps(Services).AdvanceAsync(input, cancellationToken);
}
