using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Policies;
using Ferry.Core.Ports;

namespace Ferry.Core.Runs;

/// <summary>A snapshot or copy as one describe call reports it.</summary>
/// <param name="Started">When AWS started it, if reported.</param>
/// <param name="Percent">How far AWS says it is, 0..100, if reported.</param>
internal sealed record SnapshotState(string Name, bool Done, bool Failed, string? Message, string? Progress, DateTimeOffset? Started = null, int? Percent = null)
{
    /// <summary>Still counted by AWS against its concurrent-copy quota.</summary>
    public bool InProgress => !Done && !Failed;

    /// <summary>How long it should still take, read from its progress so far; null before AWS reports any.</summary>
    public TimeSpan? Remaining(DateTimeOffset now) =>
        InProgress && Started is { } started && Percent is > 0 and < 100 && now > started
            ? (now - started) * (100 - Percent.Value) / Percent.Value
            : null;
}

/// <summary>Asks AWS about many snapshots or copies of one account and region at once; one it does not return no longer exists.</summary>
internal static class SnapshotStates
{
    private static readonly HashSet<string> RdsFailed = ["failed", "error", "incompatible-restore", "incompatible-parameters"];

    public static Task<Dictionary<string, SnapshotState>> OfAsync(FerryServices services, RoleAt at, ResourceType type, RdsKind? kind, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        type == ResourceType.Ec2
            ? EbsAsync(services, at, ids, cancellationToken)
            : RdsAsync(services, at, kind ?? RdsKind.DbInstance, ids, cancellationToken);

    /// <summary>The copies of a copy-slot scope: its service says which API describes them.</summary>
    public static Task<Dictionary<string, SnapshotState>> OfScopeAsync(FerryServices services, RoleAt at, CopySlotKey key, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        key.Service switch
        {
            "ebs" => EbsAsync(services, at, ids, cancellationToken),
            "aurora" => RdsAsync(services, at, RdsKind.AuroraCluster, ids, cancellationToken),
            _ => RdsAsync(services, at, RdsKind.DbInstance, ids, cancellationToken),
        };

    private static async Task<Dictionary<string, SnapshotState>> EbsAsync(FerryServices services, RoleAt at, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var ec2 = await services.Ec2Async(at, cancellationToken);
        IReadOnlyList<Ec2Snapshot> snapshots;
        try
        {
            snapshots = await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Ids: ids, IncludeShared: true), cancellationToken);
        }
        catch (FerryNotFoundException)
        {
            // EC2 fails the whole call when one of its ids was deleted: ask one by one to learn which are gone.
            var found = new List<Ec2Snapshot>();
            foreach (var id in ids)
            {
                try
                {
                    found.AddRange(await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Ids: [id], IncludeShared: true), cancellationToken));
                }
                catch (FerryNotFoundException)
                {
                    // Gone: left out, as the simulator and EC2's snapshot-id filter leave it out.
                }
            }
            snapshots = found;
        }
        return snapshots.ToDictionary(s => s.SnapshotId,
            s => new SnapshotState(s.State, s.State == "completed", s.State == "error", s.StateMessage, s.Progress, s.StartTime, Percent(s.Progress)), StringComparer.Ordinal);
    }

    private static async Task<Dictionary<string, SnapshotState>> RdsAsync(FerryServices services, RoleAt at, RdsKind kind, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var rds = await services.RdsAsync(at, cancellationToken);
        var snapshots = await rds.DescribeSnapshotsAsync(new RdsSnapshotQuery(kind, Identifiers: ids), cancellationToken);
        return snapshots.ToDictionary(s => s.Identifier,
            s => new SnapshotState(s.Status, s.Status == "available", RdsFailed.Contains(s.Status), null, $"{s.PercentProgress}%", s.CreatedAt, s.PercentProgress), StringComparer.Ordinal);
    }

    /// <summary>EC2 reports progress as text, e.g. "45%".</summary>
    private static int? Percent(string? progress) =>
        int.TryParse(progress?.TrimEnd('%'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var percent) ? percent : null;
}
