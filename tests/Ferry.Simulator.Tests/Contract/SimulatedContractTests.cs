using Ferry.Aws.Tests.Contract;
using Ferry.Local.Runtime;
using static Ferry.Tests.Shared.Scenario;

[assembly: InProcessContract]

namespace Ferry.Simulator.Tests.Contract;

/// <summary>The ports contract against the simulator, on the bundled replicas world (which holds the default fixtures).</summary>
public sealed class SimulatedContractTests : AwsPortsContract
{
    protected override Task<ContractWorld> CreateWorldAsync()
    {
        var aws = SimulatedAws.Load(WorldPath("replicas.json"));
        var local = new LocalAws(aws);
        return Task.FromResult(new ContractWorld(local.Ports, local.Credentials, new ContractFixtures(), aws.Clock));
    }
}
