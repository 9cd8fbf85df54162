using Ferry.Core.Aws;
using Ferry.Core.Policies;
using Ferry.Core.Ports;

namespace Ferry.Core.Planning;

/// <summary>What the EFS planner knows of one file system, as its account's role sees it.</summary>
/// <param name="TargetVaults">The account's backup vaults in the mapping's target region.</param>
/// <param name="RecoveryPoints">The file system's recovery points in its own region.</param>
/// <param name="OptedIn">Whether AWS Backup's EFS opt-in is on in the file system's region; null when unknown.</param>
public sealed record EfsFacts(
    string FileSystemId,
    string AccountId,
    string Region,
    IReadOnlyList<BackupVault> TargetVaults,
    IReadOnlyList<RecoveryPoint> RecoveryPoints,
    bool? OptedIn);

/// <summary>The plan of one file system's backup copy, with what the copy step needs from it.</summary>
/// <param name="Vault">The destination vault, when one was chosen.</param>
/// <param name="RecoveryPoint">The newest completed recovery point, the one copied.</param>
public sealed record BackupCopyPlan(ResourcePlan Plan, string Role, BackupVault? Vault, RecoveryPoint? RecoveryPoint);

/// <summary>
/// Decides, before anything is touched, how an EFS file system's newest backup is copied to the
/// mapping's target region (EFS-C1..C5): which vault, as which role, and whether the opt-in is turned on.
/// Copies stay in the file system's own account; in Organization mode each member account's role acts.
/// </summary>
public static class BackupCopyPlanner
{
    public const string EfsResourceType = "EFS";

    /// <summary>Account mode: the source role. Organization mode: the member role in the file system's account.</summary>
    public static string RoleFor(PolicySources sources, string account) =>
        sources.Mode == SourceMode.Organization
            ? $"arn:{(Arn.TryParse(sources.SourceRole, out var arn) ? arn.Partition : "aws")}:iam::{account}:role/{sources.MemberRoleName}"
            : sources.SourceRole;

    public static BackupCopyPlan Plan(EfsFacts fs, PolicySources sources, BackupCopyMapping mapping)
    {
        var role = RoleFor(sources, fs.AccountId);
        var where = $"account {fs.AccountId}, {mapping.TargetRegion}";
        var (vault, vaultProblem) = mapping.VaultTag is { } tag ? ByTag(fs.TargetVaults, tag, where) : ByName(fs.TargetVaults, mapping.Vault!, fs.AccountId, where);
        vaultProblem ??= vault is null ? null : Unsupported(vault, where);
        if (vaultProblem is not null)
            return new BackupCopyPlan(Shell(fs, mapping, Verdict.Fail, vaultProblem, []), role, vault, null);

        var point = fs.RecoveryPoints.Where(p => p.Status == "COMPLETED").MaxBy(p => p.CreatedAt);
        if (point is null)
        {
            var reason = $"File system {fs.FileSystemId} has no completed recovery point in account {fs.AccountId}, {fs.Region}: there is no backup to copy yet";
            return new BackupCopyPlan(Shell(fs, mapping, Verdict.Skip, reason, []), role, vault, null);
        }

        var enableOptIn = fs.OptedIn == false;
        var steps = new List<PlanStep>();
        if (enableOptIn)
        {
            steps.Add(new PlanStep(StepKind.EnableBackupOptIn, RoleKind.Source, role, fs.AccountId, fs.Region, [fs.FileSystemId], [],
                $"Turn on AWS Backup's EFS opt-in in account {fs.AccountId}, {fs.Region} (it is off)"));
        }
        // The copy job is started and watched in the source region; its copy lands in the target region.
        steps.Add(new PlanStep(StepKind.Copy, RoleKind.Source, role, fs.AccountId, mapping.TargetRegion, [fs.FileSystemId], [],
            $"Copy recovery point {point.Arn} from vault {point.VaultName} to vault {vault!.Name} in {mapping.TargetRegion} (encrypted with the vault's key)",
            FromRegion: fs.Region));
        steps.Add(new PlanStep(StepKind.WaitForAvailable, RoleKind.Source, role, fs.AccountId, fs.Region, [fs.FileSystemId], [], "Wait until the copy job completes"));
        var plan = Shell(fs, mapping, Verdict.Proceed, $"Copy the newest backup of {fs.FileSystemId} to vault {vault.Name} in {mapping.TargetRegion}", steps);
        if (fs.OptedIn is null)
            plan = plan with { Notes = [$"AWS Backup's EFS opt-in in {fs.Region} was not checked"] };
        return new BackupCopyPlan(plan, role, vault, point);
    }

    /// <summary>Organization mode (EFS-C2, C3): exactly one vault of the account and region carries the tag.</summary>
    private static (BackupVault?, string?) ByTag(IReadOnlyList<BackupVault> vaults, TagFilter tag, string where)
    {
        var tagged = vaults.Where(v => v.Tags.TryGetValue(tag.Key, out var value) && value == tag.Value).ToList();
        return tagged.Count switch
        {
            1 => (tagged[0], null),
            0 => (null, $"No backup vault in {where} carries the tag {tag.Key}={tag.Value}; the tag must mark exactly one vault per account and region"),
            _ => (null, $"{tagged.Count} backup vaults in {where} carry the tag {tag.Key}={tag.Value} ({string.Join(", ", tagged.Select(v => v.Name))}); the tag must mark exactly one vault per account and region"),
        };
    }

    /// <summary>Account mode (EFS-C1): the named vault (or vault ARN) in the file system's own account; Default is a vault like any other.</summary>
    private static (BackupVault?, string?) ByName(IReadOnlyList<BackupVault> vaults, string vault, string account, string where)
    {
        var name = vault;
        if (Arn.TryParse(vault, out var arn))
        {
            if (arn.Account != account)
                return (null, $"Backup vault {vault} belongs to account {arn.Account}; Account mode copies within account {account}");
            name = arn.Resource["backup-vault:".Length..];
        }
        var found = vaults.FirstOrDefault(v => v.Name == name);
        return found is null ? (null, $"Backup vault {name} does not exist in {where}") : (found, null);
    }

    /// <summary>EFS-C4: Ferry does not store copies in logically air-gapped vaults or vaults with Vault Lock.</summary>
    private static string? Unsupported(BackupVault vault, string where) =>
        vault.LogicallyAirGapped
            ? $"Backup vault {vault.Name} in {where} is logically air-gapped: storing backup copies in logically air-gapped vaults is not supported"
            : vault.Locked
                ? $"Backup vault {vault.Name} in {where} has AWS Backup Vault Lock enabled: storing backup copies in vaults with Vault Lock is not supported"
                : null;

    private static ResourcePlan Shell(EfsFacts fs, BackupCopyMapping mapping, Verdict verdict, string reason, IReadOnlyList<PlanStep> steps)
    {
        var action = verdict switch { Verdict.Proceed => ItemAction.Proceed, Verdict.Skip => ItemAction.Skip, _ => ItemAction.Fail };
        return new ResourcePlan(fs.FileSystemId, ResourceType.Efs, fs.AccountId, fs.Region, fs.AccountId, mapping.TargetRegion, verdict, reason, steps,
            [new ItemPlan(fs.FileSystemId, false, null, action, null, reason)], [], []);
    }
}
