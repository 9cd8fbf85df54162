namespace Ferry.Core.Ports;

/// <summary>A copy quota's scope: AWS counts concurrent copies per destination account, region and service.</summary>
/// <param name="Service">ebs, rds or aurora.</param>
public sealed record CopySlotKey(string Account, string Region, string Service)
{
    /// <summary>AWS's concurrent copy quotas per destination region and account.</summary>
    public int DefaultLimit => Service switch
    {
        "aurora" => 5,
        _ => 20,
    };

    public override string ToString() => $"{Service}:{Account}:{Region}";
}

/// <summary>
/// Counts copies in flight so Ferry never starts more than the quota: a copy takes a slot before
/// it starts and gives it back when it completes or fails. Leases expire, so a crashed flow cannot
/// hold a slot forever. Acquiring a slot one already holds succeeds again (retries are harmless).
/// </summary>
public interface ICopySlots
{
    Task<bool> TryAcquireAsync(CopySlotKey key, string holder, int limit, TimeSpan lease, CancellationToken cancellationToken = default);

    Task ReleaseAsync(CopySlotKey key, string holder, CancellationToken cancellationToken = default);

    Task<int> InUseAsync(CopySlotKey key, CancellationToken cancellationToken = default);
}

/// <summary>Copy slots for one process (the local host, tests).</summary>
public sealed class InMemoryCopySlots(IClock clock) : ICopySlots
{
    private readonly Dictionary<CopySlotKey, Dictionary<string, DateTimeOffset>> _slots = [];
    private readonly Lock _lock = new();

    public Task<bool> TryAcquireAsync(CopySlotKey key, string holder, int limit, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var holders = Live(key);
            if (!holders.ContainsKey(holder) && holders.Count >= limit)
                return Task.FromResult(false);
            holders[holder] = clock.UtcNow + lease;
            return Task.FromResult(true);
        }
    }

    public Task ReleaseAsync(CopySlotKey key, string holder, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            Live(key).Remove(holder);
        return Task.CompletedTask;
    }

    public Task<int> InUseAsync(CopySlotKey key, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(Live(key).Count);
    }

    private Dictionary<string, DateTimeOffset> Live(CopySlotKey key)
    {
        if (!_slots.TryGetValue(key, out var holders))
            _slots[key] = holders = [];
        var now = clock.UtcNow;
        foreach (var expired in holders.Where(h => h.Value <= now).Select(h => h.Key).ToList())
            holders.Remove(expired);
        return holders;
    }
}
