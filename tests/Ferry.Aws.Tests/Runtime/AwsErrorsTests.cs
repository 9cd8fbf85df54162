using System.Net;
using Amazon.Runtime;
using Ferry.Aws.Runtime;
using Ferry.Core.Errors;

namespace Ferry.Aws.Tests.Runtime;

/// <summary>The one classifier of AWS errors: each code and status becomes the typed error the state machines retry or catch.</summary>
public sealed class AwsErrorsTests
{
    private static FerryException Map(string code, string message, HttpStatusCode status = HttpStatusCode.BadRequest, string operation = "") =>
        AwsErrors.Map(new AmazonServiceException(message, null, ErrorType.Sender, code, "req-1", status), "test call", operation, "111111111111", "eu-west-1");

    [Theory]
    [InlineData("IncorrectState", "Snapshot 'snap-0abc' is not 'completed': it is in state 'pending'")]
    [InlineData("InvalidDBSnapshotState", "Cannot share snapshot because it is not in available state: creating")]
    [InlineData("InvalidDBClusterSnapshotStateFault", "DB cluster snapshot orders-1 is not currently in the available state.")]
    [InlineData("InvalidResourceStateException", "Recovery point is still being created")]
    public void StateError_OfAResourceOnItsWay_IsNotReady_SoTheFlowWaitsAndRetries(string code, string message) =>
        Assert.IsType<FerryNotReadyException>(Map(code, message));

    [Theory]
    [InlineData("IncorrectState", "Snapshot 'snap-0abc' is in state 'error'")]
    [InlineData("InvalidDBSnapshotState", "Snapshot orders-1 is in state failed")]
    [InlineData("IncorrectInstanceState", "The instance 'i-0abc' is not in a state from which it can be started: terminated")]
    [InlineData("InvalidDBInstanceState", "DB instance orders-db is stopped")]
    [InlineData("InvalidDBSnapshotState", "orders-1 is an encrypted snapshot shared by account 111111111111; copy it into account 222222222222 before restoring from it")]
    public void StateError_NamingAStateTheResourceWillNotLeave_OrNoneOnItsWay_IsInvalidState_SoTheResourceFails(string code, string message) =>
        Assert.IsType<FerryInvalidStateException>(Map(code, message));

    [Theory]
    [InlineData("InvalidSnapshot.InUse", "The snapshot snap-0abc is currently in use by ami-0abc")]
    [InlineData("DBSnapshotAlreadyExists", "Cannot create the snapshot because a snapshot with the identifier orders-1 already exists.")]
    [InlineData("KMSInvalidStateException", "arn:aws:kms:eu-west-1:111111111111:key/k is pending deletion.")]
    [InlineData("DisabledException", "The key is disabled.")]
    public void ConflictOrKeyState_IsInvalidState(string code, string message) =>
        Assert.IsType<FerryInvalidStateException>(Map(code, message));

    [Theory]
    [InlineData("RequestLimitExceeded", HttpStatusCode.ServiceUnavailable, typeof(FerryThrottledException))]
    [InlineData("Throttling", HttpStatusCode.BadRequest, typeof(FerryThrottledException))]
    [InlineData("ThrottlingException", HttpStatusCode.BadRequest, typeof(FerryThrottledException))]
    [InlineData("InternalError", HttpStatusCode.InternalServerError, typeof(FerryTransientException))]
    [InlineData("", HttpStatusCode.BadGateway, typeof(FerryTransientException))]
    [InlineData("UnauthorizedOperation", HttpStatusCode.Forbidden, typeof(FerryAccessDeniedException))]
    [InlineData("AuthFailure", HttpStatusCode.Unauthorized, typeof(FerryAccessDeniedException))]
    [InlineData("DBSnapshotNotFound", HttpStatusCode.NotFound, typeof(FerryNotFoundException))]
    [InlineData("InvalidParameterValue", HttpStatusCode.BadRequest, typeof(FerryInvalidInputException))]
    public void CodeAndStatus_MapToTheirTypedError_KeepingCodeAndRequestId(string code, HttpStatusCode status, Type expected)
    {
        var error = Map(code, "message", status);

        Assert.IsType(expected, error);
        Assert.Equal(code.Length == 0 ? null : code, error.AwsErrorCode);
        Assert.Equal("req-1", error.AwsRequestId);
    }

    [Fact]
    public void CopyQuota_WaitsForASlot_WhileACountLimitFailsTheResource()
    {
        Assert.IsType<FerryQuotaExceededException>(Map("ResourceLimitExceeded", "Too many snapshot copies in progress. The limit is 20 for this destination region", operation: "CopySnapshot"));
        Assert.IsType<FerryLimitExceededException>(Map("SnapshotQuotaExceeded", "Cannot create more than 100 manual snapshots", operation: "CreateDBSnapshot"));
        Assert.IsType<FerryLimitExceededException>(Map("SharedSnapshotQuotaExceeded", "Cannot share with more than 20 accounts", operation: "ModifyDBSnapshotAttribute"));
    }
}
