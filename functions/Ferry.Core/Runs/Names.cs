using System.Security.Cryptography;
using System.Text;
using Ferry.Core.Aws;
using Ferry.Core.Inventory;

namespace Ferry.Core.Runs;

/// <summary>Deterministic names and tokens, so a retried step finds what its first attempt made.</summary>
public static class Names
{
    /// <summary>Eight hex characters derived from the parts.</summary>
    public static string Short(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts))))[..8];

    /// <summary>An RDS snapshot identifier for a resource in a session: valid wherever Ferry copies it.</summary>
    public static string RdsSnapshot(string resourceId, string sessionId) => $"ferry-{resourceId}-{Short(sessionId)}";

    /// <summary>
    /// The identifier of a replica's share-key copy (RDS-R10), which lives beside the snapshot it copies, so it cannot take the
    /// snapshot's name.
    /// </summary>
    public static string RdsShareCopy(string resourceId, string sessionId) => RdsSnapshot(resourceId, sessionId) + "-shared";

    /// <summary>Every identifier a job may give an RDS snapshot or copy.</summary>
    public static IReadOnlyList<string> RdsSnapshots(string resourceId, string sessionId) => [RdsSnapshot(resourceId, sessionId), RdsShareCopy(resourceId, sessionId)];

    /// <summary>The ARN another account or region uses to name an RDS snapshot.</summary>
    public static string RdsSnapshotArn(string partition, string region, string account, RdsKind kind, string identifier) =>
        $"arn:{partition}:rds:{region}:{account}:{(kind == RdsKind.AuroraCluster ? "cluster-snapshot" : "snapshot")}:{identifier}";

    public static string PartitionOf(string roleArn) => Arn.TryParse(roleArn, out var arn) ? arn.Partition : "aws";

    public static string RestorePoint(string sessionId, string resourceId, bool replica) =>
        $"rp-{Short(sessionId, resourceId, replica ? "replica" : "snapshot")}";

    /// <summary>The idempotency token of a resource's AWS Backup copy job in a session: a retry gets the same job back.</summary>
    public static string CopyJobToken(string sessionId, string resourceId) =>
        "ferry-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{sessionId}\n{resourceId}\nbackup-copy")))[..32];

    public static string SessionId(string policyId, DateTimeOffset at) => $"{policyId}-{at:yyyyMMdd'T'HHmmss'Z'}";
}
