using Ferry.Core.Errors;
using Ferry.Core.Planning;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using Ferry.Simulator;
using static Ferry.Tests.Shared.EfsScenario;

namespace Ferry.Functions.Tests.Steps;

/// <summary>The EFS backup copy steps through their Lambda entry points on the EFS world.</summary>
public class EfsBackupCopyStepTests
{
    private static async Task<(Harness Harness, string SessionId)> OpenAsync(string policy)
    {
        var h = new Harness(world: "efs.json");
        await h.PutPolicyAsync(policy);
        return (h, await h.OpenSessionAsync("p"));
    }

    [Fact]
    public async Task Discover_OrganizationMode_ListsEachMembersFileSystemsAsAccountSlashId()
    {
        var (h, session) = await OpenAsync(OrganizationPolicy("p", [MemberWithVault, MemberWithoutVault], [MemberFs, NoVaultFs, TwoVaultsFs]));

        var found = await h.InvokeAsync<DiscoverOutput>("Discover", new DiscoverInput("p", session, West));

        Assert.Equal([$"{MemberWithVault}/{MemberFs}", $"{MemberWithoutVault}/{NoVaultFs}"], found.ResourceIds);
        Assert.Equal([MemberRole(MemberWithVault), MemberRole(MemberWithoutVault)],
            h.Aws.CallLog.Records.Where(c => c.Operation == "DescribeFileSystems").Select(c => c.Role));
    }

    [Fact]
    public async Task Discover_AccountMode_ByTag()
    {
        var (h, session) = await OpenAsync($$"""
            {
              "id": "p", "type": "EFS",
              "sources": { "sourceRole": "{{SourceRole}}", "regions": ["{{West}}", "{{Central}}"], "resources": { "tags": [{ "key": "Name", "value": "media" }] } },
              "backupCopies": { "allRegions": { "targetRegion": "{{North}}", "vault": "Default" } },
              "retention": { "restorePoints": 3 }
            }
            """);

        Assert.Empty((await h.InvokeAsync<DiscoverOutput>("Discover", new DiscoverInput("p", session, West))).ResourceIds);
        Assert.Equal(["fs-0a1b2c3d4e5f60002"], (await h.InvokeAsync<DiscoverOutput>("Discover", new DiscoverInput("p", session, Central))).ResourceIds);
    }

    [Fact]
    public async Task CopyToRegion_RunTwice_OneCopyJob_ThenOutcomeWithRestorePointOfTheCopy()
    {
        var (h, session) = await OpenAsync(AccountPolicy("p", [SharedHome], "dr-vault"));
        var plan = await h.PlanAsync("p", session, SharedHome);
        Assert.Equal([StepKind.Copy, StepKind.WaitForAvailable], plan.Job!.Steps.Select(s => s.Kind));

        var first = await h.InvokeAsync<Job>(StepRunners.CopyToRegion, plan.Job!);
        var second = await h.InvokeAsync<Job>(StepRunners.CopyToRegion, plan.Job!);
        var done = await h.RunStepsAsync(second);
        var outcome = await h.InvokeAsync<OutcomeOutput>("RecordOutcome", new OutcomeInput("p", session, SharedHome, Job: done));

        Assert.Equal(first.Items[0].Current, second.Items[0].Current);
        Assert.Equal(2, h.Aws.CallLog.Count("backup", "StartCopyJob", "OK"));
        Assert.Single(h.Aws.CallLog.Records.Where(c => c.Operation == "StartCopyJob").Select(c => c.Parameter("IdempotencyToken")).Distinct());
        Assert.Equal(ResourceStatus.Success, outcome.Status);
        // The completed copy job is known by its destination recovery point from then on.
        Assert.NotEqual(second.Items[0].Current, done.Items[0].Current);
        var point = Assert.Single(await h.Services.RestorePoints.ListAsync("p", SharedHome));
        Assert.Equal((true, Management, Central, done.Items[0].Current), (point.IsReplica, point.AccountId, point.Region, point.Snapshots[0].SnapshotId));
    }

    [Fact]
    public async Task CheckAvailable_CopyJobCompleted_TagsItsRecoveryPointAsFerrysOwn_WhichCopyJobsCannot()
    {
        var (h, session) = await OpenAsync(AccountPolicy("p", [SharedHome], "dr-vault"));
        var plan = await h.PlanAsync("p", session, SharedHome);

        var done = await h.RunStepsAsync(await h.InvokeAsync<Job>(StepRunners.CopyToRegion, plan.Job!));

        var tags = h.Aws.RecoveryPointTags()[done.Items[0].Current];
        Assert.Equal(("ferry", "p", session, SharedHome, "replica", SharedHome),
            (tags["ferry:managed-by"], tags["ferry:policy"], tags["ferry:session"], tags["ferry:source"], tags["ferry:step"], tags["ferry:item"]));
        Assert.Equal(Central, Assert.Single(h.Aws.CallLog.Records, c => c.Operation == "TagResource").Region);
    }

