using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Checks every snapshot of the current stage in one call.</summary>
public sealed class CheckAvailableFunction : StepFunction<Job, Job>
{
    public CheckAvailableFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public CheckAvailableFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }


    protected override JsonTypeInfo<Job> InputType => FerryJson.Default.Job;

    protected override JsonTypeInfo<Job> OutputType => FerryJson.Default.Job;

    protected override Task<Job> RunAsync(Job input, CancellationToken cancellationToken) =>
        new CheckSteps(Services).CheckAsync(input, cancellationToken);
}
