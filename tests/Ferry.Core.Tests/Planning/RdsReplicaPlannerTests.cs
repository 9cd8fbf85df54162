using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Sessions;
using static Ferry.Core.Tests.Fixtures;

namespace Ferry.Core.Tests.Planning;

public class RdsReplicaPlannerTests
{
    private static readonly EngineCatalog Engines = new([
        (TargetRegion, "aurora-postgresql", "16.4.aurora"),
        (SourceRegion, "aurora-postgresql", "16.4.aurora"),
        (SourceRegion, "aurora-postgresql", "11.9.aurora"),
    ]);

    private static readonly PlanContext WithEngines = new(Engines: Engines);

    private static IEnumerable<StepKind> Kinds(ResourcePlan plan) => plan.Steps.Select(s => s.Kind);

    [Fact]
    public void RDS_R1_SameAccountEncryptedWithTargetKey_SnapshotThenCopyReEncrypted()
    {
        var plan = ReplicaPlanner.PlanRds(Database(encrypted: true), Sources, SameAccount(On(SameAccountTargetKey)));

        Assert.Equal(Verdict.Proceed, plan.Verdict);
        Assert.Equal([StepKind.TakeSnapshot, StepKind.WaitForAvailable, StepKind.Copy, StepKind.WaitForAvailable], Kinds(plan));
        Assert.Equal((RoleKind.Source, SourceRole, SourceRegion), (plan.Steps[0].RoleKind, plan.Steps[0].Role, plan.Steps[0].Region));
        var copy = plan.Steps[2];
        Assert.Equal((SameAccountTargetRole, SourceAccount, TargetRegion, SourceRegion, SameAccountTargetKey), (copy.Role, copy.Account, copy.Region, copy.FromRegion, copy.KmsKey));
        Assert.Equal([new KeyNeed(SourceKey, KeyUse.Decrypt), new KeyNeed(SameAccountTargetKey, KeyUse.Encrypt)], copy.Keys);
        Assert.Equal(ResourceStatus.Success, plan.ExpectedStatus);
    }

    [Fact]
    public void RDS_R2_CrossAccountOtherRegion_SharesCopiesInSourceRegionThenToTargetRegion()
    {
        var plan = ReplicaPlanner.PlanRds(Database(encrypted: true), Sources, CrossAccount(On(TargetKey)));

        Assert.Equal(
            [StepKind.TakeSnapshot, StepKind.WaitForAvailable, StepKind.Share, StepKind.Copy, StepKind.WaitForAvailable, StepKind.Copy, StepKind.WaitForAvailable],
            Kinds(plan));
        var share = plan.Steps[2];
        Assert.Equal((SourceRole, TargetAccount), (share.Role, share.ShareWith));
        Assert.Equal([new KeyNeed(SourceKey, KeyUse.Share)], share.Keys);
        var local = plan.Steps[3];
        Assert.Equal((TargetRole, TargetAccount, SourceRegion, SourceRegion, SourceKey), (local.Role, local.Account, local.Region, local.FromRegion, local.KmsKey));
        var remote = plan.Steps[5];
        Assert.Equal((TargetRole, TargetAccount, TargetRegion, SourceRegion, TargetKey), (remote.Role, remote.Account, remote.Region, remote.FromRegion, remote.KmsKey));
        Assert.Equal([new KeyNeed(SourceKey, KeyUse.Decrypt), new KeyNeed(TargetKey, KeyUse.Encrypt)], remote.Keys);
        Assert.Contains(plan.KeyRequirements, r => (r.Role, r.KeyArn, r.Use) == (TargetRole, SourceKey, KeyUse.Decrypt));
        Assert.Contains(plan.KeyRequirements, r => (r.Role, r.KeyArn, r.Use) == (TargetRole, TargetKey, KeyUse.Encrypt));
    }

    [Fact]
    public void RDS_R3_CrossAccountSameRegion_SharesThenOneCopyInTargetAccount()
    {
        var plan = ReplicaPlanner.PlanRds(Database(encrypted: true), Sources, CrossAccount(On(SameRegionTargetKey), SourceRegion));

        Assert.Equal([StepKind.TakeSnapshot, StepKind.WaitForAvailable, StepKind.Share, StepKind.Copy, StepKind.WaitForAvailable], Kinds(plan));
        var copy = plan.Steps[3];
        Assert.Equal((TargetRole, TargetAccount, SourceRegion, SameRegionTargetKey), (copy.Role, copy.Account, copy.Region, copy.KmsKey));
    }

