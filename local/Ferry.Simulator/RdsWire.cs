using System.Globalization;
using System.Xml.Linq;
using Ferry.Core.Aws;
using Ferry.Core.Inventory;
using Ferry.Core.Planning;
using Ferry.Simulator.Wire;
using Ferry.Simulator.World;
using Microsoft.AspNetCore.WebUtilities;
using static Ferry.Simulator.Wire.Protocols;

namespace Ferry.Simulator;

public sealed partial class SimulatedAws
{
    internal Dictionary<(string Account, string Region, RdsKind Kind, string Identifier), SimDatabase> Databases { get; } = [];
    internal Dictionary<(string Account, string Region, RdsKind Kind, string Identifier), SimRdsSnapshot> RdsSnapshots { get; } = [];
    internal Dictionary<(string Region, string Engine), IReadOnlyList<string>> EngineOffers { get; } = [];

    private void LoadRds(WorldSpec spec)
    {
        foreach (var d in spec.Databases)
        {
            var what = $"databases: {d.Identifier}";
            RequireLocation(what, d.Account, d.Region);
            var database = new SimDatabase
            {
                Identifier = d.Identifier,
                Kind = d.Kind,
                Account = d.Account,
                Region = d.Region,
                Engine = d.Engine,
                EngineVersion = d.EngineVersion,
                Encrypted = d.Encrypted,
                Key = ResourceKey(what, d.Encrypted, d.KmsKey, d.Account, d.Region, "rds"),
                DbClass = d.DbClass,
                StorageGiB = d.StorageGiB,
                Tags = d.Tags is null ? [] : new(d.Tags),
                ReadyAt = spec.Start,
            };
            if (!AwsIds.IsDbIdentifier(d.Identifier) || !Databases.TryAdd((d.Account, d.Region, d.Kind, d.Identifier), database))
                throw new InvalidDataException($"{what}: invalid or duplicate identifier");
        }
        foreach (var offer in spec.EngineVersions)
            EngineOffers[(offer.Region, offer.Engine)] = offer.Versions;
    }
}

/// <summary>
/// RDS and Aurora (protocol <c>query</c>, version 2014-10-31): DB instances, Aurora clusters and their members, manual
/// snapshots, sharing, copies (cross-region ones with a pre-signed URL), restores, engine versions and tags.
/// </summary>
internal sealed class RdsWire(SimulatedAws world) : IWireService
{
    private const string Xmlns = "http://rds.amazonaws.com/doc/2014-10-31/";
    private const string KmsDenied = "KMSKeyNotAccessibleFault";
    private const string QuotaCode = "SnapshotQuotaExceeded";

    private static readonly HashSet<string> Operations = new(StringComparer.Ordinal)
    {
        "DescribeDBInstances", "DescribeDBClusters", "CreateDBSnapshot", "CreateDBClusterSnapshot", "DescribeDBSnapshots", "DescribeDBClusterSnapshots",
        "ModifyDBSnapshotAttribute", "ModifyDBClusterSnapshotAttribute", "CopyDBSnapshot", "CopyDBClusterSnapshot", "DeleteDBSnapshot", "DeleteDBClusterSnapshot",
        "RestoreDBInstanceFromDBSnapshot", "RestoreDBClusterFromSnapshot", "CreateDBInstance", "DeleteDBInstance", "DeleteDBCluster",
        "DescribeDBEngineVersions", "AddTagsToResource", "ListTagsForResource",
    };

    public string Name => "rds";

    public string? OperationOf(WireRequest request) => request.Param("Action") is { } action && Operations.Contains(action) ? action : null;

    /// <summary>Parameters outside the RDS model are ignored, not refused: SDKs validate against the model before sending (the adapter's wire tests check what Ferry sends).</summary>
    public WireReply Handle(Call call, string operation, WireRequest request)
    {
        var kind = operation.Contains("Cluster", StringComparison.Ordinal) ? RdsKind.AuroraCluster : RdsKind.DbInstance;
        return operation switch
        {
            "DescribeDBInstances" or "DescribeDBClusters" => DescribeDatabases(call, operation, kind, request),
            "CreateDBSnapshot" or "CreateDBClusterSnapshot" => CreateSnapshot(call, operation, kind, request),
            "DescribeDBSnapshots" or "DescribeDBClusterSnapshots" => DescribeSnapshots(call, operation, kind, request),
            "ModifyDBSnapshotAttribute" or "ModifyDBClusterSnapshotAttribute" => Share(call, operation, kind, request),
            "CopyDBSnapshot" or "CopyDBClusterSnapshot" => Copy(call, operation, kind, request),
            "DeleteDBSnapshot" or "DeleteDBClusterSnapshot" => DeleteSnapshot(call, operation, kind, request),
            "RestoreDBInstanceFromDBSnapshot" or "RestoreDBClusterFromSnapshot" => Restore(call, operation, kind, request),
            "CreateDBInstance" => CreateClusterInstance(call, operation, request),
            "DeleteDBInstance" or "DeleteDBCluster" => DeleteDatabase(call, operation, kind, request),
            "DescribeDBEngineVersions" => DescribeEngineVersions(call, operation, request),
            "AddTagsToResource" => AddTags(call, operation, request),
            _ => ListTags(call, operation, request),
        };
    }

