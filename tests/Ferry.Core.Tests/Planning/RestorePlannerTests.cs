using Ferry.Core.Inventory;
using Ferry.Core.Planning;
using static Ferry.Core.Tests.Fixtures;

namespace Ferry.Core.Tests.Planning;

public class RestorePlannerTests
{
    private const string ReplicaKey = "arn:aws:kms:eu-central-1:222222222222:key/66666666-6666-4666-8666-666666666666";
    private const string RestoreKeySameRegion = "arn:aws:kms:eu-west-1:111111111111:key/77777777-7777-4777-8777-777777777777";
    private const string RestoreKeyOtherRegion = "arn:aws:kms:eu-central-1:111111111111:key/88888888-8888-4888-8888-888888888888";

    private static RestorePointFacts Ec2Snapshot(KeyFacts? key = null) => new(
        "rp-1", "i-0000000000000000a", false, SourceAccount, SourceRegion, SourceRole,
        [new SnapshotFacts("snap-0000000000000001", "vol-000000000000000b1", true, key ?? Customer(SourceKey), "/dev/xvda"),
         new SnapshotFacts("snap-0000000000000002", "vol-000000000000000b2", true, key ?? Customer(SourceKey), "/dev/xvdb")],
        Instance(Encrypted("vol-000000000000000b1", SourceKey), Encrypted("vol-000000000000000b2", SourceKey, "/dev/xvdb")), null);

    private static RestorePointFacts RdsSnapshot(KeyFacts? key = null, bool aurora = false)
    {
        var db = aurora ? Cluster(encrypted: true) : Database(encrypted: true);
        return new("rp-2", db.Identifier, false, SourceAccount, SourceRegion, SourceRole,
            [new SnapshotFacts("ferry-orders-db-1", db.Identifier, true, key ?? Customer(SourceKey))], null, db);
    }

    private static IEnumerable<StepKind> Kinds(ResourcePlan plan) => plan.Steps.Select(s => s.Kind);

