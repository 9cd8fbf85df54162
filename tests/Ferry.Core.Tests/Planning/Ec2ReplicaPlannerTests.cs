using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Sessions;
using static Ferry.Core.Tests.Fixtures;

namespace Ferry.Core.Tests.Planning;

public class Ec2ReplicaPlannerTests
{
    private static IEnumerable<StepKind> Kinds(ResourcePlan plan) => plan.Steps.Select(s => s.Kind);

    [Fact]
    public void EC2_R1_SameAccountUnencryptedEncryptionOff_SnapshotsThenCopiesAsTargetRole()
    {
        var plan = ReplicaPlanner.PlanEc2(Instance(Plain("vol-000000000000000b1")), Sources, SameAccount(ReplicaEncryption.Off));

        Assert.Equal(Verdict.Proceed, plan.Verdict);
        Assert.Equal(ResourceStatus.Success, plan.ExpectedStatus);
        Assert.Equal([StepKind.TakeSnapshot, StepKind.WaitForAvailable, StepKind.Copy, StepKind.WaitForAvailable], Kinds(plan));
        Assert.Equal(SourceRole, plan.Steps[0].Role);
        var copy = plan.Steps[2];
        Assert.Equal((RoleKind.Target, SameAccountTargetRole, SourceAccount, TargetRegion, SourceRegion), (copy.RoleKind, copy.Role, copy.Account, copy.Region, copy.FromRegion));
        Assert.Null(copy.KmsKey);
        Assert.Empty(plan.KeyRequirements);
    }

    [Fact]
    public void EC2_R2_SameAccountCustomerKeyWithTargetKey_CopyReEncryptsAndTargetRoleNeedsBothKeys()
    {
        var mapping = SameAccount(On(SameAccountTargetKey));
        var plan = ReplicaPlanner.PlanEc2(Instance(Encrypted("vol-000000000000000b1", SourceKey)), Sources, mapping);

        Assert.Equal(Verdict.Proceed, plan.Verdict);
        Assert.Equal([StepKind.TakeSnapshot, StepKind.WaitForAvailable, StepKind.Copy, StepKind.WaitForAvailable], Kinds(plan));
        var copy = plan.Steps[2];
        Assert.Equal(SameAccountTargetKey, copy.KmsKey);
        Assert.Equal([new KeyNeed(SourceKey, KeyUse.Decrypt), new KeyNeed(SameAccountTargetKey, KeyUse.Encrypt)], copy.Keys);
        Assert.All(plan.KeyRequirements, r => Assert.Equal(SameAccountTargetRole, r.Role));
        Assert.Contains(plan.KeyRequirements, r => r.KeyArn == SourceKey && r.Permissions.Contains("kms:Decrypt"));
        Assert.Contains(plan.KeyRequirements, r => r.KeyArn == SameAccountTargetKey && r.Permissions.Contains("kms:GenerateDataKeyWithoutPlaintext"));
    }

    [Fact]
    public void EC2_R3_EncryptedVolumeEncryptionOnWithoutKey_NoReplicaAndWarning()
    {
        var plan = ReplicaPlanner.PlanEc2(Instance(Encrypted("vol-000000000000000b1", SourceKey)), Sources, SameAccount(On(null)));

        Assert.Equal(Verdict.Skip, plan.Verdict);
        Assert.Equal(ResourceStatus.Warning, plan.ExpectedStatus);
        Assert.Empty(plan.Steps);
        Assert.Contains("no target KMS key", plan.Reason, StringComparison.Ordinal);
        Assert.Equal(ItemAction.Skip, plan.Items.Single().Action);
    }

