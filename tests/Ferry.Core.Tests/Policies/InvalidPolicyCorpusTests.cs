using System.Text.Json.Nodes;
using Ferry.Core.Policies;
using static Ferry.Core.Tests.Policies.PolicyDocuments;

namespace Ferry.Core.Tests.Policies;

/// <summary>Each invalid policy is a valid one with one thing broken; the error must name exactly that field.</summary>
public class InvalidPolicyCorpusTests
{
    private const string Mapping0 = "$.replicas.mappings[0]";

    private sealed record Case(string Base, Action<JsonNode> Break, string Path, string Reason);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["not JSON"] = new(Ec2, _ => { }, "$", "is not valid JSON"),
        ["root is an array"] = new(Ec2, _ => { }, "$", "must be an object"),
        ["missing id"] = new(Ec2, p => p.AsObject().Remove("id"), "$.id", "is required"),
        ["id with spaces"] = new(Ec2, p => p["id"] = "prod ec2", "$.id", "must be 1-64 letters"),
        ["id is a number"] = new(Ec2, p => p["id"] = 42, "$.id", "must be a string, not a number"),
        ["unknown type"] = new(Ec2, p => p["type"] = "S3", "$.type", "'S3' is not one of EC2, RDS, EFS"),
        ["unknown top-level property"] = new(Ec2, p => p["retain"] = 3, "$.retain", "unknown property"),
        ["missing sources"] = new(Ec2, p => p.AsObject().Remove("sources"), "$.sources", "is required"),
        ["source role is a user ARN"] = new(Ec2, p => p["sources"]!["sourceRole"] = "arn:aws:iam::111111111111:user/alice", "$.sources.sourceRole", "is not an IAM role ARN"),
        ["source role with short account"] = new(Ec2, p => p["sources"]!["sourceRole"] = "arn:aws:iam::1111:role/FerrySource", "$.sources.sourceRole", "account '1111'"),
        ["source role with unknown partition"] = new(Ec2, p => p["sources"]!["sourceRole"] = "arn:aws-mars:iam::111111111111:role/FerrySource", "$.sources.sourceRole", "partition 'aws-mars'"),
        ["unknown source region"] = new(Ec2, p => p["sources"]!["regions"]![0] = "eu-west-9", "$.sources.regions[0]", "'eu-west-9' is not a known AWS region"),
        ["source region listed twice"] = new(Ec2, p => p["sources"]!["regions"]![1] = "eu-west-1", "$.sources.regions[1]", "listed twice"),
        ["no source regions"] = new(Ec2, p => p["sources"]!["regions"] = new JsonArray(), "$.sources.regions", "at least one region"),
        ["region outside the role's partition"] = new(Ec2, p => p["sources"]!["regions"]![1] = "cn-north-1", "$.sources.regions[1]", "not in partition aws"),
        ["regions is a string"] = new(Ec2, p => p["sources"]!["regions"] = "eu-west-1", "$.sources.regions", "must be an array, not a string"),
        ["malformed instance id"] = new(Ec2, p => p["sources"]!["resources"]!["ids"]![0] = "i-xyz", "$.sources.resources.ids[0]", "is not an EC2 instance id"),
        ["RDS identifier with underscore"] = new(RdsAllRegions, p => p["sources"]!["resources"]!["ids"]![0] = "orders_db", "$.sources.resources.ids[0]", "is not an RDS DB instance or cluster identifier"),
        ["no resources chosen"] = new(Ec2, p => p["sources"]!["resources"] = new JsonObject(), "$.sources.resources.ids", "choose resources by ids, by tags, or both"),
        ["tag without value"] = new(Ec2, p => p["sources"]!["resources"]!["tags"]![0]!.AsObject().Remove("value"), "$.sources.resources.tags[0].value", "is required"),
        ["reserved aws: tag key"] = new(Ec2, p => p["sources"]!["resources"]!["tags"]![0]!["key"] = "aws:cloudformation:stack-name", "$.sources.resources.tags[0].key", "reserved by AWS"),
        ["organization mode for EC2"] = new(Ec2, p => p["sources"]!["mode"] = "Organization", "$.sources.mode", "EFS policies only"),
        ["missing replicas"] = new(Ec2, p => p.AsObject().Remove("replicas"), "$.replicas", "is required"),
        ["source region without mapping"] = new(Ec2, p => p["replicas"]!["mappings"]!.AsArray().RemoveAt(1), "$.replicas.mappings", "source region us-east-1 has no mapping"),
        ["mapping for a region not in sources"] = new(Ec2, p => AddMapping(p, "ap-south-1"), "$.replicas.mappings[2].sourceRegion", "not one of the policy's source regions"),
        ["two mappings for one region"] = new(Ec2, p => AddMapping(p, "eu-west-1"), "$.replicas.mappings[2].sourceRegion", "more than one mapping"),
        ["both mappings and allRegions"] = new(Ec2, p => p["replicas"]!["allRegions"] = new JsonObject(), "$.replicas.allRegions", "either mappings (per source region) or allRegions"),
        ["target role not an ARN"] = new(Ec2, p => p["replicas"]!["mappings"]![0]!["targetRole"] = "FerryTarget", $"{Mapping0}.targetRole", "is not an IAM role ARN"),
        ["unknown target region"] = new(Ec2, p => p["replicas"]!["mappings"]![0]!["targetRegion"] = "eu-centre-1", $"{Mapping0}.targetRegion", "'eu-centre-1' is not a known AWS region"),
        ["target equals source"] = new(Ec2, p => p["replicas"]!["mappings"]![1]!["targetRegion"] = "us-east-1", "$.replicas.mappings[1].targetRegion", "are the source's own"),
        ["kms key in the wrong region"] = new(Ec2, p => p["replicas"]!["mappings"]![0]!["encryption"]!["kmsKey"] = "arn:aws:kms:eu-west-1:222222222222:key/22222222-2222-4222-8222-222222222222", $"{Mapping0}.encryption.kmsKey", "the target key must live in the target region"),
        ["kms key is a bare key id"] = new(Ec2, p => p["replicas"]!["mappings"]![0]!["encryption"]!["kmsKey"] = "22222222-2222-4222-8222-222222222222", $"{Mapping0}.encryption.kmsKey", "is not a KMS key ARN"),
        ["kms key ARN of another service"] = new(Ec2, p => p["replicas"]!["mappings"]![0]!["encryption"]!["kmsKey"] = "arn:aws:s3:eu-central-1:222222222222:key/22222222-2222-4222-8222-222222222222", $"{Mapping0}.encryption.kmsKey", "is not a KMS key ARN"),
        ["unknown key usage"] = new(Ec2, p => p["replicas"]!["mappings"]![0]!["encryption"]!["keyUsage"] = "Everything", $"{Mapping0}.encryption.keyUsage", "'Everything' is not one of AllResources, EncryptedOnly"),
        ["key set while encryption off"] = new(Ec2, p => p["replicas"]!["mappings"]![1]!["encryption"]!["kmsKey"] = "arn:aws:kms:us-west-2:111111111111:key/22222222-2222-4222-8222-222222222222", "$.replicas.mappings[1].encryption.kmsKey", "encryption is disabled"),
        ["encryption enabled is a string"] = new(Ec2, p => p["replicas"]!["mappings"]![1]!["encryption"]!["enabled"] = "yes", "$.replicas.mappings[1].encryption.enabled", "must be true or false, not a string"),
        ["missing encryption"] = new(Ec2, p => p["replicas"]!["mappings"]![1]!.AsObject().Remove("encryption"), "$.replicas.mappings[1].encryption", "is required"),
        ["unknown mapping property"] = new(Ec2, p => p["replicas"]!["mappings"]![0]!["targetAccount"] = "222222222222", $"{Mapping0}.targetAccount", "unknown property"),
        ["allRegions key in the wrong region"] = new(RdsAllRegions, p => p["replicas"]!["allRegions"]!["encryption"]!["kmsKey"] = "arn:aws:kms:eu-west-1:222222222222:key/22222222-2222-4222-8222-222222222222", "$.replicas.allRegions.encryption.kmsKey", "must live in the target region"),
        ["retention zero"] = new(Ec2, p => p["retention"]!["restorePoints"] = 0, "$.retention.restorePoints", "out of range"),
        ["retention fractional"] = new(Ec2, p => p["retention"]!["restorePoints"] = 2.5, "$.retention.restorePoints", "must be a whole number"),
        ["missing retention"] = new(Ec2, p => p.AsObject().Remove("retention"), "$.retention", "is required"),
        ["cron with five fields"] = new(Ec2, p => p["schedule"]!["expression"] = "cron(0 2 * * *)", "$.schedule.expression", "cron needs 6 fields"),
        ["cron with both day fields"] = new(Ec2, p => p["schedule"]!["expression"] = "cron(0 2 * * MON *)", "$.schedule.expression", "exactly one of day-of-month and day-of-week"),
        ["cron hour out of range"] = new(Ec2, p => p["schedule"]!["expression"] = "cron(0 24 * * ? *)", "$.schedule.expression", "cron hours field '24'"),
        ["rate with plural for one"] = new(Ec2, p => p["schedule"]!["expression"] = "rate(1 hours)", "$.schedule.expression", "singular unit 'hour'"),
        ["rate with unknown unit"] = new(Ec2, p => p["schedule"]!["expression"] = "rate(2 weeks)", "$.schedule.expression", "must be minute(s), hour(s) or day(s)"),
        ["not a schedule expression"] = new(Ec2, p => p["schedule"]!["expression"] = "every night", "$.schedule.expression", "neither cron"),
        ["unknown time zone"] = new(Ec2, p => p["schedule"]!["timeZone"] = "Mars/Olympus_Mons", "$.schedule.timeZone", "is not a known time zone"),
        ["EFS policy with replicas"] = new(EfsAccount, p => p["replicas"] = new JsonObject(), "$.replicas", "EFS policies copy backups with backupCopies"),
        ["EC2 policy with backupCopies"] = new(Ec2, p => p["backupCopies"] = new JsonObject(), "$.backupCopies", "EC2 and RDS policies use replicas"),
        ["EFS file system id malformed"] = new(EfsAccount, p => p["sources"]!["resources"]!["ids"]![0] = "fs-12", "$.sources.resources.ids[0]", "is not an EFS file system id"),
        ["EFS account mode without vault"] = new(EfsAccount, p => p["backupCopies"]!["mappings"]![0]!.AsObject().Remove("vault"), "$.backupCopies.mappings[0].vault", "is required"),
        ["EFS account mode with vaultTag"] = new(EfsAccount, p => p["backupCopies"]!["mappings"]![0]!["vaultTag"] = new JsonObject { ["key"] = "a", ["value"] = "b" }, "$.backupCopies.mappings[0].vaultTag", "vaultTag is for Organization mode"),
        ["EFS vault ARN in another region"] = new(EfsAccount, p => p["backupCopies"]!["mappings"]![0]!["vault"] = "arn:aws:backup:eu-west-1:111111111111:backup-vault:dr", "$.backupCopies.mappings[0].vault", "copies go to eu-central-1"),
        ["EFS vault name with spaces"] = new(EfsAccount, p => p["backupCopies"]!["mappings"]![0]!["vault"] = "my vault", "$.backupCopies.mappings[0].vault", "is not a backup vault name"),
        ["EFS copy to the source region"] = new(EfsAccount, p => p["backupCopies"]!["mappings"]![0]!["targetRegion"] = "eu-west-1", "$.backupCopies.mappings[0].targetRegion", "another region than the source region"),
        ["EFS organization mode without vaultTag"] = new(EfsOrganization, p => p["backupCopies"]!["allRegions"]!.AsObject().Remove("vaultTag"), "$.backupCopies.allRegions.vaultTag", "is required"),
        ["EFS organization mode with bad account"] = new(EfsOrganization, p => p["sources"]!["accounts"]![1] = "44444", "$.sources.accounts[1]", "is not a 12-digit AWS account id"),
        ["EFS organization mode without member role"] = new(EfsOrganization, p => p["sources"]!.AsObject().Remove("memberRoleName"), "$.sources.memberRoleName", "is required"),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void InvalidPolicy_IsRejectedNamingTheField(string name)
    {
        var @case = Cases[name];
        var json = name switch
        {
            "not JSON" => "{ \"id\": ",
            "root is an array" => "[]",
            _ => Broken(@case),
        };

        var (policy, errors) = PolicyParser.TryParse(json);

        Assert.Null(policy);
        var error = Assert.Single(errors);
        Assert.Equal(@case.Path, error.Path);
        Assert.Contains(@case.Reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corpus_HasAtLeastThirtyCases() => Assert.True(Cases.Count >= 30, $"{Cases.Count} cases");

    private static void AddMapping(JsonNode policy, string sourceRegion)
    {
        var copy = policy["replicas"]!["mappings"]![0]!.DeepClone();
        copy["sourceRegion"] = sourceRegion;
        policy["replicas"]!["mappings"]!.AsArray().Add(copy);
    }

    private static string Broken(Case @case)
    {
        var node = Node(@case.Base);
        @case.Break(node);
        return node.ToJsonString();
    }
}
