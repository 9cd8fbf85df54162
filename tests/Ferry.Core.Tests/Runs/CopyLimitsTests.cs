using Ferry.Core.Errors;
using Ferry.Core.Ports;
using Ferry.Core.Settings;

namespace Ferry.Core.Tests.Runs;

/// <summary>Which AWS limits wait and which fail, and how many copy slots each scope has.</summary>
public class CopyLimitsTests
{
    [Theory]
    [InlineData("ResourceLimitExceeded", "CopySnapshot", "Too many snapshot copies in progress. The limit is 20 for this destination region.", LimitKind.Concurrency)]
    [InlineData("ResourceLimitExceeded", "RunInstances", "You have exceeded an Amazon EC2 resource limit.", LimitKind.Count)]
    [InlineData("PendingSnapshotLimitExceeded", "CopySnapshot", "m", LimitKind.Concurrency)]
    [InlineData("PendingSnapshotLimitExceeded", "CreateSnapshots", "m", LimitKind.Pending)]
    [InlineData("ConcurrentSnapshotLimitExceeded", "CreateSnapshot", "m", LimitKind.Pending)]
    [InlineData("SnapshotCreationPerVolumeRateExceeded", "CreateSnapshot", "m", LimitKind.Rate)]
    [InlineData("SnapshotLimitExceeded", "CopySnapshot", "m", LimitKind.Count)]
    [InlineData("SnapshotQuotaExceeded", "CopyDBSnapshot", "Cannot copy more than 5 snapshots across regions", LimitKind.Concurrency)]
    [InlineData("SnapshotQuotaExceeded", "CopyDBClusterSnapshot", "Too many snapshot copies in progress", LimitKind.Concurrency)]
    [InlineData("SnapshotQuotaExceeded", "CopyDBSnapshot", "Cannot create more than 100 manual snapshots", LimitKind.Count)]
    [InlineData("SnapshotQuotaExceeded", "CopyDBSnapshot", "The request would result in the user exceeding the allowed number of DB snapshots.", LimitKind.Count)]
    [InlineData("SnapshotQuotaExceeded", "CreateDBSnapshot", "Cannot copy more than 5 snapshots across regions", LimitKind.Count)]
    [InlineData("SharedSnapshotQuotaExceeded", "ModifyDBSnapshotAttribute", "m", LimitKind.Count)]
    [InlineData("LimitExceededException", "StartCopyJob", "m", LimitKind.Count)]
    [InlineData("ServiceQuotaExceededException", "Any", "m", LimitKind.Count)]
    public void Classify_OnlyCopiesInFlightWait_CountLimitsFail(string code, string operation, string message, LimitKind expected) =>
        Assert.Equal(expected, AwsLimits.Classify(code, operation, message)?.Kind);

    [Theory]
    [InlineData("InvalidParameterValue")]
    [InlineData("DBSnapshotNotFound")]
    [InlineData("IncorrectState")]
    public void Classify_CodeThatIsNoLimit_IsNull(string code) => Assert.Null(AwsLimits.Classify(code, "CopySnapshot", "m"));

    [Fact]
    public void Error_CountLimit_IsNotRetriedAndNamesLimitAccountAndRegion()
    {
        var limit = AwsLimits.Classify("SnapshotQuotaExceeded", "CopyDBClusterSnapshot", "Cannot create more than 100 manual snapshots")!;

        var error = AwsLimits.Error(limit, "SnapshotQuotaExceeded", "rds:CopyDBClusterSnapshot in eu-central-1", "Cannot create more than 100 manual snapshots",
            "222222222222", "eu-central-1", "rid");

        var typed = Assert.IsType<FerryLimitExceededException>(error);
        Assert.False(typed.Retryable);
        Assert.Equal(("SnapshotQuotaExceeded", "rid"), (typed.AwsErrorCode, typed.AwsRequestId));
        Assert.StartsWith("AWS limit reached: manual DB cluster snapshots per account and region, in account 222222222222, region eu-central-1; not retried", typed.Message, StringComparison.Ordinal);
        Assert.Contains("Cannot create more than 100 manual snapshots", typed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_ConcurrencyQuota_WaitsAsQuotaExceeded()
    {
        var limit = AwsLimits.Classify("ResourceLimitExceeded", "CopySnapshot", "Too many snapshot copies in progress")!;

        Assert.IsType<FerryQuotaExceededException>(AwsLimits.Error(limit, "ResourceLimitExceeded", "ec2:CopySnapshot in eu-central-1", "m", null, null, null));
    }

    [Fact]
    public void CopyQuotas_Unset_AreAwsDefaults()
    {
        var quotas = CopyQuotas.Parse(null);

        Assert.Equal((20, 20, 5), (quotas.For(new("1", "r", "ebs")), quotas.For(new("1", "r", "rds")), quotas.For(new("1", "r", "aurora"))));
        Assert.Equal("ebs=20,rds=20,aurora=5", CopyQuotas.Default.ToString());
    }

    [Fact]
    public void CopyQuotas_PerServiceAndPerScope_TheMostSpecificWins()
    {
        var quotas = CopyQuotas.Parse(" ebs=50, aurora:222222222222:eu-central-1=10 ,rds=30");

        Assert.Equal(50, quotas.For(new("222222222222", "eu-central-1", "ebs")));
        Assert.Equal(10, quotas.For(new("222222222222", "eu-central-1", "aurora")));
        Assert.Equal(5, quotas.For(new("222222222222", "eu-west-1", "aurora")));
        Assert.Equal(30, quotas.For(new("111111111111", "eu-west-1", "rds")));
        Assert.Equal("ebs=50,rds=30,aurora=5,aurora:222222222222:eu-central-1=10", quotas.ToString());
    }

    [Theory]
    [InlineData("efs=5")]
    [InlineData("ebs")]
    [InlineData("ebs=0")]
    [InlineData("ebs=many")]
    [InlineData("ebs:2222:eu-central-1=5")]
    [InlineData("ebs:222222222222=5")]
    public void CopyQuotas_Malformed_FailNamingTheVariableAndEntry(string text)
    {
        var error = Assert.Throws<FerryInvalidInputException>(() => CopyQuotas.Parse(text));

        Assert.StartsWith($"{FerryVariables.CopyQuotas}: '{text}'", error.Message, StringComparison.Ordinal);
    }
}
