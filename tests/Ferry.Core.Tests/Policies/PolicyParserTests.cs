using Ferry.Core.Policies;
using static Ferry.Core.Tests.Policies.PolicyDocuments;

namespace Ferry.Core.Tests.Policies;

public class PolicyParserTests
{
    [Fact]
    public void Ec2Policy_WithPerRegionMappings_ParsesEveryField()
    {
        var policy = PolicyParser.Parse(Ec2);

        Assert.Equal(("prod-ec2", "Production EC2", ResourceType.Ec2), (policy.Id, policy.Name, policy.Type));
        Assert.Equal("111111111111", policy.Sources.AccountId);
        Assert.Equal(["eu-west-1", "us-east-1"], policy.Sources.Regions);
        Assert.Equal(["i-0123456789abcdef0"], policy.Sources.Resources.Ids);
        Assert.Equal([new TagFilter("backup", "gold")], policy.Sources.Resources.Tags);
        var europe = policy.MappingFor("eu-west-1")!;
        Assert.Equal(("222222222222", "eu-central-1", KeyUsage.EncryptedOnly), (europe.TargetAccount, europe.TargetRegion, europe.Encryption.KeyUsage));
        Assert.Equal("arn:aws:kms:eu-central-1:222222222222:key/22222222-2222-4222-8222-222222222222", europe.Encryption.KmsKey);
        Assert.False(policy.MappingFor("us-east-1")!.Encryption.Enabled);
        Assert.Equal(7, policy.Retention.RestorePoints);
        Assert.Equal(new Schedule("cron(0 2 * * ? *)", "Europe/Berlin"), policy.Schedule);
        Assert.False(policy.Replicas!.AppliesToAllRegions);
    }

    [Fact]
    public void RdsPolicy_WithAllRegionsMapping_AppliesItToEverySourceRegion()
    {
        var policy = PolicyParser.Parse(RdsAllRegions);

        Assert.True(policy.Replicas!.AppliesToAllRegions);
        Assert.Equal(["eu-west-1", "eu-west-2"], policy.Replicas.Mappings.Select(m => m.SourceRegion));
        Assert.All(policy.Replicas.Mappings, m => Assert.Equal(("eu-central-1", true, null, KeyUsage.AllResources), (m.TargetRegion, m.Encryption.Enabled, m.Encryption.KmsKey, m.Encryption.KeyUsage)));
        Assert.Equal("rds-all", policy.Name);
        Assert.Equal("UTC", policy.Schedule!.TimeZone);
    }

    [Fact]
    public void EfsPolicy_AccountMode_NamesTheVault()
    {
        var policy = PolicyParser.Parse(EfsAccount);

        Assert.Equal(SourceMode.Account, policy.Sources.Mode);
        Assert.Equal(new BackupCopyMapping("eu-west-1", "eu-central-1", "Default", null), policy.CopyMappingFor("eu-west-1"));
        Assert.Null(policy.Replicas);
        Assert.Null(policy.Schedule);
    }

    [Fact]
    public void EfsPolicy_OrganizationMode_FindsVaultsByTagInEveryAccount()
    {
        var policy = PolicyParser.Parse(EfsOrganization);

        Assert.Equal(SourceMode.Organization, policy.Sources.Mode);
        Assert.Equal(["333333333333", "444444444444"], policy.Sources.Accounts);
        Assert.Equal("FerryMember", policy.Sources.MemberRoleName);
        Assert.All(policy.BackupCopies!.Mappings, m => Assert.Equal(new TagFilter("ferry-vault", "dr"), m.VaultTag));
        Assert.Equal(2, policy.BackupCopies.Mappings.Count);
    }

    [Fact]
    public void Policy_WithSeveralProblems_ReportsEveryOneAtOnce()
    {
        var node = Node(Ec2);
        node["id"] = "bad id!";
        node["retention"]!["restorePoints"] = 0;
        node["sources"]!["regions"]![1] = "mars-1";

        var (policy, errors) = PolicyParser.TryParse(node.ToJsonString());

        Assert.Null(policy);
        Assert.Equal(["$.id", "$.sources.regions[1]", "$.retention.restorePoints"], errors.Select(e => e.Path));
    }

