using System.Text.Json;
using Ferry.Aws.Runtime;
using Ferry.Aws.Sts;
using Ferry.Core.Settings;

namespace Ferry.Aws.Tests.Contract;

/// <summary>
/// The contract against the real adapters pointed at FERRY_CONTRACT_ENDPOINT (every service; the caller's credentials
/// come from the SDK's default chain), with the world described by the JSON file in FERRY_CONTRACT_FIXTURES.
/// </summary>
public sealed class RealAdaptersContractTests : AwsPortsContract
{
    protected override Task<ContractWorld> CreateWorldAsync()
    {
        var endpoint = Environment.GetEnvironmentVariable("FERRY_CONTRACT_ENDPOINT")!;
        var services = new[] { "ec2", "rds", "backup", "kms", "sts", "dynamodb" }.ToDictionary(s => s, _ => endpoint);
        var options = new AwsOptions(Environment.GetEnvironmentVariable(FerryVariables.ExternalId), services, MaxErrorRetry: 1);
        var path = Environment.GetEnvironmentVariable("FERRY_CONTRACT_FIXTURES");
        var fixtures = string.IsNullOrEmpty(path)
            ? new ContractFixtures()
            : JsonSerializer.Deserialize<ContractFixtures>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        return Task.FromResult(new ContractWorld(new AwsPorts(options), new StsCredentialsPort(options), fixtures));
    }
}
