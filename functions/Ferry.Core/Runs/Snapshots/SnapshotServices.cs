using Ferry.Core.Inventory;
using Ferry.Core.Policies;

namespace Ferry.Core.Runs.Snapshots;

/// <summary>Picks the service of a job's snapshots, or of a copy-slot scope's copies.</summary>
internal static class SnapshotServices
{
    public static ISnapshotService For(FerryServices services, SnapshotKind kind) => kind switch
    {
        SnapshotKind.Ebs => new EbsSnapshots(services),
        SnapshotKind.RdsDb => new RdsSnapshots(services, RdsKind.DbInstance),
        SnapshotKind.AuroraCluster => new RdsSnapshots(services, RdsKind.AuroraCluster),
        _ => new RecoveryPoints(services),
    };

    /// <summary>The kind a copy-slot scope's service holds copies of.</summary>
    public static ISnapshotService ForQuota(FerryServices services, string quotaService) =>
        For(services, Enum.GetValues<SnapshotKind>().First(k => Quota(k) == quotaService || Quota(k) is null));

    /// <summary>The concurrent-copy quota a kind's copies count against; null when AWS queues copies itself (AWS Backup).</summary>
    public static string? Quota(SnapshotKind kind) => kind switch
    {
        SnapshotKind.Ebs => "ebs",
        SnapshotKind.RdsDb => "rds",
        SnapshotKind.AuroraCluster => "aurora",
        _ => null,
    };

    /// <summary>The kinds of snapshot a policy of the type makes.</summary>
    public static IReadOnlyList<SnapshotKind> KindsOf(ResourceType type) => type switch
    {
        ResourceType.Ec2 => [SnapshotKind.Ebs],
        ResourceType.Rds => [SnapshotKind.RdsDb, SnapshotKind.AuroraCluster],
        _ => [],
    };

    public static SnapshotKind KindOf(ResourceType type, RdsKind? db) => type switch
    {
        ResourceType.Ec2 => SnapshotKind.Ebs,
        ResourceType.Efs => SnapshotKind.RecoveryPoint,
        _ => db == RdsKind.AuroraCluster ? SnapshotKind.AuroraCluster : SnapshotKind.RdsDb,
    };
}
