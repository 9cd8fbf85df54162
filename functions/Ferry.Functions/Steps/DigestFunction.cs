using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Digest;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>The daily digest of the deployed policies: their runs, missed schedules and RPO breaches (read only).</summary>
public sealed class DigestFunction : StepFunction<DigestInput, DigestOutput>
{
    public DigestFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public DigestFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }

    protected override JsonTypeInfo<DigestInput> InputType => FerryJson.Default.DigestInput;

    protected override JsonTypeInfo<DigestOutput> OutputType => FerryJson.Default.DigestOutput;

    protected override Task<DigestOutput> RunAsync(DigestInput input, CancellationToken cancellationToken) =>
        new DailyDigest(Services).RunAsync(input, cancellationToken);
}
