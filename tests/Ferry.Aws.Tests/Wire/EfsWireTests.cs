using Ferry.Aws.Efs;
using Ferry.Core.Errors;
using Ferry.Core.Ports;

namespace Ferry.Aws.Tests.Wire;

public sealed class EfsWireTests : IDisposable
{
    private const string FsArn = "arn:aws:elasticfilesystem:eu-west-1:111111111111:file-system/fs-0a1b2c3d4e5f60001";
    private readonly FakeAws _aws = new();
    private readonly EfsClient _efs;
    private readonly AwsEfsPort _port;

    public EfsWireTests()
    {
        _efs = new EfsClient(FakeAws.Credentials, "eu-west-1", _aws.Options);
        _port = new AwsEfsPort(_efs);
    }

    public void Dispose()
    {
        _efs.Dispose();
        _aws.Dispose();
    }

    private RecordedRequest Sent(int index)
    {
        var r = _aws.Requests[index];
        Assert.Equal(("GET", "/2015-02-01/file-systems"), (r.Method, r.Path));
        WireAssert.Signed(r, "eu-west-1", "elasticfilesystem");
        return r;
    }

    [Fact]
    public async Task DescribeFileSystems_FollowsMarkers_ReadsTagsAndState()
    {
        _aws.ReplyJson($$"""
                {"FileSystems":[{"OwnerId":"111111111111","FileSystemId":"fs-0a1b2c3d4e5f60001","FileSystemArn":"{{FsArn}}","LifeCycleState":"available",
                 "Encrypted":true,"KmsKeyId":"arn:aws:kms:eu-west-1:111111111111:key/k1","Tags":[{"Key":"Name","Value":"shared-home"},{"Key":"backup","Value":"gold"}]}],
                 "NextMarker":"m2"}
                """)
            .ReplyJson("""{"FileSystems":[{"OwnerId":"111111111111","FileSystemId":"fs-2","FileSystemArn":"arn:fs-2","LifeCycleState":"deleting","Encrypted":false,"Tags":[]}]}""");

        var systems = await _port.DescribeFileSystemsAsync();

        Assert.False(Sent(0).Query.ContainsKey("Marker"));
        Assert.Equal("m2", Sent(1).Query["Marker"]);
        Assert.Equal(2, systems.Count);
        var first = systems[0];
        Assert.Equal(("fs-0a1b2c3d4e5f60001", FsArn, "111111111111", "available", true, "arn:aws:kms:eu-west-1:111111111111:key/k1"),
            (first.FileSystemId, first.Arn, first.OwnerId, first.LifeCycleState, first.Encrypted, first.KmsKeyId));
        Assert.Equal(("shared-home", "gold"), (first.Tags["Name"], first.Tags["backup"]));
        Assert.Equal(("deleting", false, 0), (systems[1].LifeCycleState, systems[1].Encrypted, systems[1].Tags.Count));
    }

    [Fact]
    public async Task DescribeFileSystems_ById_SendsTheIdAsQuery()
    {
        _aws.ReplyJson($$"""{"FileSystems":[{"OwnerId":"111111111111","FileSystemId":"fs-0a1b2c3d4e5f60001","FileSystemArn":"{{FsArn}}","LifeCycleState":"available"}]}""");

        var fs = Assert.Single(await _port.DescribeFileSystemsAsync("fs-0a1b2c3d4e5f60001"));

        Assert.Equal("fs-0a1b2c3d4e5f60001", Sent(0).Query["FileSystemId"]);
        Assert.Equal(FsArn, fs.Arn);
    }

    [Theory]
    [InlineData(404, "FileSystemNotFound", true, typeof(FerryNotFoundException))]
    [InlineData(404, "FileSystemNotFound", false, typeof(FerryNotFoundException))]
    [InlineData(403, "AccessDeniedException", true, typeof(FerryAccessDeniedException))]
    [InlineData(429, "ThrottlingException", true, typeof(FerryThrottledException))]
    [InlineData(500, "InternalServerError", true, typeof(FerryTransientException))]
    public async Task Errors_FromHeaderOrErrorCodeBody_MapToTypedErrors(int status, string code, bool header, Type expected)
    {
        var headers = new Dictionary<string, string> { ["x-amzn-RequestId"] = "rid-7" };
        if (header)
            headers["x-amzn-ErrorType"] = $"{code}:http://internal.amazon.com/";
        _aws.ReplyJson($$"""{"ErrorCode":"{{code}}","Message":"m"}""", status, headers);

        var e = await Assert.ThrowsAnyAsync<FerryException>(() => _port.DescribeFileSystemsAsync("fs-0a1b2c3d4e5f60009"));

        Assert.IsType(expected, e);
        Assert.Equal((code, "rid-7"), (e.AwsErrorCode, e.AwsRequestId));
    }
}
