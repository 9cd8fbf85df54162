using Ferry.Core.Errors;
using Ferry.Core.Ports;
using Ferry.Core.Runs.Snapshots;

namespace Ferry.Core.Runs;

/// <summary>
/// Hands out the slots of a copy quota one copy at a time, so it cannot deadlock and leaves no quota idle:
/// <list type="bullet">
/// <item>A slot is claimed only to start its copy at once, in the same step; a claim whose copy never started (the
/// step crashed in between) lapses after the short claim lease. Once the copy runs, its slot records the copy and
/// lasts as long as the copy may.</item>
/// <item>A slot is given back as soon as its own copy is seen over: by the resource's check, and by any claimant that
/// finds the scope full, which reads the scope once, asks AWS about the held copies in one call and frees the slots
/// of those that ended (only if holder and copy are unchanged). Freed quota is thus taken within one retry of a
/// waiting copy, not one poll of the copy's owner. A resource that ends gives back whatever it still holds.</item>
/// <item>A resource with more copies than free slots starts what it can and waits for the rest; its started copies run
/// and end on their own, so partial claims never block anyone.</item>
/// </list>
/// </summary>
public sealed class CopyScheduler(FerryServices services)
{
    /// <summary>A copy a step wants running.</summary>
    /// <param name="Holder">The slot holder for this copy (<see cref="Job.SlotHolder"/>).</param>
    /// <param name="Started">The copy an earlier attempt already started, found by tag or identifier; null when none.</param>
    /// <param name="Start">Starts the copy and returns its id.</param>
    public sealed record Request(string Holder, string? Started, Func<CancellationToken, Task<string>> Start);

    /// <summary>A copy that runs, and the slot it holds (null when it runs uncounted), so its check can give the slot back without reading the scope.</summary>
    public sealed record Running(string CopyId, string? Slot);

    /// <summary>
    /// Starts as many of the copies as the scope has slots for, each in the slot it claimed, and returns every copy now
    /// running by holder (those found started included). Copies missing from the result wait for a slot.
    /// </summary>
    /// <param name="at">The role acting in the scope's account and region, which can describe the copies held there.</param>
    public async Task<IReadOnlyDictionary<string, Running>> StartAsync(CopySlotKey key, RoleAt at, IReadOnlyList<Request> requests, CancellationToken cancellationToken)
    {
        var waiting = requests.Where(r => r.Started is null).ToList();
        var slots = await services.Slots.ReadAsync(key, cancellationToken);
        var now = services.Clock.UtcNow;
        var running = requests.Where(r => r.Started is not null).ToDictionary(r => r.Holder,
            r => new Running(r.Started!, slots.FirstOrDefault(s => s.Holder == r.Holder && !s.IsFreeAt(now))?.Slot), StringComparer.Ordinal);

        // A copy started by an attempt that crashed before recording it: record it, or its claim would lapse while it runs.
        foreach (var slot in slots.Where(s => s.CopyId is null && s.Holder is { } h && running.ContainsKey(h) && !s.IsFreeAt(now)))
            await services.Slots.RecordCopyAsync(key, slot.Slot, slot.Holder!, running[slot.Holder!].CopyId, now + services.Waits.SlotLease, cancellationToken);
        if (waiting.Count == 0)
            return running;

        var holders = waiting.Select(r => r.Holder).ToHashSet(StringComparer.Ordinal);
        var claimed = slots.Where(s => s.CopyId is null && s.Holder is { } h && holders.Contains(h) && !s.IsFreeAt(now))
            .ToDictionary(s => s.Holder!, s => s.Slot, StringComparer.Ordinal);
        var limit = services.CopyQuotas.For(key);
        var free = new Queue<string>(Rotated(FreeSlots(slots, limit, now).ToList(), waiting[0].Holder));
        if (free.Count < waiting.Count(r => !claimed.ContainsKey(r.Holder)))
        {
            foreach (var slot in await OverAsync(key, at, slots.Where(s => s.CopyId is not null && !s.IsFreeAt(now)), cancellationToken))
            {
                // A slot beyond a lowered quota is freed but not taken again.
                if (await services.Slots.FreeAsync(key, slot, cancellationToken) && IsWithin(slot.Slot, limit))
                    free.Enqueue(slot.Slot);
            }
        }

        foreach (var request in waiting)
        {
            var slot = claimed.GetValueOrDefault(request.Holder);
            while (slot is null && free.TryDequeue(out var candidate))
            {
                if (await services.Slots.TryClaimAsync(key, candidate, request.Holder, services.Clock.UtcNow + services.Waits.ClaimLease, cancellationToken))
                    slot = candidate;
            }
            if (slot is null)
                break;
            string copy;
            try
            {
                copy = await request.Start(cancellationToken);
            }
            catch (FerryException e)
            {
                await services.Slots.FreeAsync(key, new CopySlot(slot, request.Holder), cancellationToken);
                // AWS counts copies Ferry does not see (another tool's, into the same scope): wait as for a slot of Ferry's.
                if (e is FerryQuotaExceededException)
                    break;
                throw;
            }
            running[request.Holder] = new Running(copy, await RecordAsync(key, slot, request.Holder, copy, limit, cancellationToken));
        }
        return running;
    }