    /// <summary>RDS's statuses: not-found faults 404, the rest of the modelled faults 400 (KMSKeyNotAccessibleFault too), access denied 403.</summary>
    public WireReply Fault(AwsFault fault, string operation, string requestId) =>
        QueryError(Xmlns, fault.Status ?? fault.Kind switch
        {
            FaultKind.NotFound => 404,
            FaultKind.Denied when fault.Code == KmsDenied => 400,
            FaultKind.Denied or FaultKind.Unauthenticated => 403,
            FaultKind.Transient => 500,
            _ => 400,
        }, fault.Code, fault.Message, requestId);

    // ---- databases ----

    private WireReply DescribeDatabases(Call call, string operation, RdsKind kind, WireRequest request)
    {
        var filters = Filters(call, request, kind == RdsKind.AuroraCluster ? ["db-cluster-id", "engine"] : ["db-instance-id", "db-cluster-id", "engine"]);
        var identifier = request.Param(kind == RdsKind.AuroraCluster ? "DBClusterIdentifier" : "DBInstanceIdentifier");
        var found = world.Databases.Values
            .Where(d => d.Account == call.Account && d.Region == call.Region && d.Kind == kind)
            .Where(d => identifier is null || d.Identifier == identifier || d.Arn == identifier)
            .Where(d => kind == RdsKind.AuroraCluster
                ? Matches(filters, "db-cluster-id", d.Identifier, d.Arn)
                : Matches(filters, "db-instance-id", d.Identifier, d.Arn)
                    && (!filters.ContainsKey("db-cluster-id") || (d.ClusterIdentifier is { } c && Matches(filters, "db-cluster-id", c, ClusterArn(d, c)))))
            .Where(d => Matches(filters, "engine", d.Engine))
            .OrderBy(d => d.Identifier, StringComparer.Ordinal)
            .ToList();
        if (identifier is not null && found.Count == 0)
            throw call.NotFound(Codes(kind).DbNotFound, $"{Noun(kind)} {identifier} not found.");
        var (page, marker) = Paged(call, request, found);
        return kind == RdsKind.AuroraCluster
            ? Query(Xmlns, operation, call.RequestId, new XElement("DBClusters", page.Select(d => Cluster(d, call))), El("Marker", marker))
            : Query(Xmlns, operation, call.RequestId, new XElement("DBInstances", page.Select(d => Instance(d, call))), El("Marker", marker));
    }

    /// <summary>An Aurora cluster's writer instance (the only standalone-free CreateDBInstance Ferry makes), created while the cluster restores.</summary>
    private WireReply CreateClusterInstance(Call call, string operation, WireRequest request)
    {
        var identifier = Required(call, request, "DBInstanceIdentifier");
        var dbClass = Required(call, request, "DBInstanceClass");
        var engine = Required(call, request, "Engine");
        var clusterId = request.Param("DBClusterIdentifier")
            ?? throw call.Invalid("InvalidParameterCombination", "This simulated RDS creates DB instances only as members of an Aurora DB cluster (DBClusterIdentifier)");
        var cluster = world.Databases.GetValueOrDefault((call.Account, call.Region, RdsKind.AuroraCluster, clusterId))
            ?? throw call.NotFound(Codes(RdsKind.AuroraCluster).DbNotFound, $"DBCluster {clusterId} not found.");
        if (engine != cluster.Engine)
            throw call.Invalid("InvalidParameterCombination", $"The engine name requested for your DB instance ({engine}) doesn't match the engine name of your DB cluster ({cluster.Engine}).");
        if (!AwsIds.IsDbIdentifier(identifier))
            throw call.Invalid("InvalidParameterValue", $"{identifier} is not a valid identifier");
        if (world.Databases.ContainsKey((call.Account, call.Region, RdsKind.DbInstance, identifier)))
            throw call.Conflict(Codes(RdsKind.DbInstance).DbExists, $"DB instance {identifier} already exists");
        var instance = new SimDatabase
        {
            Identifier = identifier,
            Kind = RdsKind.DbInstance,
            Account = call.Account,
            Region = call.Region,
            Engine = cluster.Engine,
            EngineVersion = cluster.EngineVersion,
            Encrypted = cluster.Encrypted,
            Key = cluster.Key,
            DbClass = dbClass,
            StorageGiB = cluster.StorageGiB,
            Tags = Tags(request),
            ReadyAt = call.Now + SimulatedAws.Seconds(world.Spec.Timings.RestoreSeconds),
            SubnetGroup = cluster.SubnetGroup,
            ClusterIdentifier = cluster.Identifier,
        };
        world.Databases.Add((call.Account, call.Region, RdsKind.DbInstance, identifier), instance);
        return Query(Xmlns, operation, call.RequestId, Instance(instance, call));
    }

