using System.Xml.Linq;
using Amazon.Runtime;
using Ferry.Aws.Runtime;
using Ferry.Core.Inventory;
using Ferry.Core.Ports;

namespace Ferry.Aws.Rds;

public sealed record RdsFilter(string Name, IReadOnlyList<string> Values);

/// <summary>A DB instance as DescribeDBInstances lists it.</summary>
/// <param name="ClusterIdentifier">The Aurora cluster the instance belongs to, if any.</param>
public sealed record RdsInstance(RdsDatabase Database, string? ClusterIdentifier);

public sealed record DescribeRdsSnapshotsRequest(
    RdsKind Kind, string? SnapshotIdentifier = null, string? SourceIdentifier = null, string? SnapshotType = null, bool? IncludeShared = null,
    IReadOnlyList<RdsFilter>? Filters = null, string? Marker = null, int? MaxRecords = null);

/// <param name="SourceRegion">
/// When it differs from the client's region, a URL pre-signed for the source region is sent. Like the official SDKs, the
/// client uses it only for that: SourceRegion is no member of CopyDBSnapshot or CopyDBClusterSnapshot.
/// </param>
public sealed record CopyRdsSnapshotRequest(
    RdsKind Kind, string SourceIdentifier, string SourceRegion, string TargetIdentifier, string? KmsKeyId, bool CopyTags,
    IReadOnlyDictionary<string, string> Tags);

public sealed record RestoreInstanceRequest(
    string Identifier, string SnapshotIdentifier, string? DbClass, string? Engine, string? SubnetGroup, IReadOnlyList<string>? SecurityGroupIds,
    IReadOnlyDictionary<string, string> Tags);

public sealed record RestoreClusterRequest(
    string Identifier, string SnapshotIdentifier, string Engine, string? KmsKeyId, string? SubnetGroup, IReadOnlyList<string>? SecurityGroupIds,
    IReadOnlyDictionary<string, string> Tags);

public sealed record CreateInstanceRequest(string Identifier, string DbClass, string Engine, string? ClusterIdentifier, IReadOnlyDictionary<string, string> Tags);

/// <summary>The RDS API (protocol <c>query</c>, version 2014-10-31) operations Ferry uses, in one region.</summary>
public sealed class RdsClient : WireClient
{
    public static readonly AwsService Service = new("rds", "rds", "2014-10-31");

    public RdsClient(AWSCredentials credentials, string region, AwsOptions options)
        : base(credentials, Service, region, options, Xml.ReadError)
    {
    }

    public Task<Page<RdsInstance>> DescribeDBInstancesAsync(IReadOnlyList<RdsFilter>? filters, string? marker, CancellationToken ct) =>
        Call("DescribeDBInstances", q => q.Structs("Filters.Filter", filters, WriteFilter).Add("Marker", marker),
            r => ReadPage(r.Items("DBInstances", "DBInstance").Select(ReadInstance), r), ct);

    public Task<Page<RdsDatabase>> DescribeDBClustersAsync(IReadOnlyList<RdsFilter>? filters, string? marker, CancellationToken ct) =>
        Call("DescribeDBClusters", q => q.Structs("Filters.Filter", filters, WriteFilter).Add("Marker", marker),
            r => ReadPage(r.Items("DBClusters", "DBCluster").Select(ReadCluster), r), ct);