    /// <summary>
    /// Gives back the holders' slots: those whose copies are seen over (complete, failed or gone), and all of a
    /// resource's when it ends. A failed resource's copy may still run for a while (until cleanup deletes it); should
    /// AWS count it when another copy starts, AWS's own quota error makes that copy wait, like a lack of slots.
    /// </summary>
    public async Task FreeAsync(CopySlotKey key, IReadOnlyCollection<string> holders, CancellationToken cancellationToken)
    {
        if (holders.Count == 0)
            return;
        foreach (var slot in await HeldAsync(key, holders, cancellationToken))
            await services.Slots.FreeAsync(key, slot, cancellationToken);
    }

    /// <summary>
    /// Records the started copy in its slot. Should the claim have lapsed while the copy started (a step stalled past
    /// the claim lease) and another claimant taken the slot, the copy takes any free slot instead; with none free it
    /// runs uncounted, and AWS's own quota error makes the next claimant wait.
    /// </summary>
    /// <returns>The slot that records the copy; null when it runs uncounted.</returns>
    private async Task<string?> RecordAsync(CopySlotKey key, string slot, string holder, string copy, int limit, CancellationToken cancellationToken)
    {
        var until = services.Clock.UtcNow + services.Waits.SlotLease;
        if (await services.Slots.RecordCopyAsync(key, slot, holder, copy, until, cancellationToken))
            return slot;
        var now = services.Clock.UtcNow;
        foreach (var name in FreeSlots(await services.Slots.ReadAsync(key, cancellationToken), limit, now))
        {
            if (await services.Slots.TryClaimAsync(key, name, holder, now + services.Waits.ClaimLease, cancellationToken)
                && await services.Slots.RecordCopyAsync(key, name, holder, copy, until, cancellationToken))
                return name;
        }
        return null;
    }

    /// <summary>The scope's slots within the quota that nobody holds (never taken, given back, or lapsed).</summary>
    private static IEnumerable<string> FreeSlots(IReadOnlyList<CopySlot> slots, int limit, DateTimeOffset now) =>
        Enumerable.Range(0, limit).Select(CopySlot.Name).Where(name => slots.FirstOrDefault(s => s.Slot == name) is not { } slot || slot.IsFreeAt(now));

    /// <summary>
    /// Gives back the slot a copy is known to hold, with no read: a conditional write that changes nothing when the slot
    /// was meanwhile given back (by a waiting copy that saw this one over) or lapsed.
    /// </summary>
    public Task FreeAsync(CopySlotKey key, string slot, string holder, string copyId, CancellationToken cancellationToken) =>
        services.Slots.FreeAsync(key, new CopySlot(slot, holder, copyId), cancellationToken);

    private async Task<List<CopySlot>> HeldAsync(CopySlotKey key, IReadOnlyCollection<string> holders, CancellationToken cancellationToken) =>
        [.. (await services.Slots.ReadAsync(key, cancellationToken)).Where(s => s.Holder is { } h && holders.Contains(h))];

    /// <summary>The slots whose recorded copy is no longer in progress, from one describe call.</summary>
    private async Task<IReadOnlyList<CopySlot>> OverAsync(CopySlotKey key, RoleAt at, IEnumerable<CopySlot> slots, CancellationToken cancellationToken)
    {
        var withCopies = slots.ToList();
        if (withCopies.Count == 0)
            return [];
        var states = await SnapshotServices.ForQuota(services, key.Service).StatesAsync(at, [.. withCopies.Select(s => s.CopyId!).Distinct(StringComparer.Ordinal)], cancellationToken);
        return [.. withCopies.Where(s => !states.TryGetValue(s.CopyId!, out var state) || !state.InProgress)];
    }

    /// <summary>The free slots starting where the holder's hash points, so claimants that read the scope at once rarely race for one slot.</summary>
    private static IEnumerable<string> Rotated(List<string> free, string holder)
    {
        var start = free.Count == 0 ? 0 : (int)(Hash(holder) % (uint)free.Count);
        return free.Skip(start).Concat(free.Take(start));
    }

    // A stable hash (string.GetHashCode differs per process, and each Lambda is its own process).
    private static uint Hash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
            hash = (hash ^ c) * 16777619u;
        return hash;
    }

    private static bool IsWithin(string slot, int limit) =>
        int.TryParse(slot, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index < limit;
}
