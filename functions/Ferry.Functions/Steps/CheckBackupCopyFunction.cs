using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>The check of the EFS copy's wait loop: asks AWS Backup about the copy job.</summary>
public sealed class CheckBackupCopyFunction : StepFunction<ReplicaJob, ReplicaJob>
{
    public CheckBackupCopyFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public CheckBackupCopyFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }

    public override string Name => "CheckBackupCopy";

    protected override JsonTypeInfo<ReplicaJob> InputType => FerryJson.Default.ReplicaJob;

    protected override JsonTypeInfo<ReplicaJob> OutputType => FerryJson.Default.ReplicaJob;

    protected override Task<ReplicaJob> RunAsync(ReplicaJob input, CancellationToken cancellationToken) =>
        new BackupCopySteps(Services).CheckCopyAsync(input, cancellationToken);
}
