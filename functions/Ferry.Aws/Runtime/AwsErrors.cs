using Amazon.Runtime;
using Ferry.Core.Errors;

namespace Ferry.Aws.Runtime;

/// <summary>Maps AWS error codes to Ferry's typed errors, keeping the AWS code and request id.</summary>
public static class AwsErrors
{
    private static readonly HashSet<string> _throttling = new(StringComparer.OrdinalIgnoreCase)
    {
        "RequestLimitExceeded", "Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException",
        "RequestThrottled", "RequestThrottledException", "ProvisionedThroughputExceededException", "SlowDown",
        // EC2: simultaneous tag writes on one resource; AWS asks to retry with backoff.
        "ConcurrentTagAccess",
    };

    private static readonly HashSet<string> _accessDenied = new(StringComparer.OrdinalIgnoreCase)
    {
        "UnauthorizedOperation", "AccessDenied", "AccessDeniedException", "AuthFailure", "AuthorizationError",
        "InvalidClientTokenId", "UnrecognizedClientException", "KMSKeyNotAccessibleFault", "KMSAccessDeniedFault",
        "ExpiredToken", "ExpiredTokenException", "SignatureDoesNotMatch", "IncompleteSignature", "IncompleteSignatureException", "InvalidSignatureException",
    };

    private static readonly HashSet<string> _transient = new(StringComparer.OrdinalIgnoreCase)
    {
        "InternalError", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException", "Unavailable",
        "InternalServerError", "ServiceFailureException", "DependencyTimeoutException", "KMSInternalException",
    };

    /// <param name="call">How the call is named in messages, e.g. "rds:CopyDBSnapshot in eu-central-1, account 222222222222".</param>
    /// <param name="operation">The API operation, which tells some limits apart (EC2's ResourceLimitExceeded from CopySnapshot is the copy quota).</param>
    /// <param name="account">The account the call acted in, when known: limit errors name it.</param>
    public static FerryException Map(AmazonServiceException error, string call, string? operation = null, string? account = null, string? region = null)
    {
        var code = string.IsNullOrEmpty(error.ErrorCode) ? null : error.ErrorCode;
        var message = $"{call} failed: {code ?? ((int)error.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)}: {error.Message}";
        var requestId = string.IsNullOrEmpty(error.RequestId) ? null : error.RequestId;
        var kind = Classify(code ?? "", (int)error.StatusCode, error.Message ?? "");
        if (kind == Kind.Limit && AwsLimits.Classify(code!, operation ?? "", error.Message ?? "") is { } limit)
            return AwsLimits.Error(limit, code!, call, error.Message ?? "", account, region, requestId);
        return kind switch
        {
            Kind.Throttled => new FerryThrottledException(message, code, requestId),
            Kind.AccessDenied => new FerryAccessDeniedException(message, code, requestId),
            Kind.NotFound => new FerryNotFoundException(message, code, requestId),
            Kind.NotReady => new FerryNotReadyException(message, code, requestId),
            Kind.InvalidState => new FerryInvalidStateException(message, code, requestId),
            Kind.Transient => new FerryTransientException(message, code, requestId, error),
            _ => new FerryInvalidInputException(message, code, requestId),
        };
    }

    /// <summary>The call never got an HTTP answer (connection refused, reset, timed out).</summary>
    public static FerryException Network(Exception error, string call) =>
        new FerryTransientException($"{call} failed: {error.Message}", null, null, error);

    private enum Kind { Throttled, Limit, AccessDenied, NotFound, NotReady, InvalidState, Transient, InvalidInput }

    private static Kind Classify(string code, int status, string message)
    {
        if (_throttling.Contains(code))
            return Kind.Throttled;
        if (_accessDenied.Contains(code) || (code.Length == 0 && status is 401 or 403))
            return Kind.AccessDenied;
        // Limits and quotas: AwsLimits tells concurrency (wait) from count limits (fail) and pending work or rates (retry).
        if (AwsLimits.Classify(code, "", "") is not null)
            return Kind.Limit;
        // Step Functions says ExecutionDoesNotExist, StateMachineDoesNotExist.
        if (code.Contains("NotFound", StringComparison.OrdinalIgnoreCase) || code.EndsWith("DoesNotExist", StringComparison.OrdinalIgnoreCase)
            || (code.Length == 0 && status == 404))
            return Kind.NotFound;
        if (IsResourceState(code))
            return !Names(message, TerminalStates) && Names(message, PassingStates) ? Kind.NotReady : Kind.InvalidState;
        if (IsInvalidState(code))
            return Kind.InvalidState;
        if (_transient.Contains(code) || status >= 500)
            return Kind.Transient;
        return Kind.InvalidInput;
    }

    // A resource not in the state the call needs: EC2 IncorrectState, IncorrectInstanceState; RDS InvalidDBSnapshotState(Fault),
    // InvalidDBClusterSnapshotStateFault, InvalidDBInstanceState; Backup InvalidResourceStateException. Waiting helps only when the
    // message says the resource is on its way (a pending snapshot); KMS's state errors are about the key, not a resource in progress.
    private static bool IsResourceState(string code) =>
        code.StartsWith("Incorrect", StringComparison.OrdinalIgnoreCase)
        || (code.StartsWith("Invalid", StringComparison.OrdinalIgnoreCase) && code.Contains("State", StringComparison.OrdinalIgnoreCase));

    /// <summary>States a resource does not leave by itself: waiting cannot help.</summary>
    private static readonly string[] TerminalStates = ["error", "failed", "failure", "terminated", "stopped", "incompatible", "inaccessible"];

    /// <summary>Words of a resource on its way to the state the call needs (pending, creating, "not available" yet, ...).</summary>
    private static readonly string[] PassingStates =
        ["pending", "creating", "copying", "modifying", "backing-up", "starting", "attaching", "detaching", "in-progress", "progress", "available",
            "completed", "ready", "being"];

    /// <summary>Whether a message names one of the states (as a word, or a word's start: "failed" in "failed.", "creating" in "creating,").</summary>
    private static bool Names(string message, string[] states) =>
        message.Split([' ', '\'', '"', '.', ',', ':', ';', '(', ')', '`'], StringSplitOptions.RemoveEmptyEntries)
            .Any(word => states.Any(state => word.StartsWith(state, StringComparison.OrdinalIgnoreCase)));

    // EC2: InvalidSnapshot.InUse, VolumeInUse; RDS: ...AlreadyExists; Backup: ConflictException; KMS: DisabledException, KMSInvalidStateException.
    private static bool IsInvalidState(string code) =>
        code.Contains("InvalidState", StringComparison.OrdinalIgnoreCase)
        || code.EndsWith("InUse", StringComparison.OrdinalIgnoreCase)
        || code.Contains("AlreadyExists", StringComparison.OrdinalIgnoreCase)
        || code is "ConflictException" or "DisabledException";
}
