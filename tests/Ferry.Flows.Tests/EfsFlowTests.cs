using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using Ferry.Local.Runtime;
using Ferry.Simulator;
using static Ferry.Tests.Shared.EfsScenario;

namespace Ferry.Flows.Tests;

/// <summary>Each EFS backup copy scenario run through the policy-run and replica state machines on the EFS world.</summary>
[Collection(FlowCollection.Name)]
public class EfsFlowTests(FlowFixture fixture)
{
    private async Task<FlowRun> RunAsync(Func<string, string> policy)
    {
        var run = await fixture.RunPolicyAsync(await fixture.EfsAsync(), policy);
        Assert.True(run.Execution.Succeeded, run.Describe());
        return run;
    }

    private static void AssertOutcome(FlowRun run, string resource, ResourceStatus status, string? reasonContains = null)
    {
        var outcome = run.Outcome(resource);
        Assert.True(outcome.Status == status, run.Describe());
        if (reasonContains is not null)
            Assert.Contains(reasonContains, outcome.Reason, StringComparison.Ordinal);
    }

    /// <summary>The copy the run recorded as the resource's restore point, and the recovery points of the file system in that region.</summary>
    private static async Task<(RestorePoint Point, IReadOnlyList<RecoveryPoint> There)> CopiedAsync(FlowRun run, string resource, string role, string account, string fileSystem)
    {
        var point = Assert.Single(await run.Ferry.Services.RestorePoints.ListAsync(run.PolicyId, resource));
        var backup = run.Ferry.Wire.Ports.Backup(await run.Ferry.Services.Credentials.AssumeAsync(role), point.Region);
        return (point, await backup.ListRecoveryPointsByResourceAsync(SimulatedAws.FileSystemArn(account, West, fileSystem)));
    }

    [Fact]
    public async Task EFS_C1_AccountMode_CopyJobIntoTheNamedVault()
    {
        var run = await RunAsync(id => AccountPolicy(id, [SharedHome], "dr-vault"));

        AssertOutcome(run, SharedHome, ResourceStatus.Success);
        var (point, there) = await CopiedAsync(run, SharedHome, SourceRole, Management, SharedHome);
        Assert.Equal((true, Management, Central, SourceRole), (point.IsReplica, point.AccountId, point.Region, point.OwnerRole));
        var copy = Assert.Single(there, p => p.Arn == point.Snapshots[0].SnapshotId);
        Assert.Equal(("dr-vault", "COMPLETED"), (copy.VaultName, copy.Status));
        var start = Assert.Single(run.Calls, c => c.Operation == "StartCopyJob");
        Assert.Equal((SourceRole, Management, West), (start.Role, start.Account, start.Region));
        Assert.Equal(Names.CopyJobToken(run.Session.SessionId, SharedHome), start.Parameter("IdempotencyToken"));
    }

    [Fact]
    public async Task EFS_C1_AccountMode_DefaultVaultIsValid()
    {
        var run = await RunAsync(id => AccountPolicy(id, [SharedHome], "Default"));

        AssertOutcome(run, SharedHome, ResourceStatus.Success);
        var (point, there) = await CopiedAsync(run, SharedHome, SourceRole, Management, SharedHome);
        Assert.Equal("Default", Assert.Single(there, p => p.Arn == point.Snapshots[0].SnapshotId).VaultName);
    }

    [Fact]
    public async Task EFS_C2_OrganizationMode_VaultFoundByTagInTheMemberAccount()
    {
        var run = await RunAsync(id => OrganizationPolicy(id, [MemberWithVault], [MemberFs]));

        var resource = $"{MemberWithVault}/{MemberFs}";
        AssertOutcome(run, resource, ResourceStatus.Success);
        Assert.Equal(ResourceStatus.Success, run.Session.Status);
        var (point, there) = await CopiedAsync(run, resource, MemberRole(MemberWithVault), MemberWithVault, MemberFs);
        Assert.Equal((MemberWithVault, Central), (point.AccountId, point.Region));
        Assert.Equal("org-dr", Assert.Single(there, p => p.Arn == point.Snapshots[0].SnapshotId).VaultName);
        Assert.All(run.Calls.Where(c => c.Service is "backup" or "elasticfilesystem"), c => Assert.Equal(MemberRole(MemberWithVault), c.Role));
    }

