using System.Text.Json.Nodes;
using static Ferry.Core.Tests.Policies.PolicyDocuments;

namespace Ferry.Core.Tests.Policies;

/// <summary>
/// Invalid policies, each a valid one with one thing broken, and the field (JSON path) and reason the parser must name.
/// Shared with the <c>ferry plan</c> tests, which run the CLI over every one of them.
/// </summary>
/// <param name="Only">True when the broken thing is the document's only error.</param>
internal sealed record PolicyCase(string Name, Func<string> Document, string Path, string Reason, bool Only = true);

internal static class PolicyCorpus
{
    private const string Mapping0 = "$.replicas.mappings[0]";
    private const string Resources = "$.sources.resources";

    /// <summary>The cases the parser has always refused, one error each.</summary>
    public static readonly IReadOnlyList<PolicyCase> Basic =
    [
        new("not JSON", () => "{ \"id\": ", "$", "is not valid JSON"),
        new("root is an array", () => "[]", "$", "must be an object"),
        Mutated("missing id", Ec2, p => p.AsObject().Remove("id"), "$.id", "is required"),
        Mutated("id with spaces", Ec2, p => p["id"] = "prod ec2", "$.id", "must be 1-64 letters"),
        Mutated("id is a number", Ec2, p => p["id"] = 42, "$.id", "must be a string, not a number"),
        Mutated("unknown type", Ec2, p => p["type"] = "S3", "$.type", "'S3' is not one of EC2, RDS, EFS"),
        Mutated("unknown top-level property", Ec2, p => p["retain"] = 3, "$.retain", "unknown property"),
        Mutated("missing sources", Ec2, p => p.AsObject().Remove("sources"), "$.sources", "is required"),
        Mutated("source role is a user ARN", Ec2, p => p["sources"]!["sourceRole"] = "arn:aws:iam::111111111111:user/alice", "$.sources.sourceRole", "is not an IAM role ARN"),
        Mutated("source role with short account", Ec2, p => p["sources"]!["sourceRole"] = "arn:aws:iam::1111:role/FerrySource", "$.sources.sourceRole", "account '1111'"),
        Mutated("source role with unknown partition", Ec2, p => p["sources"]!["sourceRole"] = "arn:aws-mars:iam::111111111111:role/FerrySource", "$.sources.sourceRole", "partition 'aws-mars'"),
        Mutated("unknown source region", Ec2, p => p["sources"]!["regions"]![0] = "eu-west-9", "$.sources.regions[0]", "'eu-west-9' is not a known AWS region"),
        Mutated("source region listed twice", Ec2, p => p["sources"]!["regions"]![1] = "eu-west-1", "$.sources.regions[1]", "listed twice"),
        Mutated("no source regions", Ec2, p => p["sources"]!["regions"] = new JsonArray(), "$.sources.regions", "at least one region"),
        Mutated("region outside the role's partition", Ec2, p => p["sources"]!["regions"]![1] = "cn-north-1", "$.sources.regions[1]", "not in partition aws"),
        Mutated("regions is a string", Ec2, p => p["sources"]!["regions"] = "eu-west-1", "$.sources.regions", "must be an array, not a string"),
        Mutated("malformed instance id", Ec2, p => p["sources"]!["resources"]!["ids"]![0] = "i-xyz", $"{Resources}.ids[0]", "is not an EC2 instance id"),
        Mutated("RDS identifier with underscore", RdsAllRegions, p => p["sources"]!["resources"]!["ids"]![0] = "orders_db", $"{Resources}.ids[0]", "is not an RDS DB instance or cluster identifier"),
        Mutated("no resources chosen", Ec2, p => p["sources"]!["resources"] = new JsonObject(), $"{Resources}.ids", "choose resources by ids, by tags, or both"),
        Mutated("tag without value", Ec2, p => p["sources"]!["resources"]!["tags"]![0]!.AsObject().Remove("value"), $"{Resources}.tags[0].value", "is required"),
        Mutated("reserved aws: tag key", Ec2, p => p["sources"]!["resources"]!["tags"]![0]!["key"] = "aws:cloudformation:stack-name", $"{Resources}.tags[0].key", "reserved by AWS"),
        Mutated("organization mode for EC2", Ec2, p => p["sources"]!["mode"] = "Organization", "$.sources.mode", "EFS policies only"),
        Mutated("missing replicas", Ec2, p => p.AsObject().Remove("replicas"), "$.replicas", "is required"),
        Mutated("source region without mapping", Ec2, p => p["replicas"]!["mappings"]!.AsArray().RemoveAt(1), "$.replicas.mappings", "source region us-east-1 has no mapping"),
        Mutated("mapping for a region not in sources", Ec2, p => AddMapping(p, "ap-south-1"), "$.replicas.mappings[2].sourceRegion", "not one of the policy's source regions"),
        Mutated("two mappings for one region", Ec2, p => AddMapping(p, "eu-west-1"), "$.replicas.mappings[2].sourceRegion", "more than one mapping"),
        Mutated("both mappings and allRegions", Ec2, p => p["replicas"]!["allRegions"] = new JsonObject(), "$.replicas.allRegions", "either mappings (per source region) or allRegions"),
        Mutated("target role not an ARN", Ec2, p => p["replicas"]!["mappings"]![0]!["targetRole"] = "FerryTarget", $"{Mapping0}.targetRole", "is not an IAM role ARN"),
        Mutated("unknown target region", Ec2, p => p["replicas"]!["mappings"]![0]!["targetRegion"] = "eu-centre-1", $"{Mapping0}.targetRegion", "'eu-centre-1' is not a known AWS region"),
        Mutated("target equals source", Ec2, p => p["replicas"]!["mappings"]![1]!["targetRegion"] = "us-east-1", "$.replicas.mappings[1].targetRegion", "are the source's own"),
        Mutated("kms key in the wrong region", Ec2, p => Key(p, "arn:aws:kms:eu-west-1:222222222222:key/22222222-2222-4222-8222-222222222222"), $"{Mapping0}.encryption.kmsKey", "the target key must live in the target region"),
        Mutated("kms key is a bare key id", Ec2, p => Key(p, "22222222-2222-4222-8222-222222222222"), $"{Mapping0}.encryption.kmsKey", "is not a KMS key ARN"),
        Mutated("kms key ARN of another service", Ec2, p => Key(p, "arn:aws:s3:eu-central-1:222222222222:key/22222222-2222-4222-8222-222222222222"), $"{Mapping0}.encryption.kmsKey", "is not a KMS key ARN"),
        Mutated("unknown key usage", Ec2, p => p["replicas"]!["mappings"]![0]!["encryption"]!["keyUsage"] = "Everything", $"{Mapping0}.encryption.keyUsage", "'Everything' is not one of AllResources, EncryptedOnly"),
        Mutated("key set while encryption off", Ec2, p => p["replicas"]!["mappings"]![1]!["encryption"]!["kmsKey"] = "arn:aws:kms:us-west-2:111111111111:key/22222222-2222-4222-8222-222222222222", "$.replicas.mappings[1].encryption.kmsKey", "encryption is disabled"),
        Mutated("encryption enabled is a string", Ec2, p => p["replicas"]!["mappings"]![1]!["encryption"]!["enabled"] = "yes", "$.replicas.mappings[1].encryption.enabled", "must be true or false, not a string"),
        Mutated("missing encryption", Ec2, p => p["replicas"]!["mappings"]![1]!.AsObject().Remove("encryption"), "$.replicas.mappings[1].encryption", "is required"),
        Mutated("unknown mapping property", Ec2, p => p["replicas"]!["mappings"]![0]!["targetAccount"] = "222222222222", $"{Mapping0}.targetAccount", "unknown property"),
        Mutated("allRegions key in the wrong region", RdsAllRegions, p => p["replicas"]!["allRegions"]!["encryption"]!["kmsKey"] = "arn:aws:kms:eu-west-1:222222222222:key/22222222-2222-4222-8222-222222222222", "$.replicas.allRegions.encryption.kmsKey", "must live in the target region"),
        Mutated("retention zero", Ec2, p => p["retention"]!["restorePoints"] = 0, "$.retention.restorePoints", "out of range"),
        Mutated("retention fractional", Ec2, p => p["retention"]!["restorePoints"] = 2.5, "$.retention.restorePoints", "must be a whole number"),
        Mutated("missing retention", Ec2, p => p.AsObject().Remove("retention"), "$.retention", "is required"),
        Mutated("cron with five fields", Ec2, p => p["schedule"]!["expression"] = "cron(0 2 * * *)", "$.schedule.expression", "cron needs 6 fields"),
        Mutated("cron with both day fields", Ec2, p => p["schedule"]!["expression"] = "cron(0 2 * * MON *)", "$.schedule.expression", "exactly one of day-of-month and day-of-week"),
        Mutated("cron hour out of range", Ec2, p => p["schedule"]!["expression"] = "cron(0 24 * * ? *)", "$.schedule.expression", "cron hours field '24'"),
        Mutated("rate with plural for one", Ec2, p => p["schedule"]!["expression"] = "rate(1 hours)", "$.schedule.expression", "singular unit 'hour'"),
        Mutated("rate with unknown unit", Ec2, p => p["schedule"]!["expression"] = "rate(2 weeks)", "$.schedule.expression", "must be minute(s), hour(s) or day(s)"),
        Mutated("not a schedule expression", Ec2, p => p["schedule"]!["expression"] = "every night", "$.schedule.expression", "neither cron"),
        Mutated("unknown time zone", Ec2, p => p["schedule"]!["timeZone"] = "Mars/Olympus_Mons", "$.schedule.timeZone", "is not a known time zone"),
        Mutated("EFS policy with replicas", EfsAccount, p => p["replicas"] = new JsonObject(), "$.replicas", "EFS policies copy backups with backupCopies"),
        Mutated("EC2 policy with backupCopies", Ec2, p => p["backupCopies"] = new JsonObject(), "$.backupCopies", "EC2 and RDS policies use replicas"),
        Mutated("EFS file system id malformed", EfsAccount, p => p["sources"]!["resources"]!["ids"]![0] = "fs-12", $"{Resources}.ids[0]", "is not an EFS file system id"),
        Mutated("EFS account mode without vault", EfsAccount, p => p["backupCopies"]!["mappings"]![0]!.AsObject().Remove("vault"), "$.backupCopies.mappings[0].vault", "is required"),
        Mutated("EFS account mode with vaultTag", EfsAccount, p => p["backupCopies"]!["mappings"]![0]!["vaultTag"] = new JsonObject { ["key"] = "a", ["value"] = "b" }, "$.backupCopies.mappings[0].vaultTag", "vaultTag is for Organization mode"),
        Mutated("EFS vault ARN in another region", EfsAccount, p => Vault(p, "arn:aws:backup:eu-west-1:111111111111:backup-vault:dr"), "$.backupCopies.mappings[0].vault", "copies go to eu-central-1"),
        Mutated("EFS vault name with spaces", EfsAccount, p => Vault(p, "my vault"), "$.backupCopies.mappings[0].vault", "is not a backup vault name"),
        Mutated("EFS copy to the source region", EfsAccount, p => p["backupCopies"]!["mappings"]![0]!["targetRegion"] = "eu-west-1", "$.backupCopies.mappings[0].targetRegion", "another region than the source region"),
        Mutated("EFS organization mode without vaultTag", EfsOrganization, p => p["backupCopies"]!["allRegions"]!.AsObject().Remove("vaultTag"), "$.backupCopies.allRegions.vaultTag", "is required"),
        Mutated("EFS organization mode with bad account", EfsOrganization, p => p["sources"]!["accounts"]![1] = "44444", "$.sources.accounts[1]", "is not a 12-digit AWS account id"),
        Mutated("EFS organization mode without member role", EfsOrganization, p => p["sources"]!.AsObject().Remove("memberRoleName"), "$.sources.memberRoleName", "is required"),
    ];

