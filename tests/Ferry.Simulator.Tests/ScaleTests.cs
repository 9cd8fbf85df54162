using System.Diagnostics;
using System.Text.Json;
using Ferry.Core.Ports;
using Ferry.Local.Runtime;
using Ferry.Simulator.World;
using Xunit.Abstractions;

namespace Ferry.Simulator.Tests;

public sealed class ScaleTests(ITestOutputHelper output)
{
    private const string Account = "111111111111";
    private const string Role = "arn:aws:iam::111111111111:role/FerrySource";

    /// <summary>A world of <paramref name="count"/> instances with three volumes each, as a world file would describe it.</summary>
    private static string LargeWorld(int count)
    {
        var spec = new WorldSpec
        {
            Accounts = [Account],
            Regions = ["eu-west-1"],
            Roles = [new RoleSpec(Role, ["arn:aws:iam::000000000000:role/FerryService"], "ferry")],
            Instances = [.. Enumerable.Range(1, count).Select(i => new InstanceSpec(
                $"i-{i:x17}", Account, "eu-west-1", "m6i.large",
                [.. Enumerable.Range(1, 3).Select(v => new VolumeSpec($"vol-{i * 10 + v:x17}", $"/dev/xvd{(char)('a' + v - 1)}", 10 * v, Encrypted: v == 2))],
                new Dictionary<string, string> { ["backup"] = i % 2 == 0 ? "gold" : "silver" }))],
        };
        return JsonSerializer.Serialize(spec, new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } });
    }

    [Fact]
    public async Task World_OfThousandInstancesWithThreeVolumes_LoadsAndAnswersBatchedStatusQuery()
    {
        var json = LargeWorld(1000);
        var load = Stopwatch.StartNew();
        var aws = SimulatedAws.FromJson(json);
        load.Stop();
        var local = new LocalAws(aws);
        var ec2 = local.Ports.Ec2(await local.Credentials.AssumeAsync(Role), "eu-west-1");
        var instances = await ec2.DescribeInstancesAsync(new InstanceQuery());
        var snapshotIds = new List<string>();
        foreach (var instance in instances)
            snapshotIds.AddRange((await ec2.CreateSnapshotsAsync(instance.InstanceId, new Dictionary<string, string>())).Select(s => s.SnapshotId));

        var timings = new List<double>();
        IReadOnlyList<Ec2Snapshot> statuses = [];
        for (var run = 0; run < 5; run++)
        {
            var query = Stopwatch.StartNew();
            statuses = await ec2.DescribeSnapshotsAsync(new SnapshotQuery(snapshotIds));
            timings.Add(query.Elapsed.TotalMilliseconds);
        }

        Assert.Equal(1000, instances.Count);
        Assert.Equal(3000, statuses.Count);
        Assert.All(statuses, s => Assert.Equal("pending", s.State));
        var report = $"1,000 instances x 3 volumes: world load {load.Elapsed.TotalMilliseconds:F1} ms; " +
            $"batched DescribeSnapshots of 3,000 ids: first {timings[0]:F2} ms, best {timings.Min():F2} ms, median {timings.Order().ElementAt(2):F2} ms";
        output.WriteLine(report);
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "scale-benchmark.txt"), report + Environment.NewLine);
    }
}