    public Task<RdsSnapshot> CreateDBSnapshotAsync(string instanceIdentifier, string snapshotIdentifier, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Call("CreateDBSnapshot", q => q.Add("DBSnapshotIdentifier", snapshotIdentifier).Add("DBInstanceIdentifier", instanceIdentifier).Structs("Tags.Tag", tags, WriteTag),
            r => ReadSnapshot(r.El("DBSnapshot")!, RdsKind.DbInstance), ct);

    public Task<RdsSnapshot> CreateDBClusterSnapshotAsync(string clusterIdentifier, string snapshotIdentifier, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Call("CreateDBClusterSnapshot", q => q.Add("DBClusterSnapshotIdentifier", snapshotIdentifier).Add("DBClusterIdentifier", clusterIdentifier).Structs("Tags.Tag", tags, WriteTag),
            r => ReadSnapshot(r.El("DBClusterSnapshot")!, RdsKind.AuroraCluster), ct);

    /// <summary>DescribeDBSnapshots or DescribeDBClusterSnapshots, by kind.</summary>
    public Task<Page<RdsSnapshot>> DescribeSnapshotsAsync(DescribeRdsSnapshotsRequest s, CancellationToken ct)
    {
        var (action, source, snapshot, list, item) = s.Kind == RdsKind.DbInstance
            ? ("DescribeDBSnapshots", "DBInstanceIdentifier", "DBSnapshotIdentifier", "DBSnapshots", "DBSnapshot")
            : ("DescribeDBClusterSnapshots", "DBClusterIdentifier", "DBClusterSnapshotIdentifier", "DBClusterSnapshots", "DBClusterSnapshot");
        return Call(action, q => q.Add(source, s.SourceIdentifier).Add(snapshot, s.SnapshotIdentifier).Add("SnapshotType", s.SnapshotType)
                .Add("IncludeShared", s.IncludeShared).Structs("Filters.Filter", s.Filters, WriteFilter).Add("Marker", s.Marker).Add("MaxRecords", s.MaxRecords),
            r => ReadPage(r.Items(list, item).Select(e => ReadSnapshot(e, s.Kind)), r), ct);
    }

    /// <summary>ModifyDBSnapshotAttribute / ModifyDBClusterSnapshotAttribute adding accounts to the <c>restore</c> attribute.</summary>
    public Task ShareSnapshotAsync(RdsKind kind, string snapshotIdentifier, IReadOnlyList<string> accountIds, CancellationToken ct)
    {
        var (action, id) = kind == RdsKind.DbInstance
            ? ("ModifyDBSnapshotAttribute", "DBSnapshotIdentifier")
            : ("ModifyDBClusterSnapshotAttribute", "DBClusterSnapshotIdentifier");
        return Call(action, q => q.Add(id, snapshotIdentifier).Add("AttributeName", "restore").List("ValuesToAdd.AttributeValue", accountIds), _ => true, ct);
    }

    /// <summary>CopyDBSnapshot / CopyDBClusterSnapshot in this region; a copy from another region carries a URL pre-signed for it.</summary>
    public Task<RdsSnapshot> CopySnapshotAsync(CopyRdsSnapshotRequest c, CancellationToken ct)
    {
        var (action, source, target, item) = c.Kind == RdsKind.DbInstance
            ? ("CopyDBSnapshot", "SourceDBSnapshotIdentifier", "TargetDBSnapshotIdentifier", "DBSnapshot")
            : ("CopyDBClusterSnapshot", "SourceDBClusterSnapshotIdentifier", "TargetDBClusterSnapshotIdentifier", "DBClusterSnapshot");
        var crossRegion = c.SourceRegion != Region;
        var presignedUrl = crossRegion
            ? Presign(action, c.SourceRegion, new Dictionary<string, string?>
            {
                [source] = c.SourceIdentifier,
                [target] = c.TargetIdentifier,
                ["KmsKeyId"] = c.KmsKeyId,
                ["DestinationRegion"] = Region,
            })
            : null;
        return Call(action, q => q.Add(source, c.SourceIdentifier).Add(target, c.TargetIdentifier).Add("KmsKeyId", c.KmsKeyId)
                .Add("CopyTags", c.CopyTags).Structs("Tags.Tag", c.Tags, WriteTag).Add("PreSignedUrl", presignedUrl),
            r => ReadSnapshot(r.El(item)!, c.Kind), ct);
    }

    public Task DeleteSnapshotAsync(RdsKind kind, string snapshotIdentifier, CancellationToken ct) =>
        kind == RdsKind.DbInstance
            ? Call("DeleteDBSnapshot", q => q.Add("DBSnapshotIdentifier", snapshotIdentifier), _ => true, ct)
            : Call("DeleteDBClusterSnapshot", q => q.Add("DBClusterSnapshotIdentifier", snapshotIdentifier), _ => true, ct);

    public Task<RdsDatabase> RestoreDBInstanceFromDBSnapshotAsync(RestoreInstanceRequest r, CancellationToken ct) =>
        Call("RestoreDBInstanceFromDBSnapshot", q => q.Add("DBInstanceIdentifier", r.Identifier).Add("DBSnapshotIdentifier", r.SnapshotIdentifier)
                .Add("DBInstanceClass", r.DbClass).Add("Engine", r.Engine).Add("DBSubnetGroupName", r.SubnetGroup)
                .List("VpcSecurityGroupIds.VpcSecurityGroupId", r.SecurityGroupIds).Structs("Tags.Tag", r.Tags, WriteTag),
            x => ReadInstance(x.El("DBInstance")!).Database, ct);

    public Task<RdsDatabase> RestoreDBClusterFromSnapshotAsync(RestoreClusterRequest r, CancellationToken ct) =>
        Call("RestoreDBClusterFromSnapshot", q => q.Add("DBClusterIdentifier", r.Identifier).Add("SnapshotIdentifier", r.SnapshotIdentifier)
                .Add("Engine", r.Engine).Add("KmsKeyId", r.KmsKeyId).Add("DBSubnetGroupName", r.SubnetGroup)
                .List("VpcSecurityGroupIds.VpcSecurityGroupId", r.SecurityGroupIds).Structs("Tags.Tag", r.Tags, WriteTag),
            x => ReadCluster(x.El("DBCluster")!), ct);

    public Task<RdsDatabase> CreateDBInstanceAsync(CreateInstanceRequest r, CancellationToken ct) =>
        Call("CreateDBInstance", q => q.Add("DBInstanceIdentifier", r.Identifier).Add("DBInstanceClass", r.DbClass).Add("Engine", r.Engine)
                .Add("DBClusterIdentifier", r.ClusterIdentifier).Structs("Tags.Tag", r.Tags, WriteTag),
            x => ReadInstance(x.El("DBInstance")!).Database, ct);

    /// <summary>DeleteDBInstance without a final snapshot; a standalone instance's automated backups go too (Aurora members have none of their own).</summary>
    public Task DeleteDBInstanceAsync(string identifier, bool deleteAutomatedBackups, CancellationToken ct) =>
        Call("DeleteDBInstance", q => q.Add("DBInstanceIdentifier", identifier).Add("SkipFinalSnapshot", true)
            .Add("DeleteAutomatedBackups", deleteAutomatedBackups ? true : null), _ => true, ct);

    public Task DeleteDBClusterAsync(string identifier, CancellationToken ct) =>
        Call("DeleteDBCluster", q => q.Add("DBClusterIdentifier", identifier).Add("SkipFinalSnapshot", true), _ => true, ct);

    public Task<Page<string>> DescribeDBEngineVersionsAsync(string engine, string? marker, CancellationToken ct) =>
        Call("DescribeDBEngineVersions", q => q.Add("Engine", engine).Add("Marker", marker),
            r => ReadPage(r.Items("DBEngineVersions", "DBEngineVersion").Select(v => v.Req("EngineVersion")), r), ct);

    public Task AddTagsToResourceAsync(string resourceArn, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Call("AddTagsToResource", q => q.Add("ResourceName", resourceArn).Structs("Tags.Tag", tags, WriteTag), _ => true, ct);

    public Task<IReadOnlyDictionary<string, string>> ListTagsForResourceAsync(string resourceArn, CancellationToken ct) =>
        Call("ListTagsForResource", q => q.Add("ResourceName", resourceArn), Tags, ct);

    /// <summary>Query-protocol responses wrap their payload in &lt;{Action}Result&gt;; the reader gets that element.</summary>
    private Task<T> Call<T>(string action, Action<QueryParams> write, Func<XElement, T> read, CancellationToken ct) =>
        SendAsync(new WireRequest<T>(action, request => write(QueryParams.Start(request, action, Service.Version)),
            body => read(Xml.Parse(body).El($"{action}Result") ?? new XElement($"{action}Result"))), ct);

    private static Page<T> ReadPage<T>(IEnumerable<T> items, XElement result) =>
        new([.. items], string.IsNullOrEmpty(result.Str("Marker")) ? null : result.Str("Marker"));

    private static void WriteFilter(QueryParams q, string prefix, RdsFilter f) => q.Add($"{prefix}.Name", f.Name).List($"{prefix}.Values.Value", f.Values);

    private static void WriteTag(QueryParams q, string prefix, KeyValuePair<string, string> tag) => q.Add($"{prefix}.Key", tag.Key).Add($"{prefix}.Value", tag.Value);

    private static IReadOnlyDictionary<string, string> Tags(XElement e) => e.Tags("TagList", "Tag", "Key", "Value");

    private static IReadOnlyList<string> SecurityGroups(XElement e) =>
        [.. e.Items("VpcSecurityGroups", "VpcSecurityGroupMembership").Select(g => g.Req("VpcSecurityGroupId"))];

    private static RdsInstance ReadInstance(XElement i) => new(new RdsDatabase(
        i.Req("DBInstanceIdentifier"), RdsKind.DbInstance, i.Str("DBInstanceArn") ?? "", i.Str("Engine") ?? "", i.Str("EngineVersion") ?? "",
        i.Str("DBInstanceStatus") ?? "", i.Bool("StorageEncrypted"), i.Str("KmsKeyId"), Tags(i), i.Str("DBInstanceClass"), i.El("DBSubnetGroup").Str("DBSubnetGroupName"),
        SecurityGroups(i)), i.Str("DBClusterIdentifier"));

    private static RdsDatabase ReadCluster(XElement c) => new(
        c.Req("DBClusterIdentifier"), RdsKind.AuroraCluster, c.Str("DBClusterArn") ?? "", c.Str("Engine") ?? "", c.Str("EngineVersion") ?? "",
        c.Str("Status") ?? "", c.Bool("StorageEncrypted"), c.Str("KmsKeyId"), Tags(c), c.Str("DBClusterInstanceClass"), c.Str("DBSubnetGroup"),
        SecurityGroups(c));

    private static RdsSnapshot ReadSnapshot(XElement s, RdsKind kind)
    {
        var cluster = kind == RdsKind.AuroraCluster;
        return new RdsSnapshot(
            s.Req(cluster ? "DBClusterSnapshotIdentifier" : "DBSnapshotIdentifier"), s.Str(cluster ? "DBClusterSnapshotArn" : "DBSnapshotArn") ?? "", kind,
            s.Str(cluster ? "DBClusterIdentifier" : "DBInstanceIdentifier") ?? "", s.Str("Status") ?? "", s.Bool(cluster ? "StorageEncrypted" : "Encrypted"),
            s.Str("KmsKeyId"), s.Str("Engine") ?? "", s.Str("EngineVersion") ?? "", s.Str("SnapshotType") ?? "", s.Date("SnapshotCreateTime"), Tags(s),
            s.Int("PercentProgress"));
    }
}