    [Fact]
    public async Task EFS_C3_TagMatchingNoVaultOrTwo_FailsThatAccountNamingTagAccountAndRegion()
    {
        var run = await RunAsync(id => OrganizationPolicy(id, [MemberWithVault, MemberWithoutVault, MemberWithTwoVaults], [MemberFs, NoVaultFs, TwoVaultsFs]));

        AssertOutcome(run, $"{MemberWithVault}/{MemberFs}", ResourceStatus.Success);
        AssertOutcome(run, $"{MemberWithoutVault}/{NoVaultFs}", ResourceStatus.Failed,
            "No backup vault in account 444444444444, eu-central-1 carries the tag ferry=dr");
        AssertOutcome(run, $"{MemberWithTwoVaults}/{TwoVaultsFs}", ResourceStatus.Failed,
            "2 backup vaults in account 555555555555, eu-central-1 carry the tag ferry=dr (dr-a, dr-b)");
        Assert.Equal(ResourceStatus.Failed, run.Session.Status);
        Assert.Equal([MemberWithVault], run.Calls.Where(c => c.Operation == "StartCopyJob").Select(c => c.Account));
    }

    [Theory]
    [InlineData("locked-vault", "has AWS Backup Vault Lock enabled: storing backup copies in vaults with Vault Lock is not supported")]
    [InlineData("airgapped-vault", "is logically air-gapped: storing backup copies in logically air-gapped vaults is not supported")]
    public async Task EFS_C4_LockedOrAirGappedVault_RejectedBeforeAnyCopy(string vault, string reason)
    {
        var run = await RunAsync(id => AccountPolicy(id, [SharedHome], vault));

        AssertOutcome(run, SharedHome, ResourceStatus.Failed, $"Backup vault {vault} in account {Management}, {Central} {reason}");
        Assert.Equal(0, run.CallCount("StartCopyJob", null));
        Assert.Empty(await run.Ferry.Services.RestorePoints.ListAsync(run.PolicyId, SharedHome));
    }

    [Fact]
    public async Task EFS_C5_OptInOffInThePolicysRegion_EnabledAndLogged()
    {
        // A world of its own: other tests of the shared EFS world may have turned the opt-in on already.
        await using var ferry = await fixture.StartAsync("efs.json");
        Assert.False(await OptedInAsync(ferry), "the world starts with the EFS opt-in off in eu-north-1");

        var run = await fixture.RunPolicyAsync(ferry, id => AccountPolicy(id, [Archive], "dr-vault", region: North));
        Assert.True(run.Execution.Succeeded, run.Describe());

        AssertOutcome(run, Archive, ResourceStatus.Success);
        Assert.True(await OptedInAsync(ferry));
        var update = Assert.Single(run.Calls, c => c.Operation == "UpdateRegionSettings");
        Assert.Equal((Management, North), (update.Account, update.Region));
        Assert.True(run.Calls.ToList().IndexOf(update) < run.Calls.ToList().FindIndex(c => c.Operation == "StartCopyJob"), "the opt-in is on before the copy starts");
        var log = run.Outcome(Archive).Log;
        Assert.Contains(log, l => l.Message == $"AWS Backup's EFS opt-in was off in account {Management}, {North}: turned it on for this region");
        Assert.Contains(log, l => l.Step == "Plan" && l.Message.Contains("EnableBackupOptIn", StringComparison.Ordinal));
    }

    private static async Task<bool> OptedInAsync(LocalFerry ferry)
    {
        var backup = ferry.Wire.Ports.Backup(await ferry.Services.Credentials.AssumeAsync(SourceRole), North);
        return (await backup.GetResourceTypeOptInAsync())["EFS"];
    }
}