    /// <summary>What a hostile user, a careless script or a copy-paste accident sends.</summary>
    public static readonly IReadOnlyList<PolicyCase> Hostile =
    [
        // Duplicate keys: the reader would take the last, a reviewer reads the first.
        Replaced("duplicate id", Ec2, "\"id\": \"prod-ec2\",", "\"id\": \"prod-ec2\", \"id\": \"other-ec2\",", "$.id", "is given more than once"),
        Replaced("duplicate source role", Ec2, "\"sourceRole\": \"arn:aws:iam::111111111111:role/FerrySource\",", "\"sourceRole\": \"arn:aws:iam::111111111111:role/FerrySource\", \"sourceRole\": \"arn:aws:iam::999999999999:role/Other\",", "$.sources.sourceRole", "is given more than once"),
        Replaced("duplicate key usage", Ec2, "\"keyUsage\": \"EncryptedOnly\"", "\"keyUsage\": \"EncryptedOnly\", \"keyUsage\": \"AllResources\"", $"{Mapping0}.encryption.keyUsage", "is given more than once"),
        Replaced("duplicate retention object", Ec2, "\"retention\": { \"restorePoints\": 7 },", "\"retention\": { \"restorePoints\": 7 }, \"retention\": { \"restorePoints\": 1000 },", "$.retention", "is given more than once"),
        Replaced("duplicate restorePoints inside retention", Ec2, "\"restorePoints\": 7", "\"restorePoints\": 7, \"restorePoints\": 7", "$.retention.restorePoints", "is given more than once"),
        Replaced("duplicate tag key in a filter", Ec2, "{ \"key\": \"backup\", \"value\": \"gold\" }", "{ \"key\": \"backup\", \"key\": \"tier\", \"value\": \"gold\" }", $"{Resources}.tags[0].key", "is given more than once"),
        Replaced("property differing only in case", Ec2, "\"type\": \"EC2\",", "\"type\": \"EC2\", \"Type\": \"RDS\",", "$.Type", "unknown property"),
        // Text that is not valid UTF-16.
        Replaced("lone high surrogate in id", Ec2, "\"prod-ec2\"", "\"prod\\uD800ec2\"", "$.id", "is not valid UTF-16"),
        Replaced("lone low surrogate in name", Ec2, "\"Production EC2\"", "\"\\uDC00Production\"", "$.name", "is not valid UTF-16"),
        Replaced("reversed surrogate pair in tag value", Ec2, "\"gold\"", "\"\\uDE00\\uD83D\"", $"{Resources}.tags[0].value", "is not valid UTF-16"),
        Replaced("lone surrogate in a region", Ec2, "\"us-east-1\"]", "\"us-east-1\\uD800\"]", "$.sources.regions[1]", "is not valid UTF-16"),
        Replaced("lone surrogate in a property name", Ec2, "\"name\":", "\"na\\uD800me\":", "$", "a property name is not valid UTF-16"),
        Replaced("lone surrogate in kms key", Ec2, "key/22222222-2222-4222-8222-222222222222\"", "key/\\uDBFF\"", $"{Mapping0}.encryption.kmsKey", "is not valid UTF-16"),
        // Control characters.
        Mutated("NUL in id", Ec2, p => p["id"] = "prod\0ec2", "$.id", "control character U+0000"),
        Mutated("NUL in resource id", Ec2, p => p["sources"]!["resources"]!["ids"]![0] = "i-0123456789abcdef0\0", $"{Resources}.ids[0]", "control character U+0000"),
        Mutated("newline in name", Ec2, p => p["name"] = "Production\nEC2", "$.name", "control character U+000A"),
        Mutated("tab in tag key", Ec2, p => p["sources"]!["resources"]!["tags"]![0]!["key"] = "back\tup", $"{Resources}.tags[0].key", "control character U+0009"),
        Mutated("ANSI escape in name", Ec2, p => p["name"] = "\u001b[31mProduction", "$.name", "control character U+001B"),
        Mutated("DEL in vault name", EfsAccount, p => Vault(p, "Default\u007f"), "$.backupCopies.mappings[0].vault", "control character U+007F"),
        Mutated("NUL in source role", Ec2, p => p["sources"]!["sourceRole"] = "arn:aws:iam::111111111111:role/Ferry\0Source", "$.sources.sourceRole", "control character U+0000"),
        Mutated("C1 control in member role", EfsOrganization, p => p["sources"]!["memberRoleName"] = "Ferry\u0085Member", "$.sources.memberRoleName", "control character U+0085"),
        // Right-to-left and zero-width characters: text that reads other than it is.
        Mutated("right-to-left override in name", Ec2, p => p["name"] = "Production \u202Egpj.exe", "$.name", "invisible format character U+202E"),
        Mutated("zero-width space in id", Ec2, p => p["id"] = "prod\u200Bec2", "$.id", "invisible format character U+200B"),
        Mutated("zero-width joiner in tag value", Ec2, p => p["sources"]!["resources"]!["tags"]![0]!["value"] = "go\u200Dld", $"{Resources}.tags[0].value", "invisible format character U+200D"),
        Mutated("byte order mark in source role", Ec2, p => p["sources"]!["sourceRole"] = "\uFEFFarn:aws:iam::111111111111:role/FerrySource", "$.sources.sourceRole", "invisible format character U+FEFF"),
        Mutated("left-to-right isolate in member role", EfsOrganization, p => p["sources"]!["memberRoleName"] = "\u2066FerryMember", "$.sources.memberRoleName", "invisible format character U+2066"),
        Mutated("right-to-left mark in a region", Ec2, p => p["sources"]!["regions"]![0] = "eu-west-1\u200F", "$.sources.regions[0]", "invisible format character U+200F"),
        Mutated("zero-width space in type", Ec2, p => p["type"] = "EC2\u200B", "$.type", "invisible format character U+200B"),
        Mutated("Hebrew letters in an instance id", Ec2, p => p["sources"]!["resources"]!["ids"]![0] = "i-\u05D0\u05D1\u05D2", $"{Resources}.ids[0]", "is not an EC2 instance id"),
        Mutated("Cyrillic look-alike in a region", Ec2, p => p["sources"]!["regions"]![0] = "eu-w\u0435st-1", "$.sources.regions[0]", "is not a known AWS region"),
        Mutated("Cyrillic look-alike in the id", Ec2, p => p["id"] = "prod-\u0435c2", "$.id", "must be 1-64 letters"),
        Mutated("full-width digits in an account", EfsOrganization, p => p["sources"]!["accounts"]![0] = "\uFF13\uFF13\uFF13\uFF13\uFF13\uFF13\uFF13\uFF13\uFF13\uFF13\uFF13\uFF13", "$.sources.accounts[0]", "is not a 12-digit AWS account id"),
        // Limits on every string.
        Mutated("10 MB id", Ec2, p => p["id"] = Long('a', 10_000_000), "$.id", "is 10000000 characters long; at most 64 are allowed"),
        Mutated("10 MB name", Ec2, p => p["name"] = Long('n', 10_000_000), "$.name", "is 10000000 characters long; at most 256 are allowed"),
        Mutated("id of 65 characters", Ec2, p => p["id"] = Long('a', 65), "$.id", "at most 64 are allowed"),
        Mutated("name of 257 characters", Ec2, p => p["name"] = Long('n', 257), "$.name", "at most 256 are allowed"),
        Mutated("tag key of 129 characters", Ec2, p => p["sources"]!["resources"]!["tags"]![0]!["key"] = Long('k', 129), $"{Resources}.tags[0].key", "at most 128 are allowed"),
        Mutated("tag value of 257 characters", Ec2, p => p["sources"]!["resources"]!["tags"]![0]!["value"] = Long('v', 257), $"{Resources}.tags[0].value", "at most 256 are allowed"),
        Mutated("10 MB resource id", Ec2, p => p["sources"]!["resources"]!["ids"]![0] = Long('i', 10_000_000), $"{Resources}.ids[0]", "at most 256 are allowed"),
        Mutated("source role of 3000 characters", Ec2, p => p["sources"]!["sourceRole"] = "arn:aws:iam::111111111111:role/" + Long('r', 3000), "$.sources.sourceRole", "at most 2048 are allowed"),
        Mutated("kms key of 3000 characters", Ec2, p => Key(p, "arn:aws:kms:eu-central-1:222222222222:alias/" + Long('a', 3000)), $"{Mapping0}.encryption.kmsKey", "at most 2048 are allowed"),
        Mutated("vault of 3000 characters", EfsAccount, p => Vault(p, Long('v', 3000)), "$.backupCopies.mappings[0].vault", "at most 2048 are allowed"),
        Mutated("schedule of 300 characters", Ec2, p => p["schedule"]!["expression"] = "cron(" + Long('0', 300) + ")", "$.schedule.expression", "at most 256 are allowed"),
        Mutated("time zone of 100 characters", Ec2, p => p["schedule"]!["timeZone"] = Long('z', 100), "$.schedule.timeZone", "at most 64 are allowed"),
        Mutated("member role of 65 characters", EfsOrganization, p => p["sources"]!["memberRoleName"] = Long('m', 65), "$.sources.memberRoleName", "at most 64 are allowed"),
        Mutated("vault name of 51 characters", EfsAccount, p => Vault(p, Long('v', 51)), "$.backupCopies.mappings[0].vault", "is not a backup vault name"),
        Mutated("10 MB unknown property name", Ec2, p => p[Long('x', 10_000_000)] = 1, "$." + Long('x', 64) + "…", "unknown property"),
        // Limits on every list.
        Mutated("100,001 resource ids", Ec2, p => p["sources"]!["resources"]!["ids"] = InstanceIds(100_001), $"{Resources}.ids", "lists 100001 items; at most 100000 are allowed"),
        Mutated("51 tag filters", Ec2, p => p["sources"]!["resources"]!["tags"] = Tags(51), $"{Resources}.tags", "lists 51 items; at most 50 are allowed"),
        Mutated("200,000 regions", Ec2, p => p["sources"]!["regions"] = Repeated("eu-west-1", 200_000), "$.sources.regions", "lists 200000 items; at most 50 are allowed", Only: false),
        Mutated("1001 member accounts", EfsOrganization, p => p["sources"]!["accounts"] = Repeated("333333333333", 1001), "$.sources.accounts", "lists 1001 items; at most 1000 are allowed"),
        Mutated("51 mappings", Ec2, p => p["replicas"]!["mappings"] = Repeated(p["replicas"]!["mappings"]![0]!, 51), "$.replicas.mappings", "lists 51 items; at most 50 are allowed", Only: false),
        Mutated("100,000 tag filters", Ec2, p => p["sources"]!["resources"]!["tags"] = Tags(100_000), $"{Resources}.tags", "at most 50 are allowed"),
        // Partitions: one policy, one partition.
        Mutated("target role in aws-cn", Ec2, p => p["replicas"]!["mappings"]![0]!["targetRole"] = "arn:aws-cn:iam::222222222222:role/FerryTarget", $"{Mapping0}.targetRole", "is in partition 'aws-cn', but the source role is in aws", Only: false),
        Mutated("target role in aws-us-gov", Ec2, p => p["replicas"]!["mappings"]![0]!["targetRole"] = "arn:aws-us-gov:iam::222222222222:role/FerryTarget", $"{Mapping0}.targetRole", "every role, key and vault of a policy is in one partition", Only: false),
        Mutated("kms key in aws-us-gov", Ec2, p => Key(p, "arn:aws-us-gov:kms:eu-central-1:222222222222:key/22222222-2222-4222-8222-222222222222"), $"{Mapping0}.encryption.kmsKey", "is in partition 'aws-us-gov', but the source role is in aws"),
        Mutated("vault ARN in aws-cn", EfsAccount, p => Vault(p, "arn:aws-cn:backup:eu-central-1:111111111111:backup-vault:dr"), "$.backupCopies.mappings[0].vault", "is in partition 'aws-cn', but the source role is in aws"),
        Mutated("aws-cn source role with aws regions", RdsAllRegions, p => p["sources"]!["sourceRole"] = "arn:aws-cn:iam::111111111111:role/FerrySource", "$.sources.regions[0]", "region eu-west-1 is not in partition aws-cn", Only: false),
        Mutated("target region in GovCloud", Ec2, p => p["replicas"]!["mappings"]![0]!["targetRegion"] = "us-gov-west-1", $"{Mapping0}.targetRegion", "not in partition aws", Only: false),
        Mutated("EFS copy to a China region", EfsAccount, p => p["backupCopies"]!["mappings"]![0]!["targetRegion"] = "cn-north-1", "$.backupCopies.mappings[0].targetRegion", "not in partition aws", Only: false),
        // Enum values are case-exact.
        Mutated("type in lower case", Ec2, p => p["type"] = "ec2", "$.type", "'ec2' is not one of EC2, RDS, EFS"),
        Mutated("type in mixed case", Ec2, p => p["type"] = "Ec2", "$.type", "'Ec2' is not one of EC2, RDS, EFS"),
        Mutated("type with a leading space", Ec2, p => p["type"] = " EC2", "$.type", "' EC2' is not one of"),
        Mutated("mode in lower case", EfsOrganization, p => p["sources"]!["mode"] = "organization", "$.sources.mode", "'organization' is not one of Account, Organization", Only: false),
        Mutated("key usage in lower case", Ec2, p => p["replicas"]!["mappings"]![0]!["encryption"]!["keyUsage"] = "encryptedonly", $"{Mapping0}.encryption.keyUsage", "'encryptedonly' is not one of"),
        // Wrong types and nulls.
        Mutated("id is null", Ec2, p => p["id"] = null, "$.id", "is required"),
        Mutated("name is a number", Ec2, p => p["name"] = 42, "$.name", "must be a string, not a number"),
        Mutated("sources is an array", Ec2, p => p["sources"] = new JsonArray(), "$.sources", "must be an object, not an array", Only: false),
        Mutated("sources is a string", Ec2, p => p["sources"] = "everything", "$.sources", "must be an object, not a string", Only: false),
        Mutated("ids is an object", Ec2, p => p["sources"]!["resources"]!["ids"] = new JsonObject(), $"{Resources}.ids", "must be an array, not an object"),
        Mutated("null resource id", Ec2, p => p["sources"]!["resources"]!["ids"]![0] = null, $"{Resources}.ids[0]", "must be a resource id, not null"),
        Mutated("numeric resource id", Ec2, p => p["sources"]!["resources"]!["ids"]![0] = 123, $"{Resources}.ids[0]", "must be a resource id, not a number"),
        Mutated("tag filter is a string", Ec2, p => p["sources"]!["resources"]!["tags"]![0] = "backup", $"{Resources}.tags[0]", "must be an object, not a string"),
        Mutated("restore points as a string", Ec2, p => p["retention"]!["restorePoints"] = "7", "$.retention.restorePoints", "must be a whole number, not a string"),
        Mutated("restore points beyond int", Ec2, p => p["retention"]!["restorePoints"] = 1e10, "$.retention.restorePoints", "must be a whole number, not a number"),
        Mutated("restore points as a boolean", Ec2, p => p["retention"]!["restorePoints"] = true, "$.retention.restorePoints", "must be a whole number, not a boolean"),
        Mutated("encryption is null", Ec2, p => p["replicas"]!["mappings"]![1]!["encryption"] = null, "$.replicas.mappings[1].encryption", "is required"),
        Mutated("enabled is null", Ec2, p => p["replicas"]!["mappings"]![1]!["encryption"]!["enabled"] = null, "$.replicas.mappings[1].encryption.enabled", "is required"),
        Mutated("schedule is an array", Ec2, p => p["schedule"] = new JsonArray(), "$.schedule", "must be an object, not an array"),
        Mutated("region is an array", Ec2, p => p["sources"]!["regions"]![0] = new JsonArray("eu-west-1"), "$.sources.regions[0]", "must be a region name, not an array", Only: false),
        Mutated("account is a number", EfsOrganization, p => p["sources"]!["accounts"]![0] = 333333333333, "$.sources.accounts[0]", "must be a 12-digit AWS account id, not a number"),
        new("root is a string", () => "\"policy\"", "$", "must be an object, not a string"),
        new("root is null", () => "null", "$", "must be an object, not null"),
        new("empty document", () => "", "$", "is not valid JSON"),
        Mutated("empty id", Ec2, p => p["id"] = "", "$.id", "must not be empty"),
        Mutated("blank name", Ec2, p => p["name"] = "   ", "$.name", "must not be empty"),
        // Deep nesting and other malformed JSON.
        new("10,000 nested arrays", () => Ec2.Replace("\"retention\":", "\"deep\": " + new string('[', 10_000) + new string(']', 10_000) + ", \"retention\":", StringComparison.Ordinal), "$", "is not valid JSON"),
        new("17 nested objects", () => Ec2.Replace("\"retention\":", "\"deep\": " + string.Concat(Enumerable.Repeat("{\"a\": ", 17)) + "1" + new string('}', 17) + ", \"retention\":", StringComparison.Ordinal), "$", "is not valid JSON"),
        new("nesting within the limit in an unknown property", () => Ec2.Replace("\"retention\":", "\"deep\": " + string.Concat(Enumerable.Repeat("{\"a\": ", 8)) + "1" + new string('}', 8) + ", \"retention\":", StringComparison.Ordinal), "$.deep", "unknown property"),
        Replaced("trailing comma", Ec2, "\"restorePoints\": 7 }", "\"restorePoints\": 7, }", "$", "is not valid JSON"),
        Replaced("comment", Ec2, "\"retention\":", "/* keep */ \"retention\":", "$", "is not valid JSON"),
        Replaced("NaN", Ec2, "\"restorePoints\": 7", "\"restorePoints\": NaN", "$", "is not valid JSON"),
        Replaced("single-quoted string", Ec2, "\"prod-ec2\"", "'prod-ec2'", "$", "is not valid JSON"),
        // ARNs of other services, key aliases and bare key ids where ARNs are required.
        Mutated("source role is an STS assumed-role ARN", Ec2, p => p["sources"]!["sourceRole"] = "arn:aws:sts::111111111111:assumed-role/FerrySource/session", "$.sources.sourceRole", "is not an IAM role ARN"),
        Mutated("target role is an S3 bucket ARN", Ec2, p => p["replicas"]!["mappings"]![0]!["targetRole"] = "arn:aws:s3:::ferry-bucket", $"{Mapping0}.targetRole", "is not an IAM role ARN"),
        Mutated("source role ARN with a region", Ec2, p => p["sources"]!["sourceRole"] = "arn:aws:iam:eu-west-1:111111111111:role/FerrySource", "$.sources.sourceRole", "is not an IAM role ARN"),
        Mutated("source role without a name", Ec2, p => p["sources"]!["sourceRole"] = "arn:aws:iam::111111111111:role/", "$.sources.sourceRole", "is not a valid IAM role name"),
        Mutated("kms key is a bare alias", Ec2, p => Key(p, "alias/ferry"), $"{Mapping0}.encryption.kmsKey", "is not a KMS key ARN"),
        Mutated("kms key is a bare multi-region key id", Ec2, p => Key(p, "mrk-1234abcd12ab34cd56ef1234567890ab"), $"{Mapping0}.encryption.kmsKey", "is not a KMS key ARN"),
        Mutated("kms key ARN with a malformed key id", Ec2, p => Key(p, "arn:aws:kms:eu-central-1:222222222222:key/not-a-uuid"), $"{Mapping0}.encryption.kmsKey", "is not a KMS key ARN"),
        Mutated("kms key is an IAM role ARN", Ec2, p => Key(p, "arn:aws:iam::222222222222:role/FerryTarget"), $"{Mapping0}.encryption.kmsKey", "is not a KMS key ARN"),
        Mutated("kms key ARN without an account", Ec2, p => Key(p, "arn:aws:kms:eu-central-1::key/22222222-2222-4222-8222-222222222222"), $"{Mapping0}.encryption.kmsKey", "is not a KMS key ARN"),
        Mutated("kms alias ARN with spaces", Ec2, p => Key(p, "arn:aws:kms:eu-central-1:222222222222:alias/my key"), $"{Mapping0}.encryption.kmsKey", "is not a KMS key ARN"),
        Mutated("vault is an S3 bucket ARN", EfsAccount, p => Vault(p, "arn:aws:s3:::ferry-bucket"), "$.backupCopies.mappings[0].vault", "is not a backup vault ARN"),
        Mutated("vault is a recovery point ARN", EfsAccount, p => Vault(p, "arn:aws:backup:eu-central-1:111111111111:recovery-point:abc"), "$.backupCopies.mappings[0].vault", "is not a backup vault ARN"),
        // Duplicates are found in one linear pass.
        Mutated("resource id listed twice", Ec2, p => p["sources"]!["resources"]!["ids"] = new JsonArray("i-0123456789abcdef0", "i-0123456789abcdef0"), $"{Resources}.ids[1]", "resource i-0123456789abcdef0 is listed twice"),
        Mutated("resource id listed twice among 100,000", Ec2, p => p["sources"]!["resources"]!["ids"] = WithRepeatAtEnd(InstanceIds(99_999)), $"{Resources}.ids[99999]", "is listed twice"),
        Mutated("member account listed twice", EfsOrganization, p => p["sources"]!["accounts"]![1] = "333333333333", "$.sources.accounts[1]", "account 333333333333 is listed twice"),
        Mutated("upper-case hex in an instance id", Ec2, p => p["sources"]!["resources"]!["ids"]![0] = "i-0123456789ABCDEF0", $"{Resources}.ids[0]", "is not an EC2 instance id"),
        Mutated("reserved tag key in upper case", Ec2, p => p["sources"]!["resources"]!["tags"]![0]!["key"] = "AWS:Foo", $"{Resources}.tags[0].key", "reserved by AWS"),
    ];