    [Fact]
    public void EC2_X0_OriginalLocation_CreatesInstanceAndEncryptedVolumesAsRestoreRole()
    {
        var plan = RestorePlanner.Plan(Ec2Snapshot(), new RestoreRequest(SourceAccount, SourceRegion, SourceRestoreRole, RestoreKeySameRegion));

        Assert.Equal(Verdict.Proceed, plan.Verdict);
        Assert.Equal([StepKind.CreateInstance, StepKind.CreateVolumes, StepKind.AttachVolumes], Kinds(plan));
        Assert.All(plan.Steps, s => Assert.Equal((RoleKind.Restore, SourceRestoreRole), (s.RoleKind, s.Role)));
        var volumes = plan.Steps[1];
        Assert.Equal(RestoreKeySameRegion, volumes.KmsKey);
        Assert.Equal([new KeyNeed(SourceKey, KeyUse.Decrypt), new KeyNeed(RestoreKeySameRegion, KeyUse.Encrypt)], volumes.Keys);
        Assert.Contains("m6i.large", plan.Steps[0].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void EC2_X1_OtherRegionSameAccount_CopiesThenCreatesVolumesFromCopy()
    {
        var plan = RestorePlanner.Plan(Ec2Snapshot(), new RestoreRequest(SourceAccount, TargetRegion, SourceRestoreRole, RestoreKeyOtherRegion));

        Assert.Equal([StepKind.Copy, StepKind.WaitForAvailable, StepKind.CreateInstance, StepKind.CreateVolumes, StepKind.AttachVolumes], Kinds(plan));
        var copy = plan.Steps[0];
        Assert.Equal((SourceRestoreRole, SourceAccount, TargetRegion, SourceRegion, RestoreKeyOtherRegion), (copy.Role, copy.Account, copy.Region, copy.FromRegion, copy.KmsKey));
        Assert.Equal([new KeyNeed(SourceKey, KeyUse.Decrypt), new KeyNeed(RestoreKeyOtherRegion, KeyUse.Encrypt)], copy.Keys);
        Assert.DoesNotContain(plan.Steps, s => s.Kind == StepKind.Share);
        Assert.All(plan.KeyRequirements, r => Assert.Equal(SourceRestoreRole, r.Role));
    }

    [Fact]
    public void EC2_X2_OtherAccountSameRegion_SourceRoleSharesThenRestoreRoleCreates()
    {
        var plan = RestorePlanner.Plan(Ec2Snapshot(), new RestoreRequest(TargetAccount, SourceRegion, RestoreRole, SameRegionTargetKey));

        Assert.Equal([StepKind.Share, StepKind.CreateInstance, StepKind.CreateVolumes, StepKind.AttachVolumes], Kinds(plan));
        var share = plan.Steps[0];
        Assert.Equal((RoleKind.Source, SourceRole, SourceAccount, TargetAccount), (share.RoleKind, share.Role, share.Account, share.ShareWith));
        var volumes = plan.Steps[2];
        Assert.Equal((RestoreRole, TargetAccount, SourceRegion), (volumes.Role, volumes.Account, volumes.Region));
        Assert.Equal([new KeyNeed(SourceKey, KeyUse.Decrypt), new KeyNeed(SameRegionTargetKey, KeyUse.Encrypt)], volumes.Keys);
    }

    [Fact]
    public void EC2_X3_OtherAccountOtherRegion_SharesCopiesCreatesAttaches()
    {
        var plan = RestorePlanner.Plan(Ec2Snapshot(), new RestoreRequest(TargetAccount, TargetRegion, RestoreRole, TargetKey));

        Assert.Equal([StepKind.Share, StepKind.Copy, StepKind.WaitForAvailable, StepKind.CreateInstance, StepKind.CreateVolumes, StepKind.AttachVolumes], Kinds(plan));
        var copy = plan.Steps[1];
        Assert.Equal((RestoreRole, TargetAccount, TargetRegion, TargetKey), (copy.Role, copy.Account, copy.Region, copy.KmsKey));
        Assert.Equal([new KeyNeed(SourceKey, KeyUse.Decrypt), new KeyNeed(TargetKey, KeyUse.Encrypt)], copy.Keys);
    }

    [Fact]
    public void EC2_X2_FromReplica_TargetRoleOfTheMappingShares()
    {
        var replica = Ec2Snapshot() with { IsReplica = true, AccountId = TargetAccount, Region = TargetRegion, OwnerRole = TargetRole,
            Snapshots = [new SnapshotFacts("snap-0000000000000009", "vol-000000000000000b1", true, Customer(ReplicaKey), "/dev/xvda")] };
        var plan = RestorePlanner.Plan(replica, new RestoreRequest(SourceAccount, TargetRegion, SourceRestoreRole, RestoreKeyOtherRegion));

        var share = plan.Steps[0];
        Assert.Equal((StepKind.Share, RoleKind.Target, TargetRole, TargetAccount, SourceAccount), (share.Kind, share.RoleKind, share.Role, share.Account, share.ShareWith));
        Assert.Equal([new KeyNeed(ReplicaKey, KeyUse.Share)], share.Keys);
    }

    [Fact]
    public void RDS_X0_OriginalLocationNewKey_CopiesToReEncryptThenRestores()
    {
        var plan = RestorePlanner.Plan(RdsSnapshot(), new RestoreRequest(SourceAccount, SourceRegion, SourceRestoreRole, RestoreKeySameRegion));

        Assert.Equal([StepKind.Copy, StepKind.WaitForAvailable, StepKind.RestoreDatabase], Kinds(plan));
        Assert.Equal(RestoreKeySameRegion, plan.Steps[0].KmsKey);
        var restore = plan.Steps[2];
        Assert.Equal((SourceRestoreRole, RestoreKeySameRegion), (restore.Role, restore.KmsKey));
        Assert.Equal([new KeyNeed(RestoreKeySameRegion, KeyUse.Decrypt), new KeyNeed(RestoreKeySameRegion, KeyUse.Encrypt)], restore.Keys);
    }

    [Fact]
    public void RDS_X0_OriginalLocationSnapshotKey_RestoresDirectly()
    {
        var plan = RestorePlanner.Plan(RdsSnapshot(), new RestoreRequest(SourceAccount, SourceRegion, SourceRestoreRole, null));

        Assert.Equal([StepKind.RestoreDatabase], Kinds(plan));
        Assert.Equal(SourceKey, plan.Steps[0].KmsKey);
        Assert.Contains("db.r6g.large", plan.Steps[0].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void RDS_X0_AuroraNewKey_RestoresClusterWithKeyWithoutCopy()
    {
        var plan = RestorePlanner.Plan(RdsSnapshot(aurora: true), new RestoreRequest(SourceAccount, SourceRegion, SourceRestoreRole, RestoreKeySameRegion));

        Assert.Equal([StepKind.RestoreDatabase], Kinds(plan));
        Assert.Equal([new KeyNeed(SourceKey, KeyUse.Decrypt), new KeyNeed(RestoreKeySameRegion, KeyUse.Encrypt)], plan.Steps[0].Keys);
    }

    [Fact]
    public void RDS_X1_OtherRegionSameAccount_CopiesToTargetRegionThenRestores()
    {
        var plan = RestorePlanner.Plan(RdsSnapshot(), new RestoreRequest(SourceAccount, TargetRegion, SourceRestoreRole, RestoreKeyOtherRegion));

        Assert.Equal([StepKind.Copy, StepKind.WaitForAvailable, StepKind.RestoreDatabase], Kinds(plan));
        var copy = plan.Steps[0];
        Assert.Equal((SourceRestoreRole, TargetRegion, SourceRegion, RestoreKeyOtherRegion), (copy.Role, copy.Region, copy.FromRegion, copy.KmsKey));
        Assert.Equal([new KeyNeed(SourceKey, KeyUse.Decrypt), new KeyNeed(RestoreKeyOtherRegion, KeyUse.Encrypt)], copy.Keys);
    }

    [Fact]
    public void RDS_X2_OtherAccountSameRegion_SharesCopiesReEncryptedThenRestores()
    {
        var plan = RestorePlanner.Plan(RdsSnapshot(), new RestoreRequest(TargetAccount, SourceRegion, RestoreRole, SameRegionTargetKey));

        Assert.Equal([StepKind.Share, StepKind.Copy, StepKind.WaitForAvailable, StepKind.RestoreDatabase], Kinds(plan));
        Assert.Equal(SourceRole, plan.Steps[0].Role);
        var copy = plan.Steps[1];
        Assert.Equal((RestoreRole, TargetAccount, SourceRegion, SameRegionTargetKey), (copy.Role, copy.Account, copy.Region, copy.KmsKey));
        Assert.Equal([new KeyNeed(SameRegionTargetKey, KeyUse.Decrypt), new KeyNeed(SameRegionTargetKey, KeyUse.Encrypt)], plan.Steps[3].Keys);
    }

    [Fact]
    public void RDS_X3_OtherAccountOtherRegion_SharesCopiesTwiceThenRestores()
    {
        var plan = RestorePlanner.Plan(RdsSnapshot(), new RestoreRequest(TargetAccount, TargetRegion, RestoreRole, TargetKey));

        Assert.Equal(
            [StepKind.Share, StepKind.Copy, StepKind.WaitForAvailable, StepKind.Copy, StepKind.WaitForAvailable, StepKind.RestoreDatabase],
            Kinds(plan));
        var local = plan.Steps[1];
        Assert.Equal((RestoreRole, TargetAccount, SourceRegion, SourceKey), (local.Role, local.Account, local.Region, local.KmsKey));
        var remote = plan.Steps[3];
        Assert.Equal((RestoreRole, TargetRegion, SourceRegion, TargetKey), (remote.Role, remote.Region, remote.FromRegion, remote.KmsKey));
        Assert.Equal([new KeyNeed(SourceKey, KeyUse.Decrypt), new KeyNeed(TargetKey, KeyUse.Encrypt)], remote.Keys);
    }

    [Fact]
    public void X_DEF_OtherAccountRestoreOfDefaultKeySnapshot_FailsBeforeAnyChange()
    {
        var ebs = RestorePlanner.Plan(Ec2Snapshot(DefaultKey(DefaultEbsKey, "alias/aws/ebs")), new RestoreRequest(TargetAccount, SourceRegion, RestoreRole, SameRegionTargetKey));
        var rds = RestorePlanner.Plan(RdsSnapshot(DefaultKey(DefaultRdsKey, "alias/aws/rds")), new RestoreRequest(TargetAccount, TargetRegion, RestoreRole, TargetKey));

        foreach (var plan in new[] { ebs, rds })
        {
            Assert.Equal(Verdict.Fail, plan.Verdict);
            Assert.Empty(plan.Steps);
            Assert.Contains("default key", plan.Reason, StringComparison.Ordinal);
            Assert.Contains(TargetAccount, plan.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void X_DEF_WithoutShareKey_ReasonNamesTheShareKeyField()
    {
        var plan = RestorePlanner.Plan(Ec2Snapshot(DefaultKey(DefaultEbsKey, "alias/aws/ebs")), new RestoreRequest(TargetAccount, SourceRegion, RestoreRole, SameRegionTargetKey));

        Assert.Contains($"Give shareKey (a customer managed key of account {SourceAccount} in {SourceRegion})", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void X_DEF2_Ec2DefaultKeyWithShareKey_OwnerReEncryptsSharesThenRestoreRoleCopiesAndRestores()
    {
        var plan = RestorePlanner.Plan(Ec2Snapshot(DefaultKey(DefaultEbsKey, "alias/aws/ebs")),
            new RestoreRequest(TargetAccount, SourceRegion, RestoreRole, SameRegionTargetKey, ShareKey: ShareKey));

        Assert.Equal(Verdict.Proceed, plan.Verdict);
        Assert.Equal(
            [StepKind.Copy, StepKind.WaitForAvailable, StepKind.Share, StepKind.Copy, StepKind.WaitForAvailable, StepKind.CreateInstance, StepKind.CreateVolumes, StepKind.AttachVolumes],
            Kinds(plan));
        var reEncrypt = plan.Steps[0];
        Assert.Equal((RoleKind.Source, SourceRole, SourceAccount, SourceRegion, ShareKey), (reEncrypt.RoleKind, reEncrypt.Role, reEncrypt.Account, reEncrypt.Region, reEncrypt.KmsKey));
        Assert.Equal([new KeyNeed(ShareKey, KeyUse.Encrypt)], reEncrypt.Keys);
        Assert.Equal([new KeyNeed(ShareKey, KeyUse.Share)], plan.Steps[2].Keys);
        var copy = plan.Steps[3];
        Assert.Equal((RoleKind.Restore, RestoreRole, TargetAccount, SourceRegion, SameRegionTargetKey), (copy.RoleKind, copy.Role, copy.Account, copy.Region, copy.KmsKey));
        Assert.Equal([new KeyNeed(ShareKey, KeyUse.Decrypt), new KeyNeed(SameRegionTargetKey, KeyUse.Encrypt)], copy.Keys);
        Assert.Equal([new KeyNeed(SameRegionTargetKey, KeyUse.Decrypt), new KeyNeed(SameRegionTargetKey, KeyUse.Encrypt)], plan.Steps[6].Keys);
    }

    [Fact]
    public void X_DEF2_RdsDefaultKeyWithShareKeyOtherRegion_ReEncryptedSharedThenCopiedTwiceAndRestored()
    {
        var plan = RestorePlanner.Plan(RdsSnapshot(DefaultKey(DefaultRdsKey, "alias/aws/rds")),
            new RestoreRequest(TargetAccount, TargetRegion, RestoreRole, TargetKey, ShareKey: ShareKey));

        Assert.Equal(Verdict.Proceed, plan.Verdict);
        Assert.Equal(
            [StepKind.Copy, StepKind.WaitForAvailable, StepKind.Share, StepKind.Copy, StepKind.WaitForAvailable, StepKind.Copy, StepKind.WaitForAvailable, StepKind.RestoreDatabase],
            Kinds(plan));
        Assert.Equal((SourceRole, ShareKey), (plan.Steps[0].Role, plan.Steps[0].KmsKey));
        Assert.Equal([new KeyNeed(ShareKey, KeyUse.Decrypt), new KeyNeed(ShareKey, KeyUse.Encrypt)], plan.Steps[3].Keys);
        Assert.Equal([new KeyNeed(ShareKey, KeyUse.Decrypt), new KeyNeed(TargetKey, KeyUse.Encrypt)], plan.Steps[5].Keys);
    }

    [Theory]
    [InlineData("arn:aws:kms:eu-central-1:111111111111:key/66666666-6666-4666-8666-666666666666")]
    [InlineData("arn:aws:kms:eu-west-1:222222222222:key/66666666-6666-4666-8666-666666666666")]
    public void X_DEF2_ShareKeyOutsideTheRestorePointsAccountOrRegion_FailsNamingTheField(string shareKey)
    {
        var plan = RestorePlanner.Plan(Ec2Snapshot(DefaultKey(DefaultEbsKey, "alias/aws/ebs")),
            new RestoreRequest(TargetAccount, SourceRegion, RestoreRole, SameRegionTargetKey, ShareKey: shareKey));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Empty(plan.Steps);
        Assert.StartsWith("shareKey is in account", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void X_DEF2_RestoreRoleCannotDecryptWithShareKey_FailsNamingRoleKeyAndPermission()
    {
        var access = new KeyAccess([new KeyGrant(SourceRole, ShareKey, ["kms:*"]), new KeyGrant(RestoreRole, SameRegionTargetKey, ["kms:*"])]);
        var plan = RestorePlanner.Plan(Ec2Snapshot(DefaultKey(DefaultEbsKey, "alias/aws/ebs")),
            new RestoreRequest(TargetAccount, SourceRegion, RestoreRole, SameRegionTargetKey, ShareKey: ShareKey), new PlanContext(access));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Contains($"Role {RestoreRole} cannot use key {ShareKey}: missing kms:DescribeKey, kms:CreateGrant, kms:Decrypt, kms:ReEncryptFrom", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void X_DEF2_OwnerRoleCannotEncryptWithShareKey_FailsNamingRoleKeyAndPermission()
    {
        var access = new KeyAccess([new KeyGrant(SourceRole, ShareKey, ["kms:DescribeKey"]), new KeyGrant(RestoreRole, ShareKey, ["kms:*"]), new KeyGrant(RestoreRole, SameRegionTargetKey, ["kms:*"])]);
        var plan = RestorePlanner.Plan(Ec2Snapshot(DefaultKey(DefaultEbsKey, "alias/aws/ebs")),
            new RestoreRequest(TargetAccount, SourceRegion, RestoreRole, SameRegionTargetKey, ShareKey: ShareKey), new PlanContext(access));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Contains($"Role {SourceRole} cannot use key {ShareKey}: missing kms:CreateGrant, kms:GenerateDataKeyWithoutPlaintext, kms:ReEncryptTo (needed to encrypt the copy with it)", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void X_DEF_SameAccountRestoreOfDefaultKeySnapshot_IsAllowed()
    {
        var plan = RestorePlanner.Plan(Ec2Snapshot(DefaultKey(DefaultEbsKey, "alias/aws/ebs")), new RestoreRequest(SourceAccount, TargetRegion, SourceRestoreRole, RestoreKeyOtherRegion));

        Assert.Equal(Verdict.Proceed, plan.Verdict);
    }

    [Fact]
    public void Restore_TargetKeyInWrongRegion_FailsNamingTheKeyField()
    {
        var plan = RestorePlanner.Plan(Ec2Snapshot(), new RestoreRequest(SourceAccount, TargetRegion, SourceRestoreRole, RestoreKeySameRegion));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.StartsWith("targetKmsKey is in eu-west-1", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_EncryptedToOtherAccountWithoutKey_FailsAskingForTargetKey()
    {
        var plan = RestorePlanner.Plan(Ec2Snapshot(), new RestoreRequest(TargetAccount, SourceRegion, RestoreRole, null));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Contains("needs a target KMS key", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_RestoreRoleLacksTargetKey_FailsNamingRoleAndKey()
    {
        var access = new KeyAccess([new KeyGrant(SourceRole, SourceKey, ["kms:*"]), new KeyGrant(RestoreRole, SourceKey, ["kms:*"])]);
        var plan = RestorePlanner.Plan(Ec2Snapshot(), new RestoreRequest(TargetAccount, TargetRegion, RestoreRole, TargetKey), new PlanContext(access));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Contains($"Role {RestoreRole} cannot use key {TargetKey}: missing kms:DescribeKey, kms:CreateGrant, kms:GenerateDataKeyWithoutPlaintext, kms:ReEncryptTo", plan.Reason, StringComparison.Ordinal);
    }
}