    [Fact]
    public void EC2_R4_EncryptedVolumeEncryptionOff_FailsBeforeAnyCall()
    {
        var plan = ReplicaPlanner.PlanEc2(Instance(Encrypted("vol-000000000000000b1", SourceKey)), Sources, SameAccount(ReplicaEncryption.Off));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Equal(ResourceStatus.Failed, plan.ExpectedStatus);
        Assert.Empty(plan.Steps);
        Assert.Contains("replicas of encrypted resources must be encrypted", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EC2_R5_UnencryptedVolumeAllResources_CopyEncryptedWithTargetKey()
    {
        var plan = ReplicaPlanner.PlanEc2(Instance(Plain("vol-000000000000000b1")), Sources, SameAccount(On(SameAccountTargetKey)));

        var copy = plan.Steps.Single(s => s.Kind == StepKind.Copy);
        Assert.Equal(SameAccountTargetKey, copy.KmsKey);
        Assert.Equal([new KeyNeed(SameAccountTargetKey, KeyUse.Encrypt)], copy.Keys);
        Assert.Equal(ResourceStatus.Success, plan.ExpectedStatus);
    }

    [Fact]
    public void EC2_R6_EncryptedOnly_UnencryptedStaysPlainAndEncryptedIsReEncrypted()
    {
        var instance = Instance(Encrypted("vol-000000000000000b1", SourceKey), Plain("vol-000000000000000b2"));
        var plan = ReplicaPlanner.PlanEc2(instance, Sources, SameAccount(On(SameAccountTargetKey, KeyUsage.EncryptedOnly)));

        var copies = plan.Steps.Where(s => s.Kind == StepKind.Copy).ToList();
        Assert.Equal(2, copies.Count);
        Assert.Equal(SameAccountTargetKey, copies.Single(c => c.Items.Contains("vol-000000000000000b1")).KmsKey);
        Assert.Null(copies.Single(c => c.Items.Contains("vol-000000000000000b2")).KmsKey);
        Assert.Equal(ResourceStatus.Success, plan.ExpectedStatus);
    }

    [Fact]
    public void EC2_R7_CrossAccount_SharesThenCopiesInTargetAccount()
    {
        var plan = ReplicaPlanner.PlanEc2(Instance(Encrypted("vol-000000000000000b1", SourceKey)), Sources, CrossAccount(On(TargetKey)));

        Assert.Equal([StepKind.TakeSnapshot, StepKind.WaitForAvailable, StepKind.Share, StepKind.Copy, StepKind.WaitForAvailable], Kinds(plan));
        var share = plan.Steps[2];
        Assert.Equal((RoleKind.Source, SourceRole, SourceAccount, TargetAccount), (share.RoleKind, share.Role, share.Account, share.ShareWith));
        Assert.Equal([new KeyNeed(SourceKey, KeyUse.Share)], share.Keys);
        var copy = plan.Steps[3];
        Assert.Equal((RoleKind.Target, TargetRole, TargetAccount, TargetRegion, TargetKey), (copy.RoleKind, copy.Role, copy.Account, copy.Region, copy.KmsKey));
        Assert.Equal([new KeyNeed(SourceKey, KeyUse.Decrypt), new KeyNeed(TargetKey, KeyUse.Encrypt)], copy.Keys);
        Assert.Equal(
            [(SourceRole, SourceKey, KeyUse.Share), (TargetRole, SourceKey, KeyUse.Decrypt), (TargetRole, TargetKey, KeyUse.Encrypt)],
            plan.KeyRequirements.Select(r => (r.Role, r.KeyArn, r.Use)));
        Assert.Equal(ResourceStatus.Success, plan.ExpectedStatus);
    }

    [Fact]
    public void EC2_R8_CrossAccountDefaultEbsKey_FailsBeforeAnySnapshot()
    {
        var volume = new Ferry.Core.Inventory.VolumeFacts("vol-000000000000000b1", "/dev/xvda", 8, true, DefaultKey(DefaultEbsKey, "alias/aws/ebs"));
        var plan = ReplicaPlanner.PlanEc2(Instance(volume), Sources, CrossAccount(On(TargetKey)));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Empty(plan.Steps);
        Assert.Contains("default key", plan.Reason, StringComparison.Ordinal);
        Assert.Contains("alias/aws/ebs", plan.Reason, StringComparison.Ordinal);
        Assert.Contains(TargetAccount, plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EC2_R8_SameAccountDefaultEbsKey_IsAllowed()
    {
        var volume = new Ferry.Core.Inventory.VolumeFacts("vol-000000000000000b1", "/dev/xvda", 8, true, DefaultKey(DefaultEbsKey, "alias/aws/ebs"));
        var plan = ReplicaPlanner.PlanEc2(Instance(volume), Sources, SameAccount(On(SameAccountTargetKey)));

        Assert.Equal(Verdict.Proceed, plan.Verdict);
        Assert.DoesNotContain(plan.Steps, s => s.Kind == StepKind.Share);
    }

    [Fact]
    public void EC2_R8_CrossAccountDefaultEbsKeyWithoutShareKey_ReasonNamesTheShareKeySetting()
    {
        var plan = ReplicaPlanner.PlanEc2(Instance(OnDefaultKey("vol-000000000000000b1")), Sources, CrossAccount(On(TargetKey)));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Contains($"encryption.shareKey of the mapping for {SourceRegion}", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EC2_R12_DefaultKeyVolumeWithShareKey_SourceRoleReEncryptsThenSharesThenTargetCopies()
    {
        var instance = Instance(OnDefaultKey("vol-000000000000000b1"), Encrypted("vol-000000000000000b2", SourceKey, "/dev/xvdb"));
        var plan = ReplicaPlanner.PlanEc2(instance, Sources, CrossAccount(Sharing(TargetKey)));

        Assert.Equal(Verdict.Proceed, plan.Verdict);
        Assert.Equal(
            [StepKind.TakeSnapshot, StepKind.WaitForAvailable, StepKind.Copy, StepKind.WaitForAvailable, StepKind.Share, StepKind.Copy, StepKind.WaitForAvailable],
            Kinds(plan));
        var reEncrypt = plan.Steps[2];
        Assert.Equal((RoleKind.Source, SourceRole, SourceAccount, SourceRegion, SourceRegion, ShareKey), (reEncrypt.RoleKind, reEncrypt.Role, reEncrypt.Account, reEncrypt.Region, reEncrypt.FromRegion, reEncrypt.KmsKey));
        Assert.Equal(["vol-000000000000000b1"], reEncrypt.Items);
        Assert.Equal([new KeyNeed(ShareKey, KeyUse.Encrypt)], reEncrypt.Keys);
        Assert.Equal((RoleKind.Source, SourceRegion), (plan.Steps[3].RoleKind, plan.Steps[3].Region));
        var share = plan.Steps[4];
        Assert.Equal(["vol-000000000000000b1", "vol-000000000000000b2"], share.Items);
        Assert.Equal([new KeyNeed(ShareKey, KeyUse.Share), new KeyNeed(SourceKey, KeyUse.Share)], share.Keys);
        var copy = plan.Steps[5];
        Assert.Equal((RoleKind.Target, TargetRole, TargetKey), (copy.RoleKind, copy.Role, copy.KmsKey));
        Assert.Equal([new KeyNeed(ShareKey, KeyUse.Decrypt), new KeyNeed(SourceKey, KeyUse.Decrypt), new KeyNeed(TargetKey, KeyUse.Encrypt)], copy.Keys);
        Assert.Contains(plan.KeyRequirements, r => (r.Role, r.KeyArn, r.Use) == (TargetRole, ShareKey, KeyUse.Decrypt));
        Assert.Contains(plan.KeyRequirements, r => (r.Role, r.KeyArn, r.Use) == (SourceRole, ShareKey, KeyUse.Encrypt));
        Assert.DoesNotContain(plan.KeyRequirements, r => r.KeyArn == DefaultEbsKey);
        Assert.Equal([ShareKey, null], plan.Items.Select(i => i.ShareKey));
    }

    [Fact]
    public void EC2_R12_CustomerKeyVolumesOnlyWithShareKey_KeepTheDirectPath()
    {
        var plan = ReplicaPlanner.PlanEc2(Instance(Encrypted("vol-000000000000000b1", SourceKey)), Sources, CrossAccount(Sharing(TargetKey)));

        Assert.Equal([StepKind.TakeSnapshot, StepKind.WaitForAvailable, StepKind.Share, StepKind.Copy, StepKind.WaitForAvailable], Kinds(plan));
        Assert.DoesNotContain(plan.KeyRequirements, r => r.KeyArn == ShareKey);
    }

    [Theory]
    [InlineData("arn:aws:kms:eu-central-1:111111111111:key/66666666-6666-4666-8666-666666666666")]
    [InlineData("arn:aws:kms:eu-west-1:222222222222:key/66666666-6666-4666-8666-666666666666")]
    public void EC2_R12a_ShareKeyOutsideTheSourceAccountOrRegion_FailsNamingTheKey(string shareKey)
    {
        var plan = ReplicaPlanner.PlanEc2(Instance(OnDefaultKey("vol-000000000000000b1")), Sources, CrossAccount(Sharing(TargetKey, shareKey)));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Empty(plan.Steps);
        Assert.Contains($"Share key {shareKey} (encryption.shareKey of the mapping for {SourceRegion}) is not a key of account {SourceAccount} in {SourceRegion}", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EC2_R12b_TargetRoleCannotDecryptWithShareKey_FailsNamingRoleKeyAndPermission()
    {
        var access = new KeyAccess([
            new KeyGrant(SourceRole, ShareKey, ["kms:*"]),
            new KeyGrant(TargetRole, ShareKey, ["kms:DescribeKey", "kms:CreateGrant"]),
            new KeyGrant(TargetRole, TargetKey, ["kms:*"]),
        ]);
        var plan = ReplicaPlanner.PlanEc2(Instance(OnDefaultKey("vol-000000000000000b1")), Sources, CrossAccount(Sharing(TargetKey)), new PlanContext(access));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Empty(plan.Steps);
        Assert.Contains($"Role {TargetRole} cannot use key {ShareKey}: missing kms:Decrypt, kms:ReEncryptFrom (needed to copy snapshots encrypted with it)", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EC2_R12c_SourceRoleCannotEncryptWithShareKey_FailsNamingRoleKeyAndPermission()
    {
        var access = new KeyAccess([
            new KeyGrant(SourceRole, ShareKey, ["kms:DescribeKey"]),
            new KeyGrant(TargetRole, ShareKey, ["kms:*"]),
            new KeyGrant(TargetRole, TargetKey, ["kms:*"]),
        ]);
        var plan = ReplicaPlanner.PlanEc2(Instance(OnDefaultKey("vol-000000000000000b1")), Sources, CrossAccount(Sharing(TargetKey)), new PlanContext(access));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Contains($"Role {SourceRole} cannot use key {ShareKey}: missing kms:CreateGrant, kms:GenerateDataKeyWithoutPlaintext, kms:ReEncryptTo (needed to encrypt the copy with it)", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EC2_R12c_SourceRoleCannotDescribeShareKey_FailsNamingSourceRoleForShare()
    {
        var access = new KeyAccess([new KeyGrant(TargetRole, ShareKey, ["kms:*"]), new KeyGrant(TargetRole, TargetKey, ["kms:*"])]);
        var plan = ReplicaPlanner.PlanEc2(Instance(OnDefaultKey("vol-000000000000000b1")), Sources, CrossAccount(Sharing(TargetKey)), new PlanContext(access));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Contains($"Role {SourceRole} cannot use key {ShareKey}: missing kms:DescribeKey", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EC2_R12_EveryRoleHasItsShareKeyRights_Proceeds()
    {
        var access = new KeyAccess([
            new KeyGrant(SourceRole, ShareKey, ["kms:DescribeKey", "kms:CreateGrant", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptTo"]),
            new KeyGrant(TargetRole, ShareKey, ["kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:ReEncryptFrom"]),
            new KeyGrant(TargetRole, TargetKey, ["kms:*"]),
        ]);
        var plan = ReplicaPlanner.PlanEc2(Instance(OnDefaultKey("vol-000000000000000b1")), Sources, CrossAccount(Sharing(TargetKey)), new PlanContext(access));

        Assert.Equal(Verdict.Proceed, plan.Verdict);
    }

    [Fact]
    public void EC2_R9_CrossAccountSameRegion_SharesThenCopiesWithinRegion()
    {
        var plan = ReplicaPlanner.PlanEc2(Instance(Encrypted("vol-000000000000000b1", SourceKey)), Sources, CrossAccount(On(SameRegionTargetKey), SourceRegion));

        Assert.Equal([StepKind.TakeSnapshot, StepKind.WaitForAvailable, StepKind.Share, StepKind.Copy, StepKind.WaitForAvailable], Kinds(plan));
        var copy = plan.Steps[3];
        Assert.Equal((TargetAccount, SourceRegion, SourceRegion, SameRegionTargetKey), (copy.Account, copy.Region, copy.FromRegion, copy.KmsKey));
        Assert.Equal(TargetRole, copy.Role);
    }

    [Fact]
    public void EC2_R10_TargetRoleLacksSourceKeyDecrypt_FailsNamingRoleKeyAndPermission()
    {
        var access = new KeyAccess([
            new KeyGrant(SourceRole, SourceKey, ["kms:*"]),
            new KeyGrant(TargetRole, SourceKey, ["kms:DescribeKey", "kms:CreateGrant", "kms:ReEncryptFrom"]),
            new KeyGrant(TargetRole, TargetKey, ["kms:*"]),
        ]);
        var plan = ReplicaPlanner.PlanEc2(Instance(Encrypted("vol-000000000000000b1", SourceKey)), Sources, CrossAccount(On(TargetKey)), new PlanContext(access));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Empty(plan.Steps);
        Assert.Contains($"Role {TargetRole} cannot use key {SourceKey}: missing kms:Decrypt", plan.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(TargetKey + ":", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EC2_R10_EveryRoleHasItsKeys_Proceeds()
    {
        var access = new KeyAccess([
            new KeyGrant(SourceRole, SourceKey, ["kms:DescribeKey"]),
            new KeyGrant(TargetRole, SourceKey, ["kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:ReEncrypt*"]),
            new KeyGrant(TargetRole, TargetKey, ["kms:*"]),
        ]);
        var plan = ReplicaPlanner.PlanEc2(Instance(Encrypted("vol-000000000000000b1", SourceKey)), Sources, CrossAccount(On(TargetKey)), new PlanContext(access));

        Assert.Equal(Verdict.Proceed, plan.Verdict);
        Assert.Empty(plan.Warnings);
    }

    [Fact]
    public void EC2_R10_SourceRoleCannotDescribeKey_FailsNamingSourceRoleForShare()
    {
        var access = new KeyAccess([new KeyGrant(TargetRole, SourceKey, ["kms:*"]), new KeyGrant(TargetRole, TargetKey, ["kms:*"])]);
        var plan = ReplicaPlanner.PlanEc2(Instance(Encrypted("vol-000000000000000b1", SourceKey)), Sources, CrossAccount(On(TargetKey)), new PlanContext(access));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Contains($"Role {SourceRole} cannot use key {SourceKey}: missing kms:DescribeKey (needed to share", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EC2_R11_MixedVolumesWithOneWithoutKey_CopiesTheOthersAndWarns()
    {
        var instance = Instance(Encrypted("vol-000000000000000b1", SourceKey), Plain("vol-000000000000000b2"));
        var plan = ReplicaPlanner.PlanEc2(instance, Sources, SameAccount(On(null, KeyUsage.EncryptedOnly)));

        Assert.Equal(Verdict.Proceed, plan.Verdict);
        Assert.Equal(ResourceStatus.Warning, plan.ExpectedStatus);
        Assert.Equal(ItemAction.Skip, plan.Items.Single(i => i.ItemId == "vol-000000000000000b1").Action);
        var copy = plan.Steps.Single(s => s.Kind == StepKind.Copy);
        Assert.Equal(["vol-000000000000000b2"], copy.Items);
        Assert.Null(copy.KmsKey);
        Assert.Contains(plan.Warnings, w => w.Contains("vol-000000000000000b1", StringComparison.Ordinal));
        Assert.Equal(["vol-000000000000000b1", "vol-000000000000000b2"], plan.Steps[0].Items);
    }

    [Fact]
    public void EC2_R11_MixedVolumesWithOneFailing_InstanceFailsWithThatVolumesReason()
    {
        var instance = Instance(Encrypted("vol-000000000000000b1", SourceKey), Plain("vol-000000000000000b2"));
        var plan = ReplicaPlanner.PlanEc2(instance, Sources, SameAccount(ReplicaEncryption.Off));

        Assert.Equal(Verdict.Fail, plan.Verdict);
        Assert.Equal(ItemAction.Fail, plan.Items.Single(i => i.ItemId == "vol-000000000000000b1").Action);
        Assert.Equal(ItemAction.Proceed, plan.Items.Single(i => i.ItemId == "vol-000000000000000b2").Action);
        Assert.Contains("vol-000000000000000b1", plan.Reason, StringComparison.Ordinal);
        Assert.Empty(plan.Steps);
    }

    [Fact]
    public void EC2_R11_MixedKeysOnTwoEncryptedVolumes_OneCopyStepNeedsBothSourceKeys()
    {
        var instance = Instance(Encrypted("vol-000000000000000b1", SourceKey), Encrypted("vol-000000000000000b2", OtherSourceKey, "/dev/xvdc"));
        var plan = ReplicaPlanner.PlanEc2(instance, Sources, CrossAccount(On(TargetKey)));

        var copy = plan.Steps.Single(s => s.Kind == StepKind.Copy);
        Assert.Equal(2, copy.Items.Count);
        Assert.Equal([new KeyNeed(SourceKey, KeyUse.Decrypt), new KeyNeed(OtherSourceKey, KeyUse.Decrypt), new KeyNeed(TargetKey, KeyUse.Encrypt)], copy.Keys);
    }

    [Fact]
    public void NoKeyAccessFacts_PlanProceedsAndNotesKeysWereNotChecked()
    {
        var plan = ReplicaPlanner.PlanEc2(Instance(Encrypted("vol-000000000000000b1", SourceKey)), Sources, CrossAccount(On(TargetKey)));

        Assert.Contains(plan.Notes, n => n.Contains("not checked", StringComparison.Ordinal));
        Assert.Empty(plan.Warnings);
        Assert.Equal(ResourceStatus.Success, plan.ExpectedStatus);
    }
}