    /// <summary>Deletion is immediate here, and only without a final snapshot. RDS refuses to delete a cluster that still has instances.</summary>
    private WireReply DeleteDatabase(Call call, string operation, RdsKind kind, WireRequest request)
    {
        var identifier = Required(call, request, kind == RdsKind.AuroraCluster ? "DBClusterIdentifier" : "DBInstanceIdentifier");
        var database = world.Databases.GetValueOrDefault((call.Account, call.Region, kind, identifier))
            ?? throw call.NotFound(Codes(kind).DbNotFound, $"{Noun(kind)} {identifier} not found.");
        if (kind == RdsKind.AuroraCluster && world.Databases.Values.Any(d => d.Account == call.Account && d.Region == call.Region && d.ClusterIdentifier == identifier))
            throw call.Conflict(Codes(kind).DbState, "Cluster cannot be deleted, it still contains DB instances in non-deleting state.");
        if (database.ClusterIdentifier is null && request.Param("SkipFinalSnapshot") != "true")
            throw call.Invalid("InvalidParameterCombination", "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.");
        world.Databases.Remove((call.Account, call.Region, kind, identifier));
        return Query(Xmlns, operation, call.RequestId, kind == RdsKind.AuroraCluster ? Cluster(database, call, "deleting") : Instance(database, call, "deleting"));
    }

    private WireReply DescribeEngineVersions(Call call, string operation, WireRequest request)
    {
        var engine = request.Param("Engine");
        var version = request.Param("EngineVersion");
        var offers = world.EngineOffers
            .Where(o => o.Key.Region == call.Region && (engine is null || o.Key.Engine == engine))
            .OrderBy(o => o.Key.Engine, StringComparer.Ordinal)
            .SelectMany(o => o.Value.Where(v => version is null || v == version).Select(v => (Engine: o.Key.Engine, Version: v)))
            .ToList();
        var (page, marker) = Paged(call, request, offers);
        return Query(Xmlns, operation, call.RequestId,
            new XElement("DBEngineVersions", page.Select(o => new XElement("DBEngineVersion", El("Engine", o.Engine), El("EngineVersion", o.Version)))),
            El("Marker", marker));
    }

    // ---- snapshots ----

    private WireReply CreateSnapshot(Call call, string operation, RdsKind kind, WireRequest request)
    {
        var names = Names(kind);
        var snapshotIdentifier = Required(call, request, names.Snapshot);
        var databaseIdentifier = Required(call, request, names.Database);
        var database = world.Databases.GetValueOrDefault((call.Account, call.Region, kind, databaseIdentifier))
            ?? throw call.NotFound(Codes(kind).DbNotFound, $"{Noun(kind)} {databaseIdentifier} not found");
        if (database.Status(call.Now) != "available")
            throw call.Conflict(Codes(kind).DbState, $"{Noun(kind)} {databaseIdentifier} is not available");
        RequireNewSnapshot(call, kind, snapshotIdentifier);
        var timings = world.Spec.Timings;
        var snapshot = new SimRdsSnapshot
        {
            Identifier = snapshotIdentifier,
            Kind = kind,
            Account = call.Account,
            Region = call.Region,
            SourceIdentifier = databaseIdentifier,
            Encrypted = database.Encrypted,
            Key = database.Key,
            Engine = database.Engine,
            EngineVersion = database.EngineVersion,
            DbClass = database.DbClass,
            StorageGiB = database.StorageGiB,
            Tags = Tags(request),
            Life = world.Work(call, operation, SimulatedAws.Seconds(timings.RdsSnapshotSeconds + timings.RdsSecondsPerGiB * database.StorageGiB)),
        };
        world.RdsSnapshots.Add((call.Account, call.Region, kind, snapshotIdentifier), snapshot);
        return Query(Xmlns, operation, call.RequestId, Snapshot(snapshot, call));
    }

    /// <summary>
    /// The caller's own snapshots in the region, and those shared with it when IncludeShared is set. One named by
    /// identifier or ARN must exist; the id filters (db-snapshot-id, db-cluster-snapshot-id) leave unknown ones out.
    /// </summary>
    private WireReply DescribeSnapshots(Call call, string operation, RdsKind kind, WireRequest request)
    {
        var names = Names(kind);
        var snapshotFilter = kind == RdsKind.AuroraCluster ? "db-cluster-snapshot-id" : "db-snapshot-id";
        var sourceFilter = kind == RdsKind.AuroraCluster ? "db-cluster-id" : "db-instance-id";
        var filters = Filters(call, request, [snapshotFilter, sourceFilter, "snapshot-type", "engine"]);
        var includeShared = request.Param("IncludeShared") == "true";
        IEnumerable<SimRdsSnapshot> found;
        if (request.Param(names.Snapshot) is { } identifier)
        {
            found = [Find(call, kind, identifier, call.Region)
                ?? throw call.NotFound(Codes(kind).NotFound, $"{Noun(kind)} snapshot {identifier} not found.")];
        }
        else
        {
            found = world.RdsSnapshots.Values.Where(s => s.Kind == kind && s.Region == call.Region &&
                (s.Account == call.Account || (includeShared && s.SharedWith.Contains(call.Account))));
        }
        var source = request.Param(names.Database);
        var type = request.Param("SnapshotType");
        var listed = found
            .Where(s => source is null || s.SourceIdentifier == source)
            .Where(s => type is null || SnapshotType(s, call) == type)
            .Where(s => Matches(filters, snapshotFilter, s.Identifier, s.Arn) && Matches(filters, sourceFilter, s.SourceIdentifier)
                && Matches(filters, "snapshot-type", SnapshotType(s, call)) && Matches(filters, "engine", s.Engine))
            .OrderBy(s => s.Arn, StringComparer.Ordinal)
            .ToList();
        var (page, marker) = Paged(call, request, listed);
        return Query(Xmlns, operation, call.RequestId, new XElement(names.Snapshots, page.Select(s => Snapshot(s, call))), El("Marker", marker));
    }