    [Fact]
    public void Parse_InvalidPolicy_ThrowsWithAllErrorsInTheMessage()
    {
        var node = Node(Ec2);
        node["type"] = "S3";

        var error = Assert.Throws<PolicyValidationException>(() => PolicyParser.Parse(node.ToJsonString()));

        Assert.Contains("$.type: 'S3' is not one of EC2, RDS, EFS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllRegionsMapping_WithBadRole_ReportsTheErrorOnce()
    {
        var node = Node(RdsAllRegions);
        node["replicas"]!["allRegions"]!["targetRole"] = "FerryTarget";

        var (_, errors) = PolicyParser.TryParse(node.ToJsonString());

        Assert.Single(errors, e => e.Path == "$.replicas.allRegions.targetRole");
    }

    [Fact]
    public void RpoHours_APositiveNumber_IsTheRecoveryPointObjective_AbsentIsNone()
    {
        var node = Node(Ec2);
        node["rpoHours"] = 26.5;

        Assert.Equal(26.5, PolicyParser.Parse(node.ToJsonString()).RpoHours);
        Assert.Null(PolicyParser.Parse(Ec2).RpoHours);
    }

    [Theory]
    [InlineData("0", "out of range")]
    [InlineData("-3", "out of range")]
    [InlineData("9000", "out of range")]
    [InlineData("\"24\"", "a number")]
    public void RpoHours_NotAPositiveNumberOfHours_IsRejectedNamingTheField(string value, string reason)
    {
        var json = Ec2.TrimEnd().TrimEnd('}') + $", \"rpoHours\": {value} }}";

        var (_, errors) = PolicyParser.TryParse(json);

        var error = Assert.Single(errors);
        Assert.Equal("$.rpoHours", error.Path);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    private const string ShareKey = "arn:aws:kms:eu-west-1:111111111111:key/11111111-1111-4111-8111-111111111113";

    [Fact]
    public void EC2_R12_MappingWithShareKeyOfTheSourceAccountAndRegion_ParsesIt()
    {
        var node = Node(Ec2);
        node["replicas"]!["mappings"]![0]!["encryption"]!["shareKey"] = ShareKey;

        var policy = PolicyParser.Parse(node.ToJsonString());

        Assert.Equal(ShareKey, policy.MappingFor("eu-west-1")!.Encryption.ShareKey);
        Assert.Null(policy.MappingFor("us-east-1")!.Encryption.ShareKey);
    }

    [Theory]
    [InlineData("arn:aws:kms:eu-central-1:111111111111:key/11111111-1111-4111-8111-111111111113", "key is in eu-central-1 but the mapping's source region is eu-west-1")]
    [InlineData("arn:aws:kms:eu-west-1:333333333333:key/11111111-1111-4111-8111-111111111113", "key is in account 333333333333 but the source account is 111111111111")]
    [InlineData("arn:aws:kms:eu-west-1:111111111111:alias/ferry-share", "is not a KMS key ARN (arn:aws:kms:region:account:key/id; an alias")]
    [InlineData("arn:aws:s3:::bucket", "is not a KMS key ARN")]
    public void EC2_R12a_ShareKeyNotAKeyOfTheSourceAccountAndRegion_FailsNamingTheField(string shareKey, string message)
    {
        var node = Node(Ec2);
        node["replicas"]!["mappings"]![0]!["encryption"]!["shareKey"] = shareKey;

        var (policy, errors) = PolicyParser.TryParse(node.ToJsonString());

        Assert.Null(policy);
        var error = Assert.Single(errors);
        Assert.Equal("$.replicas.mappings[0].encryption.shareKey", error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EC2_R12a_ShareKeyWithEncryptionOffOrSameAccountTarget_FailsNamingTheField()
    {
        var node = Node(Ec2);
        node["replicas"]!["mappings"]![1]!["encryption"] = new System.Text.Json.Nodes.JsonObject { ["enabled"] = false, ["shareKey"] = ShareKey.Replace("eu-west-1", "us-east-1", StringComparison.Ordinal) };
        var (_, off) = PolicyParser.TryParse(node.ToJsonString());
        node["replicas"]!["mappings"]![1]!["encryption"] = new System.Text.Json.Nodes.JsonObject { ["enabled"] = true, ["shareKey"] = ShareKey.Replace("eu-west-1", "us-east-1", StringComparison.Ordinal) };
        var (_, sameAccount) = PolicyParser.TryParse(node.ToJsonString());

        Assert.Contains("encryption is disabled", Assert.Single(off, e => e.Path == "$.replicas.mappings[1].encryption.shareKey").Message, StringComparison.Ordinal);
        Assert.Contains("only used for replicas to another account", Assert.Single(sameAccount, e => e.Path == "$.replicas.mappings[1].encryption.shareKey").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RDS_R10_AllRegionsShareKey_MustBeInEverySourceRegion()
    {
        var node = Node(RdsAllRegions);
        node["replicas"]!["allRegions"]!["encryption"]!["shareKey"] = ShareKey;

        var (_, errors) = PolicyParser.TryParse(node.ToJsonString());

        var error = Assert.Single(errors);
        Assert.Equal("$.replicas.allRegions.encryption.shareKey", error.Path);
        Assert.Contains("source region is eu-west-2", error.Message, StringComparison.Ordinal);
    }
}
