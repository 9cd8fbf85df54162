using Ferry.Core.Sessions;

namespace Ferry.Core.Runs;

/// <summary>
/// Writes a resource's session log. Sequence numbers are fixed per step and item, so a retried
/// step writes the same entry again instead of a second one, and entries sort in flow order.
/// </summary>
public sealed class RunLog(FerryServices services)
{
    public const int Plan = 100;
    public const int Snapshot = 200;
    public const int SnapshotDone = 250;
    public const int OptIn = 480;

    /// <summary>
    /// A share's, a copy's and a copy's completion entry is this plus the plan step's position, so each staging copy,
    /// share and replica gets its own, in flow order (a share may follow a share-key copy).
    /// </summary>
    public const int Step = 500;
    public const int RestoreDone = 650;
    public const int Outcome = 900;

    /// <summary>What a failed attempt's cleanup removed and could not remove, two entries per place (account and region).</summary>
    public const int Cleanup = 920;

    public const int Retention = 950;

    /// <summary>What the sweep of earlier attempts' leftovers removed and could not remove, two entries per place.</summary>
    public const int Sweep = 960;

    public async Task WriteAsync(
        string sessionId, string resourceId, int sequence, string step, string message,
        string? role = null, IReadOnlyDictionary<string, string>? ids = null,
        ResourceStatus level = ResourceStatus.Success, CancellationToken cancellationToken = default)
    {
        var entry = new LogEntry(sequence, services.Clock.UtcNow, step, level, message, role, ids);
        await services.Sessions.AppendLogAsync(sessionId, resourceId, entry, cancellationToken);
        await services.Sessions.SetProgressAsync(sessionId, resourceId, step, cancellationToken);
    }

    /// <summary>The ids a log entry names, by item.</summary>
    public static IReadOnlyDictionary<string, string> Ids(IEnumerable<(string Item, string Id)> pairs) =>
        pairs.ToDictionary(p => p.Item, p => p.Id, StringComparer.Ordinal);

    public static string Describe(IEnumerable<(string Item, string Id)> pairs) =>
        string.Join(", ", pairs.Select(p => $"{p.Item} → {p.Id}"));
}
