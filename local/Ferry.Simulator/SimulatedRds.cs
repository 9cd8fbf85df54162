using Ferry.Core.Aws;
using Ferry.Core.Inventory;
using Ferry.Core.Planning;
using Ferry.Core.Ports;
using Ferry.Simulator.World;

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

/// <summary>RDS and Aurora as one role sees them in one region.</summary>
public sealed class SimulatedRds(SimulatedAws world, RoleSession session, string region) : IRdsPort
{
    private const string KmsDenied = "KMSKeyNotAccessibleFault";
    private const string QuotaCode = "SnapshotQuotaExceeded";

    private Task<T> Call<T>(string operation, (string, string?)[] parameters, Func<Call, T> action, CancellationToken cancellationToken) =>
        world.CallAsync(session, "rds", region, operation, parameters, action, cancellationToken);

    public Task<IReadOnlyList<RdsDatabase>> DescribeDatabasesAsync(IReadOnlyList<string>? identifiers, IReadOnlyList<TagQuery>? tags, CancellationToken cancellationToken = default) =>
        Call<IReadOnlyList<RdsDatabase>>("DescribeDBInstances", [("Identifiers", Join(identifiers)), ("Tags", Join(tags))], call =>
            world.Databases.Values
                .Where(d => d.Account == call.Account && d.Region == region)
                .Where(d => identifiers is not { Count: > 0 } || identifiers.Contains(d.Identifier))
                .Where(d => SimulatedAws.MatchesAny(d.Tags, tags))
                .OrderBy(d => d.Identifier, StringComparer.Ordinal)
                .Select(d => new RdsDatabase(d.Identifier, d.Kind, d.Arn, d.Engine, d.EngineVersion, d.Status(call.Now), d.Encrypted, d.Key?.Arn,
                    new Dictionary<string, string>(d.Tags), d.DbClass, d.SubnetGroup))
                .ToList(), cancellationToken);

    public Task<RdsSnapshot> CreateSnapshotAsync(RdsKind kind, string databaseIdentifier, string snapshotIdentifier, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default) =>
        Call(Op(kind, "CreateDBSnapshot", "CreateDBClusterSnapshot"),
            [("DatabaseIdentifier", databaseIdentifier), ("SnapshotIdentifier", snapshotIdentifier), ("Tags", SimulatedAws.Describe(tags))], call =>
            {
                var database = world.Databases.GetValueOrDefault((call.Account, region, kind, databaseIdentifier))
                    ?? throw call.NotFound(Codes(kind).DbNotFound, $"{Noun(kind)} {databaseIdentifier} not found");
                if (database.Status(call.Now) != "available")
                    throw call.Conflict(Codes(kind).DbState, $"{Noun(kind)} {databaseIdentifier} is not available");
                RequireNewSnapshot(call, Op(kind, "CreateDBSnapshot", "CreateDBClusterSnapshot"), kind, snapshotIdentifier);
                var timings = world.Spec.Timings;
                var snapshot = new SimRdsSnapshot
                {
                    Identifier = snapshotIdentifier,
                    Kind = kind,
                    Account = call.Account,
                    Region = region,
                    SourceIdentifier = databaseIdentifier,
                    Encrypted = database.Encrypted,
                    Key = database.Key,
                    Engine = database.Engine,
                    EngineVersion = database.EngineVersion,
                    DbClass = database.DbClass,
                    StorageGiB = database.StorageGiB,
                    Tags = call.TagsOf(tags),
                    Life = world.Work(call, Op(kind, "CreateDBSnapshot", "CreateDBClusterSnapshot"),
                        SimulatedAws.Seconds(timings.RdsSnapshotSeconds + timings.RdsSecondsPerGiB * database.StorageGiB)),
                };
                world.RdsSnapshots.Add((call.Account, region, kind, snapshotIdentifier), snapshot);
                return ToSnapshot(snapshot, call);
            }, cancellationToken);

