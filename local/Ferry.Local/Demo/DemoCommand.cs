using System.Diagnostics;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.DocumentModel;
using Amazon.DynamoDBv2.Model;
using Ferry.Core.Policies;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using Ferry.Local.Runtime;

namespace Ferry.Local.Demo;

/// <summary>
/// <c>ferry demo</c>: Ferry's main job on one machine. Runs every bundled policy and several restores
/// through the real state machines, against the simulated world and DynamoDB (dynalite), shows live
/// progress and a report, and succeeds only when every outcome is the expected one.
/// </summary>
public static class DemoCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output)
    {
        var keep = args.Contains("--keep");
        var manifestPath = Repository.PathOf("local", "demo", "demo.json");
        var manifest = DemoManifest.Load(manifestPath);
        var watch = Stopwatch.StartNew();
        var steps = new StringWriter();
        // One DynamoDB for every world; each world after the first gets its own tables.
        await using var dynalite = await DynaliteServer.StartAsync();
        output.WriteLine("Ferry demo: every bundled policy and restore through the real state machines, on one machine.");
        var misses = new List<string>();
        var checkedCount = 0;
        foreach (var (world, index) in manifest.AllWorlds().Select((w, i) => (w, i)))
        {
            var prefix = index == 0 ? "ferry" : $"ferry-{Path.GetFileNameWithoutExtension(world.World)}";
            await using var ferry = await LocalFerry.StartAsync(new LocalOptions(Repository.PathOf(world.World), world.Acceleration, StepLog: steps), dynalite, prefix);
            output.WriteLine($"  world     {world.World} (simulated AWS, {world.Acceleration:0}× time)");
            output.WriteLine($"  lambdas   {Functions.StepCatalog.All.Count} steps behind the local Lambda host at {ferry.Host.Url}");
            output.WriteLine($"  dynamodb  dynalite at {ferry.Dynalite.Endpoint} (tables {prefix}-*)");
            output.WriteLine();
            checkedCount += await RunWorldAsync(ferry, world, Path.GetDirectoryName(manifestPath)!, output, misses);
        }

        var dumps = await DumpTablesAsync(dynalite);
        await File.WriteAllTextAsync(Path.Combine(dumps, "step-log.jsonl"), steps.ToString());
        output.WriteLine($"DynamoDB data written by this run: {Path.GetRelativePath(Repository.Root, dumps)}/ (one JSON file per table, plus step-log.jsonl: the steps' structured log lines and metrics).");
        output.WriteLine($"{checkedCount - misses.Count} of {checkedCount} outcomes as expected, in {watch.Elapsed.TotalSeconds:0.0} s.");
        foreach (var miss in misses)
            output.WriteLine($"  ✗ {miss}");
        if (keep)
        {
            output.WriteLine($"Still running (--keep): DynamoDB at {dynalite.Endpoint} (e.g. aws dynamodb scan --table-name ferry-sessions --endpoint-url {dynalite.Endpoint}). Press Enter to stop.");
            Console.ReadLine();
        }
        return misses.Count == 0 ? 0 : 1;
    }

    /// <summary>Runs one world's policies and restores; returns how many outcomes it checked and adds the misses.</summary>
    private static async Task<int> RunWorldAsync(LocalFerry ferry, DemoWorld world, string demoFolder, TextWriter output, List<string> misses)
    {
        var policies = new List<(Policy Policy, DemoPolicy Demo)>();
        foreach (var demo in world.Policies)
            policies.Add((await ferry.PutPolicyAsync(File.ReadAllText(Path.Combine(demoFolder, demo.File))), demo));

        var checkedCount = 0;
        foreach (var (policy, demo) in policies)
        {
            output.WriteLine($"▶ policy {policy.Id}: {policy.Name}");
            var (session, execution) = await RunWatchedAsync(ferry, output, policy.Id, SessionKind.PolicyRun,
                () => ferry.RunAsync(Flows.PolicyRun, new JsonObject { ["policyId"] = policy.Id }, $"demo-{policy.Id}"));
            SessionReport.Write(output, session, id => demo.Scenarios?.GetValueOrDefault(id), id => demo.Expect.TryGetValue(id, out var s) ? s : null);
            checkedCount++;
            WriteNotifications(ferry, execution, session, output, misses);
            foreach (var (resource, expected) in demo.Expect)
            {
                checkedCount++;
                var actual = session.Resources.FirstOrDefault(r => r.ResourceId == resource)?.Status;
                if (actual != expected)
                    misses.Add($"{policy.Id}/{resource}: expected {expected}, got {actual?.ToString() ?? "no outcome"}");
            }
            output.WriteLine();
        }

        foreach (var restore in world.Restores ?? [])
        {
            checkedCount++;
            var points = await ferry.Services.RestorePoints.ListAsync(restore.Policy, restore.Resource);
            var point = points.FirstOrDefault(p => p.IsReplica == restore.Replica);
            if (point is null)
            {
                misses.Add($"{restore.Scenario}: no {(restore.Replica ? "replica" : "snapshot")} restore point of {restore.Resource} from {restore.Policy}");
                continue;
            }
            output.WriteLine($"▶ restore {restore.Scenario}: {restore.Resource} {(restore.Replica ? "replica" : "snapshot")} in {point.AccountId}/{point.Region} → {restore.TargetAccount}/{restore.TargetRegion} as {restore.RestoreRole[(restore.RestoreRole.LastIndexOf('/') + 1)..]}");
            var machine = Flows.Restore;
            var input = new RestoreInput(point.RestorePointId, restore.TargetAccount, restore.TargetRegion, restore.RestoreRole, restore.TargetKmsKey,
                SessionId: $"restore-{restore.Resource}-{checkedCount}", ShareKey: restore.ShareKey);
            var (session, execution) = await RunWatchedAsync(ferry, output, restore.Policy, SessionKind.Restore, () => ferry.RunAsync(machine, input, input.SessionId!), input.SessionId);
            SessionReport.Write(output, session, _ => restore.Scenario, _ => restore.Expect);
            checkedCount++;
            WriteNotifications(ferry, execution, session, output, misses);
            var actual = session.Resources.FirstOrDefault()?.Status;
            if (actual != restore.Expect)
                misses.Add($"{restore.Scenario}: expected {restore.Expect}, got {actual?.ToString() ?? "no outcome"}");
            output.WriteLine();
        }

        // The daily digest of the world's policies, as its schedule would start it: one message on the topic.
        checkedCount++;
        output.WriteLine($"▶ daily digest of {string.Join(", ", policies.Select(p => p.Policy.Id))}");
        var digest = await ferry.RunAsync(Flows.Digest, new JsonObject { ["policyIds"] = new JsonArray([.. policies.Select(p => (JsonNode)p.Policy.Id)]) },
            $"demo-digest-{checkedCount}");
        foreach (var message in digest.Messages)
        {
            output.WriteLine($"  message   to the notifications topic: {message["Subject"]}");
            foreach (var line in message["Message"]!.GetValue<string>().TrimEnd().Split('\n'))
                output.WriteLine($"    │ {line}");
        }
        if (!digest.Succeeded || digest.Messages.Count != 1)
            misses.Add($"daily digest: {digest.Status} with {digest.Messages.Count} messages, expected one ({digest.Error}: {digest.Cause})");
        output.WriteLine();
        return checkedCount;
    }

    /// <summary>
    /// The session's event, one line, and the message the notification rule made of it (Warning and Failed sessions): what
    /// the stack would have sent. A session that put no event, or another session's, is a miss (one more checked outcome).
    /// </summary>
    private static void WriteNotifications(LocalFerry ferry, Execution execution, Session session, TextWriter output, List<string> misses)
    {
        foreach (var @event in NotificationRule.EventsOf(execution))
        {
            var detail = @event["detail"]!;
            var counts = detail["counts"]!.AsObject().Where(c => c.Value!.GetValue<int>() > 0).Select(c => $"{c.Value} {c.Key}");
            output.WriteLine($"  event     {@event["source"]} / {@event["detail-type"]}: {detail["sessionId"]} {detail["kind"]} {detail["status"]} ({string.Join(", ", counts)})");
        }
        foreach (var notification in ferry.Notifications.NotificationsOf(execution))
        {
            output.WriteLine($"  message   to the notifications topic:");
            foreach (var line in notification.Message.Split('\n'))
                output.WriteLine($"    │ {line}");
        }
        if (execution.Events is not [var only] || only["Detail"]?["sessionId"]?.GetValue<string>() != session.SessionId)
            misses.Add($"{session.SessionId}: put {execution.Events.Count} session events, expected its own one");
    }

    private static async Task<(Session Session, Execution Execution)> RunWatchedAsync(LocalFerry ferry, TextWriter output, string policyId, SessionKind kind, Func<Task<Execution>> run, string? sessionId = null)
    {
        using var stop = new CancellationTokenSource();
        var earlier = (await ferry.Services.Sessions.ListByPolicyAsync(policyId)).Select(s => s.SessionId).ToHashSet(StringComparer.Ordinal);
        var watcher = new ProgressWatcher(ferry.Services.Sessions, output).WatchAsync(policyId, kind, earlier, stop.Token);
        var started = Stopwatch.StartNew();
        var execution = await run();
        await stop.CancelAsync();
        await watcher;
        if (!execution.Succeeded)
            output.WriteLine($"  execution {execution.Status}: {execution.Error}: {execution.Cause}");
        output.WriteLine($"  ({execution.Machine} {execution.Status.ToLowerInvariant()} in {started.Elapsed.TotalSeconds:0.0} s)");
        var sessions = await ferry.Services.Sessions.ListByPolicyAsync(policyId);
        var header = sessions.Single(s => s.Kind == kind && !earlier.Contains(s.SessionId) && (sessionId is null || s.SessionId == sessionId));
        // Listing gives headers; the report needs every resource's log.
        return ((await ferry.Services.Sessions.GetAsync(header.SessionId))!, execution);
    }

    /// <summary>Scans Ferry's tables into .ferry/demo/dynamodb, so what the run wrote can be read after it ends.</summary>
    private static async Task<string> DumpTablesAsync(DynaliteServer dynalite)
    {
        var folder = Repository.PathOf(".ferry", "demo", "dynamodb");
        Directory.CreateDirectory(folder);
        foreach (var table in (await dynalite.Client.ListTablesAsync()).TableNames)
        {
            var items = new List<string>();
            Dictionary<string, AttributeValue>? start = null;
            do
            {
                var page = await dynalite.Client.ScanAsync(new ScanRequest { TableName = table, ExclusiveStartKey = start });
                items.AddRange(page.Items.Select(i => Document.FromAttributeMap(i).ToJson()));
                start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
            }
            while (start is not null);
            await File.WriteAllTextAsync(Path.Combine(folder, $"{table}.json"), "[\n  " + string.Join(",\n  ", items) + "\n]\n");
        }
        return folder;
    }
}
