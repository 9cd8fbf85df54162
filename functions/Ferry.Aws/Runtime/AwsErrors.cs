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
    };

    private static readonly HashSet<string> _accessDenied = new(StringComparer.OrdinalIgnoreCase)
    {
        "UnauthorizedOperation", "AccessDenied", "AccessDeniedException", "AuthFailure", "AuthorizationError",
        "InvalidClientTokenId", "UnrecognizedClientException", "KMSKeyNotAccessibleFault", "KMSAccessDeniedFault",
        "ExpiredToken", "ExpiredTokenException", "SignatureDoesNotMatch", "IncompleteSignature", "IncompleteSignatureException",
    };

    private static readonly HashSet<string> _transient = new(StringComparer.OrdinalIgnoreCase)
    {
        "InternalError", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException", "Unavailable",
        "InternalServerError", "ServiceFailureException", "DependencyTimeoutException", "KMSInternalException",
    };

    public static FerryException Map(AmazonServiceException error, string call)
    {
        var code = string.IsNullOrEmpty(error.ErrorCode) ? null : error.ErrorCode;
        var message = $"{call} failed: {code ?? ((int)error.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)}: {error.Message}";
        var requestId = string.IsNullOrEmpty(error.RequestId) ? null : error.RequestId;
        return Classify(code ?? "", (int)error.StatusCode) switch
        {
            Kind.Throttled => new FerryThrottledException(message, code, requestId),
            Kind.Quota => new FerryQuotaExceededException(message, code, requestId),
            Kind.AccessDenied => new FerryAccessDeniedException(message, code, requestId),
            Kind.NotFound => new FerryNotFoundException(message, code, requestId),
            Kind.InvalidState => new FerryInvalidStateException(message, code, requestId),
            Kind.Transient => new FerryTransientException(message, code, requestId, error),
            _ => new FerryInvalidInputException(message, code, requestId),
        };
    }

    /// <summary>The call never got an HTTP answer (connection refused, reset, timed out).</summary>
    public static FerryException Network(Exception error, string call) =>
        new FerryTransientException($"{call} failed: {error.Message}", null, null, error);

    private enum Kind { Throttled, Quota, AccessDenied, NotFound, InvalidState, Transient, InvalidInput }

    private static Kind Classify(string code, int status)
    {
        if (_throttling.Contains(code))
            return Kind.Throttled;
        if (_accessDenied.Contains(code) || (code.Length == 0 && status is 401 or 403))
            return Kind.AccessDenied;
        if (code.Contains("Quota", StringComparison.OrdinalIgnoreCase) || code.Contains("LimitExceeded", StringComparison.OrdinalIgnoreCase))
            return Kind.Quota;
        if (code.Contains("NotFound", StringComparison.OrdinalIgnoreCase) || (code.Length == 0 && status == 404))
            return Kind.NotFound;
        if (IsInvalidState(code))
            return Kind.InvalidState;
        if (_transient.Contains(code) || status >= 500)
            return Kind.Transient;
        return Kind.InvalidInput;
    }

    // EC2: IncorrectState, IncorrectInstanceState, InvalidSnapshot.InUse; RDS: InvalidDBSnapshotState(Fault), ...AlreadyExists;
    // Backup: InvalidResourceStateException, ConflictException; KMS: DisabledException, KMSInvalidStateException.
    private static bool IsInvalidState(string code) =>
        code.StartsWith("Incorrect", StringComparison.OrdinalIgnoreCase)
        || (code.StartsWith("Invalid", StringComparison.OrdinalIgnoreCase) && code.Contains("State", StringComparison.OrdinalIgnoreCase))
        || code.EndsWith(".InUse", StringComparison.OrdinalIgnoreCase)
        || code.Contains("AlreadyExists", StringComparison.OrdinalIgnoreCase)
        || code is "ConflictException" or "DisabledException";
}
