using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Ports;
using Ferry.Core.Sessions;
using static Ferry.Core.Tests.Fixtures;

namespace Ferry.Core.Tests.Planning;

public class BackupCopyPlannerTests
{
    private const string Fs = "fs-0a1b2c3d4e5f60001";
    private const string Member = "333333333333";
    private static readonly DateTimeOffset Day = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly PolicySources AccountSources = Sources with { Resources = new ResourceSelection([Fs], []) };

    private static readonly PolicySources OrgSources = AccountSources with
    {
        Mode = SourceMode.Organization,
        Accounts = [Member, "444444444444"],
        MemberRoleName = "FerryMember",
    };

    private static BackupCopyMapping Named(string vault) => new(SourceRegion, TargetRegion, vault, null);

    private static readonly BackupCopyMapping Tagged = new(SourceRegion, TargetRegion, null, new TagFilter("ferry", "dr"));

    private static BackupVault Vault(string name, string account = SourceAccount, bool locked = false, bool airGapped = false, params (string Key, string Value)[] tags) =>
        new(name, $"arn:aws:backup:{TargetRegion}:{account}:backup-vault:{name}", account, TargetRegion, tags.ToDictionary(t => t.Key, t => t.Value), locked, airGapped);

    private static RecoveryPoint Point(string id, string status = "COMPLETED", int day = 0) =>
        new($"arn:aws:backup:{SourceRegion}:{SourceAccount}:recovery-point:{id}", $"arn:aws:elasticfilesystem:{SourceRegion}:{SourceAccount}:file-system/{Fs}", "Default", status, Day.AddDays(day));

    private static EfsFacts Facts(IReadOnlyList<BackupVault> vaults, IReadOnlyList<RecoveryPoint>? points = null, bool? optedIn = true, string account = SourceAccount) =>
        new(Fs, account, SourceRegion, vaults, points ?? [Point("rp-1")], optedIn);

    [Fact]
    public void EFS_C1_AccountMode_NamedVault_CopiesNewestCompletedPointAsSourceRole()
    {
        var points = new[] { Point("old", day: 0), Point("newest", day: 2), Point("running", "CREATED", day: 3) };

        var copy = BackupCopyPlanner.Plan(Facts([Vault("Default"), Vault("dr-vault")], points), AccountSources, Named("dr-vault"));

        Assert.Equal(Verdict.Proceed, copy.Plan.Verdict);
        Assert.Equal(ResourceStatus.Success, copy.Plan.ExpectedStatus);
        Assert.Equal("dr-vault", copy.Vault!.Name);
        Assert.EndsWith(":newest", copy.RecoveryPoint!.Arn, StringComparison.Ordinal);
        Assert.Equal([StepKind.Copy, StepKind.WaitForAvailable], copy.Plan.Steps.Select(s => s.Kind));
        Assert.All(copy.Plan.Steps, s => Assert.Equal((RoleKind.Source, SourceRole, SourceAccount), (s.RoleKind, s.Role, s.Account)));
        Assert.Equal((SourceAccount, TargetRegion), (copy.Plan.TargetAccount, copy.Plan.TargetRegion));
        Assert.DoesNotContain(copy.Plan.Steps, s => s.Kind == StepKind.EnableBackupOptIn);
    }

    [Fact]
    public void EFS_C1_AccountMode_DefaultVaultAndVaultArnAreValid()
    {
        Assert.Equal("Default", BackupCopyPlanner.Plan(Facts([Vault("Default")]), AccountSources, Named("Default")).Vault!.Name);
        var arn = Vault("dr-vault").Arn;
        Assert.Equal(arn, BackupCopyPlanner.Plan(Facts([Vault("dr-vault")]), AccountSources, Named(arn)).Vault!.Arn);
    }