    [Fact]
    public void RDS_R4_CrossAccountDefaultRdsKey_FailsBeforeAnySnapshot()
    {
        var db = Database(encrypted: true, key: DefaultKey(DefaultRdsKey, "alias/aws/rds"));
        var plan = ReplicaPlanner.PlanRds(db, Sources, CrossAccount(On(TargetKey)));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Empty(plan.Steps);
        Assert.Contains("alias/aws/rds", plan.Reason, StringComparison.Ordinal);
        Assert.Contains("cannot be shared", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RDS_R4_CrossAccountDefaultRdsKeyWithoutShareKey_ReasonNamesTheShareKeySetting()
    {
        var db = Database(encrypted: true, key: DefaultKey(DefaultRdsKey, "alias/aws/rds"));
        var plan = ReplicaPlanner.PlanRds(db, Sources, CrossAccount(On(TargetKey)));

        Assert.Contains($"encryption.shareKey of the mapping for {SourceRegion}", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RDS_R10_DbInstanceOnDefaultKeyWithShareKey_ReEncryptedInSourceThenSharedThenRdsR2Copies()
    {
        var db = Database(encrypted: true, key: DefaultKey(DefaultRdsKey, "alias/aws/rds"));
        var plan = ReplicaPlanner.PlanRds(db, Sources, CrossAccount(Sharing(TargetKey)));

        Assert.Equal(Verdict.Proceed, plan.Verdict);
        Assert.Equal(
            [StepKind.TakeSnapshot, StepKind.WaitForAvailable, StepKind.Copy, StepKind.WaitForAvailable, StepKind.Share,
                StepKind.Copy, StepKind.WaitForAvailable, StepKind.Copy, StepKind.WaitForAvailable],
            Kinds(plan));
        var reEncrypt = plan.Steps[2];
        Assert.Equal((RoleKind.Source, SourceRole, SourceAccount, SourceRegion, SourceRegion, ShareKey), (reEncrypt.RoleKind, reEncrypt.Role, reEncrypt.Account, reEncrypt.Region, reEncrypt.FromRegion, reEncrypt.KmsKey));
        Assert.Equal([new KeyNeed(ShareKey, KeyUse.Share)], plan.Steps[4].Keys);
        var local = plan.Steps[5];
        Assert.Equal((TargetRole, TargetAccount, SourceRegion, ShareKey), (local.Role, local.Account, local.Region, local.KmsKey));
        Assert.Equal([new KeyNeed(ShareKey, KeyUse.Decrypt), new KeyNeed(ShareKey, KeyUse.Encrypt)], local.Keys);
        var remote = plan.Steps[7];
        Assert.Equal((TargetRole, TargetRegion, TargetKey), (remote.Role, remote.Region, remote.KmsKey));
        Assert.Equal([new KeyNeed(ShareKey, KeyUse.Decrypt), new KeyNeed(TargetKey, KeyUse.Encrypt)], remote.Keys);
        Assert.DoesNotContain(plan.KeyRequirements, r => r.KeyArn == DefaultRdsKey);
    }

    [Fact]
    public void RDS_R10_AuroraOnDefaultKeyWithShareKeySameRegion_ReEncryptedSharedThenOneCopy()
    {
        var cluster = Cluster(encrypted: true) with { Key = DefaultKey(DefaultRdsKey, "alias/aws/rds") };
        var plan = ReplicaPlanner.PlanRds(cluster, Sources, CrossAccount(Sharing(SameRegionTargetKey), SourceRegion), new PlanContext(Engines: new EngineCatalog([(SourceRegion, "aurora-postgresql", "16.4.aurora")])));

        Assert.Equal(Verdict.Proceed, plan.Verdict);
        Assert.Equal(
            [StepKind.TakeSnapshot, StepKind.WaitForAvailable, StepKind.Copy, StepKind.WaitForAvailable, StepKind.Share, StepKind.Copy, StepKind.WaitForAvailable],
            Kinds(plan));
        Assert.Equal((SourceRole, ShareKey), (plan.Steps[2].Role, plan.Steps[2].KmsKey));
        Assert.Equal([new KeyNeed(ShareKey, KeyUse.Decrypt), new KeyNeed(SameRegionTargetKey, KeyUse.Encrypt)], plan.Steps[5].Keys);
    }

    [Fact]
    public void RDS_R10b_TargetRoleCannotUseShareKey_FailsNamingRoleKeyAndPermission()
    {
        var db = Database(encrypted: true, key: DefaultKey(DefaultRdsKey, "alias/aws/rds"));
        var access = new KeyAccess([new KeyGrant(SourceRole, ShareKey, ["kms:*"]), new KeyGrant(TargetRole, TargetKey, ["kms:*"])]);
        var plan = ReplicaPlanner.PlanRds(db, Sources, CrossAccount(Sharing(TargetKey)), new PlanContext(access));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Contains($"Role {TargetRole} cannot use key {ShareKey}: missing kms:DescribeKey, kms:CreateGrant, kms:Decrypt, kms:ReEncryptFrom", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RDS_R5_EncryptedEncryptionOnWithoutKey_NoReplicaAndWarning()
    {
        var plan = ReplicaPlanner.PlanRds(Database(encrypted: true), Sources, CrossAccount(On(null)));

        Assert.Equal(Verdict.Skip, plan.Verdict);
        Assert.Equal(ResourceStatus.Warning, plan.ExpectedStatus);
        Assert.Empty(plan.Steps);
    }

    [Fact]
    public void RDS_R6_EncryptedEncryptionOff_Fails()
    {
        var plan = ReplicaPlanner.PlanRds(Database(encrypted: true), Sources, SameAccount(ReplicaEncryption.Off));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Equal(ResourceStatus.Failed, plan.ExpectedStatus);
        Assert.Contains("must be encrypted", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RDS_R7_UnencryptedAuroraWithAllResources_FailsEvenWithKey()
    {
        var plan = ReplicaPlanner.PlanRds(Cluster(encrypted: false), Sources, SameAccount(On(SameAccountTargetKey)), WithEngines);

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Contains("must stay unencrypted", plan.Reason, StringComparison.Ordinal);
        Assert.Empty(plan.Steps);
    }

    [Fact]
    public void RDS_R7_UnencryptedAuroraWithEncryptedOnly_CopiesUnencryptedClusterSnapshot()
    {
        var plan = ReplicaPlanner.PlanRds(Cluster(encrypted: false), Sources, SameAccount(On(SameAccountTargetKey, KeyUsage.EncryptedOnly)), WithEngines);

        Assert.Equal(Verdict.Proceed, plan.Verdict);
        Assert.Null(plan.Steps.Single(s => s.Kind == StepKind.Copy).KmsKey);
        Assert.Contains("cluster snapshot", plan.Steps[0].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void RDS_R8_AuroraVersionNotOfferedInTargetRegion_FailsNamingEngineVersionRegion()
    {
        var plan = ReplicaPlanner.PlanRds(Cluster(encrypted: true, engineVersion: "11.9.aurora"), Sources, SameAccount(On(SameAccountTargetKey)), WithEngines);

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Empty(plan.Steps);
        Assert.Contains("aurora-postgresql", plan.Reason, StringComparison.Ordinal);
        Assert.Contains("11.9.aurora", plan.Reason, StringComparison.Ordinal);
        Assert.Contains(TargetRegion, plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RDS_R8_AuroraVersionOffered_Proceeds()
    {
        var plan = ReplicaPlanner.PlanRds(Cluster(encrypted: true), Sources, SameAccount(On(SameAccountTargetKey)), WithEngines);

        Assert.Equal(Verdict.Proceed, plan.Verdict);
        Assert.DoesNotContain(plan.Notes, n => n.Contains("Engine", StringComparison.Ordinal));
    }

    [Fact]
    public void RDS_R8_EngineCatalogUnknown_ProceedsWithNote()
    {
        var plan = ReplicaPlanner.PlanRds(Cluster(encrypted: true), Sources, SameAccount(On(SameAccountTargetKey)));

        Assert.Equal(Verdict.Proceed, plan.Verdict);
        Assert.Contains(plan.Notes, n => n.Contains("not checked", StringComparison.Ordinal));
    }

    [Fact]
    public void RDS_R9_UnencryptedInstanceAllResources_CopyEncryptedWithTargetKey()
    {
        var plan = ReplicaPlanner.PlanRds(Database(encrypted: false), Sources, CrossAccount(On(TargetKey)));

        Assert.Equal(Verdict.Proceed, plan.Verdict);
        var copies = plan.Steps.Where(s => s.Kind == StepKind.Copy).ToList();
        Assert.Null(copies[0].KmsKey);
        Assert.Equal(TargetKey, copies[1].KmsKey);
        Assert.Equal([new KeyNeed(TargetKey, KeyUse.Encrypt)], copies[1].Keys);
        Assert.Empty(plan.Steps.Single(s => s.Kind == StepKind.Share).Keys);
    }
}
