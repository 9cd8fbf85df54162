using Ferry.Core.Inventory;
using Ferry.Core.Policies;

namespace Ferry.Core.Tests;

/// <summary>Accounts, roles, keys and resources the planner tests are written against.</summary>
internal static class Fixtures
{
    public const string SourceAccount = "111111111111";
    public const string TargetAccount = "222222222222";
    public const string SourceRegion = "eu-west-1";
    public const string TargetRegion = "eu-central-1";

    public const string SourceRole = "arn:aws:iam::111111111111:role/FerrySource";
    public const string SameAccountTargetRole = "arn:aws:iam::111111111111:role/FerryTarget";
    public const string TargetRole = "arn:aws:iam::222222222222:role/FerryTarget";
    public const string RestoreRole = "arn:aws:iam::222222222222:role/FerryRestore";
    public const string SourceRestoreRole = "arn:aws:iam::111111111111:role/FerryRestore";

    public const string SourceKey = "arn:aws:kms:eu-west-1:111111111111:key/11111111-1111-4111-8111-111111111111";
    public const string OtherSourceKey = "arn:aws:kms:eu-west-1:111111111111:key/33333333-3333-4333-8333-333333333333";
    public const string DefaultEbsKey = "arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-4000-8000-0000000000eb";
    public const string DefaultRdsKey = "arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-4000-8000-0000000000d5";
    public const string TargetKey = "arn:aws:kms:eu-central-1:222222222222:key/22222222-2222-4222-8222-222222222222";
    public const string SameAccountTargetKey = "arn:aws:kms:eu-central-1:111111111111:key/44444444-4444-4444-8444-444444444444";
    public const string ShareKey = "arn:aws:kms:eu-west-1:111111111111:key/66666666-6666-4666-8666-666666666666";
    public const string SameRegionTargetKey = "arn:aws:kms:eu-west-1:222222222222:key/55555555-5555-4555-8555-555555555555";

    public static readonly PolicySources Sources = new(SourceMode.Account, SourceRole, SourceAccount, [SourceRegion],
        new ResourceSelection(["i-0000000000000000a"], []), [], null);

    public static KeyFacts Customer(string arn) => new(arn, arn.Split(':')[4], arn.Split(':')[3], false);

    public static KeyFacts DefaultKey(string arn, string alias) => new(arn, arn.Split(':')[4], arn.Split(':')[3], true, alias);

    public static VolumeFacts Plain(string id, string device = "/dev/xvdb") => new(id, device, 50, false, null);

    public static VolumeFacts Encrypted(string id, string keyArn, string device = "/dev/xvda") => new(id, device, 50, true, Customer(keyArn));

    public static Ec2InstanceFacts Instance(params VolumeFacts[] volumes) =>
        new("i-0000000000000000a", SourceAccount, SourceRegion, "m6i.large", new Dictionary<string, string> { ["Name"] = "app" }, volumes);

    public static RdsFacts Database(bool encrypted, KeyFacts? key = null, string? keyArn = SourceKey) =>
        new("orders-db", RdsKind.DbInstance, SourceAccount, SourceRegion, "postgres", "16.4", encrypted,
            encrypted ? key ?? Customer(keyArn!) : null, new Dictionary<string, string>(), "db.r6g.large");

    public static RdsFacts Cluster(bool encrypted, string engineVersion = "16.4.aurora") =>
        new("orders-aurora", RdsKind.AuroraCluster, SourceAccount, SourceRegion, "aurora-postgresql", engineVersion, encrypted,
            encrypted ? Customer(SourceKey) : null, new Dictionary<string, string>(), "db.r6g.large");

    /// <summary>A mapping to another region of the source account.</summary>
    public static ReplicaMapping SameAccount(ReplicaEncryption encryption) =>
        new(SourceRegion, SameAccountTargetRole, SourceAccount, TargetRegion, encryption);

    /// <summary>A mapping to the target account, in the target region unless <paramref name="region"/> says otherwise.</summary>
    public static ReplicaMapping CrossAccount(ReplicaEncryption encryption, string region = TargetRegion) =>
        new(SourceRegion, TargetRole, TargetAccount, region, encryption);

    public static ReplicaEncryption On(string? key, KeyUsage usage = KeyUsage.AllResources) => new(true, key, usage);

    /// <summary>Encryption with a target key and a share key for default-key snapshots (EC2-R12, RDS-R10).</summary>
    public static ReplicaEncryption Sharing(string targetKey, string shareKey = ShareKey) => new(true, targetKey, KeyUsage.AllResources, shareKey);

    public static Inventory.VolumeFacts OnDefaultKey(string id, string device = "/dev/xvda") => new(id, device, 8, true, DefaultKey(DefaultEbsKey, "alias/aws/ebs"));
}
