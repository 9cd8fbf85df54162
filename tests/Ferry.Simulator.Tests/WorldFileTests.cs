using System.Text.Json;
using static Ferry.Simulator.Tests.Sim;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Simulator.Tests;

public sealed class WorldFileTests
{
    public static readonly TheoryData<string> ScenarioIds = new(
        [.. Enumerable.Range(1, 11).Select(i => $"EC2-R{i}"), .. Enumerable.Range(1, 9).Select(i => $"RDS-R{i}"),
         .. Enumerable.Range(1, 5).Select(i => $"EFS-C{i}"), .. Enumerable.Range(0, 4).Select(i => $"EC2-X{i}"),
         .. Enumerable.Range(0, 4).Select(i => $"RDS-X{i}"), "X-DEF"]);

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public void BundledWorlds_Readme_MapsScenarioToALoadableWorld(string id)
    {
        var row = File.ReadLines(WorldPath("README.md")).Single(l => l.StartsWith($"| {id} |", StringComparison.Ordinal));
        var world = row.Split('|', StringSplitOptions.TrimEntries)[2];

        Assert.NotNull(SimulatedAws.Load(WorldPath($"{world}.json")));
    }

    [Theory]
    [InlineData("""{ "accounts": ["111111111111"], "regions": ["eu-west-1"], "instancez": [] }""")]
    [InlineData("""{ "accounts": ["1111"], "regions": ["eu-west-1"] }""")]
    [InlineData("""{ "accounts": ["111111111111"], "regions": ["mars-north-1"] }""")]
    [InlineData("""{ "accounts": ["111111111111"], "regions": ["eu-west-1"], "instances": [{ "instanceId": "i-0a1b2c3d4e5f60001", "account": "111111111111", "region": "eu-west-1", "instanceType": "t3.small", "volumes": [{ "volumeId": "vol-0a1b2c3d4e5f60011", "deviceName": "/dev/xvda", "sizeGiB": 8, "encrypted": true, "kmsKey": "alias/nope" }] }] }""")]
    [InlineData("""{ "accounts": ["111111111111"], "regions": ["eu-west-1"], "roles": [{ "arn": "arn:aws:iam::222222222222:role/Elsewhere" }] }""")]
    public void InvalidWorld_IsRejectedWhenLoaded(string json)
    {
        var error = Record.Exception(() => SimulatedAws.FromJson(json));

        Assert.True(error is InvalidDataException or JsonException, error?.ToString());
    }
}
