using Ferry.Aws.Dynamo;
using Ferry.Core.Ports;

namespace Ferry.Aws.Tests.Dynamo;

/// <summary>The copy slots table on dynalite: every write is conditional, so a slot has one holder and one copy at a time.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoCopySlotsTests(DynaliteFixture dynalite) : IAsyncLifetime
{
    private static readonly CopySlotKey Scope = new("222222222222", "eu-central-1", "ebs");
    private readonly string _table = $"slots-{Guid.NewGuid():N}";
    private readonly TestClock _clock = new(new DateTimeOffset(2026, 3, 1, 2, 0, 0, TimeSpan.Zero));

    private DynamoCopySlots Slots => new(dynalite.Client, _table, _clock);

    public Task InitializeAsync() => DynamoTables.CreateTableAsync(dynalite.Client, TableSchemas.CopySlots, _table);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Slot_ClaimedThenGivenACopy_IsFreedOnlyForThatHolderAndCopy()
    {
        var slots = Slots;

        Assert.True(await slots.TryClaimAsync(Scope, "00", "s/i-1/vol-1/Replica", _clock.UtcNow.AddMinutes(30)));
        Assert.False(await slots.TryClaimAsync(Scope, "00", "s/i-2/vol-2/Replica", _clock.UtcNow.AddMinutes(30)));
        Assert.False(await slots.RecordCopyAsync(Scope, "00", "s/i-2/vol-2/Replica", "snap-other", _clock.UtcNow.AddHours(26)));
        Assert.True(await slots.RecordCopyAsync(Scope, "00", "s/i-1/vol-1/Replica", "snap-1", _clock.UtcNow.AddHours(26)));

        var held = Assert.Single(await slots.ReadAsync(Scope));
        Assert.Equal(new CopySlot("00", "s/i-1/vol-1/Replica", "snap-1", _clock.UtcNow.AddHours(26)), held);
        Assert.False(await slots.FreeAsync(Scope, held with { CopyId = "snap-other" }));
        Assert.False(await slots.FreeAsync(Scope, held with { Holder = "s/i-2/vol-2/Replica" }));
        Assert.Equal(1, (await slots.ReadAsync(Scope)).Count(s => !s.IsFreeAt(_clock.UtcNow)));
        Assert.True(await slots.FreeAsync(Scope, held));
        Assert.Equal(0, (await slots.ReadAsync(Scope)).Count(s => !s.IsFreeAt(_clock.UtcNow)));
        Assert.Equal(new CopySlot("00"), Assert.Single(await slots.ReadAsync(Scope)));
        Assert.True(await slots.TryClaimAsync(Scope, "00", "s/i-2/vol-2/Replica", _clock.UtcNow.AddMinutes(30)));
    }

    [Fact]
    public async Task Claim_WhoseLeaseLapsed_CanBeTakenByAnotherHolder_WithoutTheOldCopy()
    {
        var slots = Slots;
        await slots.TryClaimAsync(Scope, "03", "crashed", _clock.UtcNow.AddMinutes(30));

        _clock.Advance(TimeSpan.FromMinutes(29));
        Assert.False(await slots.TryClaimAsync(Scope, "03", "next", _clock.UtcNow.AddMinutes(30)));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, (await slots.ReadAsync(Scope)).Count(s => !s.IsFreeAt(_clock.UtcNow)));
        Assert.True(await slots.TryClaimAsync(Scope, "03", "next", _clock.UtcNow.AddMinutes(30)));

        var slot = Assert.Single(await slots.ReadAsync(Scope));
        Assert.Equal(("next", (string?)null), (slot.Holder, slot.CopyId));
    }

    [Fact]
    public async Task ManyClaimantsAtOnce_NeverMoreHoldersThanSlots()
    {
        var slots = Slots;
        var names = Enumerable.Range(0, 5).Select(CopySlot.Name).ToList();

        // 20 claimants race for 5 slots, each trying every slot in its own order.
        var won = await Task.WhenAll(Enumerable.Range(0, 20).Select(async c =>
        {
            foreach (var name in names.Skip(c % 5).Concat(names.Take(c % 5)))
            {
                if (await slots.TryClaimAsync(Scope, name, $"claimant-{c}", _clock.UtcNow.AddMinutes(30)))
                    return name;
            }
            return null;
        }));

        Assert.Equal(5, won.Count(w => w is not null));
        Assert.Equal(5, won.OfType<string>().Distinct().Count());
        var held = await slots.ReadAsync(Scope);
        Assert.Equal(5, held.Count(s => s.Holder is not null));
        Assert.Equal(5, held.Select(s => s.Holder).Distinct().Count());
    }

    [Fact]
    public async Task Scopes_AreCountedApart()
    {
        var slots = Slots;
        var aurora = Scope with { Service = "aurora" };

        await slots.TryClaimAsync(Scope, "00", "a", _clock.UtcNow.AddMinutes(30));
        await slots.TryClaimAsync(aurora, "00", "b", _clock.UtcNow.AddMinutes(30));

        Assert.Equal((1, 1), ((await slots.ReadAsync(Scope)).Count(s => !s.IsFreeAt(_clock.UtcNow)), (await slots.ReadAsync(aurora)).Count(s => !s.IsFreeAt(_clock.UtcNow))));
        Assert.Equal("a", Assert.Single(await slots.ReadAsync(Scope)).Holder);
    }

    private sealed class TestClock(DateTimeOffset start) : IClock
    {
        public DateTimeOffset UtcNow { get; private set; } = start;

        public void Advance(TimeSpan by) => UtcNow += by;
    }
}
