using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Takes the source snapshot (or finds the one an earlier attempt took).</summary>
public sealed class TakeSnapshotFunction : StepFunction<Job, Job>
{
    public TakeSnapshotFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public TakeSnapshotFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }


    protected override JsonTypeInfo<Job> InputType => FerryJson.Default.Job;

    protected override JsonTypeInfo<Job> OutputType => FerryJson.Default.Job;

    protected override Task<Job> RunAsync(Job input, CancellationToken cancellationToken) =>
        new SnapshotSteps(Services).TakeAsync(input, cancellationToken);
}