    public static IEnumerable<PolicyCase> All => Basic.Concat(Hostile);

    public static PolicyCase Find(string name) => All.Single(c => c.Name == name);

    private static PolicyCase Mutated(string name, string baseJson, Action<JsonNode> change, string path, string reason, bool Only = true) =>
        new(name, () =>
        {
            var node = Node(baseJson);
            change(node);
            return node.ToJsonString();
        }, path, reason, Only);

    /// <summary>A case written as text, for what a JSON tree cannot hold: duplicate keys, lone surrogates, bad syntax.</summary>
    private static PolicyCase Replaced(string name, string baseJson, string oldText, string newText, string path, string reason) =>
        new(name, () => baseJson.Contains(oldText, StringComparison.Ordinal)
            ? baseJson.Replace(oldText, newText, StringComparison.Ordinal)
            : throw new InvalidOperationException($"{name}: the base document has no {oldText}"), path, reason);

    private static void AddMapping(JsonNode policy, string sourceRegion)
    {
        var copy = policy["replicas"]!["mappings"]![0]!.DeepClone();
        copy["sourceRegion"] = sourceRegion;
        policy["replicas"]!["mappings"]!.AsArray().Add(copy);
    }

    private static void Key(JsonNode policy, string key) => policy["replicas"]!["mappings"]![0]!["encryption"]!["kmsKey"] = key;

    private static void Vault(JsonNode policy, string vault) => policy["backupCopies"]!["mappings"]![0]!["vault"] = vault;

    private static string Long(char c, int length) => new(c, length);

    public static JsonArray InstanceIds(int count) => [.. Enumerable.Range(0, count).Select(i => (JsonNode?)JsonValue.Create($"i-{i:x17}"))];

    private static JsonArray WithRepeatAtEnd(JsonArray ids)
    {
        ids.Add(ids[0]!.DeepClone());
        return ids;
    }

    private static JsonArray Tags(int count) => [.. Enumerable.Range(0, count).Select(i => (JsonNode?)new JsonObject { ["key"] = $"k{i}", ["value"] = "v" })];

    private static JsonArray Repeated(JsonNode item, int count) => [.. Enumerable.Range(0, count).Select(_ => (JsonNode?)item.DeepClone())];

    private static JsonArray Repeated(string item, int count) => Repeated(JsonValue.Create(item), count);
}