    /// <summary>Adds (or removes) accounts on the snapshot's <c>restore</c> attribute, within the share-account quota.</summary>
    private WireReply Share(Call call, string operation, RdsKind kind, WireRequest request)
    {
        var names = Names(kind);
        var snapshotIdentifier = Required(call, request, names.Snapshot);
        var attribute = Required(call, request, "AttributeName");
        if (attribute != "restore")
            throw call.Invalid("InvalidParameterValue", $"Invalid attribute name: {attribute}. The only attribute that can be modified is restore.");
        var snapshot = Find(call, kind, snapshotIdentifier, call.Region) is { } s && s.Account == call.Account
            ? s
            : throw call.NotFound(Codes(kind).NotFound, $"{Noun(kind)} snapshot {snapshotIdentifier} not found");
        RequireAvailable(call, snapshot, "shared");
        foreach (var accountId in request.List("ValuesToAdd.AttributeValue"))
        {
            world.RequireShareable(call, snapshotIdentifier, snapshot.Key, accountId, "InvalidParameterValue", KmsDenied);
            if (!snapshot.SharedWith.Contains(accountId) && snapshot.SharedWith.Count >= world.Spec.Limits.RdsShareAccounts)
            {
                throw call.Limit("SharedSnapshotQuotaExceeded",
                    $"{snapshotIdentifier} is already shared with {snapshot.SharedWith.Count} accounts; a manual snapshot can be shared with at most {world.Spec.Limits.RdsShareAccounts}");
            }
            snapshot.SharedWith.Add(accountId);
        }
        foreach (var accountId in request.List("ValuesToRemove.AttributeValue"))
            snapshot.SharedWith.Remove(accountId);
        var prefix = kind == RdsKind.AuroraCluster ? "DBClusterSnapshot" : "DBSnapshot";
        return Query(Xmlns, operation, call.RequestId,
            new XElement($"{prefix}AttributesResult", El(names.Snapshot, snapshot.Identifier),
                new XElement($"{prefix}Attributes", new XElement($"{prefix}Attribute", El("AttributeName", "restore"),
                    new XElement("AttributeValues", snapshot.SharedWith.Order(StringComparer.Ordinal).Select(a => El("AttributeValue", a)))))));
    }

    /// <summary>
    /// A copy into the call's region. A source in another region is named by ARN; an encrypted one needs a KmsKeyId of
    /// this region and a PreSignedUrl for the source region (which is where RDS learns the source region: the request
    /// itself has no SourceRegion).
    /// </summary>
    private WireReply Copy(Call call, string operation, RdsKind kind, WireRequest request)
    {
        var names = Names(kind);
        var sourceSnapshot = Required(call, request, $"Source{names.Snapshot}");
        var targetIdentifier = Required(call, request, $"Target{names.Snapshot}");
        var kmsKeyId = request.Param("KmsKeyId");
        var presigned = request.Param("PreSignedUrl") is { Length: > 0 } url ? url : null;
        var sourceRegion = Arn.TryParse(sourceSnapshot, out var sourceArn) ? sourceArn.Region : call.Region;
        var signedRegion = presigned is null ? null : PresignedRegion(call, operation, presigned, names, sourceSnapshot);
        if (signedRegion is not null && signedRegion != call.Region && sourceArn is null)
            throw call.Invalid("InvalidParameterValue", $"A copy from {signedRegion} to {call.Region} must name the source snapshot by ARN, not {sourceSnapshot}");
        if (signedRegion is not null && signedRegion != sourceRegion)
            throw call.Invalid("InvalidParameterValue", $"PreSignedUrl could not be authenticated: it is signed for {signedRegion}, but source snapshot {sourceSnapshot} is in {sourceRegion}");
        var crossRegion = sourceRegion != call.Region;
        var source = Find(call, kind, sourceSnapshot, sourceRegion)
            ?? throw call.NotFound(Codes(kind).NotFound, $"{Noun(kind)} snapshot {sourceSnapshot} not found in {sourceRegion} or not shared with account {call.Account}");
        RequireAvailable(call, source, "copied");
        if (source.Account != call.Account && source.Encrypted && crossRegion)
        {
            throw call.Invalid("InvalidParameterValue",
                $"{sourceSnapshot} is an encrypted snapshot shared by account {source.Account}; copy it within {source.Region} first, then copy that copy to {call.Region}");
        }
        if (crossRegion && source.Encrypted && presigned is null)
            throw call.Invalid("InvalidParameterValue", $"PreSignedUrl is required to copy encrypted snapshot {sourceSnapshot} from {sourceRegion} to {call.Region}");
        RequireNewSnapshot(call, kind, targetIdentifier);
        var target = TargetKey(call, source, kmsKeyId, crossRegion);
        var service = kind == RdsKind.AuroraCluster ? CopyService.Aurora : CopyService.Rds;
        world.RequireCopySlot(call, operation, service,
            kind == RdsKind.AuroraCluster ? world.Spec.Limits.AuroraConcurrentCopies : world.Spec.Limits.RdsConcurrentCopies, QuotaCode);
        var tags = request.Param("CopyTags") == "true" ? new Dictionary<string, string>(source.Tags) : [];
        foreach (var (key, value) in Tags(request))
            tags[key] = value;
        var timings = world.Spec.Timings;
        var copy = new SimRdsSnapshot
        {
            Identifier = targetIdentifier,
            Kind = kind,
            Account = call.Account,
            Region = call.Region,
            SourceIdentifier = source.SourceIdentifier,
            Encrypted = target is not null,
            Key = target,
            Engine = source.Engine,
            EngineVersion = source.EngineVersion,
            DbClass = source.DbClass,
            StorageGiB = source.StorageGiB,
            Tags = tags,
            Life = world.Work(call, operation, SimulatedAws.Seconds(timings.RdsCopySeconds + timings.RdsSecondsPerGiB * source.StorageGiB)),
        };
        world.RdsSnapshots.Add((call.Account, call.Region, kind, copy.Identifier), copy);
        world.StartCopy(call, service, call.Account, call.Region, copy.Arn, copy.Life);
        return Query(Xmlns, operation, call.RequestId, Snapshot(copy, call));
    }

