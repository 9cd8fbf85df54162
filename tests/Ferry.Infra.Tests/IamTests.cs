using System.Text.Json.Nodes;
using Ferry.Core.Planning;
using Ferry.Functions;

namespace Ferry.Infra.Tests;

[Collection(SynthCollection.Name)]
public sealed class IamTests(SynthFixture synth)
{
    /// <summary>
    /// Every action allowed on Resource "*", with the reason: each one has no resource type in IAM (AWS's Service
    /// Authorization Reference), so no ARN can narrow it. A new Resource "*" fails the test until it is listed here.
    /// </summary>
    private static readonly Dictionary<string, string> ResourceStar = new()
    {
        ["ec2:DescribeInstances"] = "EC2 Describe* actions have no resource-level permissions (Discover, restores)",
        ["ec2:DescribeSnapshots"] = "EC2 Describe* actions have no resource-level permissions (snapshot and copy states)",
        ["ec2:DescribeVolumes"] = "EC2 Describe* actions have no resource-level permissions (restored volumes)",
        ["ec2:DescribeImages"] = "EC2 Describe* actions have no resource-level permissions (restored AMIs)",
        ["rds:DescribeDBEngineVersions"] = "no resource type (Plan checks Aurora engine versions in the target region)",
        ["kms:ListAliases"] = "no resource type (the KMS port names a key by its alias)",
        ["elasticfilesystem:DescribeFileSystems"] = "listing file systems has no resource (Discover of EFS policies)",
        ["backup:ListBackupVaults"] = "listing vaults has no resource type (Plan finds the destination vault)",
        ["backup:ListRecoveryPointsByResource"] = "no resource type (Plan and retention find a file system's recovery points)",
        ["backup:DescribeRegionSettings"] = "the account's region settings have no resource type (EFS opt-in)",
        ["backup:UpdateRegionSettings"] = "the account's region settings have no resource type; limited by aws:RequestedRegion",
        ["backup:DescribeCopyJob"] = "copy jobs have no resource type (CheckAvailable)",
        ["logs:CreateLogDelivery"] = "state machine logging: CloudWatch Logs vended-log deliveries have no resource type",
        ["logs:GetLogDelivery"] = "state machine logging: CloudWatch Logs vended-log deliveries have no resource type",
        ["logs:UpdateLogDelivery"] = "state machine logging: CloudWatch Logs vended-log deliveries have no resource type",
        ["logs:DeleteLogDelivery"] = "state machine logging: CloudWatch Logs vended-log deliveries have no resource type",
        ["logs:ListLogDeliveries"] = "state machine logging: CloudWatch Logs vended-log deliveries have no resource type",
        ["logs:PutResourcePolicy"] = "state machine logging: the account's log resource policy has no resource type",
        ["logs:DescribeResourcePolicies"] = "state machine logging: the account's log resource policies have no resource type",
        ["logs:DescribeLogGroups"] = "state machine logging: listing log groups has no resource type",
        ["xray:PutTraceSegments"] = "state machine tracing: X-Ray actions have no resource type",
        ["xray:PutTelemetryRecords"] = "state machine tracing: X-Ray actions have no resource type",
        ["xray:GetSamplingRules"] = "state machine tracing: X-Ray actions have no resource type",
        ["xray:GetSamplingTargets"] = "state machine tracing: X-Ray actions have no resource type",
    };

    /// <summary>Sharing and deleting snapshots and recovery points: only on resources tagged as Ferry's own.</summary>
    private static readonly string[] ShareAndDelete =
    [
        "ec2:ModifySnapshotAttribute", "ec2:DeleteSnapshot", "rds:ModifyDBSnapshotAttribute", "rds:ModifyDBClusterSnapshotAttribute",
        "rds:DeleteDBSnapshot", "rds:DeleteDBClusterSnapshot", "backup:DeleteRecoveryPoint",
    ];

    [Fact]
    public void NoStatement_AllowsEveryAction()
    {
        var statements = synth.Backup.Statements().Concat(synth.Member.Statements()).ToList();

        Assert.NotEmpty(statements);
        Assert.All(statements, s => Assert.DoesNotContain(s.Actions, a => a == "*" || a.EndsWith(":*", StringComparison.Ordinal)));
        Assert.All(statements, s => Assert.Equal("Allow", s.Json["Effect"]!.GetValue<string>()));
    }

    [Fact]
    public void ResourceStar_ExactlyTheListedActions_EachWithTheReasonItNeedsIt()
    {
        var starred = synth.Backup.Statements().Concat(synth.Member.Statements()).Where(s => s.Resources.Contains("*")).ToList();

        Assert.Equal(ResourceStar.Keys.Order(), starred.SelectMany(s => s.Actions).Distinct().Order());
        Assert.All(starred, s => Assert.Equal(["*"], s.Resources));
        Assert.All(ResourceStar.Values, reason => Assert.False(string.IsNullOrWhiteSpace(reason)));
    }