    [Fact]
    public async Task Plan_OptInOffInTheFileSystemsRegion_TurnsItOnBeforeTheCopy_AndTheCopyCompletes()
    {
        var (h, session) = await OpenAsync(AccountPolicy("p", [Archive], "dr-vault", region: North));
        var plan = await h.PlanAsync("p", session, Archive, North);
        Assert.Equal([StepKind.EnableBackupOptIn, StepKind.Copy, StepKind.WaitForAvailable], plan.Job!.Steps.Select(s => s.Kind));

        var done = await h.RunStepsAsync(plan.Job!);
        var outcome = await h.InvokeAsync<OutcomeOutput>("RecordOutcome", new OutcomeInput("p", session, Archive, Job: done));

        Assert.Equal(ResourceStatus.Success, outcome.Status);
        var backup = h.Ports.Backup(await h.Services.Credentials.AssumeAsync(SourceRole), North);
        Assert.True((await backup.GetResourceTypeOptInAsync())["EFS"]);
        var optIn = Assert.Single(h.Aws.CallLog.Records, c => c.Operation == "UpdateRegionSettings");
        Assert.True(optIn.Sequence < h.Aws.CallLog.Records.First(c => c.Operation == "StartCopyJob").Sequence);
    }

    [Fact]
    public async Task ApplyRetention_DeletesOlderCopiesFromTheirVault_KeepsTheNewest()
    {
        var h = new Harness(world: "efs.json");
        await h.PutPolicyAsync(AccountPolicy("p", [SharedHome], "dr-vault", keep: 1));
        var copies = new List<string>();
        for (var run = 0; run < 2; run++)
        {
            var session = await h.InvokeAsync<OpenSessionOutput>("OpenSession", new OpenSessionInput("p", $"s{run}"));
            var plan = await h.PlanAsync("p", session.SessionId, SharedHome);
            var done = await h.RunStepsAsync(plan.Job!);
            await h.InvokeAsync<OutcomeOutput>("RecordOutcome", new OutcomeInput("p", session.SessionId, SharedHome, Job: done));
            copies.Add(done.Items[0].Current);
            h.Clock.Advance(TimeSpan.FromHours(1));
        }

        var result = await h.InvokeAsync<RetentionOutput>("ApplyRetention", new RetentionInput("p", SharedHome, "s1"));

        Assert.Single(result.DeletedRestorePoints);
        var backup = h.Ports.Backup(await h.Services.Credentials.AssumeAsync(SourceRole), Central);
        var left = (await backup.ListRecoveryPointsByResourceAsync(SimulatedAws.FileSystemArn(Management, West, SharedHome))).Select(p => p.Arn);
        Assert.Equal([copies[1]], left);
        Assert.Equal(copies[1], Assert.Single(await h.Services.RestorePoints.ListAsync("p", SharedHome)).Snapshots[0].SnapshotId);
    }

    [Fact]
    public async Task CheckAvailable_FailedCopyJob_FailsWithTheJobAndState()
    {
        var h = new Harness(new FaultSettings(1, [new FaultRule("backup:StartCopyJob", SnapshotError: 1)]), "efs.json");
        await h.PutPolicyAsync(AccountPolicy("p", [SharedHome], "dr-vault"));
        var plan = await h.PlanAsync("p", await h.OpenSessionAsync("p"), SharedHome);
        var job = await h.InvokeAsync<Job>(StepRunners.CopyToRegion, plan.Job!);

        var e = await Assert.ThrowsAsync<FerrySnapshotFailedException>(() => h.WaitAsync(job));

        Assert.StartsWith($"Copy of {SharedHome} failed in {Management}/{West}: {job.Items[0].Current} is in state FAILED", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CopyToRegion_EfsJobWithoutItsVaults_FailsNamingThePayload()
    {
        var (h, session) = await OpenAsync(AccountPolicy("p", [SharedHome], "dr-vault"));
        var job = (await h.PlanAsync("p", session, SharedHome)).Job! with { Payload = new ReplicaPayload() };

        var error = await Assert.ThrowsAsync<FerryInvalidInputException>(() => h.InvokeAsync<Job>(StepRunners.CopyToRegion, job));

        Assert.StartsWith("payload:", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, h.Aws.CallLog.Count("backup", "StartCopyJob"));
    }

    [Fact]
    public async Task Plan_OrganizationResourceOfAnAccountOutsideThePolicy_FailsNamingResourceId()
    {
        var (h, session) = await OpenAsync(OrganizationPolicy("p", [MemberWithVault], [MemberFs]));

        var e = await Assert.ThrowsAsync<FerryInvalidInputException>(() => h.PlanAsync("p", session, $"{MemberWithoutVault}/{NoVaultFs}"));

        Assert.StartsWith("resourceId:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_FileSystemGone_FailsSayingSo()
    {
        var (h, session) = await OpenAsync(AccountPolicy("p", ["fs-0a1b2c3d4e5f6000f"], "dr-vault"));

        var plan = await h.PlanAsync("p", session, "fs-0a1b2c3d4e5f6000f");

        Assert.Equal((false, ResourceStatus.Failed), (plan.Proceed, plan.Status));
        Assert.Equal($"File system fs-0a1b2c3d4e5f6000f no longer exists in account {Management}, {West}", plan.Reason);
    }
}
