using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Ferry.Core.Sessions;
using Ferry.Local.Host;
using Ferry.Local.Runtime;
using Ferry.Simulator.World;

namespace Ferry.Bench;

/// <summary>One run's figures: DynamoDB items Ferry's steps read, per step and table, against the outcomes recorded.</summary>
public sealed record ReadsResult(int Resources, int Outcomes, IReadOnlyDictionary<(string Step, string Table), long> Items)
{
    public long Total => Items.Values.Sum();

    public long Where(Func<string, string, bool> match) => Items.Where(i => match(i.Key.Step, i.Key.Table)).Sum(i => i.Value);

    public double PerOutcome(long items) => Outcomes == 0 ? double.NaN : (double)items / Outcomes;
}

/// <summary>
/// Runs bulk EC2 worlds of N instances through the real policy-run state machine (LocalFerry: simulator, dynalite, the
/// local Lambda host and the ASL runner) and counts the DynamoDB items Ferry's steps read: a GetItem that finds its item
/// reads 1, a Query or Scan the items it returns, a BatchGetItem the items it returns. Recording an outcome must read a
/// number of items that does not grow with the session, so the items read per recorded outcome stay flat as N grows.
/// </summary>
public static class Reads
{
    public const string Usage = """
        usage: dotnet run --project local/Ferry.Bench -c Release -- reads [--resources N]... [--acceleration A]
          --resources N    a run of N instances (repeatable; default 10, 100, 1000)
          --acceleration A simulated seconds per real second (default 100)
        Prints, per run, the DynamoDB items Ferry's steps read, in all and per recorded outcome (all tables, the sessions
        table, RecordOutcome alone), then each step's items per outcome. Exit code 1 when a resource has no outcome.
        """;

    private static readonly IReadOnlyList<int> DefaultSizes = [10, 100, 1000];

    /// <summary>The sizes and acceleration the arguments ask for; null when they do not parse.</summary>
    public static (IReadOnlyList<int> Sizes, double Acceleration)? Parse(IReadOnlyList<string> args)
    {
        var sizes = new List<int>();
        var acceleration = 100.0;
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            switch (args[i])
            {
                case "--resources" when int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
                    sizes.Add(n);
                    break;
                case "--acceleration" when double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var a) && a > 0:
                    acceleration = a;
                    break;
                default:
                    return null;
            }
        }
        return args.Count % 2 == 0 ? (sizes.Count > 0 ? sizes : DefaultSizes, acceleration) : null;
    }

    public static async Task<int> RunAsync(IReadOnlyList<int> sizes, double acceleration, TextWriter output)
    {
        await using var dynalite = await DynaliteServer.StartAsync();
        var counter = new ItemCounter();
        ((AmazonServiceClient)dynalite.Client).AfterResponseEvent += counter.OnResponse;
        output.WriteLine($"{"N",6} {"outcomes",8} {"items read",10} {"per outcome",11} {"sessions table",14} {"RecordOutcome",13}");
        var results = new List<ReadsResult>();
        foreach (var size in sizes)
        {
            var result = await RunAsync(size, acceleration, dynalite, counter, $"reads{results.Count + 1}");
            results.Add(result);
            var sessions = result.Where((_, table) => Unprefixed(table) == "sessions");
            var record = result.Where((step, _) => step == "RecordOutcome");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Resources,6} {result.Outcomes,8} {result.Total,10} {result.PerOutcome(result.Total),11:0.00} {result.PerOutcome(sessions),14:0.00} {result.PerOutcome(record),13:0.00}"));
        }
        output.WriteLine();
        output.WriteLine("items read per outcome, by step and table");
        output.WriteLine($"{"step",-18} {"table",-14}" + string.Concat(results.Select(r => $" {"N=" + r.Resources.ToString(CultureInfo.InvariantCulture),9}")));
        var rows = results.SelectMany(r => r.Items.Keys.Select(k => (k.Step, Table: Unprefixed(k.Table)))).Distinct().OrderBy(k => k.Step, StringComparer.Ordinal).ThenBy(k => k.Table, StringComparer.Ordinal);
        foreach (var (step, table) in rows)
        {
            output.WriteLine($"{step,-18} {table,-14}" + string.Concat(results.Select(r =>
                string.Create(CultureInfo.InvariantCulture, $" {r.PerOutcome(r.Where((s, t) => s == step && Unprefixed(t) == table)),9:0.00}"))));
        }
        return results.Any(r => r.Outcomes < r.Resources) ? 1 : 0;
    }

    /// <summary>A table's name without the run's prefix ("reads1-sessions": "sessions").</summary>
    private static string Unprefixed(string table) => table[(table.IndexOf('-', StringComparison.Ordinal) + 1)..];

    private static async Task<ReadsResult> RunAsync(int size, double acceleration, DynaliteServer dynalite, ItemCounter counter, string prefix)
    {
        // Copies as fast as snapshots, and AWS's default copy quota: the run's shape, not its makespan, is what is measured.
        var timings = new TimingSpec { EbsSnapshotSeconds = 120, EbsSnapshotSecondsPerGiB = 0, EbsCopySeconds = 120, EbsCopySecondsPerGiB = 0 };
        var path = BulkWorld.WriteTemporary(BulkWorld.Instances(size, 1, timings));
        try
        {
            await using var ferry = await LocalFerry.StartAsync(new LocalOptions(path, acceleration), dynalite, prefix);
            var policy = $"{prefix}-policy";
            await ferry.PutPolicyAsync(BulkWorld.Policy(policy));
            counter.Reset();
            await ferry.RunAsync(Core.Runs.Flows.PolicyRun, new JsonObject { ["policyId"] = policy }, $"{prefix}-run");
            var items = counter.Snapshot();
            var header = (await ferry.Services.Sessions.ListByPolicyAsync(policy)).Single(s => s.Kind == SessionKind.PolicyRun);
            var session = (await ferry.Services.Sessions.GetAsync(header.SessionId))!;
            return new ReadsResult(size, session.Resources.Count(r => r.Status != ResourceStatus.Running), items);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Counts the items each DynamoDB response read, by the step that made the call (calls outside every step are not Ferry's run).</summary>
    private sealed class ItemCounter
    {
        private readonly ConcurrentDictionary<(string Step, string Table), long> _items = new();

        public void Reset() => _items.Clear();

        public IReadOnlyDictionary<(string Step, string Table), long> Snapshot() => new Dictionary<(string, string), long>(_items);

        public void OnResponse(object sender, ResponseEventArgs e)
        {
            if (LambdaHost.CurrentStep is not { } step || e is not WebServiceResponseEventArgs { Request: var request, Response: var response })
                return;
            List<(string Table, int Count)> read = (request, response) switch
            {
                (GetItemRequest get, GetItemResponse r) => [(get.TableName, r.Item is { Count: > 0 } ? 1 : 0)],
                (QueryRequest query, QueryResponse r) => [(query.TableName, r.Items?.Count ?? 0)],
                (ScanRequest scan, ScanResponse r) => [(scan.TableName, r.Items?.Count ?? 0)],
                (BatchGetItemRequest, BatchGetItemResponse r) => [.. r.Responses?.Select(t => (t.Key, t.Value.Count)) ?? []],
                _ => [],
            };
            foreach (var (table, count) in read)
                _items.AddOrUpdate((step, table), count, (_, n) => n + count);
        }
    }
}
