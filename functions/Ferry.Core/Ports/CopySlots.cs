using System.Globalization;
using Ferry.Core.Aws;
using Ferry.Core.Errors;
using Ferry.Core.Settings;

namespace Ferry.Core.Ports;

/// <summary>A copy quota's scope: AWS counts concurrent copies per destination account, region and service.</summary>
/// <param name="Service">ebs, rds or aurora.</param>
public sealed record CopySlotKey(string Account, string Region, string Service)
{
    public override string ToString() => $"{Service}:{Account}:{Region}";
}

/// <summary>
/// How many copies may run at once per (account, destination region, service): AWS's defaults (20 EBS, 20 RDS,
/// 5 Aurora) unless configured. Quotas raised with AWS are set per service or per scope in
/// <see cref="FerryVariables.CopyQuotas"/>, e.g. <c>ebs=50,aurora:222222222222:eu-central-1=10</c>; the most specific entry wins.
/// </summary>
public sealed class CopyQuotas
{
    private static readonly Dictionary<string, int> AwsDefaults = new(StringComparer.Ordinal) { ["ebs"] = 20, ["rds"] = 20, ["aurora"] = 5 };

    private readonly Dictionary<string, int> _quotas;

    private CopyQuotas(Dictionary<string, int> quotas) => _quotas = quotas;

    public static CopyQuotas Default { get; } = new(new Dictionary<string, int>(StringComparer.Ordinal));

    /// <summary>The number of copy slots of a scope.</summary>
    public int For(CopySlotKey key) =>
        _quotas.TryGetValue(key.ToString(), out var scoped) ? scoped
        : _quotas.TryGetValue(key.Service, out var service) ? service
        : AwsDefaults.GetValueOrDefault(key.Service, 20);

    /// <summary>Reads <c>service=count</c> or <c>service:account:region=count</c> entries, comma-separated; empty means AWS's defaults.</summary>
    /// <exception cref="FerryInvalidInputException">An entry is malformed; the message names the variable and the entry.</exception>
    public static CopyQuotas Parse(string? text)
    {
        var quotas = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (name, value) = entry.IndexOf('=', StringComparison.Ordinal) is var at and > 0 ? (entry[..at].Trim(), entry[(at + 1)..].Trim()) : (entry, "");
            var parts = name.Split(':');
            if (!AwsDefaults.ContainsKey(parts[0]) || parts.Length is not (1 or 3) || (parts.Length == 3 && (!AwsIds.IsAccountId(parts[1]) || parts[2].Length == 0)))
                throw new FerryInvalidInputException($"{FerryVariables.CopyQuotas}: '{entry}' must be service=count or service:account:region=count, with service ebs, rds or aurora");
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count is < 1 or > 1000)
                throw new FerryInvalidInputException($"{FerryVariables.CopyQuotas}: '{entry}' needs a count from 1 to 1000");
            quotas[name] = count;
        }
        return new CopyQuotas(quotas);
    }

    public override string ToString() =>
        string.Join(",", AwsDefaults.Keys.Select(s => $"{s}={_quotas.GetValueOrDefault(s, AwsDefaults[s])}")
            .Concat(_quotas.Where(q => q.Key.Contains(':', StringComparison.Ordinal)).OrderBy(q => q.Key, StringComparer.Ordinal).Select(q => $"{q.Key}={q.Value}")));
}

/// <summary>One slot of a copy quota as stored: free, claimed for a copy about to start, or holding a started copy.</summary>
/// <param name="Slot">The slot's name in its scope ("00", "01", ...).</param>
/// <param name="Holder">Who holds it (session/resource/item/stage); null when free.</param>
/// <param name="CopyId">The copy it covers (EBS snapshot id, RDS snapshot identifier) once started.</param>
/// <param name="LeaseUntil">When the hold lapses if nobody gives the slot back.</param>
public sealed record CopySlot(string Slot, string? Holder = null, string? CopyId = null, DateTimeOffset? LeaseUntil = null)
{
    public bool IsFreeAt(DateTimeOffset now) => Holder is null || LeaseUntil is not { } until || until <= now;

    /// <summary>The name of the slot at <paramref name="index"/>: two digits at least, so items sort as numbers.</summary>
    public static string Name(int index) => index.ToString("00", CultureInfo.InvariantCulture);
}

/// <summary>
/// The stored copy slots: a quota of N is N slots per scope, each taken and given back with conditional writes,
/// so no more holders than slots can exist. Deciding which slot to take, and when a slot is given back, is
/// <c>CopyScheduler</c>'s; this port only reads and writes slots atomically.
/// </summary>
public interface ICopySlots
{
    /// <summary>Every slot of the scope that was ever taken, in one consistent read; slots never taken are absent (and free).</summary>
    Task<IReadOnlyList<CopySlot>> ReadAsync(CopySlotKey key, CancellationToken cancellationToken = default);

    /// <summary>Takes the slot for <paramref name="holder"/>, with no copy yet, if it is free or its lease has lapsed.</summary>
    Task<bool> TryClaimAsync(CopySlotKey key, string slot, string holder, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default);

    /// <summary>Records the copy the holder started in its slot, with the lease that covers the copy; false when the slot is no longer the holder's.</summary>
    Task<bool> RecordCopyAsync(CopySlotKey key, string slot, string holder, string copyId, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default);

    /// <summary>Frees the slot if its holder and copy are still those <paramref name="seen"/> says; false when someone else changed it.</summary>
    Task<bool> FreeAsync(CopySlotKey key, CopySlot seen, CancellationToken cancellationToken = default);
}

/// <summary>Copy slots for one process (the local host, tests).</summary>
public sealed class InMemoryCopySlots(IClock clock) : ICopySlots
{
    private readonly Dictionary<CopySlotKey, SortedDictionary<string, CopySlot>> _slots = [];
    private readonly Lock _lock = new();

    public Task<IReadOnlyList<CopySlot>> ReadAsync(CopySlotKey key, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<CopySlot>>([.. Scope(key).Values]);
    }

    public Task<bool> TryClaimAsync(CopySlotKey key, string slot, string holder, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
        Write(key, slot, current => current.IsFreeAt(clock.UtcNow), _ => new CopySlot(slot, holder, null, leaseUntil));

    public Task<bool> RecordCopyAsync(CopySlotKey key, string slot, string holder, string copyId, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
        Write(key, slot, current => current.Holder == holder, current => current with { CopyId = copyId, LeaseUntil = leaseUntil });

    public Task<bool> FreeAsync(CopySlotKey key, CopySlot seen, CancellationToken cancellationToken = default) =>
        Write(key, seen.Slot, current => current.Holder == seen.Holder && current.CopyId == seen.CopyId, _ => new CopySlot(seen.Slot));

    private Task<bool> Write(CopySlotKey key, string slot, Func<CopySlot, bool> condition, Func<CopySlot, CopySlot> update)
    {
        lock (_lock)
        {
            var scope = Scope(key);
            var current = scope.GetValueOrDefault(slot) ?? new CopySlot(slot);
            if (!condition(current))
                return Task.FromResult(false);
            scope[slot] = update(current);
            return Task.FromResult(true);
        }
    }

    private SortedDictionary<string, CopySlot> Scope(CopySlotKey key)
    {
        if (!_slots.TryGetValue(key, out var scope))
            _slots[key] = scope = new SortedDictionary<string, CopySlot>(StringComparer.Ordinal);
        return scope;
    }
}
