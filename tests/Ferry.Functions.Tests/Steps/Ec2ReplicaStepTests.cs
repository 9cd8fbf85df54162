using Ferry.Core.Ports;
using Ferry.Core.Sessions;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Functions.Tests.Steps;

public class Ec2ReplicaStepTests
{

    private static async Task<IReadOnlyList<Ec2Snapshot>> ReplicasAsync(Harness h, string role, string region, string instance)
    {
        var ec2 = await h.Ec2Async(role, region);
        return await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Tags: [new TagQuery(FerryTags.Source, [instance]), new TagQuery(FerryTags.Step, ["replica"])]));
    }

    private static async Task<(ResourceStatus Status, string? Reason)> ReplicateAsync(Harness h, string policy, string instance)
    {
        await h.PutPolicyAsync(policy);
        var (outcome, _) = await h.ReplicateAsync("p", instance);
        return (outcome.Status, outcome.Reason);
    }

    [Fact]
    public async Task EC2_R1_SameAccountUnencrypted_ReplicaInTargetRegionUnencrypted()
    {
        var h = new Harness();
        var (status, _) = await ReplicateAsync(h, ReplicaPolicy("p", "EC2", [Unencrypted], LocalTarget, Central, encrypted: false), Unencrypted);

        Assert.Equal(ResourceStatus.Success, status);
        var replica = Assert.Single(await ReplicasAsync(h, LocalTarget, Central, Unencrypted));
        Assert.Equal(("completed", false), (replica.State, replica.Encrypted));
        Assert.Equal(SourceAccount, replica.OwnerId);
    }

    [Fact]
    public async Task EC2_R2_SameAccountCustomerKey_ReplicaReEncryptedWithTargetKey()
    {
        var h = new Harness();
        var (status, _) = await ReplicateAsync(h, ReplicaPolicy("p", "EC2", [AppKeyed], LocalTarget, Central, true, LocalDrKey), AppKeyed);

        Assert.Equal(ResourceStatus.Success, status);
        Assert.All(await ReplicasAsync(h, LocalTarget, Central, AppKeyed), r => Assert.Equal((true, LocalDrKey), (r.Encrypted, r.KmsKeyId)));
    }

    [Fact]
    public async Task EC2_R3_EncryptionOnWithoutKey_WarningAndNothingCreated()
    {
        var h = new Harness();
        var (status, reason) = await ReplicateAsync(h, ReplicaPolicy("p", "EC2", [AppKeyed], LocalTarget, Central, true), AppKeyed);

        Assert.Equal(ResourceStatus.Warning, status);
        Assert.Contains("no target KMS key", reason, StringComparison.Ordinal);
        Assert.Equal(0, h.Aws.CallLog.Count("ec2", "CreateSnapshots"));
    }

    [Fact]
    public async Task EC2_R4_EncryptedVolumeEncryptionOff_FailedBeforeAnySnapshot()
    {
        var h = new Harness();
        var (status, reason) = await ReplicateAsync(h, ReplicaPolicy("p", "EC2", [AppKeyed], LocalTarget, Central, encrypted: false), AppKeyed);

        Assert.Equal(ResourceStatus.Failed, status);
        Assert.Contains("must be encrypted", reason, StringComparison.Ordinal);
        Assert.Equal(0, h.Aws.CallLog.Count("ec2", "CreateSnapshots"));
    }

    [Fact]
    public async Task EC2_R5_UnencryptedWithAllResources_ReplicaEncryptedWithTargetKey()
    {
        var h = new Harness();
        var (status, _) = await ReplicateAsync(h, ReplicaPolicy("p", "EC2", [Unencrypted], LocalTarget, Central, true, LocalDrKey), Unencrypted);

        Assert.Equal(ResourceStatus.Success, status);
        Assert.All(await ReplicasAsync(h, LocalTarget, Central, Unencrypted), r => Assert.Equal((true, LocalDrKey), (r.Encrypted, r.KmsKeyId)));
    }

    [Fact]
    public async Task EC2_R6_EncryptedOnly_PlainVolumeStaysPlainEncryptedOneReEncrypted()
    {
        var h = new Harness();
        var (status, _) = await ReplicateAsync(h, ReplicaPolicy("p", "EC2", [Mixed], LocalTarget, Central, true, LocalDrKey, "EncryptedOnly"), Mixed);

        Assert.Equal(ResourceStatus.Success, status);
        var replicas = await ReplicasAsync(h, LocalTarget, Central, Mixed);
        Assert.Equal(2, replicas.Count);
        Assert.Single(replicas, r => r.Encrypted && r.KmsKeyId == LocalDrKey);
        Assert.Single(replicas, r => !r.Encrypted);
    }

    [Fact]
    public async Task EC2_R7_CrossAccount_SharedThenCopiedIntoTargetAccountWithTargetKey()
    {
        var h = new Harness();
        var (status, _) = await ReplicateAsync(h, ReplicaPolicy("p", "EC2", [AppKeyed], TargetRole, Central, true, DrKey), AppKeyed);

        Assert.Equal(ResourceStatus.Success, status);
        var replicas = await ReplicasAsync(h, TargetRole, Central, AppKeyed);
        Assert.NotEmpty(replicas);
        Assert.All(replicas, r => Assert.Equal((TargetAccount, true, DrKey), (r.OwnerId, r.Encrypted, r.KmsKeyId)));
        var shares = h.Aws.CallLog.Records.Where(c => c.Operation == "ModifySnapshotAttribute" && c.Succeeded).ToList();
        Assert.Equal(replicas.Count, shares.Count);
        Assert.All(shares, c => Assert.Equal(SourceRole, c.Role));
        Assert.All(h.Aws.CallLog.Records.Where(c => c.Operation == "CopySnapshot"), c => Assert.Equal(TargetRole, c.Role));
    }

    [Fact]
    public async Task EC2_R8_CrossAccountDefaultKey_FailedBeforeAnySnapshot()
    {
        var h = new Harness();
        var (status, reason) = await ReplicateAsync(h, ReplicaPolicy("p", "EC2", [DefaultKeyed], TargetRole, Central, true, DrKey), DefaultKeyed);

        Assert.Equal(ResourceStatus.Failed, status);
        Assert.Contains("alias/aws/ebs", reason, StringComparison.Ordinal);
        Assert.Equal(0, h.Aws.CallLog.Count("ec2", "CreateSnapshots"));
    }

    [Fact]
    public async Task EC2_R9_CrossAccountSameRegion_CopiedWithinRegionInTargetAccount()
    {
        var h = new Harness();
        var (status, _) = await ReplicateAsync(h, ReplicaPolicy("p", "EC2", [AppKeyed], TargetRole, West, true, DrWestKey), AppKeyed);

        Assert.Equal(ResourceStatus.Success, status);
        Assert.All(await ReplicasAsync(h, TargetRole, West, AppKeyed), r => Assert.Equal((TargetAccount, DrWestKey), (r.OwnerId, r.KmsKeyId)));
    }

    [Fact]
    public async Task EC2_R10_TargetRoleCannotUseSourceKey_FailedNamingRoleKeyAndPermission()
    {
        var h = new Harness();
        var (status, reason) = await ReplicateAsync(h, ReplicaPolicy("p", "EC2", [Restricted], TargetRole, Central, true, DrKey), Restricted);

        Assert.Equal(ResourceStatus.Failed, status);
        Assert.Contains($"Role {TargetRole} cannot use key arn:aws:kms:eu-west-1:111111111111:key/1111aaaa-0000-4000-8000-000000000666: missing", reason, StringComparison.Ordinal);
        Assert.Contains("kms:Decrypt", reason, StringComparison.Ordinal);
        Assert.Equal(0, h.Aws.CallLog.Count("ec2", "CreateSnapshots"));
    }

    [Fact]
    public async Task EC2_R11_MixedVolumesWithoutKey_PlainVolumeCopiedAndResourceWarns()
    {
        var h = new Harness();
        var (status, reason) = await ReplicateAsync(h, ReplicaPolicy("p", "EC2", [Mixed], LocalTarget, Central, true, null, "EncryptedOnly"), Mixed);

        Assert.Equal(ResourceStatus.Warning, status);
        Assert.Contains("no target KMS key", reason, StringComparison.Ordinal);
        var replica = Assert.Single(await ReplicasAsync(h, LocalTarget, Central, Mixed));
        Assert.False(replica.Encrypted);
    }

    [Fact]
    public async Task Replica_Success_WritesSnapshotAndReplicaRestorePointsAndAnOrderedLog()
    {
        var h = new Harness();
        await ReplicateAsync(h, ReplicaPolicy("p", "EC2", [AppKeyed], TargetRole, Central, true, DrKey), AppKeyed);

        var points = await h.Services.RestorePoints.ListAsync("p", AppKeyed);
        Assert.Equal([false, true], points.Select(p => p.IsReplica).Order());
        Assert.Equal((TargetAccount, Central, TargetRole), points.Where(p => p.IsReplica).Select(p => (p.AccountId, p.Region, p.OwnerRole)).Single());
        Assert.Equal("m6i.large", points[0].Config.InstanceType);
        var session = (await h.Services.Sessions.GetAsync((await h.Services.Sessions.ListByPolicyAsync("p")).Single().SessionId))!;
        var log = session.Resources.Single().Log;
        Assert.Equal(["Plan", "TakeSnapshot", "CheckAvailable", "Share", "CopyToRegion", "CheckAvailable", "RecordOutcome"], log.Select(e => e.Step));
        Assert.Equal(log.Select(e => e.Sequence).Order(), log.Select(e => e.Sequence));
        Assert.Equal(SourceRole, log.Single(e => e.Step == "Share").Role);
        Assert.Equal(TargetRole, log.Single(e => e.Step == "CopyToRegion").Role);
    }
}