    public Task<IReadOnlyList<RdsSnapshot>> DescribeSnapshotsAsync(RdsSnapshotQuery query, CancellationToken cancellationToken = default) =>
        Call<IReadOnlyList<RdsSnapshot>>(Op(query.Kind, "DescribeDBSnapshots", "DescribeDBClusterSnapshots"),
            [("Identifiers", query.Identifiers is { Count: > 20 } many ? $"{many.Count} ids" : Join(query.Identifiers)),
             ("SourceIdentifier", query.SourceIdentifier), ("Tags", Join(query.Tags)), ("IncludeShared", query.IncludeShared ? "true" : null)],
            call =>
            {
                // Identifiers act as a filter (db-snapshot-id): unknown ones are left out rather than failing the batch.
                var found = query.Identifiers is { Count: > 0 } ids
                    ? ids.Select(id => Find(call, query.Kind, id, region)).OfType<SimRdsSnapshot>()
                    : world.RdsSnapshots.Values.Where(s => s.Kind == query.Kind && s.Region == region &&
                        (s.Account == call.Account || (query.IncludeShared && s.SharedWith.Contains(call.Account))));
                return found
                    .Where(s => query.SourceIdentifier is null || s.SourceIdentifier == query.SourceIdentifier)
                    .Where(s => SimulatedAws.MatchesAll(s.Tags, query.Tags))
                    .Select(s => ToSnapshot(s, call))
                    .ToList();
            }, cancellationToken);

    public Task ShareSnapshotAsync(RdsKind kind, string snapshotIdentifier, string accountId, CancellationToken cancellationToken = default) =>
        Call(Op(kind, "ModifyDBSnapshotAttribute", "ModifyDBClusterSnapshotAttribute"),
            [("SnapshotIdentifier", snapshotIdentifier), ("ValuesToAdd", accountId)], call =>
            {
                var snapshot = Find(call, kind, snapshotIdentifier, region) is { } s && s.Account == call.Account
                    ? s
                    : throw call.NotFound(Codes(kind).NotFound, $"{Noun(kind)} snapshot {snapshotIdentifier} not found");
                RequireAvailable(call, snapshot, "shared");
                world.RequireShareable(call, snapshotIdentifier, snapshot.Key, accountId, "InvalidParameterValue", KmsDenied);
                if (!snapshot.SharedWith.Contains(accountId) && snapshot.SharedWith.Count >= world.Spec.Limits.RdsShareAccounts)
                {
                    throw call.Limit("SharedSnapshotQuotaExceeded",
                        $"{snapshotIdentifier} is already shared with {snapshot.SharedWith.Count} accounts; a manual snapshot can be shared with at most {world.Spec.Limits.RdsShareAccounts}");
                }
                snapshot.SharedWith.Add(accountId);
                return true;
            }, cancellationToken);

    public Task<RdsSnapshot> CopySnapshotAsync(RdsCopyRequest request, CancellationToken cancellationToken = default)
    {
        var kind = request.Kind;
        var operation = Op(kind, "CopyDBSnapshot", "CopyDBClusterSnapshot");
        return Call(operation,
            [("SourceSnapshot", request.SourceSnapshot), ("SourceRegion", request.SourceRegion), ("TargetIdentifier", request.TargetIdentifier),
             ("KmsKeyId", request.KmsKeyId), ("Tags", SimulatedAws.Describe(request.Tags))],
            call =>
            {
                var crossRegion = request.SourceRegion != region;
                if (crossRegion && !Arn.TryParse(request.SourceSnapshot, out _))
                    throw call.Invalid("InvalidParameterValue", $"A copy from {request.SourceRegion} to {region} must name the source snapshot by ARN, not {request.SourceSnapshot}");
                var source = Find(call, kind, request.SourceSnapshot, request.SourceRegion)
                    ?? throw call.NotFound(Codes(kind).NotFound, $"{Noun(kind)} snapshot {request.SourceSnapshot} not found in {request.SourceRegion} or not shared with account {call.Account}");
                RequireAvailable(call, source, "copied");
                var shared = source.Account != call.Account;
                if (shared && source.Encrypted && crossRegion)
                {
                    throw call.Invalid("InvalidParameterValue",
                        $"{request.SourceSnapshot} is an encrypted snapshot shared by account {source.Account}; copy it within {source.Region} first, then copy that copy to {region}");
                }
                RequireNewSnapshot(call, operation, kind, request.TargetIdentifier);
                var target = TargetKey(call, source, request.KmsKeyId, crossRegion);
                var service = kind == RdsKind.AuroraCluster ? CopyService.Aurora : CopyService.Rds;
                world.RequireCopySlot(call, operation, service,
                    kind == RdsKind.AuroraCluster ? world.Spec.Limits.AuroraConcurrentCopies : world.Spec.Limits.RdsConcurrentCopies, QuotaCode);
                var timings = world.Spec.Timings;
                var copy = new SimRdsSnapshot
                {
                    Identifier = request.TargetIdentifier,
                    Kind = kind,
                    Account = call.Account,
                    Region = region,
                    SourceIdentifier = source.SourceIdentifier,
                    Encrypted = target is not null,
                    Key = target,
                    Engine = source.Engine,
                    EngineVersion = source.EngineVersion,
                    DbClass = source.DbClass,
                    StorageGiB = source.StorageGiB,
                    Tags = call.TagsOf(request.Tags),
                    Life = world.Work(call, operation, SimulatedAws.Seconds(timings.RdsCopySeconds + timings.RdsSecondsPerGiB * source.StorageGiB)),
                };
                world.RdsSnapshots.Add((call.Account, region, kind, copy.Identifier), copy);
                world.StartCopy(call, service, call.Account, region, copy.Arn, copy.Life);
                return ToSnapshot(copy, call);
            }, cancellationToken);
    }

