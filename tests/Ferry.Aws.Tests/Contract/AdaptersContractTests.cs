using System.Text.Json;
using Ferry.Aws.Runtime;
using Ferry.Aws.Sts;
using Ferry.Core.Settings;
using Ferry.Local.Runtime;
using Ferry.Simulator;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Aws.Tests.Contract;

/// <summary>
/// The contract against Ferry's production adapters. By default they talk to the simulator's endpoint on the bundled
/// replicas world (which holds the default fixtures), so the suite always runs; with FERRY_CONTRACT_ENDPOINT set, they
/// talk to that endpoint instead (every service; the caller's credentials come from the SDK's default chain), with the
/// world described by the JSON file in FERRY_CONTRACT_FIXTURES.
/// </summary>
public sealed class AdaptersContractTests : AwsPortsContract
{
    protected override Task<ContractWorld> CreateWorldAsync()
    {
        var endpoint = Environment.GetEnvironmentVariable("FERRY_CONTRACT_ENDPOINT");
        if (string.IsNullOrEmpty(endpoint))
        {
            var local = new LocalAws(SimulatedAws.Load(WorldPath("replicas.json")));
            return Task.FromResult(new ContractWorld(local.Ports, local.Credentials, new ContractFixtures(), local.World.Clock));
        }
        var services = AwsOptions.AwsServices.ToDictionary(s => s, _ => endpoint);
        var options = new AwsOptions(Environment.GetEnvironmentVariable(FerryVariables.ExternalId), services, MaxErrorRetry: 1);
        var path = Environment.GetEnvironmentVariable("FERRY_CONTRACT_FIXTURES");
        var fixtures = string.IsNullOrEmpty(path)
            ? new ContractFixtures()
            : JsonSerializer.Deserialize<ContractFixtures>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        return Task.FromResult(new ContractWorld(new AwsPorts(options), new StsCredentialsPort(options), fixtures));
    }
}
