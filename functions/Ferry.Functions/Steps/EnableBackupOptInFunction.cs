using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Turns AWS Backup's EFS opt-in on in the source region, as the plan found it off (EFS-C5).</summary>
public sealed class EnableBackupOptInFunction : StepFunction<Job, Job>
{
    public EnableBackupOptInFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public EnableBackupOptInFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }


    protected override JsonTypeInfo<Job> InputType => FerryJson.Default.Job;

    protected override JsonTypeInfo<Job> OutputType => FerryJson.Default.Job;

    protected override Task<Job> RunAsync(Job input, CancellationToken cancellationToken) =>
        new BackupCopySteps(Services).EnableOptInAsync(input, cancellationToken);
}
