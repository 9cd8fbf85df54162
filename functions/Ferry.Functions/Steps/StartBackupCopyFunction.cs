using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Turns the EFS opt-in on when the plan found it off, then starts the AWS Backup copy job (idempotent by token).</summary>
public sealed class StartBackupCopyFunction : StepFunction<ReplicaJob, ReplicaJob>
{
    public StartBackupCopyFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public StartBackupCopyFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }

    public override string Name => "StartBackupCopy";

    protected override JsonTypeInfo<ReplicaJob> InputType => FerryJson.Default.ReplicaJob;

    protected override JsonTypeInfo<ReplicaJob> OutputType => FerryJson.Default.ReplicaJob;

    protected override Task<ReplicaJob> RunAsync(ReplicaJob input, CancellationToken cancellationToken) =>
        new BackupCopySteps(Services).StartCopyAsync(input, cancellationToken);
}
