namespace Ferry.Tests.Shared;

/// <summary>
/// The accounts, roles, file systems and vaults of the bundled EFS world (local/worlds/efs.json, see its README),
/// and the EFS policy documents the scenarios use. Linked into each test project that runs EFS scenarios.
/// </summary>
internal static class EfsScenario
{
    public const string West = "eu-west-1";
    public const string Central = "eu-central-1";
    public const string North = "eu-north-1";
    public const string Management = "111111111111";
    public const string MemberWithVault = "333333333333";
    public const string MemberWithoutVault = "444444444444";
    public const string MemberWithTwoVaults = "555555555555";
    public const string SourceRole = "arn:aws:iam::111111111111:role/FerrySource";
    public const string MemberRoleName = "FerryMember";

    public const string SharedHome = "fs-0a1b2c3d4e5f60001";
    public const string Archive = "fs-0a1b2c3d4e5f60003";
    public const string MemberFs = "fs-0b1b2c3d4e5f60001";
    public const string NoVaultFs = "fs-0c1b2c3d4e5f60001";
    public const string TwoVaultsFs = "fs-0d1b2c3d4e5f60001";

    public static string MemberRole(string account) => $"arn:aws:iam::{account}:role/{MemberRoleName}";

    /// <summary>Account mode: the file systems of one region copied to a named vault.</summary>
    public static string AccountPolicy(string id, string[] ids, string vault, string region = West, string targetRegion = Central, int keep = 3) => $$"""
        {
          "id": "{{id}}", "type": "EFS",
          "sources": { "sourceRole": "{{SourceRole}}", "regions": ["{{region}}"], "resources": { "ids": [{{Quoted(ids)}}] } },
          "backupCopies": { "mappings": [{ "sourceRegion": "{{region}}", "targetRegion": "{{targetRegion}}", "vault": "{{vault}}" }] },
          "retention": { "restorePoints": {{keep}} }
        }
        """;

    /// <summary>Organization mode: each member account's file systems copied to the vault tagged ferry=dr in that account.</summary>
    public static string OrganizationPolicy(string id, string[] accounts, string[] ids) => $$"""
        {
          "id": "{{id}}", "type": "EFS",
          "sources": {
            "mode": "Organization", "sourceRole": "{{SourceRole}}", "accounts": [{{Quoted(accounts)}}], "memberRoleName": "{{MemberRoleName}}",
            "regions": ["{{West}}"], "resources": { "ids": [{{Quoted(ids)}}] }
          },
          "backupCopies": { "mappings": [{ "sourceRegion": "{{West}}", "targetRegion": "{{Central}}", "vaultTag": { "key": "ferry", "value": "dr" } }] },
          "retention": { "restorePoints": 3 }
        }
        """;

    private static string Quoted(string[] values) => string.Join(", ", values.Select(v => $"\"{v}\""));
}