    /// <summary>
    /// The region a copy's pre-signed URL is signed for, after the checks RDS makes: the same action for the same source
    /// snapshot, into this region, signed by the caller's own key.
    /// </summary>
    private static string PresignedRegion(Call call, string operation, string url, SnapshotNames names, string sourceSnapshot)
    {
        var query = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? QueryHelpers.ParseQuery(uri.Query) : [];
        string? Get(string name) => query.TryGetValue(name, out var values) ? values.ToString() : null;
        var scope = Get("X-Amz-Credential")?.Split('/');
        string? problem = scope is not { Length: 5 } || scope[3] != "rds" || scope[4] != "aws4_request" || Get("X-Amz-Signature") is null ? "it carries no SigV4 signature for rds"
            : scope[0] != call.AccessKeyId ? "it is signed by another access key than the request"
            : Get("Action") != operation ? $"it is for {Get("Action")}, not {operation}"
            : Get($"Source{names.Snapshot}") != sourceSnapshot ? $"it names source snapshot {Get($"Source{names.Snapshot}")}, not {sourceSnapshot}"
            : Get("DestinationRegion") != call.Region ? $"its DestinationRegion is {Get("DestinationRegion")}, not {call.Region}"
            : null;
        return problem is null ? scope![2] : throw call.Invalid("InvalidParameterValue", $"PreSignedUrl could not be authenticated: {problem}");
    }

    private WireReply DeleteSnapshot(Call call, string operation, RdsKind kind, WireRequest request)
    {
        var snapshotIdentifier = Required(call, request, Names(kind).Snapshot);
        var snapshot = Find(call, kind, snapshotIdentifier, call.Region) is { } s && s.Account == call.Account
            ? s
            : throw call.NotFound(Codes(kind).NotFound, $"{Noun(kind)} snapshot {snapshotIdentifier} not found");
        if (!snapshot.Life.Done(call.Now))
            throw call.Conflict(Codes(kind).State, $"{Noun(kind)} snapshot {snapshotIdentifier} is still being created and cannot be deleted");
        world.RdsSnapshots.Remove((call.Account, call.Region, kind, snapshot.Identifier));
        return Query(Xmlns, operation, call.RequestId, Snapshot(snapshot, call, "deleted"));
    }

    /// <summary>
    /// A DB instance restores with its snapshot's key (RestoreDBInstanceFromDBSnapshot has no KmsKeyId); an Aurora cluster
    /// with KmsKeyId, or the snapshot's key.
    /// </summary>
    private WireReply Restore(Call call, string operation, RdsKind kind, WireRequest request)
    {
        var aurora = kind == RdsKind.AuroraCluster;
        var snapshotIdentifier = Required(call, request, aurora ? "SnapshotIdentifier" : "DBSnapshotIdentifier");
        var newIdentifier = Required(call, request, aurora ? "DBClusterIdentifier" : "DBInstanceIdentifier");
        var engine = aurora ? Required(call, request, "Engine") : request.Param("Engine");
        var kmsKeyId = aurora ? request.Param("KmsKeyId") : null;
        var snapshot = Find(call, kind, snapshotIdentifier, call.Region)
            ?? throw call.NotFound(Codes(kind).NotFound, $"{Noun(kind)} snapshot {snapshotIdentifier} not found");
        RequireAvailable(call, snapshot, "restored");
        if (snapshot.Account != call.Account && snapshot.Encrypted)
        {
            throw call.Conflict(Codes(kind).State,
                $"{snapshotIdentifier} is an encrypted snapshot shared by account {snapshot.Account}; copy it into account {call.Account} before restoring from it");
        }
        if (engine is not null && engine != snapshot.Engine)
            throw call.Invalid("InvalidParameterCombination", $"Engine {engine} does not match the snapshot's engine {snapshot.Engine}");
        if (world.EngineOffers.TryGetValue((call.Region, snapshot.Engine), out var offered) && !offered.Contains(snapshot.EngineVersion))
            throw call.Invalid("InvalidParameterCombination", $"Cannot find version {snapshot.EngineVersion} for {snapshot.Engine} in {call.Region}");
        if (!AwsIds.IsDbIdentifier(newIdentifier))
            throw call.Invalid("InvalidParameterValue", $"{newIdentifier} is not a valid identifier");
        if (world.Databases.ContainsKey((call.Account, call.Region, kind, newIdentifier)))
            throw call.Conflict(Codes(kind).DbExists, $"{Noun(kind)} {newIdentifier} already exists");
        if (snapshot.Key is { } sourceKey)
            world.RequireKey(call, sourceKey, KeyUse.Decrypt, KmsDenied);
        var key = kmsKeyId is not null ? world.RequestKey(call, kmsKeyId, KmsDenied) : snapshot.Key;
        if (key is not null && key != snapshot.Key)
            world.RequireKey(call, key, KeyUse.Encrypt, KmsDenied);
        var database = new SimDatabase
        {
            Identifier = newIdentifier,
            Kind = kind,
            Account = call.Account,
            Region = call.Region,
            Engine = snapshot.Engine,
            EngineVersion = snapshot.EngineVersion,
            Encrypted = key is not null,
            Key = key,
            DbClass = aurora ? snapshot.DbClass : request.Param("DBInstanceClass") ?? snapshot.DbClass,
            StorageGiB = snapshot.StorageGiB,
            Tags = Tags(request),
            ReadyAt = call.Now + SimulatedAws.Seconds(world.Spec.Timings.RestoreSeconds),
            SubnetGroup = request.Param("DBSubnetGroupName"),
        };
        world.Databases.Add((call.Account, call.Region, kind, database.Identifier), database);
        return Query(Xmlns, operation, call.RequestId, aurora ? Cluster(database, call) : Instance(database, call));
    }

