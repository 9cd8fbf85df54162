namespace Ferry.Core.Settings;

/// <summary>
/// The environment variables Ferry's functions read: the CDK stack sets them, LambdaServices and AwsOptions read them,
/// the local host runs without them (it passes the same settings in code).
/// </summary>
public static class FerryVariables
{
    public const string PoliciesTable = "FERRY_POLICIES_TABLE";
    public const string SessionsTable = "FERRY_SESSIONS_TABLE";
    public const string RestorePointsTable = "FERRY_RESTORE_POINTS_TABLE";
    public const string CopySlotsTable = "FERRY_COPY_SLOTS_TABLE";

    /// <summary>Concurrent copies per (account, destination region, service), as <see cref="Ports.CopyQuotas"/> parses them.</summary>
    public const string CopyQuotas = "FERRY_COPY_QUOTAS";

    /// <summary>The ExternalId of every AssumeRole into a source, target or restore role.</summary>
    public const string ExternalId = "FERRY_EXTERNAL_ID";

    /// <summary>One endpoint for every service (a local or AWS-compatible endpoint); <see cref="ServiceUrl"/> overrides it per service.</summary>
    public const string AwsUrl = "FERRY_AWS_URL";

    /// <summary>The endpoint override of one service: FERRY_&lt;SERVICE&gt;_URL, e.g. FERRY_DYNAMODB_URL.</summary>
    public static string ServiceUrl(string service) => $"FERRY_{service.ToUpperInvariant()}_URL";
}
