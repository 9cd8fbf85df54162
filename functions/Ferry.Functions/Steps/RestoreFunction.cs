using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Creates the instance and volumes, or the DB, a little more on each call.</summary>
public sealed class RestoreFunction : StepFunction<Job, Job>
{
    public RestoreFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public RestoreFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }


    protected override JsonTypeInfo<Job> InputType => FerryJson.Default.Job;

    protected override JsonTypeInfo<Job> OutputType => FerryJson.Default.Job;

    protected override Task<Job> RunAsync(Job input, CancellationToken cancellationToken) =>
        new RestoreSteps(Services).AdvanceAsync(input, cancellationToken);
}
