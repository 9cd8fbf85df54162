namespace Ferry.Core.Errors;

/// <summary>
/// Ferry's typed errors. Lambda's .NET runtime reports an unhandled exception's class name as
/// the error type, so these class names are exactly what the state machines' Retry and Catch match.
/// </summary>
public abstract class FerryException(string message, string? awsErrorCode = null, string? awsRequestId = null, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The name Step Functions sees: the class name.</summary>
    public string ErrorName => GetType().Name;

    /// <summary>The AWS error code behind this error (e.g. RequestLimitExceeded), when one exists.</summary>
    public string? AwsErrorCode { get; } = awsErrorCode;

    public string? AwsRequestId { get; } = awsRequestId;

    /// <summary>Whether trying the same call again later can succeed.</summary>
    public abstract bool Retryable { get; }
}

/// <summary>A resource is not yet in the state the step needs (a snapshot still pending). Retry later.</summary>
public sealed class FerryNotReadyException(string message, string? awsErrorCode = null, string? awsRequestId = null)
    : FerryException(message, awsErrorCode, awsRequestId)
{
    public override bool Retryable => true;
}

/// <summary>AWS throttled the call (RequestLimitExceeded, Throttling). Retry with backoff.</summary>
public sealed class FerryThrottledException(string message, string? awsErrorCode = null, string? awsRequestId = null)
    : FerryException(message, awsErrorCode, awsRequestId)
{
    public override bool Retryable => true;
}

/// <summary>A concurrency quota is reached (concurrent snapshot copies): a slot frees when a copy ends. Wait for one.</summary>
public sealed class FerryQuotaExceededException(string message, string? awsErrorCode = null, string? awsRequestId = null)
    : FerryException(message, awsErrorCode, awsRequestId)
{
    public override bool Retryable => true;
}

/// <summary>A transient server-side failure (HTTP 5xx). Retry with backoff.</summary>
public sealed class FerryTransientException(string message, string? awsErrorCode = null, string? awsRequestId = null, Exception? inner = null)
    : FerryException(message, awsErrorCode, awsRequestId, inner)
{
    public override bool Retryable => true;
}

/// <summary>A role may not do what the step needs (an IAM action or a KMS key). The message names role, key and permission.</summary>
public sealed class FerryAccessDeniedException(string message, string? awsErrorCode = null, string? awsRequestId = null)
    : FerryException(message, awsErrorCode, awsRequestId)
{
    public override bool Retryable => false;
}

/// <summary>The input is invalid; the message names the field.</summary>
public sealed class FerryInvalidInputException(string message, string? awsErrorCode = null, string? awsRequestId = null)
    : FerryException(message, awsErrorCode, awsRequestId)
{
    public override bool Retryable => false;
}

/// <summary>A snapshot or copy ended in the error state.</summary>
public sealed class FerrySnapshotFailedException(string message, string? awsErrorCode = null, string? awsRequestId = null)
    : FerryException(message, awsErrorCode, awsRequestId)
{
    public override bool Retryable => false;
}

/// <summary>A resource the step needs does not exist.</summary>
public sealed class FerryNotFoundException(string message, string? awsErrorCode = null, string? awsRequestId = null)
    : FerryException(message, awsErrorCode, awsRequestId)
{
    public override bool Retryable => false;
}

/// <summary>A resource is in a state that forbids the action, and waiting will not change that.</summary>
public sealed class FerryInvalidStateException(string message, string? awsErrorCode = null, string? awsRequestId = null)
    : FerryException(message, awsErrorCode, awsRequestId)
{
    public override bool Retryable => false;
}

/// <summary>
/// A count limit is reached (manual snapshots per region, accounts per shared snapshot, ...): waiting will not free it,
/// so the resource fails at once. The message names the limit, the account and the region.
/// </summary>
public sealed class FerryLimitExceededException(string message, string? awsErrorCode = null, string? awsRequestId = null)
    : FerryException(message, awsErrorCode, awsRequestId)
{
    public override bool Retryable => false;
}