    [Fact]
    public void EFS_C1_AccountMode_MissingVaultOrOtherAccountsVault_Fails()
    {
        var missing = BackupCopyPlanner.Plan(Facts([Vault("Default")]), AccountSources, Named("dr-vault"));
        Assert.Equal((Verdict.Fail, $"Backup vault dr-vault does not exist in account {SourceAccount}, {TargetRegion}"), (missing.Plan.Verdict, missing.Plan.Reason));

        var foreign = BackupCopyPlanner.Plan(Facts([Vault("dr-vault")]), AccountSources, Named(Vault("dr-vault", TargetAccount).Arn));
        Assert.Equal(Verdict.Fail, foreign.Plan.Verdict);
        Assert.Contains($"belongs to account {TargetAccount}", foreign.Plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EFS_C2_OrganizationMode_VaultByTag_AsTheMemberRole()
    {
        var vaults = new[] { Vault("Default", Member), Vault("org-dr", Member, tags: ("ferry", "dr")), Vault("other", Member, tags: ("ferry", "test")) };

        var copy = BackupCopyPlanner.Plan(Facts(vaults, account: Member), OrgSources, Tagged);

        Assert.Equal(Verdict.Proceed, copy.Plan.Verdict);
        Assert.Equal("org-dr", copy.Vault!.Name);
        Assert.Equal($"arn:aws:iam::{Member}:role/FerryMember", copy.Role);
        Assert.All(copy.Plan.Steps, s => Assert.Equal((copy.Role, Member), (s.Role, s.Account)));
    }

    [Fact]
    public void EFS_C3_TagMatchingNoVault_FailsNamingTagAccountAndRegion()
    {
        var copy = BackupCopyPlanner.Plan(Facts([Vault("other", Member, tags: ("ferry", "test"))], account: Member), OrgSources, Tagged);

        Assert.Equal(Verdict.Fail, copy.Plan.Verdict);
        Assert.Equal($"No backup vault in account {Member}, {TargetRegion} carries the tag ferry=dr; the tag must mark exactly one vault per account and region", copy.Plan.Reason);
        Assert.Empty(copy.Plan.Steps);
    }

    [Fact]
    public void EFS_C3_TagMatchingTwoVaults_FailsNamingThem()
    {
        var copy = BackupCopyPlanner.Plan(Facts([Vault("dr-a", Member, tags: ("ferry", "dr")), Vault("dr-b", Member, tags: ("ferry", "dr"))], account: Member), OrgSources, Tagged);

        Assert.Equal((Verdict.Fail, ResourceStatus.Failed), (copy.Plan.Verdict, copy.Plan.ExpectedStatus));
        Assert.StartsWith($"2 backup vaults in account {Member}, {TargetRegion} carry the tag ferry=dr (dr-a, dr-b)", copy.Plan.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, false, "has AWS Backup Vault Lock enabled")]
    [InlineData(false, true, "is logically air-gapped")]
    public void EFS_C4_LockedOrAirGappedVault_RejectedAsUnsupported(bool locked, bool airGapped, string reason)
    {
        var account = BackupCopyPlanner.Plan(Facts([Vault("v", locked: locked, airGapped: airGapped)]), AccountSources, Named("v"));
        var org = BackupCopyPlanner.Plan(Facts([Vault("v", Member, locked, airGapped, ("ferry", "dr"))], account: Member), OrgSources, Tagged);

        foreach (var copy in new[] { account, org })
        {
            Assert.Equal(Verdict.Fail, copy.Plan.Verdict);
            Assert.Contains(reason, copy.Plan.Reason, StringComparison.Ordinal);
            Assert.Contains("not supported", copy.Plan.Reason, StringComparison.Ordinal);
            Assert.Empty(copy.Plan.Steps);
        }
    }

    [Fact]
    public void EFS_C5_OptInOff_EnabledFirstInTheSourceRegion()
    {
        var copy = BackupCopyPlanner.Plan(Facts([Vault("dr-vault")], optedIn: false), AccountSources, Named("dr-vault"));

        Assert.Contains(copy.Plan.Steps, s => s.Kind == StepKind.EnableBackupOptIn);
        Assert.Equal([StepKind.EnableBackupOptIn, StepKind.Copy, StepKind.WaitForAvailable], copy.Plan.Steps.Select(s => s.Kind));
        Assert.Equal((SourceAccount, SourceRegion), (copy.Plan.Steps[0].Account, copy.Plan.Steps[0].Region));
        Assert.Equal(ResourceStatus.Success, copy.Plan.ExpectedStatus);
    }

    [Fact]
    public void OptInUnknown_ProceedsWithANote()
    {
        var copy = BackupCopyPlanner.Plan(Facts([Vault("dr-vault")], optedIn: null), AccountSources, Named("dr-vault"));

        Assert.DoesNotContain(copy.Plan.Steps, s => s.Kind == StepKind.EnableBackupOptIn);
        Assert.Contains("opt-in", Assert.Single(copy.Plan.Notes), StringComparison.Ordinal);
    }

    [Fact]
    public void NoCompletedRecoveryPoint_WarningSayingSo()
    {
        var copy = BackupCopyPlanner.Plan(Facts([Vault("dr-vault")], [Point("running", "CREATED")]), AccountSources, Named("dr-vault"));

        Assert.Equal((Verdict.Skip, ResourceStatus.Warning), (copy.Plan.Verdict, copy.Plan.ExpectedStatus));
        Assert.Equal($"File system {Fs} has no completed recovery point in account {SourceAccount}, {SourceRegion}: there is no backup to copy yet", copy.Plan.Reason);
    }
}