    // ---- tags ----

    private WireReply AddTags(Call call, string operation, WireRequest request)
    {
        var tags = Tagged(call, Required(call, request, "ResourceName"));
        foreach (var (key, value) in Tags(request))
            tags[key] = value;
        return Query(Xmlns, operation, call.RequestId);
    }

    private WireReply ListTags(Call call, string operation, WireRequest request) =>
        Query(Xmlns, operation, call.RequestId, TagList(Tagged(call, Required(call, request, "ResourceName"))));

    /// <summary>The tags of the DB instance, cluster or snapshot an ARN of the caller's account and region names.</summary>
    private Dictionary<string, string> Tagged(Call call, string resourceName)
    {
        var colon = Arn.TryParse(resourceName, out var arn) && arn.Service == "rds" ? arn.Resource.IndexOf(':', StringComparison.Ordinal) : -1;
        if (arn is null || colon < 1)
            throw call.Invalid("InvalidParameterValue", $"The specified resource name does not match an RDS resource in this region: {resourceName}");
        var (type, id) = (arn.Resource[..colon], arn.Resource[(colon + 1)..]);
        var at = arn.Account == call.Account && arn.Region == call.Region;
        return type switch
        {
            "db" or "cluster" => (at ? world.Databases.GetValueOrDefault((arn.Account, arn.Region, type == "db" ? RdsKind.DbInstance : RdsKind.AuroraCluster, id)) : null)?.Tags
                ?? throw call.NotFound(Codes(type == "db" ? RdsKind.DbInstance : RdsKind.AuroraCluster).DbNotFound, $"{resourceName} not found"),
            "snapshot" or "cluster-snapshot" => (at ? world.RdsSnapshots.GetValueOrDefault((arn.Account, arn.Region, type == "snapshot" ? RdsKind.DbInstance : RdsKind.AuroraCluster, id)) : null)?.Tags
                ?? throw call.NotFound(Codes(type == "snapshot" ? RdsKind.DbInstance : RdsKind.AuroraCluster).NotFound, $"{resourceName} not found"),
            _ => throw call.Invalid("InvalidParameterValue", $"The specified resource name does not match an RDS resource in this region: {resourceName}"),
        };
    }

    // ---- rules ----

    /// <summary>The key the copy is encrypted with; AWS cannot encrypt an unencrypted Aurora snapshot on copy.</summary>
    private SimKey? TargetKey(Call call, SimRdsSnapshot source, string? kmsKeyId, bool crossRegion)
    {
        if (!source.Encrypted && kmsKeyId is not null && source.Kind == RdsKind.AuroraCluster)
        {
            throw call.Invalid("InvalidParameterValue",
                $"Cluster snapshot {source.Identifier} is unencrypted; an unencrypted DB cluster snapshot cannot be encrypted when it is copied");
        }
        if (source.Encrypted && kmsKeyId is null && crossRegion)
            throw call.Invalid("InvalidParameterValue", $"KmsKeyId is required to copy encrypted snapshot {source.Identifier} to another region");
        if (source.Key is { } sourceKey)
            world.RequireKey(call, sourceKey, KeyUse.Decrypt, KmsDenied);
        if (kmsKeyId is null)
            return source.Key;
        var target = world.RequestKey(call, kmsKeyId, KmsDenied);
        world.RequireKey(call, target, KeyUse.Encrypt, KmsDenied);
        return target;
    }

