using System.Web;
using Amazon.EC2;
using Ferry.Aws.Ec2;
using Ferry.Aws.Runtime;
using Ferry.Core.Errors;
using Ferry.Core.Ports;

namespace Ferry.Aws.Tests.Wire;

/// <summary>What Ferry's EC2 adapter puts on the wire through AWSSDK.EC2, and how it reads EC2's answers and errors.</summary>
public sealed class Ec2WireTests : IDisposable
{
    private const string Ns = "xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"";
    private readonly FakeAws _aws = new();
    private readonly AmazonEC2Client _ec2;
    private readonly AwsEc2Port _port;

    public Ec2WireTests()
    {
        _ec2 = new AmazonEC2Client(FakeAws.Credentials, SdkErrors.Configure(new AmazonEC2Config(), "ec2", "eu-central-1", _aws.Options));
        _port = new AwsEc2Port(_ec2, "eu-central-1", "222222222222");
    }

    public void Dispose()
    {
        _ec2.Dispose();
        _aws.Dispose();
    }

    private static string Response(string action, string body) => $"<{action}Response {Ns}><requestId>r</requestId>{body}</{action}Response>";

    private RecordedRequest Sent(string action, params (string, string)[] expected)
    {
        var r = _aws.Requests[^1];
        WireAssert.Form(r, action, "2016-11-15", expected);
        WireAssert.Signed(r, "eu-central-1", "ec2");
        return r;
    }

    private const string SnapshotXml = """
        <snapshotId>snap-1</snapshotId><volumeId>vol-1</volumeId><status>pending</status><startTime>2026-01-02T03:04:05.000Z</startTime>
        <progress>0%</progress><ownerId>111111111111</ownerId><volumeSize>8</volumeSize><encrypted>true</encrypted>
        <kmsKeyId>arn:aws:kms:eu-central-1:111111111111:key/k1</kmsKeyId><tagSet><item><key>ferry:session</key><value>s1</value></item></tagSet>
        """;