    public Task DeleteSnapshotAsync(RdsKind kind, string snapshotIdentifier, CancellationToken cancellationToken = default) =>
        Call(Op(kind, "DeleteDBSnapshot", "DeleteDBClusterSnapshot"), [("SnapshotIdentifier", snapshotIdentifier)], call =>
        {
            var snapshot = Find(call, kind, snapshotIdentifier, region) is { } s && s.Account == call.Account
                ? s
                : throw call.NotFound(Codes(kind).NotFound, $"{Noun(kind)} snapshot {snapshotIdentifier} not found");
            if (!snapshot.Life.Done(call.Now))
                throw call.Conflict(Codes(kind).State, $"{Noun(kind)} snapshot {snapshotIdentifier} is still being created and cannot be deleted");
            world.RdsSnapshots.Remove((call.Account, region, kind, snapshot.Identifier));
            return true;
        }, cancellationToken);

    public Task<RdsDatabase> RestoreAsync(RdsRestoreRequest request, CancellationToken cancellationToken = default)
    {
        var kind = request.Kind;
        return Call(Op(kind, "RestoreDBInstanceFromDBSnapshot", "RestoreDBClusterFromSnapshot"),
            [("SnapshotIdentifier", request.SnapshotIdentifier), ("NewIdentifier", request.NewIdentifier), ("Engine", request.Engine),
             ("DbClass", request.DbClass), ("KmsKeyId", request.KmsKeyId), ("Tags", SimulatedAws.Describe(request.Tags))],
            call =>
            {
                var snapshot = Find(call, kind, request.SnapshotIdentifier, region)
                    ?? throw call.NotFound(Codes(kind).NotFound, $"{Noun(kind)} snapshot {request.SnapshotIdentifier} not found");
                RequireAvailable(call, snapshot, "restored");
                if (snapshot.Account != call.Account && snapshot.Encrypted)
                {
                    throw call.Conflict(Codes(kind).State,
                        $"{request.SnapshotIdentifier} is an encrypted snapshot shared by account {snapshot.Account}; copy it into account {call.Account} before restoring from it");
                }
                if (request.Engine != snapshot.Engine)
                    throw call.Invalid("InvalidParameterCombination", $"Engine {request.Engine} does not match the snapshot's engine {snapshot.Engine}");
                if (world.EngineOffers.TryGetValue((region, snapshot.Engine), out var offered) && !offered.Contains(snapshot.EngineVersion))
                    throw call.Invalid("InvalidParameterCombination", $"Cannot find version {snapshot.EngineVersion} for {snapshot.Engine} in {region}");
                if (!AwsIds.IsDbIdentifier(request.NewIdentifier))
                    throw call.Invalid("InvalidParameterValue", $"{request.NewIdentifier} is not a valid identifier");
                if (world.Databases.ContainsKey((call.Account, region, kind, request.NewIdentifier)))
                    throw call.Conflict(Codes(kind).DbExists, $"{Noun(kind)} {request.NewIdentifier} already exists");
                if (snapshot.Key is { } sourceKey)
                    world.RequireKey(call, sourceKey, KeyUse.Decrypt, KmsDenied);
                var key = request.KmsKeyId is { } keyId ? world.RequestKey(call, keyId, KmsDenied) : snapshot.Key;
                if (key is not null && key != snapshot.Key)
                    world.RequireKey(call, key, KeyUse.Encrypt, KmsDenied);
                var database = new SimDatabase
                {
                    Identifier = request.NewIdentifier,
                    Kind = kind,
                    Account = call.Account,
                    Region = region,
                    Engine = snapshot.Engine,
                    EngineVersion = snapshot.EngineVersion,
                    Encrypted = key is not null,
                    Key = key,
                    DbClass = request.DbClass ?? snapshot.DbClass,
                    StorageGiB = snapshot.StorageGiB,
                    Tags = call.TagsOf(request.Tags),
                    ReadyAt = call.Now + SimulatedAws.Seconds(world.Spec.Timings.RestoreSeconds),
                    SubnetGroup = request.SubnetGroup,
                };
                world.Databases.Add((call.Account, region, kind, database.Identifier), database);
                return new RdsDatabase(database.Identifier, kind, database.Arn, database.Engine, database.EngineVersion, database.Status(call.Now),
                    database.Encrypted, key?.Arn, new Dictionary<string, string>(database.Tags), database.DbClass, database.SubnetGroup);
            }, cancellationToken);
    }