    [Fact]
    public void UpdateRegionSettings_AloneInItsStatement_OnlyInThePoliciesSourceRegions()
    {
        var statement = Assert.Single(synth.Member.Statements(), s => s.Actions.Contains("backup:UpdateRegionSettings"));

        Assert.Equal(["backup:UpdateRegionSettings"], statement.Actions);
        Assert.Equal(["StringEquals"], statement.Json["Condition"]!.AsObject().Select(c => c.Key));
        Assert.Equal(synth.Policies.SelectMany(p => p.Policy.Sources.Regions).Distinct().Order(),
            Templates.List(statement.Json["Condition"]!["StringEquals"]!["aws:RequestedRegion"]).Order());
    }

    [Fact]
    public void ShareAndDelete_EveryStatement_OnlyOnResourcesTaggedManagedByFerry_WithADeployedPolicysId()
    {
        var statements = synth.Member.Statements().Where(s => s.Actions.Any(ShareAndDelete.Contains)).ToList();

        Assert.Equal(ShareAndDelete.Order(), statements.SelectMany(s => s.Actions).Distinct().Order());
        Assert.All(statements, s =>
        {
            var condition = s.Json["Condition"]!.AsObject();
            Assert.Equal(["StringEquals"], condition.Select(c => c.Key));
            Assert.Equal(2, condition["StringEquals"]!.AsObject().Count);
            Assert.Equal("ferry", Templates.Render(condition["StringEquals"]!["aws:ResourceTag/ferry:managed-by"]));
            Assert.Equal(synth.Policies.Select(p => p.Policy.Id).Order(), Templates.List(condition["StringEquals"]!["aws:ResourceTag/ferry:policy"]).Order());
        });
    }

    [Theory]
    [InlineData("FerrySource", new[] { "ec2:ModifySnapshotAttribute", "ec2:DeleteSnapshot", "rds:ModifyDBSnapshotAttribute", "rds:ModifyDBClusterSnapshotAttribute", "rds:DeleteDBSnapshot", "rds:DeleteDBClusterSnapshot", "backup:DeleteRecoveryPoint" })]
    [InlineData("FerryTarget", new[] { "ec2:ModifySnapshotAttribute", "ec2:DeleteSnapshot", "rds:ModifyDBSnapshotAttribute", "rds:ModifyDBClusterSnapshotAttribute", "rds:DeleteDBSnapshot", "rds:DeleteDBClusterSnapshot" })]
    [InlineData("FerryRestore", new[] { "ec2:DeleteSnapshot", "rds:DeleteDBSnapshot", "rds:DeleteDBClusterSnapshot" })]
    public void EachRole_SharesAndDeletes_OnlyWhatItsStepsNeed(string roleName, string[] expected)
    {
        var role = synth.Member.Resources("AWS::IAM::Role").Single(r => Templates.Render(r.Properties["RoleName"]) == roleName).Id;

        Assert.Equal(expected.Order(), synth.Member.StatementsOfRole(role).SelectMany(s => s.Actions).Where(ShareAndDelete.Contains).Distinct().Order());
    }

    [Fact]
    public void SourceRole_TagsRecoveryPoints_OnlyWithFerrysTagKeys_ItsManagedByTag_AndADeployedPolicysId()
    {
        var statement = Assert.Single(synth.Member.Statements(), s => s.Actions.Contains("backup:TagResource"));
        var condition = statement.Json["Condition"]!;

        Assert.Equal(["backup:TagResource"], statement.Actions);
        Assert.Equal(["arn:<AWS::Partition>:backup:*:<AWS::AccountId>:recovery-point:*"], statement.Resources);
        Assert.Equal("ferry", Templates.Render(condition["StringEquals"]!["aws:RequestTag/ferry:managed-by"]));
        Assert.Equal(synth.Policies.Select(p => p.Policy.Id).Order(), Templates.List(condition["StringEquals"]!["aws:RequestTag/ferry:policy"]).Order());
        Assert.Equal(["ferry:*"], Templates.List(condition["ForAllValues:StringLike"]!["aws:TagKeys"]));
    }