    /// <summary>A snapshot the caller may use, by identifier (own, in <paramref name="atRegion"/>) or ARN (own or shared with the caller).</summary>
    private SimRdsSnapshot? Find(Call call, RdsKind kind, string identifierOrArn, string atRegion)
    {
        var (account, snapshotRegion, identifier) = (call.Account, atRegion, identifierOrArn);
        if (Arn.TryParse(identifierOrArn, out var arn))
        {
            var prefix = kind == RdsKind.AuroraCluster ? "cluster-snapshot:" : "snapshot:";
            if (arn.Service != "rds" || !arn.Resource.StartsWith(prefix, StringComparison.Ordinal) || arn.Region != atRegion)
                return null;
            (account, snapshotRegion, identifier) = (arn.Account, arn.Region, arn.Resource[prefix.Length..]);
        }
        return world.RdsSnapshots.GetValueOrDefault((account, snapshotRegion, kind, identifier)) is { } s && (s.Account == call.Account || s.SharedWith.Contains(call.Account))
            ? s
            : null;
    }

    private void RequireNewSnapshot(Call call, RdsKind kind, string identifier)
    {
        if (!AwsIds.IsDbIdentifier(identifier))
            throw call.Invalid("InvalidParameterValue", $"{identifier} is not a valid snapshot identifier");
        if (world.RdsSnapshots.ContainsKey((call.Account, call.Region, kind, identifier)))
            throw call.Conflict(Codes(kind).Exists, $"Cannot create the snapshot because a snapshot with the identifier {identifier} already exists");
        // DB snapshots and DB cluster snapshots count against separate quotas.
        var limit = kind == RdsKind.AuroraCluster ? world.Spec.Limits.RdsManualClusterSnapshots : world.Spec.Limits.RdsManualSnapshots;
        var manual = world.RdsSnapshots.Values.Count(s => s.Account == call.Account && s.Region == call.Region && s.Kind == kind);
        if (manual >= limit)
            throw call.Limit(QuotaCode, $"Cannot create more than {limit} manual snapshots (account {call.Account} has {manual} manual {Noun(kind)} snapshots in {call.Region})");
    }

    private static void RequireAvailable(Call call, SimRdsSnapshot snapshot, string action)
    {
        switch (snapshot.Status(call.Now))
        {
            case "creating":
                throw call.Conflict(Codes(snapshot.Kind).State, $"Snapshot {snapshot.Identifier} is creating ({snapshot.Life.Percent(call.Now)}%); it cannot be {action} until it is available");
            case "failed":
                throw call.Conflict(Codes(snapshot.Kind).State, $"Snapshot {snapshot.Identifier} is failed and cannot be {action}");
        }
    }

    // ---- the query protocol ----

    private static string Required(Call call, WireRequest request, string name) =>
        request.Param(name) is { Length: > 0 } value ? value : throw call.Invalid("MissingParameter", $"The request must contain the parameter {name}");

    private static Dictionary<string, string> Tags(WireRequest request) =>
        request.Structs("Tags.Tag").Where(t => t.ContainsKey("Key")).ToDictionary(t => t["Key"], t => t.GetValueOrDefault("Value") ?? "", StringComparer.Ordinal);

