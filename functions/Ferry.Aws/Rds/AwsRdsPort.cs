using Ferry.Aws.Runtime;
using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Ports;

namespace Ferry.Aws.Rds;

/// <summary>Ferry's RDS port on the compact RDS client: instances and Aurora clusters behind one shape, idempotent creates.</summary>
public sealed class AwsRdsPort(RdsClient client) : IRdsPort
{
    /// <summary>Identifiers per snapshot-id filter: a quota's worth of copies and more fit one call.</summary>
    public const int IdentifierBatch = 50;

    public async Task<IReadOnlyList<RdsDatabase>> DescribeDatabasesAsync(IReadOnlyList<string>? identifiers, IReadOnlyList<TagQuery>? tags, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<(RdsKind, string), RdsDatabase>();
        async Task CollectAsync(IReadOnlyList<RdsFilter>? instanceFilters, IReadOnlyList<RdsFilter>? clusterFilters, Func<RdsDatabase, bool> keep)
        {
            foreach (var instance in await Page<RdsInstance>.AllAsync((m, ct) => client.DescribeDBInstancesAsync(instanceFilters, m, ct), cancellationToken).ConfigureAwait(false))
            {
                // Aurora members are restored and replicated through their cluster.
                if (instance.ClusterIdentifier is null && keep(instance.Database))
                    found[(RdsKind.DbInstance, instance.Database.Identifier)] = instance.Database;
            }
            foreach (var db in await Page<RdsDatabase>.AllAsync((m, ct) => client.DescribeDBClustersAsync(clusterFilters, m, ct), cancellationToken).ConfigureAwait(false))
            {
                if (keep(db))
                    found[(db.Kind, db.Identifier)] = db;
            }
        }

        if (identifiers is { Count: > 0 })
            await CollectAsync([new RdsFilter("db-instance-id", identifiers)], [new RdsFilter("db-cluster-id", identifiers)], _ => true).ConfigureAwait(false);
        // RDS has no tag filter on describe calls; the responses carry TagList, so tags are matched here (any of them).
        if (tags is { Count: > 0 })
            await CollectAsync(null, null, db => tags.Any(t => db.Tags.TryGetValue(t.Key, out var v) && t.Values.Contains(v))).ConfigureAwait(false);
        if (identifiers is null && tags is null)
            await CollectAsync(null, null, _ => true).ConfigureAwait(false);
        return [.. found.Values];
    }

