using Ferry.Aws.Ec2;
using Ferry.Core.Errors;

namespace Ferry.Aws.Tests.Wire;

public sealed class Ec2WireTests : IDisposable
{
    private const string Ns = "xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"";
    private readonly FakeAws _aws = new();
    private readonly Ec2Client _ec2;

    public Ec2WireTests() => _ec2 = new Ec2Client(FakeAws.Credentials, "eu-central-1", _aws.Options);

    public void Dispose()
    {
        _ec2.Dispose();
        _aws.Dispose();
    }

    private static void AssertEc2(RecordedRequest r, string action, string region = "eu-central-1")
    {
        Assert.Equal("POST", r.Method);
        Assert.Equal("/", r.Path);
        Assert.Equal(action, r.Form["Action"]);
        Assert.Equal("2016-11-15", r.Form["Version"]);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDFERRYTEST/", r.Headers["Authorization"]);
        Assert.EndsWith($"/{region}/ec2/aws4_request", r.Scope);
        Assert.Equal("session-token", r.Headers["X-Amz-Security-Token"]);
    }

    [Fact]
    public async Task DescribeSnapshots_SendsIdsOwnersFiltersAndToken_ParsesPage()
    {
        _aws.Reply($"""
            <DescribeSnapshotsResponse {Ns}>
              <requestId>req-1</requestId>
              <snapshotSet>
                <item>
                  <snapshotId>snap-1</snapshotId><volumeId>vol-1</volumeId><status>completed</status>
                  <startTime>2026-01-02T03:04:05.000Z</startTime><progress>100%</progress><ownerId>111111111111</ownerId>
                  <volumeSize>8</volumeSize><description>d</description><encrypted>true</encrypted>
                  <kmsKeyId>arn:aws:kms:eu-central-1:111111111111:key/k1</kmsKeyId>
                  <tagSet><item><key>ferry:session</key><value>s1</value></item></tagSet>
                </item>
              </snapshotSet>
              <nextToken>next-2</nextToken>
            </DescribeSnapshotsResponse>
            """);

        var page = await _ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest(
            SnapshotIds: ["snap-1", "snap-2"], OwnerIds: ["self"], Filters: [new Ec2Filter("tag:ferry:session", ["s1", "s2"])], NextToken: "tok-1"), default);

        var r = _aws.Single();
        AssertEc2(r, "DescribeSnapshots");
        Assert.Equal("snap-1", r.Form["SnapshotId.1"]);
        Assert.Equal("snap-2", r.Form["SnapshotId.2"]);
        Assert.Equal("self", r.Form["Owner.1"]);
        Assert.Equal("tag:ferry:session", r.Form["Filter.1.Name"]);
        Assert.Equal("s1", r.Form["Filter.1.Value.1"]);
        Assert.Equal("s2", r.Form["Filter.1.Value.2"]);
        Assert.Equal("tok-1", r.Form["NextToken"]);
        var s = Assert.Single(page.Items);
        Assert.Equal(("snap-1", "vol-1", "completed", true, 8), (s.SnapshotId, s.VolumeId, s.State, s.Encrypted, s.VolumeSize));
        Assert.Equal("arn:aws:kms:eu-central-1:111111111111:key/k1", s.KmsKeyId);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), s.StartTime);
        Assert.Equal("s1", s.Tags["ferry:session"]);
        Assert.Equal("next-2", page.NextToken);
    }

    [Fact]
    public async Task Error_RequestLimitExceeded_MapsToThrottled_KeepingCodeAndRequestId()
    {
        _aws.Reply("""<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>req-503</RequestID></Response>""", 503);

        var e = await Assert.ThrowsAsync<FerryThrottledException>(() => _ec2.DeleteSnapshotAsync("snap-1", default));

        Assert.Equal("RequestLimitExceeded", e.AwsErrorCode);
        Assert.Equal("req-503", e.AwsRequestId);
    }
}