    /// <summary>A database already gone is left as it is (the port's promise); deletion is immediate here.</summary>
    public Task DeleteDatabaseAsync(RdsKind kind, string identifier, CancellationToken cancellationToken = default) =>
        Call(Op(kind, "DeleteDBInstance", "DeleteDBCluster"), [("Identifier", identifier)], call =>
            world.Databases.Remove((call.Account, region, kind, identifier)), cancellationToken);

    public Task<IReadOnlyList<string>> DescribeEngineVersionsAsync(string engine, CancellationToken cancellationToken = default) =>
        Call<IReadOnlyList<string>>("DescribeDBEngineVersions", [("Engine", engine)], _ =>
            world.EngineOffers.GetValueOrDefault((region, engine)) ?? [], cancellationToken);

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

    private void RequireNewSnapshot(Call call, string operation, RdsKind kind, string identifier)
    {
        if (!AwsIds.IsDbIdentifier(identifier))
            throw call.Invalid("InvalidParameterValue", $"{identifier} is not a valid snapshot identifier");
        if (world.RdsSnapshots.ContainsKey((call.Account, region, kind, identifier)))
            throw call.Conflict(Codes(kind).Exists, $"Cannot create the snapshot because a snapshot with the identifier {identifier} already exists");
        // DB snapshots and DB cluster snapshots count against separate quotas.
        var limit = kind == RdsKind.AuroraCluster ? world.Spec.Limits.RdsManualClusterSnapshots : world.Spec.Limits.RdsManualSnapshots;
        var manual = world.RdsSnapshots.Values.Count(s => s.Account == call.Account && s.Region == region && s.Kind == kind);
        if (manual >= limit)
            throw call.Limit(QuotaCode, $"Cannot create more than {limit} manual snapshots (account {call.Account} has {manual} manual {Noun(kind)} snapshots in {region})");
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

    private static RdsSnapshot ToSnapshot(SimRdsSnapshot s, Call call) =>
        new(s.Identifier, s.Arn, s.Kind, s.SourceIdentifier, s.Status(call.Now), s.Encrypted, s.Key?.Arn, s.Engine, s.EngineVersion,
            s.Account == call.Account ? "manual" : "shared", s.Life.Start, new Dictionary<string, string>(s.Tags), s.Life.Percent(call.Now), s.DbClass);

    private static string Op(RdsKind kind, string instance, string cluster) => kind == RdsKind.AuroraCluster ? cluster : instance;

    private static string Noun(RdsKind kind) => kind == RdsKind.AuroraCluster ? "DB cluster" : "DB instance";

    private static string? Join(IReadOnlyList<string>? values) => values is null ? null : string.Join(",", values);

    private static string? Join(IReadOnlyList<TagQuery>? tags) =>
        tags is null ? null : string.Join(";", tags.Select(t => $"{t.Key}={string.Join("|", t.Values)}"));

    private static RdsCodes Codes(RdsKind kind) => kind == RdsKind.AuroraCluster ? RdsCodes.Cluster : RdsCodes.Instance;

    private sealed record RdsCodes(string NotFound, string Exists, string State, string DbNotFound, string DbState, string DbExists)
    {
        public static readonly RdsCodes Instance = new("DBSnapshotNotFound", "DBSnapshotAlreadyExists", "InvalidDBSnapshotState",
            "DBInstanceNotFound", "InvalidDBInstanceState", "DBInstanceAlreadyExists");

        public static readonly RdsCodes Cluster = new("DBClusterSnapshotNotFoundFault", "DBClusterSnapshotAlreadyExistsFault", "InvalidDBClusterSnapshotStateFault",
            "DBClusterNotFoundFault", "InvalidDBClusterStateFault", "DBClusterAlreadyExistsFault");
    }
}
