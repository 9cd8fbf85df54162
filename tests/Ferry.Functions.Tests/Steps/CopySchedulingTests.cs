using Ferry.Core.Errors;
using Ferry.Core.Planning;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Simulator;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Functions.Tests.Steps;

/// <summary>
/// CopyToRegion under a copy quota: one slot per copy, taken only to start it, given back per copy, and freed
/// by a waiting claimant once the copy it covers has ended.
/// </summary>
public class CopySchedulingTests
{
    private static readonly CopySlotKey Scope = new(TargetAccount, Central, "ebs");

    /// <summary>AppKeyed (two volumes) planned for a cross-account copy, snapshotted and shared: ready for CopyToRegion.</summary>
    private static async Task<(Harness Harness, Job Job)> ReadyToCopyAsync(int quota)
    {
        var h = new Harness(quotas: CopyQuotas.Parse($"ebs={quota}"));
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [AppKeyed], TargetRole, Central, true, DrKey));
        var session = await h.OpenSessionAsync("p");
        var job = (await h.PlanAsync("p", session, AppKeyed)).Job!;
        return (h, await h.RunStepsAsync(job, until: StepKind.Copy));
    }

    [Fact]
    public async Task CopyToRegion_MoreCopiesThanSlots_StartsAWaveThenTheRestOnceItsOwnCopiesEnd()
    {
        var (h, job) = await ReadyToCopyAsync(quota: 1);

        var first = await Assert.ThrowsAsync<FerryQuotaExceededException>(() => h.InvokeAsync<Job>("CopyToRegion", job));
        Assert.Contains("1 copy(ies) of i-0a1b2c3d4e5f60002 wait", first.Message, StringComparison.Ordinal);
        Assert.Equal(1, h.Aws.CallLog.Count("ec2", "CopySnapshot"));

        // While the first copy runs, a retry finds it (one describe) and waits without starting anything.
        await Assert.ThrowsAsync<FerryQuotaExceededException>(() => h.InvokeAsync<Job>("CopyToRegion", job));
        Assert.Equal(1, h.Aws.CallLog.Count("ec2", "CopySnapshot"));

        h.Clock.Advance(TimeSpan.FromHours(1));
        job = await h.InvokeAsync<Job>("CopyToRegion", job);

        Assert.Equal(2, h.Aws.CallLog.Count("ec2", "CopySnapshot"));
        Assert.All(job.Items, i => Assert.Equal(2, i.Ids.Count));
        Assert.Equal(2, job.Items.Select(i => i.Current).Distinct().Count());
        Assert.Equal(1, (await h.Services.Slots.ReadAsync(Scope)).Count(s => !s.IsFreeAt(h.Clock.UtcNow)));
        job = await h.WaitAsync(job);
        Assert.Equal(0, (await h.Services.Slots.ReadAsync(Scope)).Count(s => !s.IsFreeAt(h.Clock.UtcNow)));
        Assert.Equal(1, h.Aws.CallLog.PeakCopiesInFlight(CopyService.Ebs, TargetAccount, Central));
    }

    [Fact]
    public async Task CopyToRegion_ScopeHeldByCopiesThatEnded_FreesThemAndStartsAtOnce()
    {
        var (h, job) = await ReadyToCopyAsync(quota: 2);
        var finished = await StartCopiesElsewhereAsync(h, job);
        h.Clock.Advance(TimeSpan.FromHours(1));

        job = await h.InvokeAsync<Job>("CopyToRegion", job);

        Assert.All(job.Items, i => Assert.Equal(2, i.Ids.Count));
        var held = await h.Services.Slots.ReadAsync(Scope);
        Assert.Equal(job.Items.Select(i => i.Current).Order(), held.Select(s => s.CopyId).Order());
        Assert.DoesNotContain(held, s => finished.Contains(s.CopyId!));
    }

    [Fact]
    public async Task CopyToRegion_ScopeHeldByCopiesInProgress_WaitsWithoutTouchingTheirSlots()
    {
        var (h, job) = await ReadyToCopyAsync(quota: 2);
        var running = await StartCopiesElsewhereAsync(h, job);
        var copies = h.Aws.CallLog.Count("ec2", "CopySnapshot");

        await Assert.ThrowsAsync<FerryQuotaExceededException>(() => h.InvokeAsync<Job>("CopyToRegion", job));

        Assert.Equal(copies, h.Aws.CallLog.Count("ec2", "CopySnapshot"));
        Assert.Equal(running.Order(), (await h.Services.Slots.ReadAsync(Scope)).Select(s => s.CopyId).Order());
    }

    [Fact]
    public async Task CopyToRegion_ClaimLeftByACrashedAttempt_IsTakenUpByTheRetryNotLeaked()
    {
        var (h, job) = await ReadyToCopyAsync(quota: 2);
        var first = job.Items[0];
        await h.Services.Slots.TryClaimAsync(Scope, "01", job.SlotHolder(first, job.Cursor), h.Clock.UtcNow.AddMinutes(30));
        await h.Services.Slots.TryClaimAsync(Scope, "00", "another-resource", h.Clock.UtcNow.AddMinutes(30));

        await Assert.ThrowsAsync<FerryQuotaExceededException>(() => h.InvokeAsync<Job>("CopyToRegion", job));

        var mine = Assert.Single(await h.Services.Slots.ReadAsync(Scope), s => s.Slot == "01");
        Assert.NotNull(mine.CopyId);
        Assert.Equal(h.Clock.UtcNow + WaitSettings.Default.SlotLease, mine.LeaseUntil);
        Assert.Equal(1, h.Aws.CallLog.Count("ec2", "CopySnapshot"));
    }

    [Fact]
    public async Task CheckAvailable_OneCopyDone_GivesBackThatCopysSlotAtOnce()
    {
        var (h, job) = await ReadyToCopyAsync(quota: 20);
        job = await h.InvokeAsync<Job>("CopyToRegion", job);
        // The 30 GiB volume's copy ends well before the 100 GiB one's (copy time grows with size).
        h.Clock.Advance(TimeSpan.FromSeconds(400));

        job = await h.InvokeAsync<Job>("CheckAvailable", job);

        Assert.False(job.Wait!.Ready);
        var held = Assert.Single(await h.Services.Slots.ReadAsync(Scope), s => s.Holder is not null);
        Assert.Equal(job.Items.Single(i => i.ItemId == "vol-0a1b2c3d4e5f60022").Current, held.CopyId);
    }

    [Fact]
    public async Task CheckAvailable_ProgressSaysTheCopiesEndBeforeTheDoubledWait_ChecksWhenTheyEnd()
    {
        var (h, job) = await ReadyToCopyAsync(quota: 20);
        job = await h.InvokeAsync<Job>("CopyToRegion", job);
        var started = h.Clock.UtcNow;

        var waits = new List<int>();
        while (job.Wait is { Ready: false } wait)
        {
            waits.Add(wait.Seconds);
            h.Clock.Advance(TimeSpan.FromSeconds(wait.Seconds));
            job = await h.InvokeAsync<Job>("CheckAvailable", job);
        }

        // The copies take 360 s and 500 s: doubling alone would see them done at 930 s.
        Assert.Equal([30, 60, 120, 240], waits.Take(4));
        Assert.InRange((h.Clock.UtcNow - started).TotalSeconds, 500, 510);
    }

    [Fact]
    public async Task RecordOutcome_ResourceFailedWhileItsCopiesRun_GivesBackAllItsSlots_AndTheCleanupDeletesTheCopies()
    {
        var (h, job) = await ReadyToCopyAsync(quota: 20);
        job = await h.InvokeAsync<Job>("CopyToRegion", job);
        Assert.Equal(2, (await h.Services.Slots.ReadAsync(Scope)).Count(s => !s.IsFreeAt(h.Clock.UtcNow)));
        var copies = job.Items.Select(i => i.Current).ToList();

        await h.RecordFailureAsync("p", job.SessionId, job.ResourceId, job, new FerrySnapshotFailedException("a later step failed"));

        Assert.Equal(0, (await h.Services.Slots.ReadAsync(Scope)).Count(s => !s.IsFreeAt(h.Clock.UtcNow)));
        Assert.DoesNotContain(h.Aws.Snapshots(), s => copies.Contains(s.Id));
    }

    [Fact]
    public async Task StartCopy_ClaimLapsedAndTakenWhileTheCopyStarted_TheCopyTakesAnotherFreeSlot()
    {
        var h = new Harness(quotas: CopyQuotas.Parse("ebs=2"));
        var services = h.Services with { Slots = new LapsingSlots(h.Services.Slots) };
        var at = new RoleAt(TargetRole, TargetAccount, Central);

        var running = await new CopyScheduler(services).StartAsync(Scope, at,
            [new CopyScheduler.Request("s/i-1/vol-1/copy3", null, _ => Task.FromResult("snap-started"))], CancellationToken.None);

        Assert.Equal("snap-started", running["s/i-1/vol-1/copy3"].CopyId);
        var held = (await h.Services.Slots.ReadAsync(Scope)).Where(s => s.Holder is not null).ToList();
        Assert.Equal(2, held.Count);
        Assert.Single(held, s => s is { Holder: "another-claimant", CopyId: null });
        var moved = Assert.Single(held, s => s is { Holder: "s/i-1/vol-1/copy3", CopyId: "snap-started" });
        // The step learns the slot its copy moved to, so the copy's check gives that one back.
        Assert.Equal(moved.Slot, running["s/i-1/vol-1/copy3"].Slot);
    }

    /// <summary>Slots whose first claim lapses and is taken by another claimant before its copy is recorded, as a stalled step would see.</summary>
    private sealed class LapsingSlots(ICopySlots inner) : ICopySlots
    {
        private bool _lapsed;

        public Task<IReadOnlyList<CopySlot>> ReadAsync(CopySlotKey key, CancellationToken cancellationToken = default) => inner.ReadAsync(key, cancellationToken);

        public Task<bool> TryClaimAsync(CopySlotKey key, string slot, string holder, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
            inner.TryClaimAsync(key, slot, holder, leaseUntil, cancellationToken);

        public async Task<bool> RecordCopyAsync(CopySlotKey key, string slot, string holder, string copyId, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
        {
            if (!_lapsed)
            {
                _lapsed = true;
                await inner.FreeAsync(key, new CopySlot(slot, holder), cancellationToken);
                await inner.TryClaimAsync(key, slot, "another-claimant", leaseUntil, cancellationToken);
            }
            return await inner.RecordCopyAsync(key, slot, holder, copyId, leaseUntil, cancellationToken);
        }

        public Task<bool> FreeAsync(CopySlotKey key, CopySlot seen, CancellationToken cancellationToken = default) => inner.FreeAsync(key, seen, cancellationToken);

    }

    /// <summary>Fills the scope's slots with copies of another session's snapshots, as another resource's flow would.</summary>
    private static async Task<IReadOnlyList<string>> StartCopiesElsewhereAsync(Harness h, Job job)
    {
        var ec2 = await h.Ec2Async(TargetRole, Central);
        var copies = new List<string>();
        foreach (var (item, index) in job.Items.Select((item, index) => (item, index)))
        {
            var holder = CopySteps.Holder("other-session", "other-resource", item.ItemId, job.Cursor);
            Assert.True(await h.Services.Slots.TryClaimAsync(Scope, CopySlot.Name(index), holder, h.Clock.UtcNow.AddMinutes(30)));
            var copy = await ec2.CopySnapshotAsync(new Ec2CopyRequest(West, item.Current, true, DrKey, "another flow's copy", new Dictionary<string, string>()));
            await h.Services.Slots.RecordCopyAsync(Scope, CopySlot.Name(index), holder, copy, h.Clock.UtcNow.AddHours(26));
            copies.Add(copy);
        }
        return copies;
    }
}