    /// <summary>A retry finds the snapshot its first attempt created (snapshot identifiers are deterministic).</summary>
    public async Task<RdsSnapshot> CreateSnapshotAsync(RdsKind kind, string databaseIdentifier, string snapshotIdentifier, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default)
    {
        try
        {
            return kind == RdsKind.DbInstance
                ? await client.CreateDBSnapshotAsync(databaseIdentifier, snapshotIdentifier, tags, cancellationToken).ConfigureAwait(false)
                : await client.CreateDBClusterSnapshotAsync(databaseIdentifier, snapshotIdentifier, tags, cancellationToken).ConfigureAwait(false);
        }
        catch (FerryInvalidStateException e) when (IsAlreadyExists(e))
        {
            return await DescribeOneAsync(kind, snapshotIdentifier, e, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<RdsSnapshot>> DescribeSnapshotsAsync(RdsSnapshotQuery query, CancellationToken cancellationToken = default)
    {
        var snapshots = new List<RdsSnapshot>();
        if (query.Identifiers is { Count: > 0 })
        {
            // Several plain identifiers go in one call through the snapshot-id filter (which takes no ARNs), so asking
            // about a quota's worth of copies costs one call; missing ones are simply not returned.
            var plain = query.Identifiers.Where(id => !id.StartsWith("arn:", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
            var single = plain.Count > 1 ? query.Identifiers.Except(plain, StringComparer.Ordinal).ToList() : query.Identifiers;
            if (plain.Count > 1)
            {
                var filter = query.Kind == RdsKind.AuroraCluster ? "db-cluster-snapshot-id" : "db-snapshot-id";
                foreach (var batch in plain.Chunk(IdentifierBatch))
                {
                    var request = new DescribeRdsSnapshotsRequest(query.Kind, SourceIdentifier: query.SourceIdentifier, IncludeShared: query.IncludeShared ? true : null,
                        Filters: [new RdsFilter(filter, batch)], MaxRecords: 100);
                    snapshots.AddRange(await Page<RdsSnapshot>.AllAsync((m, ct) => client.DescribeSnapshotsAsync(request with { Marker = m }, ct), cancellationToken).ConfigureAwait(false));
                }
            }
            // One snapshot identifier or ARN per call; one that does not exist is simply not returned.
            foreach (var id in single)
            {
                try
                {
                    var request = new DescribeRdsSnapshotsRequest(query.Kind, SnapshotIdentifier: id, SourceIdentifier: query.SourceIdentifier, IncludeShared: query.IncludeShared ? true : null);
                    snapshots.AddRange(await Page<RdsSnapshot>.AllAsync((m, ct) => client.DescribeSnapshotsAsync(request with { Marker = m }, ct), cancellationToken).ConfigureAwait(false));
                }
                catch (FerryNotFoundException)
                {
                }
            }
        }
        else
        {
            var request = new DescribeRdsSnapshotsRequest(query.Kind, SourceIdentifier: query.SourceIdentifier, IncludeShared: query.IncludeShared ? true : null, MaxRecords: 100);
            snapshots.AddRange(await Page<RdsSnapshot>.AllAsync((m, ct) => client.DescribeSnapshotsAsync(request with { Marker = m }, ct), cancellationToken).ConfigureAwait(false));
        }
        // Tag queries narrow together, like EC2's filters, so a retry finds its work by session and source at once.
        return [.. snapshots.Where(s => (query.Tags ?? []).All(t => s.Tags.TryGetValue(t.Key, out var v) && t.Values.Contains(v)))];
    }

    public Task ShareSnapshotAsync(RdsKind kind, string snapshotIdentifier, string accountId, CancellationToken cancellationToken = default) =>
        client.ShareSnapshotAsync(kind, snapshotIdentifier, [accountId], cancellationToken);

    /// <summary>The target identifier is deterministic, so a retried copy returns the copy already made.</summary>
    public async Task<RdsSnapshot> CopySnapshotAsync(RdsCopyRequest request, CancellationToken cancellationToken = default)
    {
        try
        {
            return await client.CopySnapshotAsync(new CopyRdsSnapshotRequest(
                request.Kind, request.SourceSnapshot, request.SourceRegion, request.TargetIdentifier, request.KmsKeyId, false, request.Tags), cancellationToken).ConfigureAwait(false);
        }
        catch (FerryInvalidStateException e) when (IsAlreadyExists(e))
        {
            return await DescribeOneAsync(request.Kind, request.TargetIdentifier, e, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deleting a snapshot that is already gone succeeds, so retention can be retried.</summary>
    public async Task DeleteSnapshotAsync(RdsKind kind, string snapshotIdentifier, CancellationToken cancellationToken = default)
    {
        try
        {
            await client.DeleteSnapshotAsync(kind, snapshotIdentifier, cancellationToken).ConfigureAwait(false);
        }
        catch (FerryNotFoundException)
        {
        }
    }

    /// <summary>
    /// A DB instance restores directly (it keeps the snapshot's key: re-encryption happens on the copy before);
    /// an Aurora cluster restores with <see cref="RdsRestoreRequest.KmsKeyId"/> and then gets one writer instance.
    /// </summary>
    public async Task<RdsDatabase> RestoreAsync(RdsRestoreRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Kind == RdsKind.DbInstance)
        {
            return await client.RestoreDBInstanceFromDBSnapshotAsync(new RestoreInstanceRequest(
                request.NewIdentifier, request.SnapshotIdentifier, request.DbClass, request.Engine, request.SubnetGroup, null, request.Tags), cancellationToken).ConfigureAwait(false);
        }
        if (request.DbClass is null)
            throw new FerryInvalidInputException($"Restoring Aurora cluster {request.NewIdentifier} needs a DB instance class for its instance.");
        var cluster = await client.RestoreDBClusterFromSnapshotAsync(new RestoreClusterRequest(
            request.NewIdentifier, request.SnapshotIdentifier, request.Engine, request.KmsKeyId, request.SubnetGroup, null, request.Tags), cancellationToken).ConfigureAwait(false);
        await client.CreateDBInstanceAsync(new CreateInstanceRequest(
            $"{request.NewIdentifier}-instance-1", request.DbClass, request.Engine, request.NewIdentifier, request.Tags), cancellationToken).ConfigureAwait(false);
        return cluster with { DbClass = request.DbClass };
    }

    /// <summary>An Aurora cluster's instances are deleted first: RDS refuses to delete a cluster that still has instances not being deleted.</summary>
    public async Task DeleteDatabaseAsync(RdsKind kind, string identifier, CancellationToken cancellationToken = default)
    {
        var filter = new RdsFilter(kind == RdsKind.AuroraCluster ? "db-cluster-id" : "db-instance-id", [identifier]);
        var instances = await Page<RdsInstance>.AllAsync((m, ct) => client.DescribeDBInstancesAsync([filter], m, ct), cancellationToken).ConfigureAwait(false);
        foreach (var instance in instances.Select(i => i.Database).Where(i => i.Status != "deleting"))
            await client.DeleteDBInstanceAsync(instance.Identifier, kind == RdsKind.DbInstance, cancellationToken).ConfigureAwait(false);
        if (kind == RdsKind.DbInstance)
            return;
        var clusters = await Page<RdsDatabase>.AllAsync((m, ct) => client.DescribeDBClustersAsync([filter], m, ct), cancellationToken).ConfigureAwait(false);
        if (clusters.Any(c => c.Status != "deleting"))
            await client.DeleteDBClusterAsync(identifier, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> DescribeEngineVersionsAsync(string engine, CancellationToken cancellationToken = default) =>
        await Page<string>.AllAsync((m, ct) => client.DescribeDBEngineVersionsAsync(engine, m, ct), cancellationToken).ConfigureAwait(false);

    private async Task<RdsSnapshot> DescribeOneAsync(RdsKind kind, string identifier, FerryException cause, CancellationToken cancellationToken)
    {
        var page = await client.DescribeSnapshotsAsync(new DescribeRdsSnapshotsRequest(kind, SnapshotIdentifier: identifier), cancellationToken).ConfigureAwait(false);
        return page.Items.Count > 0 ? page.Items[0] : throw cause;
    }

    private static bool IsAlreadyExists(FerryException e) => e.AwsErrorCode?.Contains("AlreadyExists", StringComparison.Ordinal) == true;
}
