using Ferry.Aws;
using Ferry.Aws.Rds;
using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Ports;
using Ferry.Simulator.World;
using static Ferry.Simulator.Tests.Sim;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Simulator.Tests;

/// <remarks>
/// Every call goes over the wire through Ferry's RDS adapter. A role's session lasts an hour, so a test that advances
/// the clock by an hour or more assumes the role again, as a Lambda invocation would.
/// </remarks>
public sealed class RdsRulesTests
{
    private static RdsCopyRequest Copy(string source, string from, string targetId, string? key, RdsKind kind = RdsKind.DbInstance) =>
        new(kind, source, from, targetId, key, new Dictionary<string, string> { ["ferry:session"] = "s1" });

    /// <summary>The adapter's compact RDS client, for what the port hides or never sends.</summary>
    private static async Task<RdsClient> Client(Sim sim, string role, string region) =>
        new(AwsPorts.ToSdk((await sim.Credentials.AssumeAsync(role)).Credentials), region, sim.Local.Options);

    private static CopyRdsSnapshotRequest ClientCopy(string source, string sourceRegion, string targetId, string? key) =>
        new(RdsKind.DbInstance, source, sourceRegion, targetId, key, false, new Dictionary<string, string>());

    [Fact]
    public async Task RDS_R1_SnapshotCreatingUntilDone_ThenCopiedCrossRegionWithTargetKey()
    {
        var sim = new Sim();
        var rds = await sim.Rds(Source);
        var snapshot = await rds.CreateSnapshotAsync(RdsKind.DbInstance, "orders-db", "ferry-orders-db-s1", NoTags);
        Assert.Equal(("creating", "manual", AppKey), (snapshot.Status, snapshot.SnapshotType, snapshot.KmsKeyId));
        var central = await sim.Rds(LocalTarget, Central);

        await Fails<FerryNotReadyException>("InvalidDBSnapshotState", () => central.CopySnapshotAsync(Copy(snapshot.Arn, West, "ferry-orders-db-s1", LocalDrKey)));
        sim.Advance(1);
        central = await sim.Rds(LocalTarget, Central);
        await Fails<FerryInvalidInputException>("InvalidParameterValue", () => central.CopySnapshotAsync(Copy(snapshot.Arn, West, "ferry-orders-db-s1", null)));
        await Fails<FerryInvalidInputException>("InvalidParameterValue", () => central.CopySnapshotAsync(Copy(snapshot.Identifier, West, "ferry-orders-db-s1", LocalDrKey)));
        var copy = await central.CopySnapshotAsync(Copy(snapshot.Arn, West, "ferry-orders-db-s1", LocalDrKey));

        Assert.Equal(("creating", LocalDrKey), (copy.Status, copy.KmsKeyId));
        sim.Advance(1);
        central = await sim.Rds(LocalTarget, Central);
        Assert.Equal("available", Assert.Single(await central.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, ["ferry-orders-db-s1"]))).Status);
    }

    [Fact]
    public async Task Copy_ExistingTargetIdentifier_FailsWithDBSnapshotAlreadyExists_WhichThePortAnswersWithTheExistingCopy()
    {
        var sim = new Sim();
        var snapshot = await sim.AvailableRdsSnapshot(RdsKind.DbInstance, "orders-db", "ferry-orders-db-s1");
        var central = await sim.Rds(LocalTarget, Central);
        var first = await central.CopySnapshotAsync(Copy(snapshot.Arn, West, "ferry-orders-db-s1", LocalDrKey));
        using var client = await Client(sim, LocalTarget, Central);

        await Fails<FerryInvalidStateException>("DBSnapshotAlreadyExists",
            () => client.CopySnapshotAsync(ClientCopy(snapshot.Arn, West, "ferry-orders-db-s1", LocalDrKey), default));
        Assert.Equal(first.Arn, (await central.CopySnapshotAsync(Copy(snapshot.Arn, West, "ferry-orders-db-s1", LocalDrKey))).Arn);
    }

    [Fact]
    public async Task Copy_EncryptedFromAnotherRegionWithoutPreSignedUrl_FailsWithInvalidParameterValue()
    {
        var sim = new Sim();
        var snapshot = await sim.AvailableRdsSnapshot(RdsKind.DbInstance, "orders-db", "ferry-orders-db-s1");
        using var client = await Client(sim, LocalTarget, Central);

        // Told the source is in the client's own region, the client pre-signs nothing.
        var error = await Fails<FerryInvalidInputException>("InvalidParameterValue",
            () => client.CopySnapshotAsync(ClientCopy(snapshot.Arn, Central, "ferry-orders-db-s1", LocalDrKey), default));
        Assert.Contains("PreSignedUrl is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copy_PreSignedUrlForAnotherRegionThanTheSourceSnapshots_FailsWithInvalidParameterValue()
    {
        var sim = new Sim();
        var snapshot = await sim.AvailableRdsSnapshot(RdsKind.DbInstance, "orders-db", "ferry-orders-db-s1");
        using var client = await Client(sim, LocalTarget, Central);

        var error = await Fails<FerryInvalidInputException>("InvalidParameterValue",
            () => client.CopySnapshotAsync(ClientCopy(snapshot.Arn, "eu-west-2", "ferry-orders-db-s1", LocalDrKey), default));
        Assert.Contains("PreSignedUrl could not be authenticated", error.Message, StringComparison.Ordinal);
        var copy = await client.CopySnapshotAsync(ClientCopy(snapshot.Arn, West, "ferry-orders-db-s1", LocalDrKey), default);
        Assert.Equal(LocalDrKey, copy.KmsKeyId);
    }

    [Fact]
    public async Task RDS_R2_SharedEncryptedSnapshot_CopiedInSourceRegionFirst_ThenToTargetRegion()
    {
        var sim = new Sim();
        var snapshot = await sim.AvailableRdsSnapshot(RdsKind.DbInstance, "orders-db", "ferry-orders-db-s1");
        var targetWest = await sim.Rds(Target, West);
        await Fails<FerryNotFoundException>("DBSnapshotNotFound", () => targetWest.CopySnapshotAsync(Copy(snapshot.Arn, West, "ferry-orders-db-s1", AppKey)));

        await (await sim.Rds(Source)).ShareSnapshotAsync(RdsKind.DbInstance, snapshot.Identifier, TargetAccount);
        var targetCentral = await sim.Rds(Target, Central);
        await Fails<FerryInvalidInputException>("InvalidParameterValue", () => targetCentral.CopySnapshotAsync(Copy(snapshot.Arn, West, "ferry-orders-db-s1", DrKey)));
        var first = await targetWest.CopySnapshotAsync(Copy(snapshot.Arn, West, "ferry-orders-db-s1", AppKey));
        Assert.Equal(AppKey, first.KmsKeyId);
        sim.Advance(1);
        targetCentral = await sim.Rds(Target, Central);
        var second = await targetCentral.CopySnapshotAsync(Copy(first.Arn, West, "ferry-orders-db-s1", DrKey));

        Assert.Equal(DrKey, second.KmsKeyId);
        Assert.Equal(1, sim.Aws.CallLog.CopiesInFlight(CopyService.Rds, TargetAccount, Central, sim.Clock.UtcNow));
    }

    [Fact]
    public async Task RDS_R3_SharedSnapshot_CopiedOnceInSameRegion()
    {
        var sim = new Sim();
        var snapshot = await sim.AvailableRdsSnapshot(RdsKind.DbInstance, "orders-db", "ferry-orders-db-s1");
        await (await sim.Rds(Source)).ShareSnapshotAsync(RdsKind.DbInstance, snapshot.Identifier, TargetAccount);
        var target = await sim.Rds(Target, West);

        var shared = Assert.Single(await target.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, IncludeShared: true)));
        Assert.Equal("shared", shared.SnapshotType);
        Assert.Empty(await target.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance)));
        var copy = await target.CopySnapshotAsync(Copy(shared.Arn, West, "ferry-orders-db-s1", DrWestKey));
        Assert.Equal(DrWestKey, copy.KmsKeyId);
    }

    [Fact]
    public async Task RDS_R4_Share_DefaultKeySnapshotWithOtherAccount_FailsWithInvalidParameterValue()
    {
        var sim = new Sim();
        var snapshot = await sim.AvailableRdsSnapshot(RdsKind.DbInstance, "legacy-db", "ferry-legacy-db-s1");
        var rds = await sim.Rds(Source);

        var error = await Fails<FerryInvalidInputException>("InvalidParameterValue", () => rds.ShareSnapshotAsync(RdsKind.DbInstance, snapshot.Identifier, TargetAccount));
        Assert.Contains("alias/aws/rds", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RdsKind.DbInstance, "legacy-db")]
    [InlineData(RdsKind.AuroraCluster, "ledger-aurora")]
    public async Task RDS_R10_DefaultKeySnapshotReEncryptedWithShareKeyInItsRegion_IsSharedAndCopiedByTheTargetAccount(RdsKind kind, string database)
    {
        var sim = new Sim();
        var snapshot = await sim.AvailableRdsSnapshot(kind, database, $"ferry-{database}-s1");
        var source = await sim.Rds(Source);
        var reEncrypted = await source.CopySnapshotAsync(Copy(snapshot.Identifier, West, $"ferry-{database}-s1-shared", ShareKey, kind));
        sim.Advance(1);
        Assert.Equal(ShareKey, reEncrypted.KmsKeyId);

        await source.ShareSnapshotAsync(kind, reEncrypted.Identifier, TargetAccount);
        var target = await sim.Rds(Target, West);
        var copy = await target.CopySnapshotAsync(Copy(reEncrypted.Arn, West, $"ferry-{database}-s1", DrWestKey, kind));

        Assert.Equal(DrWestKey, copy.KmsKeyId);
    }

    [Fact]
    public async Task RDS_R7_UnencryptedAuroraSnapshot_CopyWithKeyFailsWithInvalidParameterValue_CopyWithoutKeySucceeds()
    {
        var sim = new Sim();
        var snapshot = await sim.AvailableRdsSnapshot(RdsKind.AuroraCluster, "events-aurora", "ferry-events-s1");
        var central = await sim.Rds(LocalTarget, Central);

        await Fails<FerryInvalidInputException>("InvalidParameterValue",
            () => central.CopySnapshotAsync(Copy(snapshot.Arn, West, "ferry-events-s1", LocalDrKey, RdsKind.AuroraCluster)));
        var copy = await central.CopySnapshotAsync(Copy(snapshot.Arn, West, "ferry-events-s1", null, RdsKind.AuroraCluster));

        Assert.False(copy.Encrypted);
    }

    [Fact]
    public async Task RDS_R9_UnencryptedDbInstanceSnapshot_CopiedEncryptedWithTargetKey()
    {
        var sim = new Sim();
        var snapshot = await sim.AvailableRdsSnapshot(RdsKind.DbInstance, "reports-db", "ferry-reports-s1");
        var central = await sim.Rds(LocalTarget, Central);

        var copy = await central.CopySnapshotAsync(Copy(snapshot.Arn, West, "ferry-reports-s1", LocalDrKey));

        Assert.Equal((true, LocalDrKey), (copy.Encrypted, copy.KmsKeyId));
    }

    [Fact]
    public async Task RDS_R8_EngineVersionNotOfferedInTargetRegion_RestoreFailsWithInvalidParameterCombination()
    {
        var sim = new Sim();
        Assert.DoesNotContain("16.1", await (await sim.Rds(LocalTarget, Central)).DescribeEngineVersionsAsync("aurora-postgresql"));
        var snapshot = await sim.AvailableRdsSnapshot(RdsKind.AuroraCluster, "billing-aurora", "ferry-billing-s1");
        var central = await sim.Rds(LocalTarget, Central);
        var copy = await central.CopySnapshotAsync(Copy(snapshot.Arn, West, "ferry-billing-s1", LocalDrKey, RdsKind.AuroraCluster));
        sim.Advance(1);
        var restore = await sim.Rds(Restore, Central);

        await Fails<FerryInvalidInputException>("InvalidParameterCombination",
            () => restore.RestoreAsync(new RdsRestoreRequest(RdsKind.AuroraCluster, copy.Identifier, "billing-restored", "aurora-postgresql", "db.r6g.large", null, NoTags)));
    }

    [Fact]
    public async Task RDS_X2_RestoreFromSharedEncryptedSnapshot_FailsUntilCopied_ThenRestoresWithTargetKey()
    {
        var sim = new Sim();
        var snapshot = await sim.AvailableRdsSnapshot(RdsKind.DbInstance, "orders-db", "ferry-orders-db-s1");
        await (await sim.Rds(Source)).ShareSnapshotAsync(RdsKind.DbInstance, snapshot.Identifier, TargetAccount);
        var restore = await sim.Rds(RestoreTarget, West);

        await Fails<FerryInvalidStateException>("InvalidDBSnapshotState",
            () => restore.RestoreAsync(new RdsRestoreRequest(RdsKind.DbInstance, snapshot.Arn, "orders-restored", "postgres", null, DrWestKey, NoTags)));
        var copy = await restore.CopySnapshotAsync(Copy(snapshot.Arn, West, "orders-restore-copy", DrWestKey));
        sim.Advance(1);
        restore = await sim.Rds(RestoreTarget, West);
        var db = await restore.RestoreAsync(new RdsRestoreRequest(RdsKind.DbInstance, copy.Identifier, "orders-restored", "postgres", null, DrWestKey, NoTags));

        Assert.Equal(("creating", DrWestKey, "db.m6g.large"), (db.Status, db.KmsKeyId, db.DbClass));
        await Fails<FerryInvalidStateException>("DBInstanceAlreadyExists",
            () => restore.RestoreAsync(new RdsRestoreRequest(RdsKind.DbInstance, copy.Identifier, "orders-restored", "postgres", null, DrWestKey, NoTags)));
    }

    /// <remarks>Only a cluster restore takes a key: RestoreDBInstanceFromDBSnapshot has no KmsKeyId, an instance keeps its snapshot's key.</remarks>
    [Fact]
    public async Task RDS_X0_RestoreCluster_WithTargetKeyTheRoleCannotUse_FailsWithKMSKeyNotAccessibleFault()
    {
        var sim = new Sim();
        var snapshot = await sim.AvailableRdsSnapshot(RdsKind.AuroraCluster, "billing-aurora", "ferry-billing-s1");
        var restore = await sim.Rds(Restore);

        var error = await Fails<FerryAccessDeniedException>("KMSKeyNotAccessibleFault",
            () => restore.RestoreAsync(new RdsRestoreRequest(RdsKind.AuroraCluster, snapshot.Identifier, "billing-restored", "aurora-postgresql", "db.r6g.large", RestrictedKey, NoTags)));
        Assert.Contains("kms:GenerateDataKeyWithoutPlaintext", error.Message, StringComparison.Ordinal);

        var db = await restore.RestoreAsync(new RdsRestoreRequest(RdsKind.AuroraCluster, snapshot.Identifier, "billing-restored", "aurora-postgresql", "db.r6g.large", AppKey, NoTags));
        Assert.Equal(AppKey, db.KmsKeyId);
    }

    [Fact]
    public async Task RestoreInstance_KeepsTheSnapshotsKey_AndDescribesAsCreatingThenAvailable()
    {
        var sim = new Sim();
        var snapshot = await sim.AvailableRdsSnapshot(RdsKind.DbInstance, "orders-db", "ferry-orders-db-s1");
        var restore = await sim.Rds(Restore);

        var db = await restore.RestoreAsync(new RdsRestoreRequest(RdsKind.DbInstance, snapshot.Identifier, "orders-restored", "postgres", null, RestrictedKey, NoTags));

        Assert.Equal((AppKey, "creating", "db.m6g.large"), (db.KmsKeyId, db.Status, db.DbClass));
        sim.Advance(1);
        Assert.Equal("available", Assert.Single(await (await sim.Rds(Restore)).DescribeDatabasesAsync(["orders-restored"], null)).Status);
    }

    [Fact]
    public async Task RestoreCluster_GetsOneWriterInstance_ListedOnlyThroughItsCluster_AndDeletedBeforeIt()
    {
        var sim = new Sim();
        var snapshot = await sim.AvailableRdsSnapshot(RdsKind.AuroraCluster, "events-aurora", "ferry-events-s1");
        var restore = await sim.Rds(Restore);

        var cluster = await restore.RestoreAsync(new RdsRestoreRequest(RdsKind.AuroraCluster, snapshot.Identifier, "events-restored", "aurora-postgresql", "db.r6g.xlarge", null, NoTags));

        Assert.Equal((RdsKind.AuroraCluster, "db.r6g.xlarge"), (cluster.Kind, cluster.DbClass));
        Assert.Equal([RdsKind.AuroraCluster], (await restore.DescribeDatabasesAsync(["events-restored", "events-restored-instance-1"], null)).Select(d => d.Kind));
        using var client = await Client(sim, Restore, West);
        await Fails<FerryInvalidStateException>("InvalidDBClusterStateFault", () => client.DeleteDBClusterAsync("events-restored", default));
        await restore.DeleteDatabaseAsync(RdsKind.AuroraCluster, "events-restored");
        Assert.Empty(await restore.DescribeDatabasesAsync(["events-restored", "events-restored-instance-1"], null));
    }

    [Fact]
    public async Task CreateSnapshot_AtManualSnapshotLimit_FailsAsLimitNamingItsAccountAndRegion()
    {
        var sim = new Sim();
        var rds = await sim.Rds(Source);
        for (var i = 0; i < 100; i++)
            await rds.CreateSnapshotAsync(RdsKind.DbInstance, "reports-db", $"manual-{i}", NoTags);

        var error = await Fails<FerryLimitExceededException>("SnapshotQuotaExceeded", () => rds.CreateSnapshotAsync(RdsKind.DbInstance, "reports-db", "manual-100", NoTags));
        Assert.Contains($"manual DB snapshots per account and region, in account {SourceAccount}, region {West}", error.Message, StringComparison.Ordinal);
        sim.Advance(1);
        rds = await sim.Rds(Source);
        await rds.DeleteSnapshotAsync(RdsKind.DbInstance, "manual-0");
        await rds.CreateSnapshotAsync(RdsKind.DbInstance, "reports-db", "manual-100", NoTags);
    }

    [Fact]
    public async Task CreateSnapshot_ClusterAndInstanceSnapshots_CountAgainstSeparateLimits()
    {
        var sim = new Sim(limits: new LimitSpec { RdsManualSnapshots = 1, RdsManualClusterSnapshots = 1 });
        var rds = await sim.Rds(Source);
        await rds.CreateSnapshotAsync(RdsKind.DbInstance, "reports-db", "instance-1", NoTags);
        await rds.CreateSnapshotAsync(RdsKind.AuroraCluster, "events-aurora", "cluster-1", NoTags);

        var error = await Fails<FerryLimitExceededException>("SnapshotQuotaExceeded", () => rds.CreateSnapshotAsync(RdsKind.AuroraCluster, "events-aurora", "cluster-2", NoTags));
        Assert.Contains("manual DB cluster snapshots per account and region", error.Message, StringComparison.Ordinal);
        await Fails<FerryLimitExceededException>("SnapshotQuotaExceeded", () => rds.CreateSnapshotAsync(RdsKind.DbInstance, "reports-db", "instance-2", NoTags));
    }

    [Fact]
    public async Task Copy_IntoRegionAtManualSnapshotLimit_FailsAsCountLimitNotAsCopyQuota()
    {
        var sim = new Sim(limits: new LimitSpec { RdsManualSnapshots = 1 });
        var snapshot = await sim.AvailableRdsSnapshot(RdsKind.DbInstance, "reports-db", "ferry-source");
        var central = await sim.Rds(LocalTarget, Central);
        await central.CopySnapshotAsync(Copy(snapshot.Arn, West, "copy-1", null));

        var error = await Fails<FerryLimitExceededException>("SnapshotQuotaExceeded", () => central.CopySnapshotAsync(Copy(snapshot.Arn, West, "copy-2", null)));

        Assert.Contains($"in account {SourceAccount}, region {Central}", error.Message, StringComparison.Ordinal);
        Assert.Contains("Cannot create more than 1 manual snapshots", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Share_WithMoreThanTwentyAccounts_FailsAsLimitWithSharedSnapshotQuotaExceeded()
    {
        var sim = new Sim();
        var snapshot = await sim.AvailableRdsSnapshot(RdsKind.DbInstance, "reports-db", "ferry-reports-s1");
        var rds = await sim.Rds(Source);
        for (var i = 0; i < 20; i++)
            await rds.ShareSnapshotAsync(RdsKind.DbInstance, snapshot.Identifier, $"3000000000{i:D2}");

        var error = await Fails<FerryLimitExceededException>("SharedSnapshotQuotaExceeded", () => rds.ShareSnapshotAsync(RdsKind.DbInstance, snapshot.Identifier, "300000000099"));
        Assert.Contains("accounts a manual DB snapshot can be shared with", error.Message, StringComparison.Ordinal);
        await rds.ShareSnapshotAsync(RdsKind.DbInstance, snapshot.Identifier, "300000000000");
    }

    [Theory]
    [InlineData(RdsKind.DbInstance, "reports-db", 20)]
    [InlineData(RdsKind.AuroraCluster, "events-aurora", 5)]
    public async Task Copy_OverConcurrentCopyQuota_FailsAsQuotaWithSnapshotQuotaExceeded(RdsKind kind, string database, int quota)
    {
        var sim = new Sim();
        var snapshot = await sim.AvailableRdsSnapshot(kind, database, "ferry-source");
        var central = await sim.Rds(LocalTarget, Central);
        for (var i = 0; i < quota; i++)
            await central.CopySnapshotAsync(Copy(snapshot.Arn, West, $"copy-{i}", null, kind));

        await Fails<FerryQuotaExceededException>("SnapshotQuotaExceeded", () => central.CopySnapshotAsync(Copy(snapshot.Arn, West, "copy-over", null, kind)));
        sim.Advance(2);
        await (await sim.Rds(LocalTarget, Central)).CopySnapshotAsync(Copy(snapshot.Arn, West, "copy-over", null, kind));
        Assert.Equal(quota, sim.Aws.CallLog.PeakCopiesInFlight(kind == RdsKind.AuroraCluster ? CopyService.Aurora : CopyService.Rds, SourceAccount, Central));
    }

    [Fact]
    public async Task DeleteSnapshot_WhileCreating_FailsWithInvalidDBSnapshotState()
    {
        var sim = new Sim();
        var rds = await sim.Rds(Source);
        await rds.CreateSnapshotAsync(RdsKind.DbInstance, "reports-db", "in-progress", NoTags);

        await Fails<FerryNotReadyException>("InvalidDBSnapshotState", () => rds.DeleteSnapshotAsync(RdsKind.DbInstance, "in-progress"));
    }

    [Fact]
    public async Task DescribeSnapshots_TagAndSourceFilters_ReturnOnlyMatching()
    {
        var sim = new Sim();
        var rds = await sim.Rds(Source);
        await rds.CreateSnapshotAsync(RdsKind.DbInstance, "reports-db", "a", new Dictionary<string, string> { ["ferry:session"] = "s1" });
        await rds.CreateSnapshotAsync(RdsKind.DbInstance, "orders-db", "b", new Dictionary<string, string> { ["ferry:session"] = "s1" });
        await rds.CreateSnapshotAsync(RdsKind.DbInstance, "orders-db", "c", new Dictionary<string, string> { ["ferry:session"] = "s2" });

        var found = await rds.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, SourceIdentifier: "orders-db", Tags: [new TagQuery("ferry:session", ["s1"])]));

        Assert.Equal("b", Assert.Single(found).Identifier);
        var dbs = await rds.DescribeDatabasesAsync(null, [new TagQuery("backup", ["gold"])]);
        Assert.Equal(["orders-db", "reports-db"], dbs.Select(d => d.Identifier));
    }

    [Fact]
    public async Task DescribeSnapshots_SeveralIdentifiersAndMoreThanOnePage_ReturnsEveryExistingOneAndLeavesOutMissingOnes()
    {
        var sim = new Sim(limits: new LimitSpec { RdsManualSnapshots = 150 });
        var rds = await sim.Rds(Source);
        for (var i = 0; i < 120; i++)
            await rds.CreateSnapshotAsync(RdsKind.DbInstance, "reports-db", $"s-{i:D3}", NoTags);

        Assert.Equal(120, (await rds.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance))).Count);
        var found = await rds.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, ["s-001", "s-119", "missing"]));
        Assert.Equal(["s-001", "s-119"], found.Select(s => s.Identifier).Order(StringComparer.Ordinal));
        Assert.Empty(await rds.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, ["missing"])));
    }

    [Fact]
    public async Task Tags_AddedByArn_AreListedAndDescribed()
    {
        var sim = new Sim();
        var snapshot = await sim.AvailableRdsSnapshot(RdsKind.DbInstance, "reports-db", "ferry-reports-s1");
        using var client = await Client(sim, Source, West);

        await client.AddTagsToResourceAsync(snapshot.Arn, new Dictionary<string, string> { ["ferry:session"] = "s9" }, default);

        Assert.Equal("s9", (await client.ListTagsForResourceAsync(snapshot.Arn, default))["ferry:session"]);
        var tagged = await (await sim.Rds(Source)).DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, Tags: [new TagQuery("ferry:session", ["s9"])]));
        Assert.Equal("ferry-reports-s1", Assert.Single(tagged).Identifier);
        await Fails<FerryNotFoundException>("DBSnapshotNotFound",
            () => client.ListTagsForResourceAsync($"arn:aws:rds:{West}:{SourceAccount}:snapshot:missing", default));
    }
}
