using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Copies into the target account and region, re-encrypting when the plan says so.</summary>
public sealed class CopyToRegionFunction : StepFunction<Job, Job>
{
    public CopyToRegionFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public CopyToRegionFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }


    protected override JsonTypeInfo<Job> InputType => FerryJson.Default.Job;

    protected override JsonTypeInfo<Job> OutputType => FerryJson.Default.Job;

    protected override Task<Job> RunAsync(Job input, CancellationToken cancellationToken) =>
        new CopySteps(Services).CopyAsync(input, cancellationToken);
}
