using System.Globalization;

namespace Ferry.Simulator;

/// <summary>The services whose copies count against a concurrent-copy quota.</summary>
public enum CopyService
{
    Ebs,
    Rds,
    Aurora,
    Backup,
}

/// <summary>When a copy occupies a slot of its destination's quota: from the call that starts it until it completes, fails or is deleted.</summary>
public sealed record CopyWindow(CopyService Service, string Account, string Region, string CopyId, DateTimeOffset Start, DateTimeOffset End);

/// <summary>One API call as the simulated AWS saw it.</summary>
/// <param name="Parameters">The key parameters, sorted by name.</param>
/// <param name="Result">"OK", or the AWS error code the call failed with.</param>
/// <param name="Copy">For calls that start (or cut short) a copy: its quota window.</param>
/// <param name="AccessKeyId">The SigV4 access key id that signed the request: the world maps it back to <paramref name="Role"/>.</param>
public sealed record CallRecord(
    long Sequence,
    DateTimeOffset At,
    string Service,
    string Operation,
    string Role,
    string Account,
    string Region,
    IReadOnlyList<KeyValuePair<string, string>> Parameters,
    string Result,
    CopyWindow? Copy = null,
    string? AccessKeyId = null)
{
    public bool Succeeded => Result == CallLog.Ok;

    public string? Parameter(string name) => Parameters.FirstOrDefault(p => p.Key == name).Value;

    /// <summary>One line per call, stable across runs with the same seed, world and calls.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Sequence} {At:O} {Service}:{Operation} {Role} {Account} {Region} [{string.Join(", ", Parameters.Select(p => $"{p.Key}={p.Value}"))}] -> {Result}");
}

/// <summary>Every call made to the simulated AWS, in order. Thread-safe.</summary>
public sealed class CallLog
{
    public const string Ok = "OK";

    private readonly Lock _gate = new();
    private readonly List<CallRecord> _records = [];

    public IReadOnlyList<CallRecord> Records
    {
        get
        {
            lock (_gate)
                return [.. _records];
        }
    }

    public int Count(string service, string operation, string? result = null)
    {
        lock (_gate)
            return _records.Count(r => r.Service == service && r.Operation == operation && (result is null || r.Result == result));
    }

    /// <summary>The copies occupying a quota slot of (service, account, region) at <paramref name="at"/>.</summary>
    public int CopiesInFlight(CopyService service, string account, string region, DateTimeOffset at) =>
        CopyWindows(service, account, region).Count(w => w.Start <= at && at < w.End);

    /// <summary>The most copies ever in flight at once for (service, account, region).</summary>
    public int PeakCopiesInFlight(CopyService service, string account, string region)
    {
        var windows = CopyWindows(service, account, region);
        return windows.Select(w => w.Start).Select(t => windows.Count(w => w.Start <= t && t < w.End)).DefaultIfEmpty(0).Max();
    }

    /// <summary>Each copy's window; a copy deleted before it finished ends when it was deleted.</summary>
    public IReadOnlyList<CopyWindow> CopyWindows(CopyService service, string account, string region)
    {
        lock (_gate)
        {
            return _records
                .Where(r => r.Copy is { } c && c.Service == service && c.Account == account && c.Region == region)
                .GroupBy(r => r.Copy!.CopyId)
                .Select(g => g.First().Copy! with { End = g.Min(r => r.Copy!.End) })
                .ToList();
        }
    }

    public override string ToString()
    {
        lock (_gate)
            return string.Join('\n', _records);
    }

    internal void Add(CallRecord record)
    {
        lock (_gate)
            _records.Add(record);
    }
}
