using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Runs;

namespace Ferry.Functions.Steps;

/// <summary>Pre-flight for one resource: its steps, roles, keys and verdict.</summary>
public sealed class PlanFunction : StepFunction<ResourceKey, PlanOutput>
{
    public PlanFunction()
        : this(LambdaServices.Instance, StepLog.Console)
    {
    }

    public PlanFunction(FerryServices services, StepLog log)
        : base(services, log)
    {
    }


    protected override JsonTypeInfo<ResourceKey> InputType => FerryJson.Default.ResourceKey;

    protected override JsonTypeInfo<PlanOutput> OutputType => FerryJson.Default.PlanOutput;

    protected override Task<PlanOutput> RunAsync(ResourceKey input, CancellationToken cancellationToken) =>
        new PlanResource(Services).RunAsync(input, cancellationToken);
}