    [Theory]
    [InlineData(RoleKind.Source, "FerrySource")]
    [InlineData(RoleKind.Target, "FerryTarget")]
    [InlineData(RoleKind.Restore, "FerryRestore")]
    public void FerryRoles_TrustOnlyTheBackupAccountsFunctionRolesThatAssumeThem_WithTheExternalId(RoleKind kind, string name)
    {
        var role = synth.Member.Resources("AWS::IAM::Role").Single(r => Templates.Render(r.Properties["RoleName"]) == name).Properties;
        var statements = role["AssumeRolePolicyDocument"]!["Statement"]!.AsArray();
        var trust = Assert.Single(statements, s => s!["Principal"]!["AWS"] is not null)!;
        // Only the source role is also AWS Backup's: EFS copy jobs run with it as their IamRoleArn.
        var services = statements.Where(s => s!["Principal"]!["Service"] is not null).ToList();
        Assert.Equal(kind == RoleKind.Source ? ["backup.amazonaws.com"] : [], services.Select(s => Templates.Render(s!["Principal"]!["Service"])));
        Assert.Equal(statements.Count, services.Count + 1);
        // AWS Backup only when it acts for this account (confused deputy).
        Assert.All(services, s => Assert.Equal("<AWS::AccountId>", Templates.Render(s!["Condition"]!["StringEquals"]!["aws:SourceAccount"])));

        Assert.Equal("sts:AssumeRole", Templates.Render(trust["Action"]));
        Assert.Equal($"arn:<AWS::Partition>:iam::{SynthFixture.BackupAccount}:root", Templates.Render(trust["Principal"]!["AWS"]));
        Assert.Single(trust["Principal"]!.AsObject());
        Assert.Equal(SynthFixture.ExternalId, Templates.Render(trust["Condition"]!["StringEquals"]!["sts:ExternalId"]));
        Assert.Equal(
            StepCatalog.Assuming(kind).Select(step => $"arn:<AWS::Partition>:iam::{SynthFixture.BackupAccount}:role/ferry-{step.Name}").Order(),
            Templates.List(trust["Condition"]!["ArnEquals"]!["aws:PrincipalArn"]).Order());
    }

    [Fact]
    public void FerryRoles_AreTheOnlyRolesOfTheMemberStack_AndTouchOnlyEc2RdsEfsBackupAndKms()
    {
        Assert.Equal(3, synth.Member.Resources("AWS::IAM::Role").Count());
        Assert.All(synth.Member.Statements().SelectMany(s => s.Actions),
            a => Assert.True(a is "iam:PassRole" || a.Split(':')[0] is "ec2" or "rds" or "kms" or "elasticfilesystem" or "backup", a));
    }

    [Fact]
    public void SourceRole_PassesOnlyItself_AndOnlyToAwsBackup()
    {
        var source = synth.Member.Resources("AWS::IAM::Role").Single(r => Templates.Render(r.Properties["RoleName"]) == "FerrySource").Id;
        var passing = synth.Member.Statements().Where(s => s.Actions.Contains("iam:PassRole")).ToList();

        var pass = Assert.Single(passing);
        Assert.Contains(pass, synth.Member.StatementsOfRole(source));
        Assert.Equal(["arn:<AWS::Partition>:iam::<AWS::AccountId>:role/FerrySource"], pass.Resources);
        Assert.Equal("backup.amazonaws.com", Templates.Render(pass.Json["Condition"]!["StringEquals"]!["iam:PassedToService"]));
    }

    [Fact]
    public void SourceRole_SharesRdsSnapshotsOnlyByFerrysNames_AndNeverCopies()
    {
        var source = synth.Member.Resources("AWS::IAM::Role").Single(r => Templates.Render(r.Properties["RoleName"]) == "FerrySource").Id;
        var statements = synth.Member.StatementsOfRole(source);

        var rdsShare = statements.Single(s => s.Actions.Contains("rds:ModifyDBSnapshotAttribute"));
        Assert.All(rdsShare.Resources.Where(r => r.Contains(":rds:", StringComparison.Ordinal)), r => Assert.EndsWith(":ferry-*", r, StringComparison.Ordinal));
        Assert.DoesNotContain(statements, s => s.Actions.Contains("ec2:CopySnapshot"));
        // It decrypts only through AWS Backup (EFS copies), never through EC2 or RDS.
        Assert.All(statements.Where(s => s.Actions.Contains("kms:Decrypt")),
            s => Assert.Equal(["backup.*.amazonaws.com"], Templates.List(s.Json["Condition"]!["StringLike"]!["kms:ViaService"])));
    }

    [Fact]
    public void WithoutAnOrganizationId_NothingNamesAnOrganization()
    {
        var json = synth.Backup.ToJsonString() + synth.Member.ToJsonString();

        Assert.DoesNotContain("aws:ResourceOrgID", json, StringComparison.Ordinal);
        Assert.DoesNotContain("aws:PrincipalOrgID", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Outputs_GiveTheKeyPolicyStatementsOfEachRole()
    {
        var outputs = synth.Member["Outputs"]!.AsObject();

        foreach (var kind in Enum.GetValues<RoleKind>())
        {
            var statements = JsonNode.Parse(Templates.Render(outputs[$"{kind}RoleKeyPolicyStatements"]!["Value"]))!.AsArray();
            Assert.All(statements, s => Assert.Equal($"<{kind}Role", Templates.Render(s!["Principal"]!["AWS"])[..(kind.ToString().Length + 5)]));
            Assert.Contains(statements, s => Templates.List(s!["Action"]).Contains("kms:DescribeKey"));
        }
        var target = JsonNode.Parse(Templates.Render(outputs["TargetRoleKeyPolicyStatements"]!["Value"]))!.AsArray();
        Assert.Contains(target, s => Templates.List(s!["Action"]).SequenceEqual(["kms:CreateGrant"]) && s["Condition"] is not null);
    }
}
