using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Ferry.Core.Aws;

/// <summary>An Amazon Resource Name split into its parts.</summary>
public sealed record Arn(string Partition, string Service, string Region, string Account, string Resource)
{
    public override string ToString() => $"arn:{Partition}:{Service}:{Region}:{Account}:{Resource}";

    public static bool TryParse(string? text, [NotNullWhen(true)] out Arn? arn)
    {
        arn = null;
        if (string.IsNullOrEmpty(text))
            return false;
        var parts = text.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[1].Length == 0 || parts[2].Length == 0 || parts[5].Length == 0)
            return false;
        arn = new Arn(parts[1], parts[2], parts[3], parts[4], parts[5]);
        return true;
    }
}

/// <summary>Format rules for the identifiers that appear in policies and inventories.</summary>
public static partial class AwsIds
{
    public static readonly IReadOnlySet<string> Partitions = new HashSet<string>(StringComparer.Ordinal) { "aws", "aws-cn", "aws-us-gov" };

    public static bool IsAccountId(string? text) => text is not null && AccountPattern().IsMatch(text);

    public static bool IsInstanceId(string? text) => text is not null && InstancePattern().IsMatch(text);

    public static bool IsVolumeId(string? text) => text is not null && VolumePattern().IsMatch(text);

    public static bool IsFileSystemId(string? text) => text is not null && FileSystemPattern().IsMatch(text);

    /// <summary>RDS DB instance and cluster identifiers: 1-63 letters, digits or hyphens, starting with a letter.</summary>
    public static bool IsDbIdentifier(string? text) =>
        text is not null && DbIdentifierPattern().IsMatch(text) && !text.EndsWith('-') && !text.Contains("--", StringComparison.Ordinal);

    public static bool IsRoleName(string? text) => text is not null && RoleNamePattern().IsMatch(text);

    /// <summary>Backup vault names: 2-50 letters, digits, hyphens and underscores.</summary>
    public static bool IsVaultName(string? text) => text is not null && VaultNamePattern().IsMatch(text);

    /// <summary>The role-name part of <c>arn:partition:iam::account:role/path/name</c>, or null when the ARN is not a role ARN.</summary>
    public static string? RoleNameOf(Arn arn) =>
        arn.Service == "iam" && arn.Region.Length == 0 && arn.Resource.StartsWith("role/", StringComparison.Ordinal)
            ? arn.Resource[(arn.Resource.LastIndexOf('/') + 1)..]
            : null;

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountPattern();

    [GeneratedRegex("^i-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex InstancePattern();

    [GeneratedRegex("^vol-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex VolumePattern();

    [GeneratedRegex("^fs-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex FileSystemPattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9-]{0,62}$")]
    private static partial Regex DbIdentifierPattern();

    [GeneratedRegex(@"^[\w+=,.@-]{1,64}$")]
    private static partial Regex RoleNamePattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{2,50}$")]
    private static partial Regex VaultNamePattern();
}
