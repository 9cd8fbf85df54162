namespace Ferry.Core.Errors;

/// <summary>What waiting does to a limit AWS reports.</summary>
public enum LimitKind
{
    /// <summary>A concurrency quota (copies in flight per destination): a slot frees when a copy ends, so wait for one.</summary>
    Concurrency,

    /// <summary>A count limit (snapshots per region, accounts per shared snapshot): waiting frees nothing, so fail now.</summary>
    Count,

    /// <summary>Earlier work on the same resource is still pending (a volume's pending snapshots): retry once it is done.</summary>
    Pending,

    /// <summary>A request rate: retry with backoff.</summary>
    Rate,
}

/// <summary>A limit AWS reported, classified, with a name people recognise.</summary>
public sealed record AwsLimit(LimitKind Kind, string Name);

/// <summary>
/// Tells AWS's limit and quota errors apart as precisely as AWS allows. The real adapters and the simulator
/// both classify through here, so they always agree. Throttling codes (RequestLimitExceeded, Throttling) are
/// the adapters' own concern and are classified before this.
/// </summary>
public static class AwsLimits
{
    /// <summary>
    /// The limit behind <paramref name="code"/> as <paramref name="operation"/> reported it, or null when the code is no limit.
    /// <list type="bullet">
    /// <item>EC2 <c>ResourceLimitExceeded</c> is generic ("for example, too many snapshot copies in progress"): from
    /// CopySnapshot it is the concurrent-copy quota, elsewhere a count limit.</item>
    /// <item>RDS answers <c>SnapshotQuotaExceeded</c> both for its manual-snapshot count ("Cannot create more than 100 manual
    /// snapshots") and for copies in flight ("Cannot copy more than 5 snapshots across regions"); only a copy whose
    /// message speaks of copies in flight waits. Anything else is the count limit, because waiting on a count limit
    /// would never end while failing on a rare concurrency error only defers the copy to the next run.</item>
    /// </list>
    /// </summary>
    public static AwsLimit? Classify(string code, string operation, string message)
    {
        var copy = operation.StartsWith("Copy", StringComparison.Ordinal);
        return code switch
        {
            "ResourceLimitExceeded" when copy || CopiesInFlight(message) => new(LimitKind.Concurrency, "concurrent EBS snapshot copies per destination region"),
            "ResourceLimitExceeded" => new(LimitKind.Count, "an EC2 resource limit"),
            "PendingSnapshotLimitExceeded" when copy => new(LimitKind.Concurrency, "EBS snapshots pending per account and region"),
            "PendingSnapshotLimitExceeded" => new(LimitKind.Pending, "EBS snapshots pending per account and region"),
            "ConcurrentSnapshotLimitExceeded" => new(LimitKind.Pending, "concurrent snapshots per EBS volume"),
            "SnapshotCreationPerVolumeRateExceeded" => new(LimitKind.Rate, "snapshot creation rate per EBS volume"),
            "SnapshotLimitExceeded" => new(LimitKind.Count, "EBS snapshots per account and region"),
            "SnapshotQuotaExceeded" when copy && CopiesInFlight(message) => new(LimitKind.Concurrency, "concurrent RDS snapshot copies per destination region"),
            "SnapshotQuotaExceeded" => new(LimitKind.Count, operation.Contains("Cluster", StringComparison.Ordinal)
                ? "manual DB cluster snapshots per account and region"
                : "manual DB snapshots per account and region"),
            "SharedSnapshotQuotaExceeded" => new(LimitKind.Count, "accounts a manual DB snapshot can be shared with"),
            _ when code.Contains("Quota", StringComparison.OrdinalIgnoreCase)
                || code.Contains("LimitExceeded", StringComparison.OrdinalIgnoreCase)
                || code.Contains("CountExceeded", StringComparison.OrdinalIgnoreCase) => new(LimitKind.Count, $"an AWS limit ({code})"),
            _ => null,
        };
    }

    /// <summary>
    /// The typed error for a limit: concurrency waits (<see cref="FerryQuotaExceededException"/>), count limits fail
    /// (<see cref="FerryLimitExceededException"/>, naming the limit, account and region), pending work and rates retry.
    /// </summary>
    /// <param name="call">How the call is named in messages, e.g. "rds:CopyDBSnapshot in eu-central-1".</param>
    public static FerryException Error(AwsLimit limit, string code, string call, string awsMessage, string? account, string? region, string? requestId)
    {
        var failed = $"{call} failed: {code}: {awsMessage}";
        return limit.Kind switch
        {
            LimitKind.Concurrency => new FerryQuotaExceededException(failed, code, requestId),
            LimitKind.Pending => new FerryNotReadyException(failed, code, requestId),
            LimitKind.Rate => new FerryThrottledException(failed, code, requestId),
            _ => new FerryLimitExceededException(
                $"AWS limit reached: {limit.Name}, in account {account ?? "(the role's)"}, region {region ?? "(the call's)"}; not retried ({failed})", code, requestId),
        };
    }

    private static bool CopiesInFlight(string message) =>
        message.Contains("in progress", StringComparison.OrdinalIgnoreCase)
        || message.Contains("across regions", StringComparison.OrdinalIgnoreCase)
        || message.Contains("concurrent", StringComparison.OrdinalIgnoreCase);
}
