using Ferry.Core.Errors;
using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Ports;
using Ferry.Core.Runs.Snapshots;

namespace Ferry.Core.Runs;

/// <summary>
/// Runs the plan's Copy step at the cursor: copies each of its items' current snapshot into the step's account and region,
/// as the step's role, encrypted with the step's key. Each copy takes a slot of its (account, region, service) quota and
/// starts at once (<see cref="CopyScheduler"/>); copies that find no slot wait for the retry, which finds the copies
/// already started (by tag or identifier, in one call).
/// </summary>
public sealed class CopySteps(FerryServices services)
{
    private readonly RunLog _log = new(services);
    private readonly CopyScheduler _scheduler = new(services);

    public async Task<Job> CopyAsync(Job job, CancellationToken cancellationToken = default)
    {
        var step = job.Expect(StepRunners.CopyToRegion);
        var index = job.Cursor;
        var at = Job.At(step);
        var service = SnapshotServices.For(services, job.Snapshots);
        var items = job.ItemsOf(step);
        var orders = items.Select(item => Order(job, index, step, item)).ToList();

        var copies = new Dictionary<string, CopyScheduler.Running>(StringComparer.Ordinal);
        if (SlotKey(job, step) is { } key)
        {
            var earlier = await service.StartedCopiesAsync(at, job,
                [new TagQuery(FerryTags.Session, [job.SessionId]), new TagQuery(FerryTags.Source, [job.ResourceId]), new TagQuery(FerryTags.Step, [.. orders.Select(o => o.Tags[FerryTags.Step]).Distinct()])],
                cancellationToken);
            var requests = orders.Select(order => new CopyScheduler.Request(job.SlotHolder(order.Item, index), earlier.GetValueOrDefault(order.Item.ItemId),
                token => service.CopyAsync(at, job, order, token))).ToList();
            var running = await _scheduler.StartAsync(key, at, requests, cancellationToken);
            foreach (var item in items)
            {
                if (running.TryGetValue(job.SlotHolder(item, index), out var id))
                    copies[item.ItemId] = id;
            }
            var waiting = items.Where(i => !copies.ContainsKey(i.ItemId)).Select(i => i.ItemId).ToList();
            if (waiting.Count > 0)
            {
                throw new FerryQuotaExceededException(
                    $"{waiting.Count} copy(ies) of {job.ResourceId} wait for a free slot of the {key} quota ({services.CopyQuotas.For(key)} at once; " +
                    $"{copies.Count} of its {items.Count} copies run): {string.Join(", ", waiting)}");
            }
        }
        else
        {
            foreach (var order in orders)
                copies[order.Item.ItemId] = new CopyScheduler.Running(await service.CopyAsync(at, job, order, cancellationToken), null);
        }

        var made = items.Select(i => (i.ItemId, copies[i.ItemId].CopyId)).ToList();
        var from = orders.Select(o => $"{o.From.Account}/{o.From.Region}").Distinct();
        await _log.WriteAsync(job.SessionId, job.ResourceId, RunLog.Step + index, "CopyToRegion",
            $"Copy started from {string.Join(", ", from)} into {at.Account}/{at.Region}: {RunLog.Describe(made)}; " +
            (step.KmsKey is { } k ? $"encrypted with {k}" : "keeping the snapshot's encryption"),
            at.Role, RunLog.Ids(made), cancellationToken: cancellationToken);
        return job.Advanced() with
        {
            Items = [.. job.Items.Select(i => copies.TryGetValue(i.ItemId, out var copy) ? i.With(copy.CopyId, copy.Slot) : i)],
            Wait = CheckSteps.StartWait(services),
        };
    }

    /// <summary>Every copy slot a job may hold, per scope, so a finished or failed job can give them back.</summary>
    public static IEnumerable<(CopySlotKey Key, IReadOnlyList<string> Holders)> SlotsOf(Job job) =>
        job.Copies
            .Select(c => (Key: SlotKey(job, c.Step), c.Index, c.Step))
            .Where(c => c.Key is not null)
            .Select(c => (c.Key!, (IReadOnlyList<string>)[.. c.Step.Items.Select(item => Holder(job.SessionId, job.ResourceId, item, c.Index))]));

    /// <summary>The quota scope a Copy step's copies count against; null when AWS queues them itself (AWS Backup).</summary>
    public static CopySlotKey? SlotKey(Job job, PlanStep step) =>
        SnapshotServices.Quota(job.Snapshots) is { } service ? new CopySlotKey(step.Account, step.Region, service) : null;

    public static string Holder(string sessionId, string resourceId, string itemId, int index) => $"{sessionId}/{resourceId}/{itemId}/copy{index}";

    /// <summary>The tags of an item's copy by the Copy step at <paramref name="index"/>.</summary>
    public static IReadOnlyDictionary<string, string> CopyTags(Job job, int index, JobItem item) =>
        new Dictionary<string, string>(job.Tags(job.CopyTag(index, item))) { [FerryTags.Item] = item.ItemId };

    private static CopyOrder Order(Job job, int index, PlanStep step, JobItem item)
    {
        var from = job.WhereIs(item);
        var tags = CopyTags(job, index, item);
        var description = $"Ferry {(job.Payload is RestorePayload ? "restore copy" : "replica")} of {item.ItemId} ({job.ResourceId}), session {job.SessionId}";
        return new CopyOrder(item, item.Current, from, step.KmsKey, tags, description);
    }
}
