using System.Text.Json.Nodes;

namespace Ferry.Core.Tests.Policies;

/// <summary>Valid policy documents the parser tests start from (and mutate into invalid ones).</summary>
internal static class PolicyDocuments
{
    public const string Ec2 = """
        {
          "id": "prod-ec2",
          "name": "Production EC2",
          "type": "EC2",
          "sources": {
            "sourceRole": "arn:aws:iam::111111111111:role/FerrySource",
            "regions": ["eu-west-1", "us-east-1"],
            "resources": { "ids": ["i-0123456789abcdef0"], "tags": [{ "key": "backup", "value": "gold" }] }
          },
          "replicas": {
            "mappings": [
              {
                "sourceRegion": "eu-west-1",
                "targetRole": "arn:aws:iam::222222222222:role/FerryTarget",
                "targetRegion": "eu-central-1",
                "encryption": { "enabled": true, "kmsKey": "arn:aws:kms:eu-central-1:222222222222:key/22222222-2222-4222-8222-222222222222", "keyUsage": "EncryptedOnly" }
              },
              {
                "sourceRegion": "us-east-1",
                "targetRole": "arn:aws:iam::111111111111:role/FerryTarget",
                "targetRegion": "us-west-2",
                "encryption": { "enabled": false }
              }
            ]
          },
          "retention": { "restorePoints": 7 },
          "schedule": { "expression": "cron(0 2 * * ? *)", "timeZone": "Europe/Berlin" }
        }
        """;

    public const string RdsAllRegions = """
        {
          "id": "rds-all",
          "type": "RDS",
          "sources": {
            "sourceRole": "arn:aws:iam::111111111111:role/FerrySource",
            "regions": ["eu-west-1", "eu-west-2"],
            "resources": { "ids": ["orders-db", "orders-aurora"] }
          },
          "replicas": {
            "allRegions": {
              "targetRole": "arn:aws:iam::222222222222:role/FerryTarget",
              "targetRegion": "eu-central-1",
              "encryption": { "enabled": true }
            }
          },
          "retention": { "restorePoints": 3 },
          "schedule": { "expression": "rate(12 hours)" }
        }
        """;

    public const string EfsAccount = """
        {
          "id": "efs-account",
          "type": "EFS",
          "sources": {
            "sourceRole": "arn:aws:iam::111111111111:role/FerrySource",
            "regions": ["eu-west-1"],
            "resources": { "ids": ["fs-0123456789abcdef0"] }
          },
          "backupCopies": {
            "mappings": [{ "sourceRegion": "eu-west-1", "targetRegion": "eu-central-1", "vault": "Default" }]
          },
          "retention": { "restorePoints": 14 }
        }
        """;

    public const string EfsOrganization = """
        {
          "id": "efs-org",
          "type": "EFS",
          "sources": {
            "mode": "Organization",
            "sourceRole": "arn:aws:iam::111111111111:role/FerrySource",
            "accounts": ["333333333333", "444444444444"],
            "memberRoleName": "FerryMember",
            "regions": ["eu-west-1", "us-east-1"],
            "resources": { "tags": [{ "key": "backup", "value": "efs" }] }
          },
          "backupCopies": {
            "allRegions": { "targetRegion": "eu-north-1", "vaultTag": { "key": "ferry-vault", "value": "dr" } }
          },
          "retention": { "restorePoints": 5 }
        }
        """;

    public static JsonNode Node(string json) => JsonNode.Parse(json)!;
}
