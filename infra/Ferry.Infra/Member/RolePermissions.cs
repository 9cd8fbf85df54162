using CdkAws = Amazon.CDK.Aws;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Ferry.Core.Planning;
using static Ferry.Infra.Iam;

namespace Ferry.Infra.Member;

/// <summary>
/// What each of Ferry's roles may do: exactly the EC2, RDS, EFS, AWS Backup and KMS calls of the adapters (Ferry.Aws)
/// made by the steps that assume it (Ferry.Core.Runs).
/// Ferry's own snapshots are recognised by their tags (EBS) or their <c>ferry-</c> identifiers (RDS, Names.RdsSnapshot).
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

    public static IEnumerable<PolicyStatement> For(RoleKind kind, RoleNames names) => kind switch
    {
        RoleKind.Source => [.. Source(), .. BackupCopies(names.Source)],
        RoleKind.Target => Target(),
        _ => Restore(),
    };

    /// <summary>The service AWS Backup copy jobs run as: the source role is their IamRoleArn, so AWS Backup must be able to assume it.</summary>
    public const string BackupService = "backup.amazonaws.com";

    /// <summary>
    /// EFS backup copies (Discover, Plan, EnableBackupOptIn, CopyToRegion, CheckAvailable, ApplyRetention): find the file systems, the
    /// vaults and the newest recovery point, turn the EFS opt-in on, start and watch the copy job (passing this role to
    /// AWS Backup, which copies with it), and delete copies beyond retention.
    /// </summary>
    private static IEnumerable<PolicyStatement> BackupCopies(string roleName)
    {
        var vaults = $"arn:{Partition}:backup:*:{Account}:backup-vault:*";
        var recoveryPoints = $"arn:{Partition}:backup:*:{Account}:recovery-point:*";
        // Resource "*" required by AWS: listing file systems and vaults, the account's region settings and copy jobs have no resource type.
        yield return Allow(["elasticfilesystem:DescribeFileSystems", "backup:ListBackupVaults", "backup:ListRecoveryPointsByResource",
            "backup:DescribeRegionSettings", "backup:UpdateRegionSettings", "backup:DescribeCopyJob"], ["*"]);
        yield return Allow(["backup:DescribeBackupVault", "backup:ListTags", "backup:CopyIntoBackupVault"], [vaults]);
        yield return Allow(["backup:StartCopyJob", "backup:DeleteRecoveryPoint"], [recoveryPoints]);
        yield return Allow(["iam:PassRole"], [$"arn:{Partition}:iam::{Account}:role/{roleName}"], When("StringEquals", "iam:PassedToService", BackupService));
        // The copy reads the source vault's key and writes with the destination vault's, through AWS Backup only.
        yield return Allow(["kms:Decrypt", "kms:GenerateDataKey"], [Keys], When("StringLike", "kms:ViaService", new[] { "backup.*.amazonaws.com" }));
        var grants = When("StringLike", "kms:ViaService", new[] { "backup.*.amazonaws.com" });
        grants["Bool"] = new Dictionary<string, object> { ["kms:GrantIsForAWSResource"] = "true" };
        yield return Allow(["kms:CreateGrant"], [Keys], grants);
    }

    /// <summary>Discover, Plan, TakeSnapshot, Share, CheckAvailable, ApplyRetention and a failed attempt's cleanup (RecordOutcome) in the source account.</summary>
    private static IEnumerable<PolicyStatement> Source()
    {
        yield return Ec2Describe("ec2:DescribeInstances", "ec2:DescribeSnapshots");
        yield return Allow(["ec2:CreateSnapshots"], [Ec2("instance"), Ec2("volume"), Snapshots]);
        yield return TagOnCreate("CreateSnapshots");
        yield return ShareAndDeleteFerrySnapshots();
        yield return Allow(["rds:DescribeDBInstances", "rds:DescribeDBClusters", "rds:DescribeDBSnapshots", "rds:DescribeDBClusterSnapshots"],
            [Rds("db", "*"), Rds("cluster", "*"), Rds("snapshot", "*"), Rds("cluster-snapshot", "*")]);
        yield return Allow(["rds:CreateDBSnapshot", "rds:CreateDBClusterSnapshot"], [Rds("db", "*"), Rds("cluster", "*"), .. FerryRdsSnapshots()]);
        yield return Allow(["rds:AddTagsToResource"], FerryRdsSnapshots());
        yield return Allow(["rds:ModifyDBSnapshotAttribute", "rds:ModifyDBClusterSnapshotAttribute", "rds:DeleteDBSnapshot", "rds:DeleteDBClusterSnapshot"],
            FerryRdsSnapshots());
        // The source role only describes its keys (to plan and to check access); EBS and RDS snapshot and share without it.
        yield return Allow(["kms:DescribeKey"], [Keys]);
        yield return KeyAliases();
    }

    /// <summary>Plan (Aurora engine versions), Share (restores from replicas), CopyToRegion, CheckAvailable, ApplyRetention and cleanup in the target account.</summary>
    private static IEnumerable<PolicyStatement> Target()
    {
        yield return Ec2Describe("ec2:DescribeSnapshots");
        yield return Allow(["ec2:CopySnapshot"], [Snapshots]);
        yield return TagOnCreate("CopySnapshot");
        yield return ShareAndDeleteFerrySnapshots();
        yield return RdsReadSnapshots();
        yield return RdsCopy();
        yield return Allow(["rds:AddTagsToResource"], FerryRdsSnapshots());
        yield return Allow(["rds:ModifyDBSnapshotAttribute", "rds:ModifyDBClusterSnapshotAttribute", "rds:DeleteDBSnapshot", "rds:DeleteDBClusterSnapshot"],
            FerryRdsSnapshots());
        // Resource "*" required by AWS: rds:DescribeDBEngineVersions has no resource type.
        yield return Allow(["rds:DescribeDBEngineVersions"], ["*"]);
        foreach (var statement in KeyUse())
            yield return statement;
        yield return KeyAliases();
    }

    /// <summary>PlanRestore (key checks), CopyToRegion, CheckAvailable, Restore and a failed restore's cleanup in the account restored into.</summary>
    private static IEnumerable<PolicyStatement> Restore()
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
        // A failed restore's cleanup removes only what Ferry restored (tagged with its restore point), and its own copies.
        yield return Allow(["ec2:ModifyInstanceAttribute", "ec2:TerminateInstances", "ec2:DeleteVolume", "ec2:DeregisterImage"],
            [Ec2("instance"), Ec2("volume"), Images], When("Null", "aws:ResourceTag/ferry:restore-point", "false"));
        yield return Allow(["ec2:DeleteSnapshot"], [Snapshots], When("Null", "aws:ResourceTag/ferry:policy", "false"));
        yield return Allow(["rds:DescribeDBInstances", "rds:DescribeDBClusters"], [Rds("db", "*"), Rds("cluster", "*")]);
        yield return RdsReadSnapshots();
        yield return RdsCopy();
        yield return Allow(["rds:AddTagsToResource"], [Rds("db", "*"), Rds("cluster", "*"), .. FerryRdsSnapshots()]);
        yield return Allow(["rds:RestoreDBInstanceFromDBSnapshot", "rds:RestoreDBClusterFromSnapshot", "rds:CreateDBInstance"],
            [Rds("db", "*"), Rds("cluster", "*"), .. FerryRdsSnapshots(), Rds("subgrp", "*"), Rds("og", "*"), Rds("pg", "*"), Rds("cluster-pg", "*"), Rds("secgrp", "*")]);
        // CheckAvailable deletes the staging copy of a cross-account, cross-region RDS restore; a failed restore's cleanup its copies.
        yield return Allow(["rds:DeleteDBSnapshot", "rds:DeleteDBClusterSnapshot"], FerryRdsSnapshots());
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

    /// <summary>Sharing and deleting only snapshots Ferry tagged as its own.</summary>
    private static PolicyStatement ShareAndDeleteFerrySnapshots() =>
        Allow(["ec2:ModifySnapshotAttribute", "ec2:DeleteSnapshot"], [Snapshots], When("Null", "aws:ResourceTag/ferry:policy", "false"));

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
