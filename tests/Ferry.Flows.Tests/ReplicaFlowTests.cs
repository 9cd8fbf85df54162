using Ferry.Core.Inventory;
using Ferry.Core.Sessions;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Flows.Tests;

/// <summary>Each replica scenario run through the policy-run state machine, asserting the world and the session in DynamoDB.</summary>
[Collection(FlowCollection.Name)]
public class ReplicaFlowTests(FlowFixture fixture)
{
    private async Task<FlowRun> RunAsync(string type, string resource, string targetRole, string region, bool encrypted, string? key = null, string usage = "AllResources", string? shareKey = null)
    {
        var run = await fixture.RunPolicyAsync(id => ReplicaPolicy(id, type, [resource], targetRole, region, encrypted, key, usage, shareKey: shareKey));
        Assert.True(run.Execution.Succeeded, run.Describe());
        return run;
    }

    private static void AssertOutcome(FlowRun run, string resource, ResourceStatus status, string? reasonContains = null)
    {
        var outcome = run.Outcome(resource);
        Assert.True(outcome.Status == status, run.Describe());
        Assert.Equal(status, run.Session.Status);
        if (reasonContains is not null)
            Assert.Contains(reasonContains, outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EC2_R1_SameAccountUnencrypted_ReplicaInTargetRegion()
    {
        var run = await RunAsync("EC2", Unencrypted, LocalTarget, Central, encrypted: false);

        AssertOutcome(run, Unencrypted, ResourceStatus.Success);
        var replica = Assert.Single(await run.EbsReplicasAsync(LocalTarget, Central));
        Assert.Equal((SourceAccount, false, "completed"), (replica.OwnerId, replica.Encrypted, replica.State));
    }

    [Fact]
    public async Task EC2_R2_SameAccountCustomerKey_ReplicaReEncrypted()
    {
        var run = await RunAsync("EC2", AppKeyed, LocalTarget, Central, true, LocalDrKey);

        AssertOutcome(run, AppKeyed, ResourceStatus.Success);
        var replicas = await run.EbsReplicasAsync(LocalTarget, Central);
        Assert.Equal(2, replicas.Count);
        Assert.All(replicas, r => Assert.Equal(LocalDrKey, r.KmsKeyId));
    }

    [Fact]
    public async Task EC2_R3_EncryptionOnWithoutKey_WarningAndNoSnapshot()
    {
        var run = await RunAsync("EC2", AppKeyed, LocalTarget, Central, true);

        AssertOutcome(run, AppKeyed, ResourceStatus.Warning, "no target KMS key");
        Assert.Equal(0, run.CallCount("CreateSnapshots", null));
    }

    [Fact]
    public async Task EC2_R4_EncryptedWithEncryptionOff_FailedBeforeAnyCall()
    {
        var run = await RunAsync("EC2", AppKeyed, LocalTarget, Central, encrypted: false);

        AssertOutcome(run, AppKeyed, ResourceStatus.Failed, "must be encrypted");
        Assert.Equal(0, run.CallCount("CreateSnapshots", null));
    }

    [Fact]
    public async Task EC2_R5_UnencryptedAllResources_ReplicaEncryptedWithTargetKey()
    {
        var run = await RunAsync("EC2", Unencrypted, LocalTarget, Central, true, LocalDrKey);

        AssertOutcome(run, Unencrypted, ResourceStatus.Success);
        Assert.Equal(LocalDrKey, Assert.Single(await run.EbsReplicasAsync(LocalTarget, Central)).KmsKeyId);
    }

    [Fact]
    public async Task EC2_R6_EncryptedOnly_PlainStaysPlainEncryptedReEncrypted()
    {
        var run = await RunAsync("EC2", Mixed, LocalTarget, Central, true, LocalDrKey, "EncryptedOnly");

        AssertOutcome(run, Mixed, ResourceStatus.Success);
        var replicas = await run.EbsReplicasAsync(LocalTarget, Central);
        Assert.Single(replicas, r => r.KmsKeyId == LocalDrKey);
        Assert.Single(replicas, r => !r.Encrypted);
    }

    [Fact]
    public async Task EC2_R7_CrossAccount_SharedByTheSourceRoleCopiedByTheTargetRole()
    {
        var run = await RunAsync("EC2", AppKeyed, TargetRole, Central, true, DrKey);

        AssertOutcome(run, AppKeyed, ResourceStatus.Success);
        Assert.All(await run.EbsReplicasAsync(TargetRole, Central), r => Assert.Equal((TargetAccount, DrKey), (r.OwnerId, r.KmsKeyId)));
        Assert.All(run.Calls.Where(c => c.Operation == "ModifySnapshotAttribute"), c => Assert.Equal(SourceRole, c.Role));
        Assert.All(run.Calls.Where(c => c.Operation == "CopySnapshot"), c => Assert.Equal(TargetRole, c.Role));
    }

    [Fact]
    public async Task EC2_R8_CrossAccountDefaultKey_FailedBeforeAnySnapshot()
    {
        var run = await RunAsync("EC2", DefaultKeyed, TargetRole, Central, true, DrKey);

        AssertOutcome(run, DefaultKeyed, ResourceStatus.Failed, "alias/aws/ebs");
        Assert.Equal(0, run.CallCount("CreateSnapshots", null));
    }

    [Fact]
    public async Task EC2_R12_DefaultKeyVolumesWithShareKey_ReEncryptedSharedCopiedAndIntermediateDeleted()
    {
        var run = await fixture.RunPolicyAsync(id => ReplicaPolicy(id, "EC2", [MixedKeys, DefaultKeyed], TargetRole, Central, true, DrKey, shareKey: ShareKey));

        Assert.True(run.Execution.Succeeded, run.Describe());
        Assert.True(run.Session.Status == ResourceStatus.Success, run.Describe());
        var replicas = await run.EbsReplicasAsync(TargetRole, Central);
        Assert.Equal(3, replicas.Count);
        Assert.All(replicas, r => Assert.Equal((TargetAccount, true, DrKey, "completed"), (r.OwnerId, r.Encrypted, r.KmsKeyId, r.State)));
        Assert.Empty(await run.EbsReplicasAsync(SourceRole, West, "staging"));
        // Only the two default-key volumes take the detour; the app-data volume is shared as it is.
        var reEncrypting = run.Calls.Where(c => c.Operation == "CopySnapshot" && c.Result == "OK" && c.Role == SourceRole).ToList();
        Assert.Equal(2, reEncrypting.Count);
        Assert.All(reEncrypting, c => Assert.Equal((SourceAccount, West), (c.Account, c.Region)));
        Assert.Equal(2, run.Calls.Count(c => c.Operation == "DeleteSnapshot" && c.Result == "OK" && c.Role == SourceRole));
        foreach (var resource in new[] { MixedKeys, DefaultKeyed })
        {
            Assert.True(run.Logged(resource, "TakeSnapshot", SourceRole), run.Describe());
            Assert.True(run.Logged(resource, "CopyToRegion", SourceRole), run.Describe());
            Assert.True(run.Logged(resource, "Share", SourceRole), run.Describe());
            Assert.True(run.Logged(resource, "CopyToRegion", TargetRole), run.Describe());
            Assert.True(run.Logged(resource, "CheckAvailable", TargetRole), run.Describe());
        }
    }

    [Fact]
    public async Task EC2_R12b_ShareKeyNotGrantedToTheTargetAccount_FailedBeforeAnySnapshotNamingRoleKeyAndPermission()
    {
        var run = await RunAsync("EC2", DefaultKeyed, TargetRole, Central, true, DrKey, shareKey: SharePrivateKey);

        AssertOutcome(run, DefaultKeyed, ResourceStatus.Failed, $"Role {TargetRole} cannot use key {SharePrivateKey}: missing kms:DescribeKey, kms:CreateGrant, kms:Decrypt");
        Assert.Equal(0, run.CallCount("CreateSnapshots", null));
    }

    [Fact]
    public async Task EC2_R12c_SourceRoleMayNotUseTheShareKey_FailedBeforeAnySnapshotNamingRoleKeyAndPermission()
    {
        var run = await RunAsync("EC2", DefaultKeyed, TargetRole, Central, true, DrKey, shareKey: ShareForeignKey);

        AssertOutcome(run, DefaultKeyed, ResourceStatus.Failed, $"Role {SourceRole} cannot use key {ShareForeignKey}: missing kms:DescribeKey, kms:CreateGrant, kms:GenerateDataKeyWithoutPlaintext");
        Assert.Equal(0, run.CallCount("CreateSnapshots", null));
    }

    [Fact]
    public async Task EC2_R9_CrossAccountSameRegion_CopiedWithinTheRegion()
    {
        var run = await RunAsync("EC2", AppKeyed, TargetRole, West, true, DrWestKey);

        AssertOutcome(run, AppKeyed, ResourceStatus.Success);
        Assert.All(await run.EbsReplicasAsync(TargetRole, West), r => Assert.Equal((TargetAccount, DrWestKey), (r.OwnerId, r.KmsKeyId)));
    }

    [Fact]
    public async Task EC2_R10_RoleWithoutKeyAccess_FailedNamingRoleKeyAndPermission()
    {
        var run = await RunAsync("EC2", Restricted, TargetRole, Central, true, DrKey);

        AssertOutcome(run, Restricted, ResourceStatus.Failed, $"Role {TargetRole} cannot use key arn:aws:kms:eu-west-1:111111111111:key/1111aaaa-0000-4000-8000-000000000666: missing kms:DescribeKey");
        Assert.Equal(0, run.CallCount("CreateSnapshots", null));
    }

    [Fact]
    public async Task EC2_R11_MixedVolumes_DecidedPerVolumeWorstWins()
    {
        var run = await RunAsync("EC2", Mixed, LocalTarget, Central, true, null, "EncryptedOnly");

        AssertOutcome(run, Mixed, ResourceStatus.Warning, "no target KMS key");
        Assert.False(Assert.Single(await run.EbsReplicasAsync(LocalTarget, Central)).Encrypted);
    }

    [Fact]
    public async Task RDS_R1_SameAccountEncrypted_ReplicaReEncrypted()
    {
        var run = await RunAsync("RDS", Orders, LocalTarget, Central, true, LocalDrKey);

        AssertOutcome(run, Orders, ResourceStatus.Success);
        Assert.Equal(LocalDrKey, Assert.Single(await run.RdsReplicasAsync(LocalTarget, Central)).KmsKeyId);
    }

    [Fact]
    public async Task RDS_R2_CrossAccountOtherRegion_StagedThenCopied()
    {
        var run = await RunAsync("RDS", Orders, TargetRole, Central, true, DrKey);

        AssertOutcome(run, Orders, ResourceStatus.Success);
        Assert.Equal(DrKey, Assert.Single(await run.RdsReplicasAsync(TargetRole, Central)).KmsKeyId);
        Assert.Equal([West, Central], run.Calls.Where(c => c.Operation == "CopyDBSnapshot" && c.Result == "OK").Select(c => c.Region));
        Assert.Equal(1, run.CallCount("DeleteDBSnapshot"));
    }

    [Fact]
    public async Task RDS_R3_CrossAccountSameRegion_OneCopy()
    {
        var run = await RunAsync("RDS", Orders, TargetRole, West, true, DrWestKey);

        AssertOutcome(run, Orders, ResourceStatus.Success);
        Assert.Equal(DrWestKey, Assert.Single(await run.RdsReplicasAsync(TargetRole, West)).KmsKeyId);
        Assert.Equal(1, run.CallCount("CopyDBSnapshot"));
    }

    [Fact]
    public async Task RDS_R4_CrossAccountDefaultKey_FailedBeforeAnySnapshot()
    {
        var run = await RunAsync("RDS", "legacy-db", TargetRole, Central, true, DrKey);

        AssertOutcome(run, "legacy-db", ResourceStatus.Failed, "alias/aws/rds");
        Assert.Equal(0, run.CallCount("CreateDBSnapshot", null));
    }

    [Fact]
    public async Task RDS_R10_DefaultKeyInstanceAndAuroraWithShareKey_ReEncryptedSharedCopiedAndIntermediatesDeleted()
    {
        var run = await fixture.RunPolicyAsync(id => ReplicaPolicy(id, "RDS", ["legacy-db", "ledger-aurora"], TargetRole, Central, true, DrKey, shareKey: ShareKey));

        Assert.True(run.Execution.Succeeded, run.Describe());
        Assert.True(run.Session.Status == ResourceStatus.Success, run.Describe());
        foreach (var kind in new[] { RdsKind.DbInstance, RdsKind.AuroraCluster })
        {
            var replica = Assert.Single(await run.RdsReplicasAsync(TargetRole, Central, kind));
            Assert.Equal((true, DrKey), (replica.Encrypted, replica.KmsKeyId));
            Assert.Empty(await run.RdsReplicasAsync(SourceRole, West, kind, "staging"));
            Assert.Empty(await run.RdsReplicasAsync(TargetRole, West, kind, "staging"));
        }
        var instanceCopy = Assert.Single(run.Calls, c => c.Operation == "CopyDBSnapshot" && c.Result == "OK" && c.Role == SourceRole);
        var clusterCopy = Assert.Single(run.Calls, c => c.Operation == "CopyDBClusterSnapshot" && c.Result == "OK" && c.Role == SourceRole);
        Assert.All([instanceCopy, clusterCopy], c => Assert.Equal((West, ShareKey), (c.Region, c.Parameters.Single(p => p.Key == "KmsKeyId").Value)));
        Assert.Equal(1, run.Calls.Count(c => c.Operation == "DeleteDBSnapshot" && c.Result == "OK" && c.Role == SourceRole));
        Assert.Equal(1, run.Calls.Count(c => c.Operation == "DeleteDBClusterSnapshot" && c.Result == "OK" && c.Role == SourceRole));
        foreach (var resource in new[] { "legacy-db", "ledger-aurora" })
        {
            Assert.True(run.Logged(resource, "CopyToRegion", SourceRole), run.Describe());
            Assert.True(run.Logged(resource, "Share", SourceRole), run.Describe());
            Assert.True(run.Logged(resource, "CopyToRegion", TargetRole), run.Describe());
        }
    }

    [Fact]
    public async Task RDS_R5_EncryptionOnWithoutKey_Warning()
    {
        var run = await RunAsync("RDS", Orders, TargetRole, Central, true);

        AssertOutcome(run, Orders, ResourceStatus.Warning, "no target KMS key");
    }

    [Fact]
    public async Task RDS_R6_EncryptedWithEncryptionOff_Failed()
    {
        var run = await RunAsync("RDS", Orders, LocalTarget, Central, encrypted: false);

        AssertOutcome(run, Orders, ResourceStatus.Failed, "must be encrypted");
    }

    [Fact]
    public async Task RDS_R7_UnencryptedAuroraAllResources_Failed()
    {
        var run = await RunAsync("RDS", "events-aurora", LocalTarget, Central, true, LocalDrKey);

        AssertOutcome(run, "events-aurora", ResourceStatus.Failed, "must stay unencrypted");
        Assert.Equal(0, run.CallCount("CreateDBClusterSnapshot", null));
    }

    [Fact]
    public async Task RDS_R8_AuroraVersionNotOffered_FailedNamingEngineVersionRegion()
    {
        var run = await RunAsync("RDS", "billing-aurora", LocalTarget, Central, true, LocalDrKey);

        AssertOutcome(run, "billing-aurora", ResourceStatus.Failed, "aurora-postgresql version 16.1 is not offered in target region eu-central-1");
    }

    [Fact]
    public async Task RDS_R9_UnencryptedInstance_ReplicaEncryptedWithTargetKey()
    {
        var run = await RunAsync("RDS", "reports-db", LocalTarget, Central, true, LocalDrKey);

        AssertOutcome(run, "reports-db", ResourceStatus.Success);
        var replica = Assert.Single(await run.RdsReplicasAsync(LocalTarget, Central));
        Assert.Equal((true, LocalDrKey), (replica.Encrypted, replica.KmsKeyId));
    }

    [Fact]
    public async Task AuroraCluster_EncryptedOnly_ClusterFlowCopiesUnencrypted()
    {
        var run = await RunAsync("RDS", "events-aurora", LocalTarget, Central, true, LocalDrKey, "EncryptedOnly");

        AssertOutcome(run, "events-aurora", ResourceStatus.Success);
        Assert.False(Assert.Single(await run.RdsReplicasAsync(LocalTarget, Central, RdsKind.AuroraCluster)).Encrypted);
    }
}
