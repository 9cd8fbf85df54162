using Ferry.Core.Inventory;
using Ferry.Core.Ports;
using Ferry.Core.Sessions;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Functions.Tests.Steps;

public class RdsReplicaStepTests
{

    private static async Task<IReadOnlyList<RdsSnapshot>> SnapshotsAsync(Harness h, string role, string region, string source, RdsKind kind = RdsKind.DbInstance)
    {
        var rds = await h.RdsAsync(role, region);
        return await rds.DescribeSnapshotsAsync(new RdsSnapshotQuery(kind, Tags: [new TagQuery(FerryTags.Source, [source])]));
    }

    private static async Task<OutcomeOf> ReplicateAsync(Harness h, string policy, string resource)
    {
        await h.PutPolicyAsync(policy);
        var (outcome, _) = await h.ReplicateAsync("p", resource);
        return new OutcomeOf(outcome.Status, outcome.Reason ?? "");
    }

    private sealed record OutcomeOf(ResourceStatus Status, string Reason);

    [Fact]
    public async Task RDS_R1_SameAccountEncrypted_ReplicaInTargetRegionReEncrypted()
    {
        var h = new Harness();
        var outcome = await ReplicateAsync(h, ReplicaPolicy("p", "RDS", [Orders], LocalTarget, Central, true, LocalDrKey), Orders);

        Assert.Equal(ResourceStatus.Success, outcome.Status);
        var replica = Assert.Single(await SnapshotsAsync(h, LocalTarget, Central, Orders));
        Assert.Equal(("available", LocalDrKey), (replica.Status, replica.KmsKeyId));
        Assert.All(h.Aws.CallLog.Records.Where(c => c.Operation == "CopyDBSnapshot"), c => Assert.Equal(LocalTarget, c.Role));
    }

    [Fact]
    public async Task RDS_R2_CrossAccountOtherRegion_StagedInSourceRegionThenCopiedAndStagingRemoved()
    {
        var h = new Harness();
        var outcome = await ReplicateAsync(h, ReplicaPolicy("p", "RDS", [Orders], TargetRole, Central, true, DrKey), Orders);

        Assert.Equal(ResourceStatus.Success, outcome.Status);
        var replica = Assert.Single(await SnapshotsAsync(h, TargetRole, Central, Orders));
        Assert.Equal(("available", DrKey), (replica.Status, replica.KmsKeyId));
        var copies = h.Aws.CallLog.Records.Where(c => c.Operation == "CopyDBSnapshot" && c.Succeeded).ToList();
        Assert.Equal([West, Central], copies.Select(c => c.Region));
        Assert.All(copies, c => Assert.Equal(TargetRole, c.Role));
        Assert.Empty(await SnapshotsAsync(h, TargetRole, West, Orders));
    }

    [Fact]
    public async Task RDS_R3_CrossAccountSameRegion_OneCopyInTargetAccount()
    {
        var h = new Harness();
        var outcome = await ReplicateAsync(h, ReplicaPolicy("p", "RDS", [Orders], TargetRole, West, true, DrWestKey), Orders);

        Assert.Equal(ResourceStatus.Success, outcome.Status);
        Assert.Equal(DrWestKey, Assert.Single(await SnapshotsAsync(h, TargetRole, West, Orders)).KmsKeyId);
        Assert.Equal(1, h.Aws.CallLog.Count("rds", "CopyDBSnapshot", "OK"));
    }

    [Fact]
    public async Task RDS_R4_CrossAccountDefaultKey_FailedBeforeAnySnapshot()
    {
        var h = new Harness();
        var outcome = await ReplicateAsync(h, ReplicaPolicy("p", "RDS", ["legacy-db"], TargetRole, Central, true, DrKey), "legacy-db");

        Assert.Equal(ResourceStatus.Failed, outcome.Status);
        Assert.Contains("alias/aws/rds", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(0, h.Aws.CallLog.Count("rds", "CreateDBSnapshot"));
    }

    [Fact]
    public async Task RDS_R5_EncryptionOnWithoutKey_Warning()
    {
        var h = new Harness();
        var outcome = await ReplicateAsync(h, ReplicaPolicy("p", "RDS", [Orders], TargetRole, Central, true), Orders);

        Assert.Equal(ResourceStatus.Warning, outcome.Status);
        Assert.Equal(0, h.Aws.CallLog.Count("rds", "CreateDBSnapshot"));
    }

    [Fact]
    public async Task RDS_R6_EncryptedWithEncryptionOff_Failed()
    {
        var h = new Harness();
        var outcome = await ReplicateAsync(h, ReplicaPolicy("p", "RDS", [Orders], LocalTarget, Central, encrypted: false), Orders);

        Assert.Equal(ResourceStatus.Failed, outcome.Status);
        Assert.Contains("must be encrypted", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RDS_R7_UnencryptedAuroraAllResources_Failed()
    {
        var h = new Harness();
        var outcome = await ReplicateAsync(h, ReplicaPolicy("p", "RDS", ["events-aurora"], LocalTarget, Central, true, LocalDrKey), "events-aurora");

        Assert.Equal(ResourceStatus.Failed, outcome.Status);
        Assert.Contains("must stay unencrypted", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(0, h.Aws.CallLog.Count("rds", "CreateDBClusterSnapshot"));
    }

    [Fact]
    public async Task RDS_R7_UnencryptedAuroraEncryptedOnly_ClusterSnapshotCopiedUnencrypted()
    {
        var h = new Harness();
        var outcome = await ReplicateAsync(h, ReplicaPolicy("p", "RDS", ["events-aurora"], LocalTarget, Central, true, LocalDrKey, "EncryptedOnly"), "events-aurora");

        Assert.Equal(ResourceStatus.Success, outcome.Status);
        var replica = Assert.Single(await SnapshotsAsync(h, LocalTarget, Central, "events-aurora", RdsKind.AuroraCluster));
        Assert.False(replica.Encrypted);
    }

    [Fact]
    public async Task RDS_R8_AuroraVersionNotOfferedInTargetRegion_FailedNamingEngineVersionRegion()
    {
        var h = new Harness();
        var outcome = await ReplicateAsync(h, ReplicaPolicy("p", "RDS", ["billing-aurora"], LocalTarget, Central, true, LocalDrKey), "billing-aurora");

        Assert.Equal(ResourceStatus.Failed, outcome.Status);
        Assert.Contains("aurora-postgresql version 16.1 is not offered in target region eu-central-1", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(0, h.Aws.CallLog.Count("rds", "CreateDBClusterSnapshot"));
    }

    [Fact]
    public async Task RDS_R9_UnencryptedInstanceAllResources_ReplicaEncryptedWithTargetKey()
    {
        var h = new Harness();
        var outcome = await ReplicateAsync(h, ReplicaPolicy("p", "RDS", ["reports-db"], LocalTarget, Central, true, LocalDrKey), "reports-db");

        Assert.Equal(ResourceStatus.Success, outcome.Status);
        var replica = Assert.Single(await SnapshotsAsync(h, LocalTarget, Central, "reports-db"));
        Assert.Equal((true, LocalDrKey), (replica.Encrypted, replica.KmsKeyId));
    }
}