    [Fact]
    public async Task DescribeSnapshots_ByIds_BatchedInTheSnapshotIdFilterWithTagFilters_FollowsNextToken_ParsesSnapshots()
    {
        _aws.Reply(Response("DescribeSnapshots", $"<snapshotSet><item>{SnapshotXml}</item></snapshotSet><nextToken>t2</nextToken>"))
            .Reply(Response("DescribeSnapshots", "<snapshotSet/>"))
            .Reply(Response("DescribeSnapshots", "<snapshotSet/>"));
        var ids = Enumerable.Range(1, AwsEc2Port.IdBatch + 1).Select(i => $"snap-{i}").ToList();

        var found = await _port.DescribeSnapshotsAsync(new SnapshotQuery(ids, [new TagQuery("ferry:session", ["s1", "s2"]), new TagQuery("ferry:source", [])]));

        Assert.Equal(3, _aws.Requests.Count);
        WireAssert.Form(_aws.Requests[1], "DescribeSnapshots", "2016-11-15", [.. ids.Take(AwsEc2Port.IdBatch).Select((id, i) => ($"Filter.1.Value.{i + 1}", id)),
            ("Filter.1.Name", "snapshot-id"), ("Filter.2.Name", "tag:ferry:session"), ("Filter.2.Value.1", "s1"), ("Filter.2.Value.2", "s2"),
            ("Filter.3.Name", "tag-key"), ("Filter.3.Value.1", "ferry:source"), ("MaxResults", "1000"), ("NextToken", "t2")]);
        Assert.Equal($"snap-{AwsEc2Port.IdBatch + 1}", _aws.Requests[2].Form["Filter.1.Value.1"]);
        Assert.All(_aws.Requests, r => Assert.DoesNotContain("Owner.1", r.Form.Keys));
        var s = Assert.Single(found);
        Assert.Equal(("snap-1", "vol-1", "pending", true, 8, "0%", "111111111111"), (s.SnapshotId, s.VolumeId, s.State, s.Encrypted, s.VolumeSizeGiB, s.Progress, s.OwnerId));
        Assert.Equal("arn:aws:kms:eu-central-1:111111111111:key/k1", s.KmsKeyId);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), s.StartTime);
        Assert.Equal("s1", s.Tags["ferry:session"]);
    }

    [Fact]
    public async Task DescribeSnapshots_WithoutIds_OwnOnesOrAlsoThoseTheCallerMayRestore()
    {
        _aws.Reply(Response("DescribeSnapshots", "<snapshotSet/>")).Reply(Response("DescribeSnapshots", "<snapshotSet/>"));

        await _port.DescribeSnapshotsAsync(new SnapshotQuery());
        await _port.DescribeSnapshotsAsync(new SnapshotQuery(IncludeShared: true));

        WireAssert.Form(_aws.Requests[0], "DescribeSnapshots", "2016-11-15", ("Owner.1", "self"), ("MaxResults", "1000"));
        WireAssert.Form(_aws.Requests[1], "DescribeSnapshots", "2016-11-15", ("RestorableBy.1", "self"), ("MaxResults", "1000"));
    }

    [Fact]
    public async Task Port_DescribeInstances_OneCallPerTagQuery_ThenVolumes()
    {
        var instance = """
            <instanceId>i-1</instanceId><imageId>ami-1</imageId><instanceState><code>16</code><name>running</name></instanceState>
            <instanceType>m5.large</instanceType><placement><availabilityZone>eu-central-1a</availabilityZone></placement><subnetId>subnet-1</subnetId>
            <groupSet><item><groupId>sg-1</groupId><groupName>web</groupName></item></groupSet><architecture>x86_64</architecture>
            <rootDeviceName>/dev/xvda</rootDeviceName>
            <blockDeviceMapping><item><deviceName>/dev/xvda</deviceName><ebs><volumeId>vol-1</volumeId><status>attached</status></ebs></item></blockDeviceMapping>
            <tagSet><item><key>backup</key><value>gold</value></item></tagSet>
            """;
        _aws.Reply(Response("DescribeInstances", $"<reservationSet><item><instancesSet><item>{instance}</item></instancesSet></item></reservationSet>"))
            .Reply(Response("DescribeInstances", "<reservationSet/>"))
            .Reply(Response("DescribeVolumes", """
                <volumeSet><item><volumeId>vol-1</volumeId><size>8</size><snapshotId/><availabilityZone>eu-central-1a</availabilityZone><status>in-use</status>
                <attachmentSet><item><volumeId>vol-1</volumeId><instanceId>i-1</instanceId><device>/dev/xvda</device><status>attached</status></item></attachmentSet>
                <volumeType>gp3</volumeType><iops>3000</iops><throughput>125</throughput><encrypted>false</encrypted></item></volumeSet>
                """));

        var found = await _port.DescribeInstancesAsync(new InstanceQuery(Tags: [new TagQuery("backup", ["gold"]), new TagQuery("tier", ["db"])]));

        WireAssert.Form(_aws.Requests[0], "DescribeInstances", "2016-11-15", ("Filter.1.Name", "tag:backup"), ("Filter.1.Value.1", "gold"), ("MaxResults", "1000"));
        WireAssert.Form(_aws.Requests[1], "DescribeInstances", "2016-11-15", ("Filter.1.Name", "tag:tier"), ("Filter.1.Value.1", "db"), ("MaxResults", "1000"));
        Sent("DescribeVolumes", ("Filter.1.Name", "volume-id"), ("Filter.1.Value.1", "vol-1"), ("MaxResults", "1000"));
        var i = Assert.Single(found);
        Assert.Equal(("i-1", "m5.large", "running", "eu-central-1a", "/dev/xvda", "ami-1", "subnet-1", "x86_64"),
            (i.InstanceId, i.InstanceType, i.State, i.AvailabilityZone, i.RootDeviceName, i.ImageId, i.SubnetId, i.Architecture));
        Assert.Equal(["sg-1"], i.SecurityGroupIds!);
        var v = Assert.Single(i.Volumes);
        Assert.Equal(("vol-1", "/dev/xvda", 8, "gp3", false, (int?)3000, (int?)125, (string?)null), (v.VolumeId, v.DeviceName, v.SizeGiB, v.VolumeType, v.Encrypted, v.Iops, v.Throughput, v.SnapshotId));
    }

    [Fact]
    public async Task CreateSnapshots_TagsEverySnapshot_ThenDescribesThemForTheirKeys()
    {
        _aws.Reply(Response("CreateSnapshots", """
            <snapshotSet><item><snapshotId>snap-1</snapshotId><volumeId>vol-1</volumeId><state>pending</state><startTime>2026-01-02T03:04:05Z</startTime>
            <volumeSize>8</volumeSize><ownerId>111111111111</ownerId><encrypted>false</encrypted><progress/></item></snapshotSet>
            """))
            .Reply(Response("DescribeSnapshots", $"<snapshotSet><item>{SnapshotXml}</item></snapshotSet>"));

        var snapshots = await _port.CreateSnapshotsAsync("i-1", new Dictionary<string, string> { ["ferry:session"] = "s1", ["ferry:source"] = "i-1" });

        WireAssert.Form(_aws.Requests[0], "CreateSnapshots", "2016-11-15", ("InstanceSpecification.InstanceId", "i-1"), ("Description", "Ferry snapshot of i-1"), ("CopyTagsFromSource", "volume"),
            ("TagSpecification.1.ResourceType", "snapshot"), ("TagSpecification.1.Tag.1.Key", "ferry:session"), ("TagSpecification.1.Tag.1.Value", "s1"),
            ("TagSpecification.1.Tag.2.Key", "ferry:source"), ("TagSpecification.1.Tag.2.Value", "i-1"));
        Sent("DescribeSnapshots", ("Filter.1.Name", "snapshot-id"), ("Filter.1.Value.1", "snap-1"), ("MaxResults", "1000"));
        Assert.Equal(("snap-1", "pending", "arn:aws:kms:eu-central-1:111111111111:key/k1"), (snapshots[0].SnapshotId, snapshots[0].State, snapshots[0].KmsKeyId));
    }

    [Fact]
    public async Task ModifySnapshotAttribute_AddsCreateVolumePermission()
    {
        _aws.Reply(Response("ModifySnapshotAttribute", "<return>true</return>"));

        await _port.ShareSnapshotAsync("snap-1", "222222222222");

        Sent("ModifySnapshotAttribute", ("SnapshotId", "snap-1"), ("Attribute", "createVolumePermission"), ("OperationType", "add"), ("UserId.1", "222222222222"));
    }

    [Fact]
    public async Task CopySnapshot_AtDestination_SdkAddsPresignedUrlSignedForSourceRegion()
    {
        _aws.Reply(Response("CopySnapshot", "<snapshotId>snap-copy</snapshotId>"));

        var id = await _port.CopySnapshotAsync(new Ec2CopyRequest("eu-west-1", "snap-1", true, "arn:aws:kms:eu-central-1:222222222222:key/t", "copy",
            new Dictionary<string, string> { ["ferry:session"] = "s1" }));

        Assert.Equal("snap-copy", id);
        var r = _aws.Single();
        var presigned = new Uri(r.Form["PresignedUrl"]);
        WireAssert.Form(r, "CopySnapshot", "2016-11-15", ("SourceRegion", "eu-west-1"), ("SourceSnapshotId", "snap-1"), ("DestinationRegion", "eu-central-1"),
            ("Encrypted", "true"), ("KmsKeyId", "arn:aws:kms:eu-central-1:222222222222:key/t"), ("Description", "copy"), ("PresignedUrl", r.Form["PresignedUrl"]),
            ("TagSpecification.1.ResourceType", "snapshot"), ("TagSpecification.1.Tag.1.Key", "ferry:session"), ("TagSpecification.1.Tag.1.Value", "s1"));
        WireAssert.Signed(r, "eu-central-1", "ec2");
        var query = HttpUtility.ParseQueryString(presigned.Query);
        Assert.Equal(_aws.Url + "/", presigned.GetLeftPart(UriPartial.Path));
        Assert.Equal(("CopySnapshot", "2016-11-15", "eu-west-1", "snap-1", "eu-central-1"),
            (query["Action"], query["Version"], query["SourceRegion"], query["SourceSnapshotId"], query["DestinationRegion"]));
        Assert.Equal("AWS4-HMAC-SHA256", query["X-Amz-Algorithm"]);
        Assert.Matches(@"^AKIDFERRYTEST/\d{8}/eu-west-1/ec2/aws4_request$", query["X-Amz-Credential"]);
        Assert.Equal("604800", query["X-Amz-Expires"]);
        Assert.Equal("session-token", query["X-Amz-Security-Token"]);
        Assert.Matches("^[0-9a-f]{64}$", query["X-Amz-Signature"]);
    }

    [Fact]
    public async Task DeleteSnapshot_SendsTheSnapshotId()
    {
        _aws.Reply(Response("DeleteSnapshot", "<return>true</return>"));

        await _port.DeleteSnapshotAsync("snap-1");

        Sent("DeleteSnapshot", ("SnapshotId", "snap-1"));
    }

    [Fact]
    public async Task RegisterImage_LooksForItsImageByNameFirst()
    {
        _aws.Reply(Response("DescribeImages", "<imagesSet/>")).Reply(Response("RegisterImage", "<imageId>ami-9</imageId>"))
            .Reply(Response("DescribeImages", "<imagesSet><item><imageId>ami-9</imageId><name>ferry-i-1</name><imageState>available</imageState></item></imagesSet>"));
        var request = new RegisterImageRequest("ferry-i-1", "/dev/xvda", "snap-1", "x86_64", new Dictionary<string, string> { ["k"] = "v" });

        Assert.Equal("ami-9", await _port.RegisterImageAsync(request));
        WireAssert.Form(_aws.Requests[0], "DescribeImages", "2016-11-15", ("Owner.1", "self"), ("Filter.1.Name", "name"), ("Filter.1.Value.1", "ferry-i-1"));
        Sent("RegisterImage", ("Name", "ferry-i-1"), ("RootDeviceName", "/dev/xvda"), ("Architecture", "x86_64"), ("VirtualizationType", "hvm"),
            ("EnaSupport", "true"), ("BlockDeviceMapping.1.DeviceName", "/dev/xvda"), ("BlockDeviceMapping.1.Ebs.SnapshotId", "snap-1"),
            ("TagSpecification.1.ResourceType", "image"), ("TagSpecification.1.Tag.1.Key", "k"), ("TagSpecification.1.Tag.1.Value", "v"));
        Assert.Equal("ami-9", await _port.RegisterImageAsync(request));
        Assert.Equal(3, _aws.Requests.Count);
    }

    [Fact]
    public async Task RunInstances_OneInstance_WithClientTokenAndEncryptedRoot()
    {
        _aws.Reply(Response("RunInstances", "<reservationId>r-1</reservationId><ownerId>222222222222</ownerId><instancesSet><item><instanceId>i-new</instanceId></item></instancesSet>"));

        var id = await _port.RunInstanceAsync(new RunInstanceRequest("ami-1", "m5.large", "eu-central-1a", "subnet-1", ["sg-1", "sg-2"], "/dev/xvda",
            "arn:aws:kms:eu-central-1:222222222222:key/t", new Dictionary<string, string> { ["k"] = "v" }, "tok"));

        Assert.Equal("i-new", id);
        Sent("RunInstances", ("ImageId", "ami-1"), ("InstanceType", "m5.large"), ("MinCount", "1"), ("MaxCount", "1"), ("Placement.AvailabilityZone", "eu-central-1a"),
            ("SubnetId", "subnet-1"), ("SecurityGroupId.1", "sg-1"), ("SecurityGroupId.2", "sg-2"), ("ClientToken", "tok"),
            ("BlockDeviceMapping.1.DeviceName", "/dev/xvda"), ("BlockDeviceMapping.1.Ebs.Encrypted", "true"),
            ("BlockDeviceMapping.1.Ebs.KmsKeyId", "arn:aws:kms:eu-central-1:222222222222:key/t"),
            ("TagSpecification.1.ResourceType", "instance"), ("TagSpecification.1.Tag.1.Key", "k"), ("TagSpecification.1.Tag.1.Value", "v"));
    }

    [Fact]
    public async Task CreateVolume_AttachVolume()
    {
        _aws.Reply(Response("CreateVolume", """
                <volumeId>vol-new</volumeId><size>20</size><snapshotId>snap-1</snapshotId><availabilityZone>eu-central-1a</availabilityZone>
                <status>creating</status><volumeType>gp3</volumeType><encrypted>true</encrypted><kmsKeyId>k</kmsKeyId>
                """))
            .Reply(Response("AttachVolume", "<volumeId>vol-new</volumeId><status>attaching</status>"));

        var v = await _port.CreateVolumeAsync(new CreateVolumeRequest("snap-1", "eu-central-1a", "gp3", 20, true, "k",
            new Dictionary<string, string> { ["k"] = "v" }, "tok", 3000, 125));
        Sent("CreateVolume", ("SnapshotId", "snap-1"), ("AvailabilityZone", "eu-central-1a"), ("VolumeType", "gp3"), ("Size", "20"), ("Encrypted", "true"),
            ("KmsKeyId", "k"), ("Iops", "3000"), ("Throughput", "125"), ("ClientToken", "tok"),
            ("TagSpecification.1.ResourceType", "volume"), ("TagSpecification.1.Tag.1.Key", "k"), ("TagSpecification.1.Tag.1.Value", "v"));
        Assert.Equal(("vol-new", "creating", true, "snap-1"), (v.VolumeId, v.State, v.Encrypted, v.SnapshotId));

        await _port.AttachVolumeAsync("vol-new", "i-1", "/dev/sdf");
        Sent("AttachVolume", ("VolumeId", "vol-new"), ("InstanceId", "i-1"), ("Device", "/dev/sdf"));
    }

    [Fact]
    public async Task FindVolumesAndImages_AllTagsAsFilters_ImagesOwnedBySelf()
    {
        _aws.Reply(Response("DescribeVolumes", """
                <volumeSet><item><volumeId>vol-9</volumeId><size>20</size><availabilityZone>eu-central-1a</availabilityZone><status>in-use</status>
                <attachmentSet><item><volumeId>vol-9</volumeId><instanceId>i-9</instanceId><device>/dev/sdf</device><status>attached</status></item></attachmentSet>
                <volumeType>gp3</volumeType><encrypted>true</encrypted><tagSet><item><key>ferry:session</key><value>s1</value></item></tagSet></item></volumeSet>
                """))
            .Reply(Response("DescribeImages", "<imagesSet><item><imageId>ami-9</imageId><name>ferry-restore-1</name><imageState>available</imageState></item></imagesSet>"));
        TagQuery[] tags = [new("ferry:session", ["s1"]), new("ferry:restore-point", ["rp-1"])];

        var volume = Assert.Single(await _port.FindVolumesAsync(tags));
        Sent("DescribeVolumes", ("Filter.1.Name", "tag:ferry:session"), ("Filter.1.Value.1", "s1"), ("Filter.2.Name", "tag:ferry:restore-point"), ("Filter.2.Value.1", "rp-1"),
            ("MaxResults", "1000"));
        Assert.Equal(["ami-9"], await _port.FindImagesAsync(tags));
        Sent("DescribeImages", ("Owner.1", "self"), ("Filter.1.Name", "tag:ferry:session"), ("Filter.1.Value.1", "s1"),
            ("Filter.2.Name", "tag:ferry:restore-point"), ("Filter.2.Value.1", "rp-1"));

        Assert.Equal(("vol-9", "i-9", "/dev/sdf", "s1"), (volume.VolumeId, volume.AttachedInstanceId, volume.DeviceName, volume.Tags["ferry:session"]));
    }

    [Fact]
    public async Task PartialRestoreRemoval_DeleteOnTerminationThenTerminate_DeleteVolume_DeregisterImage()
    {
        _aws.Reply(Response("ModifyInstanceAttribute", "<return>true</return>"))
            .Reply(Response("TerminateInstances", "<instancesSet><item><instanceId>i-9</instanceId><currentState><name>shutting-down</name></currentState></item></instancesSet>"))
            .Reply(Response("DeleteVolume", "<return>true</return>")).Reply(Response("DeregisterImage", "<return>true</return>"));

        await _port.DeleteOnTerminationAsync("i-9", ["/dev/sdf", "/dev/sdg"]);
        Sent("ModifyInstanceAttribute", ("InstanceId", "i-9"), ("BlockDeviceMapping.1.DeviceName", "/dev/sdf"), ("BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true"),
            ("BlockDeviceMapping.2.DeviceName", "/dev/sdg"), ("BlockDeviceMapping.2.Ebs.DeleteOnTermination", "true"));
        await _port.TerminateInstanceAsync("i-9");
        Sent("TerminateInstances", ("InstanceId.1", "i-9"));
        await _port.DeleteVolumeAsync("vol-9");
        Sent("DeleteVolume", ("VolumeId", "vol-9"));
        await _port.DeregisterImageAsync("ami-9");
        Sent("DeregisterImage", ("ImageId", "ami-9"));
    }

    [Theory]
    [InlineData(503, "RequestLimitExceeded", typeof(FerryThrottledException))]
    [InlineData(400, "ResourceLimitExceeded", typeof(FerryLimitExceededException))]
    [InlineData(400, "InvalidSnapshot.NotFound", typeof(FerryNotFoundException))]
    [InlineData(403, "UnauthorizedOperation", typeof(FerryAccessDeniedException))]
    [InlineData(400, "IncorrectState", typeof(FerryInvalidStateException))]
    [InlineData(500, "InternalError", typeof(FerryTransientException))]
    [InlineData(400, "InvalidParameterValue", typeof(FerryInvalidInputException))]
    public async Task Errors_MapToTypedErrors_KeepingCodeAndRequestId(int status, string code, Type expected)
    {
        _aws.Reply($"""<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code><Message>m</Message></Error></Errors><RequestID>req-{status}</RequestID></Response>""", status);

        var e = await Assert.ThrowsAnyAsync<FerryException>(() => _port.DeleteSnapshotAsync("snap-1"));

        Assert.IsType(expected, e);
        Assert.Equal(code, e.AwsErrorCode);
        Assert.Equal($"req-{status}", e.AwsRequestId);
        Assert.Contains("ec2:DeleteSnapshot in eu-central-1", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CopySnapshot", "ResourceLimitExceeded", "Too many snapshot copies in progress. The limit is 20 for this destination region.", typeof(FerryQuotaExceededException))]
    [InlineData("CopySnapshot", "PendingSnapshotLimitExceeded", "m", typeof(FerryQuotaExceededException))]
    [InlineData("CopySnapshot", "SnapshotLimitExceeded", "The maximum number of snapshots has been reached.", typeof(FerryLimitExceededException))]
    [InlineData("CreateSnapshots", "SnapshotLimitExceeded", "The maximum number of snapshots has been reached.", typeof(FerryLimitExceededException))]
    [InlineData("CreateSnapshots", "ResourceLimitExceeded", "m", typeof(FerryLimitExceededException))]
    [InlineData("CreateSnapshots", "ConcurrentSnapshotLimitExceeded", "m", typeof(FerryNotReadyException))]
    [InlineData("CreateSnapshots", "PendingSnapshotLimitExceeded", "m", typeof(FerryNotReadyException))]
    [InlineData("CreateSnapshots", "SnapshotCreationPerVolumeRateExceeded", "m", typeof(FerryThrottledException))]
    [InlineData("CreateSnapshots", "ConcurrentTagAccess", "m", typeof(FerryThrottledException))]
    public async Task LimitErrors_OnlyConcurrentCopiesWait_CountLimitsFailNamingLimitAccountAndRegion(string operation, string code, string message, Type expected)
    {
        _aws.Reply($"""<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>req</RequestID></Response>""", 400);

        var e = await Assert.ThrowsAnyAsync<FerryException>(() => operation == "CopySnapshot"
            ? _port.CopySnapshotAsync(new Ec2CopyRequest("eu-west-1", "snap-1", false, null, "copy", new Dictionary<string, string>()))
            : _port.CreateSnapshotsAsync("i-1", new Dictionary<string, string>()));

        Assert.IsType(expected, e);
        Assert.Equal(code, e.AwsErrorCode);
        if (e is FerryLimitExceededException)
            Assert.Contains("in account 222222222222, region eu-central-1", e.Message, StringComparison.Ordinal);
    }
}
