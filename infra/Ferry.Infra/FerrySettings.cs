using Constructs;

namespace Ferry.Infra;

/// <summary>What a deployment is configured with: CDK context values (cdk.json or <c>-c key=value</c>).</summary>
/// <param name="Root">The repository root: the state machines, the functions' sources and relative policy files are found from it.</param>
/// <param name="PoliciesFile">The JSON file of policies to deploy (a policy document or an array of them).</param>
/// <param name="ExternalId">The ExternalId every AssumeRole of Ferry's functions carries, and every Ferry role requires.</param>
/// <param name="BackupAccount">The account Ferry's functions run in: the only one Ferry's roles trust.</param>
/// <param name="CopyQuotas">Concurrent copies per (account, region, service) when raised with AWS (<see cref="Core.Ports.CopyQuotas"/>); empty: AWS's defaults.</param>
/// <param name="OrganizationId">When set, the AWS Organization every Ferry role is in: functions assume only roles of
/// its accounts (aws:ResourceOrgID) and Ferry's roles trust only principals of it (aws:PrincipalOrgID).</param>
/// <param name="NotifyEmail">When set, the address subscribed to the notification topic (Warning and Failed sessions).</param>
/// <param name="DigestSchedule">When the daily digest runs: an EventBridge cron or rate expression, in UTC.</param>
public sealed record FerrySettings(
    string Root, string PoliciesFile, string ExternalId, string BackupAccount, RoleNames RoleNames, string CopyQuotas = "", string? OrganizationId = null,
    string? NotifyEmail = null, string DigestSchedule = FerrySettings.DefaultDigestSchedule)
{
    public const string DigestScheduleKey = "ferry:digestSchedule";

    /// <summary>Every day at 07:00 UTC.</summary>
    public const string DefaultDigestSchedule = "cron(0 7 * * ? *)";

    public const string PoliciesFileKey = "ferry:policiesFile";
    public const string ExternalIdKey = "ferry:externalId";
    public const string BackupAccountKey = "ferry:backupAccount";
    public const string SourceRoleNameKey = "ferry:sourceRoleName";
    public const string TargetRoleNameKey = "ferry:targetRoleName";
    public const string RestoreRoleNameKey = "ferry:restoreRoleName";
    public const string CopyQuotasKey = "ferry:copyQuotas";
    public const string OrganizationIdKey = "ferry:organizationId";
    public const string NotifyEmailKey = "ferry:notifyEmail";

    public string StateMachinesDirectory => Path.Combine(Root, "statemachines");

    public string FunctionsDirectory => Path.Combine(Root, "functions");

    public static FerrySettings FromContext(Node node)
    {
        var root = FindRoot();
        var policies = Required(node, PoliciesFileKey);
        var backupAccount = Required(node, BackupAccountKey);
        if (backupAccount.Length != 12 || !backupAccount.All(char.IsAsciiDigit))
            throw new FerryConfigException($"{BackupAccountKey}: '{backupAccount}' is not a 12-digit AWS account id");
        var names = new RoleNames(
            Optional(node, SourceRoleNameKey) ?? RoleNames.Default.Source,
            Optional(node, TargetRoleNameKey) ?? RoleNames.Default.Target,
            Optional(node, RestoreRoleNameKey) ?? RoleNames.Default.Restore);
        var quotas = Optional(node, CopyQuotasKey) ?? "";
        try
        {
            Core.Ports.CopyQuotas.Parse(quotas);
        }
        catch (Core.Errors.FerryInvalidInputException e)
        {
            throw new FerryConfigException($"{CopyQuotasKey}: {e.Message}");
        }
        var organization = Optional(node, OrganizationIdKey);
        if (organization is not null && !IsOrganizationId(organization))
            throw new FerryConfigException($"{OrganizationIdKey}: '{organization[..Math.Min(organization.Length, 40)]}' is not an AWS Organizations id (o- and 10 to 32 lowercase letters or digits)");
        var email = Optional(node, NotifyEmailKey);
        if (email is not null && !IsEmailAddress(email))
            throw new FerryConfigException($"{NotifyEmailKey}: '{email[..Math.Min(email.Length, 64)]}' is not an e-mail address (name@domain, at most 254 characters, no spaces)");
        var digest = Optional(node, DigestScheduleKey) ?? DefaultDigestSchedule;
        if (Core.Policies.ScheduleExpression.Check(digest) is { } problem)
            throw new FerryConfigException($"{DigestScheduleKey}: {problem}");
        return new FerrySettings(root, Path.GetFullPath(policies, root), Required(node, ExternalIdKey), backupAccount, names, quotas, organization, email, digest);
    }

    // SNS checks the address itself and sends it a confirmation; this only catches a value that cannot be one.
    private static bool IsEmailAddress(string value) =>
        value.Length <= 254 && value.IndexOf('@', StringComparison.Ordinal) is var at && at > 0 && at == value.LastIndexOf('@') && at < value.Length - 1
        && value[(at + 1)..].Contains('.', StringComparison.Ordinal) && !value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

    private static bool IsOrganizationId(string id) =>
        id.StartsWith("o-", StringComparison.Ordinal) && id.Length is >= 12 and <= 34 && id[2..].All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c));

    private static string Required(Node node, string key) =>
        Optional(node, key) ?? throw new FerryConfigException($"{key}: no value; set it in cdk.json or with -c {key}=...");

    private static string? Optional(Node node, string key) =>
        node.TryGetContext(key) is string { Length: > 0 } value ? value : null;

    /// <summary>The folder holding cdk.json, searched upward from where `cdk` (or a test) runs.</summary>
    private static string FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "cdk.json")) && Directory.Exists(Path.Combine(dir.FullName, "statemachines")))
                    return dir.FullName;
            }
        }
        throw new FerryConfigException("cannot find the repository root (the folder with cdk.json and statemachines/)");
    }
}

/// <summary>A deployment setting or policy file that makes synth stop, with the reason.</summary>
public sealed class FerryConfigException(string message) : Exception(message);
