using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Shares the snapshot with the target account, as its owner's role.</summary>
public sealed class ShareFunction : StepFunction<Job, Job>
{
    public ShareFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public ShareFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }


    protected override JsonTypeInfo<Job> InputType => FerryJson.Default.Job;

    protected override JsonTypeInfo<Job> OutputType => FerryJson.Default.Job;

    protected override Task<Job> RunAsync(Job input, CancellationToken cancellationToken) =>
        new SnapshotSteps(Services).ShareAsync(input, cancellationToken);
}
