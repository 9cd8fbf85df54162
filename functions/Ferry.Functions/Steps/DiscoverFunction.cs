using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Finds a policy's resources in one source region.</summary>
public sealed class DiscoverFunction : StepFunction<DiscoverInput, DiscoverOutput>
{
    public DiscoverFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public DiscoverFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }


    protected override JsonTypeInfo<DiscoverInput> InputType => FerryJson.Default.DiscoverInput;

    protected override JsonTypeInfo<DiscoverOutput> OutputType => FerryJson.Default.DiscoverOutput;

    protected override Task<DiscoverOutput> RunAsync(DiscoverInput input, CancellationToken cancellationToken) =>
        new DiscoverStep(Services).RunAsync(input, cancellationToken);
}