    /// <summary>The request's <c>Filters.Filter.N</c> by name; a filter the operation does not know is refused, as RDS refuses it.</summary>
    private static Dictionary<string, HashSet<string>> Filters(Call call, WireRequest request, IReadOnlyCollection<string> known)
    {
        var filters = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var filter in request.Structs("Filters.Filter"))
        {
            var name = filter.GetValueOrDefault("Name") ?? throw call.Invalid("InvalidParameterValue", "A filter must have a Name");
            if (!known.Contains(name))
                throw call.Invalid("InvalidParameterValue", $"Unrecognized filter name: {name}.");
            var values = filter.Where(m => m.Key.StartsWith("Values.Value.", StringComparison.Ordinal)).Select(m => m.Value);
            filters[name] = [.. values];
        }
        return filters;
    }

    /// <summary>Whether a filter (when present) lists any of the resource's names (identifier or ARN).</summary>
    private static bool Matches(Dictionary<string, HashSet<string>> filters, string name, params string[] names) =>
        !filters.TryGetValue(name, out var values) || names.Any(values.Contains);

    /// <summary>One page: MaxRecords (20 to 100, default 100) from the Marker, which is the next item's position.</summary>
    private static (IReadOnlyList<T> Page, string? Marker) Paged<T>(Call call, WireRequest request, IReadOnlyList<T> all)
    {
        var max = 100;
        if (request.Param("MaxRecords") is { } maxRecords && (!int.TryParse(maxRecords, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max is < 20 or > 100))
            throw call.Invalid("InvalidParameterValue", $"Invalid value {maxRecords} for MaxRecords. Must be between 20 and 100");
        var start = 0;
        if (request.Param("Marker") is { } marker && (!int.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start > all.Count))
            throw call.Invalid("InvalidParameterValue", $"Invalid marker: {marker}");
        var end = Math.Min(all.Count, start + max);
        return ([.. all.Skip(start).Take(max)], end < all.Count ? end.ToString(CultureInfo.InvariantCulture) : null);
    }

    private static XElement TagList(IReadOnlyDictionary<string, string> tags) =>
        new("TagList", tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new XElement("Tag", El("Key", t.Key), El("Value", t.Value))));

    private static string SnapshotType(SimRdsSnapshot s, Call call) => s.Account == call.Account ? "manual" : "shared";

    private static XElement Snapshot(SimRdsSnapshot s, Call call, string? status = null)
    {
        var cluster = s.Kind == RdsKind.AuroraCluster;
        return new XElement(cluster ? "DBClusterSnapshot" : "DBSnapshot",
            El(cluster ? "DBClusterSnapshotIdentifier" : "DBSnapshotIdentifier", s.Identifier),
            El(cluster ? "DBClusterIdentifier" : "DBInstanceIdentifier", s.SourceIdentifier),
            El("SnapshotCreateTime", s.Life.Start),
            El("Engine", s.Engine),
            El("AllocatedStorage", s.StorageGiB),
            El("Status", status ?? s.Status(call.Now)),
            El("EngineVersion", s.EngineVersion),
            El("SnapshotType", SnapshotType(s, call)),
            El("PercentProgress", s.Life.Percent(call.Now)),
            El(cluster ? "StorageEncrypted" : "Encrypted", s.Encrypted),
            El("KmsKeyId", s.Key?.Arn),
            El(cluster ? "DBClusterSnapshotArn" : "DBSnapshotArn", s.Arn),
            TagList(s.Tags));
    }

    private XElement Instance(SimDatabase d, Call call, string? status = null) =>
        new("DBInstance",
            El("DBInstanceIdentifier", d.Identifier),
            El("DBInstanceClass", d.DbClass),
            El("Engine", d.Engine),
            El("DBInstanceStatus", status ?? d.Status(call.Now)),
            El("AllocatedStorage", d.StorageGiB),
            new XElement("VpcSecurityGroups"),
            d.SubnetGroup is null ? null : new XElement("DBSubnetGroup", El("DBSubnetGroupName", d.SubnetGroup)),
            El("EngineVersion", d.EngineVersion),
            El("DBClusterIdentifier", d.ClusterIdentifier),
            El("StorageEncrypted", d.Encrypted),
            El("KmsKeyId", d.Key?.Arn),
            El("DBInstanceArn", d.Arn),
            TagList(d.Tags));

    /// <remarks>DBClusterInstanceClass carries the class the world gives the cluster, so a restore can reuse it.</remarks>
    private XElement Cluster(SimDatabase d, Call call, string? status = null) =>
        new("DBCluster",
            El("AllocatedStorage", d.StorageGiB),
            El("DBClusterIdentifier", d.Identifier),
            El("DBSubnetGroup", d.SubnetGroup),
            El("Status", status ?? d.Status(call.Now)),
            El("Engine", d.Engine),
            El("EngineVersion", d.EngineVersion),
            new XElement("DBClusterMembers", world.Databases.Values
                .Where(m => m.Account == d.Account && m.Region == d.Region && m.ClusterIdentifier == d.Identifier)
                .OrderBy(m => m.Identifier, StringComparer.Ordinal)
                .Select(m => new XElement("DBClusterMember", El("DBInstanceIdentifier", m.Identifier), El("IsClusterWriter", true)))),
            new XElement("VpcSecurityGroups"),
            El("StorageEncrypted", d.Encrypted),
            El("KmsKeyId", d.Key?.Arn),
            El("DBClusterArn", d.Arn),
            El("DBClusterInstanceClass", d.DbClass),
            TagList(d.Tags));

    private static string ClusterArn(SimDatabase member, string cluster) => $"arn:aws:rds:{member.Region}:{member.Account}:cluster:{cluster}";

    private static string Noun(RdsKind kind) => kind == RdsKind.AuroraCluster ? "DB cluster" : "DB instance";

    private static SnapshotNames Names(RdsKind kind) => kind == RdsKind.AuroraCluster ? SnapshotNames.Cluster : SnapshotNames.Instance;

    private static RdsCodes Codes(RdsKind kind) => kind == RdsKind.AuroraCluster ? RdsCodes.Cluster : RdsCodes.Instance;

    /// <summary>The parameter and element names that differ between DB snapshots and DB cluster snapshots.</summary>
    private sealed record SnapshotNames(string Snapshot, string Database, string Snapshots)
    {
        public static readonly SnapshotNames Instance = new("DBSnapshotIdentifier", "DBInstanceIdentifier", "DBSnapshots");

        public static readonly SnapshotNames Cluster = new("DBClusterSnapshotIdentifier", "DBClusterIdentifier", "DBClusterSnapshots");
    }

    /// <summary>The error codes of the RDS service model, which differ between instances and clusters.</summary>
    private sealed record RdsCodes(string NotFound, string Exists, string State, string DbNotFound, string DbState, string DbExists)
    {
        public static readonly RdsCodes Instance = new("DBSnapshotNotFound", "DBSnapshotAlreadyExists", "InvalidDBSnapshotState",
            "DBInstanceNotFound", "InvalidDBInstanceState", "DBInstanceAlreadyExists");

        public static readonly RdsCodes Cluster = new("DBClusterSnapshotNotFoundFault", "DBClusterSnapshotAlreadyExistsFault", "InvalidDBClusterSnapshotStateFault",
            "DBClusterNotFoundFault", "InvalidDBClusterStateFault", "DBClusterAlreadyExistsFault");
    }
}
