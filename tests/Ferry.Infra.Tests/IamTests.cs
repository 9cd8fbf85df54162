using System.Text.Json.Nodes;
using Ferry.Core.Planning;
using Ferry.Functions;

namespace Ferry.Infra.Tests;

[Collection(SynthCollection.Name)]
public sealed class IamTests(SynthFixture synth)
{
    /// <summary>The only actions that may have Resource "*": AWS offers no resource-level permission for them.</summary>
    private static readonly HashSet<string> NoResourceLevel =
    [
        "ec2:DescribeInstances", "ec2:DescribeSnapshots", "ec2:DescribeVolumes", "ec2:DescribeImages",
        "rds:DescribeDBEngineVersions", "kms:ListAliases",
        "elasticfilesystem:DescribeFileSystems", "backup:ListBackupVaults", "backup:ListRecoveryPointsByResource",
        "backup:DescribeRegionSettings", "backup:UpdateRegionSettings", "backup:DescribeCopyJob",
        "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries",
        "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
        "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
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
    public void ResourceStar_OnlyForActionsWithoutResourceLevelPermissions()
    {
        var starred = synth.Backup.Statements().Concat(synth.Member.Statements()).Where(s => s.Resources.Contains("*")).ToList();

        Assert.NotEmpty(starred);
        Assert.All(starred, s => Assert.All(s.Actions, a => Assert.Contains(a, NoResourceLevel)));
        Assert.All(starred, s => Assert.Equal(["*"], s.Resources));
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
        var services = statements.Where(s => s!["Principal"]!["Service"] is not null).Select(s => Templates.Render(s!["Principal"]!["Service"])).ToList();
        Assert.Equal(kind == RoleKind.Source ? ["backup.amazonaws.com"] : [], services);
        Assert.Equal(statements.Count, services.Count + 1);

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
    public void SourceRole_SharesAndDeletesOnlyFerrysOwnSnapshots()
    {
        var source = synth.Member.Resources("AWS::IAM::Role").Single(r => Templates.Render(r.Properties["RoleName"]) == "FerrySource").Id;
        var statements = synth.Member.StatementsOfRole(source);

        var share = statements.Single(s => s.Actions.Contains("ec2:ModifySnapshotAttribute"));
        Assert.Equal("false", Templates.Render(share.Json["Condition"]!["Null"]!["aws:ResourceTag/ferry:policy"]));
        var rdsShare = statements.Single(s => s.Actions.Contains("rds:ModifyDBSnapshotAttribute"));
        Assert.All(rdsShare.Resources, r => Assert.EndsWith(":ferry-*", r, StringComparison.Ordinal));
        Assert.DoesNotContain(statements, s => s.Actions.Contains("ec2:CopySnapshot"));
        // It decrypts only through AWS Backup (EFS copies), never through EC2 or RDS.
        Assert.All(statements.Where(s => s.Actions.Contains("kms:Decrypt")),
            s => Assert.Equal(["backup.*.amazonaws.com"], Templates.List(s.Json["Condition"]!["StringLike"]!["kms:ViaService"])));
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
