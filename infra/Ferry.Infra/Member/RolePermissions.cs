using CdkAws = Amazon.CDK.Aws;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Ferry.Core.Planning;
using Ferry.Core.Ports;
using static Ferry.Infra.Iam;

namespace Ferry.Infra.Member;

/// <summary>
/// What each of Ferry's roles may do: exactly the EC2, RDS, EFS, AWS Backup and KMS calls of the adapters (Ferry.Aws)
/// made by the steps that assume it (Ferry.Core.Runs).
/// Ferry's own snapshots and copies are recognised by their tags: <c>ferry:managed-by</c> = <c>ferry</c> and
/// <c>ferry:policy</c> = the id of a deployed policy (Job.Tags puts both on everything a job makes); RDS ones also by
/// their <c>ferry-</c> identifiers (Names.RdsSnapshot).
/// </summary>
public static class RolePermissions
{
    /// <summary>What KMS lets a role do with a key it reads snapshots from (decrypt) or writes copies with (encrypt): Ferry.Core.Planning.Plan.</summary>
    public static readonly string[] KeyUseActions =
        ["kms:DescribeKey", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKeyWithoutPlaintext"];

    private static readonly string Partition = CdkAws.PARTITION;
    private static readonly string Account = CdkAws.ACCOUNT_ID;
    private static readonly string Snapshots = $"arn:{Partition}:ec2:*::snapshot/*";
    private static readonly string Images = $"arn:{Partition}:ec2:*::image/*";
    private static readonly string Keys = $"arn:{Partition}:kms:*:*:key/*";

    /// <param name="scope">What the deployment's policies say about Ferry's own resources.</param>
    public static IEnumerable<PolicyStatement> For(RoleKind kind, RoleNames names, DeployedScope scope) => kind switch
    {
        RoleKind.Source => [.. Source(scope), .. BackupCopies(names.Source, scope)],
        RoleKind.Target => Target(scope),
        _ => Restore(scope),
    };

    /// <summary>
    /// Ferry's own snapshots: carrying its managed-by tag and the id of a policy this deployment runs. IAM's StringEquals
    /// with several keys requires all of them, and with a list of values one of them, so a missing tag or any other
    /// value (another deployment's policy, a hand-made tag) does not match. aws:ResourceTag is the resource-tag key that
    /// EC2 (snapshots), RDS (DB and cluster snapshots) and AWS Backup (recovery points) all evaluate. The ids are known
    /// at deploy time, so a new policy id needs the member stacks deployed again (as a new role name would).
    /// </summary>
    public static Dictionary<string, object> OwnedByFerry(DeployedScope scope) => new()
    {
        ["StringEquals"] = new Dictionary<string, object>
        {
            [$"aws:ResourceTag/{FerryTags.ManagedBy}"] = FerryTags.ManagedByFerry,
            [$"aws:ResourceTag/{FerryTags.Policy}"] = scope.PolicyIds.ToArray(),
        },
    };

    /// <summary>The service AWS Backup copy jobs run as: the source role is their IamRoleArn, so AWS Backup must be able to assume it.</summary>
    public const string BackupService = "backup.amazonaws.com";

    /// <summary>
    /// EFS backup copies (Discover, Plan, EnableBackupOptIn, CopyToRegion, CheckAvailable, ApplyRetention): find the file systems, the
    /// vaults and the newest recovery point, turn the EFS opt-in on, start and watch the copy job (passing this role to
    /// AWS Backup, which copies with it), tag the copy as Ferry's, and delete copies beyond retention.
    /// </summary>
    private static IEnumerable<PolicyStatement> BackupCopies(string roleName, DeployedScope scope)
    {
        var vaults = $"arn:{Partition}:backup:*:{Account}:backup-vault:*";
        var recoveryPoints = $"arn:{Partition}:backup:*:{Account}:recovery-point:*";
        // Resource "*" required by AWS: listing file systems and vaults, the account's region settings and copy jobs have no resource type.
        yield return Allow(["elasticfilesystem:DescribeFileSystems", "backup:ListBackupVaults", "backup:ListRecoveryPointsByResource",
            "backup:DescribeRegionSettings", "backup:DescribeCopyJob"], ["*"]);
        // Resource "*" required by AWS: UpdateRegionSettings has no resource type and no condition key of its own, so the
        // only limit IAM offers is the region asked: EnableBackupOptIn turns the EFS opt-in on only in policies' source regions.
        if (scope.SourceRegions.Count > 0)
            yield return Allow(["backup:UpdateRegionSettings"], ["*"], When("StringEquals", "aws:RequestedRegion", scope.SourceRegions.ToArray()));
        yield return Allow(["backup:DescribeBackupVault", "backup:ListTags", "backup:CopyIntoBackupVault"], [vaults]);
        yield return Allow(["backup:StartCopyJob"], [recoveryPoints]);
        if (scope.PolicyIds.Count > 0)
        {
            // A copy job cannot tag the recovery point it makes (StartCopyJob has no RecoveryPointTags), so CheckAvailable
            // tags it once complete: only with Ferry's tag keys, its managed-by tag and a deployed policy's id. Retention
            // then deletes only recovery points carrying those tags.
            var tagging = When("StringEquals", $"aws:RequestTag/{FerryTags.ManagedBy}", FerryTags.ManagedByFerry);
            ((Dictionary<string, object>)tagging["StringEquals"])[$"aws:RequestTag/{FerryTags.Policy}"] = scope.PolicyIds.ToArray();
            tagging["ForAllValues:StringLike"] = new Dictionary<string, object> { ["aws:TagKeys"] = new[] { "ferry:*" } };
            yield return Allow(["backup:TagResource"], [recoveryPoints], tagging);
            yield return Allow(["backup:DeleteRecoveryPoint"], [recoveryPoints], OwnedByFerry(scope));
        }
        yield return Allow(["iam:PassRole"], [$"arn:{Partition}:iam::{Account}:role/{roleName}"], When("StringEquals", "iam:PassedToService", BackupService));
        // The copy reads the source vault's key and writes with the destination vault's, through AWS Backup only.
        yield return Allow(["kms:Decrypt", "kms:GenerateDataKey"], [Keys], When("StringLike", "kms:ViaService", new[] { "backup.*.amazonaws.com" }));
        var grants = When("StringLike", "kms:ViaService", new[] { "backup.*.amazonaws.com" });
        grants["Bool"] = new Dictionary<string, object> { ["kms:GrantIsForAWSResource"] = "true" };
        yield return Allow(["kms:CreateGrant"], [Keys], grants);
    }

    /// <summary>Discover, Plan, TakeSnapshot, Share, CheckAvailable, ApplyRetention and a failed attempt's cleanup (RecordOutcome) in the source account.</summary>
    private static IEnumerable<PolicyStatement> Source(DeployedScope scope)
    {
        yield return Ec2Describe("ec2:DescribeInstances", "ec2:DescribeSnapshots");
        yield return Allow(["ec2:CreateSnapshots"], [Ec2("instance"), Ec2("volume"), Snapshots]);
        yield return TagOnCreate("CreateSnapshots");
        foreach (var statement in ShareAndDeleteFerrySnapshots(scope))
            yield return statement;
        yield return Allow(["rds:DescribeDBInstances", "rds:DescribeDBClusters", "rds:DescribeDBSnapshots", "rds:DescribeDBClusterSnapshots"],
            [Rds("db", "*"), Rds("cluster", "*"), Rds("snapshot", "*"), Rds("cluster-snapshot", "*")]);
        yield return Allow(["rds:CreateDBSnapshot", "rds:CreateDBClusterSnapshot"], [Rds("db", "*"), Rds("cluster", "*"), .. FerryRdsSnapshots()]);
        yield return Allow(["rds:AddTagsToResource"], FerryRdsSnapshots());
        // The source role only describes its keys (to plan and to check access); EBS and RDS snapshot and share without it.
        yield return Allow(["kms:DescribeKey"], [Keys]);
        yield return KeyAliases();
    }

    /// <summary>Plan (Aurora engine versions), Share (restores from replicas), CopyToRegion, CheckAvailable, ApplyRetention and cleanup in the target account.</summary>
    private static IEnumerable<PolicyStatement> Target(DeployedScope scope)
    {
        yield return Ec2Describe("ec2:DescribeSnapshots");
        yield return Allow(["ec2:CopySnapshot"], [Snapshots]);
        yield return TagOnCreate("CopySnapshot");
        foreach (var statement in ShareAndDeleteFerrySnapshots(scope))
            yield return statement;
        yield return RdsReadSnapshots();
        yield return RdsCopy();
        yield return Allow(["rds:AddTagsToResource"], FerryRdsSnapshots());
        // Resource "*" required by AWS: rds:DescribeDBEngineVersions has no resource type.
        yield return Allow(["rds:DescribeDBEngineVersions"], ["*"]);
        foreach (var statement in KeyUse())
            yield return statement;
        yield return KeyAliases();
    }

    /// <summary>PlanRestore (key checks), CopyToRegion, CheckAvailable, Restore and a failed restore's cleanup in the account restored into.</summary>
    private static IEnumerable<PolicyStatement> Restore(DeployedScope scope)
    {
        yield return Ec2Describe("ec2:DescribeSnapshots", "ec2:DescribeInstances", "ec2:DescribeVolumes", "ec2:DescribeImages");
        yield return Allow(["ec2:CopySnapshot"], [Snapshots]);
        yield return TagOnCreate("CopySnapshot", "RegisterImage", "RunInstances", "CreateVolume");
        yield return Allow(["ec2:RegisterImage"], [Images, Snapshots]);
        yield return Allow(["ec2:RunInstances"],
            [Ec2("instance"), Ec2("volume"), Ec2("network-interface"), Ec2("subnet"), Ec2("security-group"), Images, Snapshots]);
        yield return Allow(["ec2:CreateVolume"], [Ec2("volume"), Snapshots]);
        // Only instances and volumes Ferry restored (RestoreSteps tags them with their restore point).
        yield return Allow(["ec2:AttachVolume"], [Ec2("instance"), Ec2("volume")], When("Null", "aws:ResourceTag/ferry:restore-point", "false"));
        // A failed restore's cleanup removes only what Ferry restored (tagged with its restore point), and its own copies;
        // CheckAvailable deletes the staging copy of a cross-account, cross-region RDS restore.
        yield return Allow(["ec2:ModifyInstanceAttribute", "ec2:TerminateInstances", "ec2:DeleteVolume", "ec2:DeregisterImage"],
            [Ec2("instance"), Ec2("volume"), Images], When("Null", "aws:ResourceTag/ferry:restore-point", "false"));
        if (scope.PolicyIds.Count > 0)
            yield return Allow(["ec2:DeleteSnapshot", "rds:DeleteDBSnapshot", "rds:DeleteDBClusterSnapshot"], [Snapshots, .. FerryRdsSnapshots()], OwnedByFerry(scope));
        yield return Allow(["rds:DescribeDBInstances", "rds:DescribeDBClusters"], [Rds("db", "*"), Rds("cluster", "*")]);
        yield return RdsReadSnapshots();
        yield return RdsCopy();
        yield return Allow(["rds:AddTagsToResource"], [Rds("db", "*"), Rds("cluster", "*"), .. FerryRdsSnapshots()]);
        yield return Allow(["rds:RestoreDBInstanceFromDBSnapshot", "rds:RestoreDBClusterFromSnapshot", "rds:CreateDBInstance"],
            [Rds("db", "*"), Rds("cluster", "*"), .. FerryRdsSnapshots(), Rds("subgrp", "*"), Rds("og", "*"), Rds("pg", "*"), Rds("cluster-pg", "*"), Rds("secgrp", "*")]);
        yield return Allow(["rds:DeleteDBInstance", "rds:DeleteDBCluster"], [Rds("db", "*"), Rds("cluster", "*")],
            When("Null", "aws:ResourceTag/ferry:restore-point", "false"));
        foreach (var statement in KeyUse())
            yield return statement;
        yield return KeyAliases();
    }

    /// <summary>Resource "*" required by AWS: EC2 Describe* actions have no resource-level permissions.</summary>
    private static PolicyStatement Ec2Describe(params string[] actions) => Allow(actions, ["*"]);

    /// <summary>Resource "*" required by AWS: kms:ListAliases has no resource type (the KMS port names a key's alias with it).</summary>
    private static PolicyStatement KeyAliases() => Allow(["kms:ListAliases"], ["*"]);

    /// <summary>Tags only as part of Ferry's own create calls (their TagSpecification).</summary>
    private static PolicyStatement TagOnCreate(params string[] createActions) =>
        Allow(["ec2:CreateTags"], [Snapshots, Images, Ec2("instance"), Ec2("volume")], When("StringEquals", "ec2:CreateAction", createActions));

    /// <summary>Sharing and deleting only EBS and RDS snapshots Ferry tagged as its own; with no policy deployed, none.</summary>
    private static IEnumerable<PolicyStatement> ShareAndDeleteFerrySnapshots(DeployedScope scope)
    {
        if (scope.PolicyIds.Count == 0)
            yield break;
        yield return Allow(["ec2:ModifySnapshotAttribute", "ec2:DeleteSnapshot",
                "rds:ModifyDBSnapshotAttribute", "rds:ModifyDBClusterSnapshotAttribute", "rds:DeleteDBSnapshot", "rds:DeleteDBClusterSnapshot"],
            [Snapshots, .. FerryRdsSnapshots()], OwnedByFerry(scope));
    }

    private static PolicyStatement RdsReadSnapshots() =>
        Allow(["rds:DescribeDBSnapshots", "rds:DescribeDBClusterSnapshots"], [Rds("snapshot", "*"), Rds("cluster-snapshot", "*")]);

    /// <summary>Copies read Ferry's snapshots shared from another account and write Ferry-named copies here.</summary>
    private static PolicyStatement RdsCopy() =>
        Allow(["rds:CopyDBSnapshot", "rds:CopyDBClusterSnapshot"],
            [$"arn:{Partition}:rds:*:*:snapshot:ferry-*", $"arn:{Partition}:rds:*:*:cluster-snapshot:ferry-*"]);

    /// <summary>Keys are used only through EC2 and RDS, and grants only for AWS resources (what copies and restores need).</summary>
    private static IEnumerable<PolicyStatement> KeyUse()
    {
        var viaService = new[] { "ec2.*.amazonaws.com", "rds.*.amazonaws.com" };
        yield return Allow(["kms:DescribeKey"], [Keys]);
        yield return Allow(KeyUseActions[1..], [Keys], When("StringLike", "kms:ViaService", viaService));
        var grants = When("StringLike", "kms:ViaService", viaService);
        grants["Bool"] = new Dictionary<string, object> { ["kms:GrantIsForAWSResource"] = "true" };
        yield return Allow(["kms:CreateGrant"], [Keys], grants);
    }

    private static string[] FerryRdsSnapshots() => [Rds("snapshot", "ferry-*"), Rds("cluster-snapshot", "ferry-*")];

    private static string Ec2(string type) => $"arn:{Partition}:ec2:*:{Account}:{type}/*";

    private static string Rds(string type, string name) => $"arn:{Partition}:rds:*:{Account}:{type}:{name}";
}

/// <summary>What the deployed policies (the policies file) tell the member roles: the ids Ferry tags its snapshots with, and the regions it protects.</summary>
public sealed record DeployedScope(IReadOnlyList<string> PolicyIds, IReadOnlyList<string> SourceRegions)
{
    public static DeployedScope Of(IEnumerable<DeployedPolicy> policies)
    {
        var list = policies.ToList();
        return new([.. list.Select(p => p.Policy.Id).Order(StringComparer.Ordinal)],
            [.. list.SelectMany(p => p.Policy.Sources.Regions).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
    }
}
