using System.Web;
using Ferry.Aws.Rds;
using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Ports;

namespace Ferry.Aws.Tests.Wire;

public sealed class RdsWireTests : IDisposable
{
    private readonly FakeAws _aws = new();
    private readonly RdsClient _rds;
    private readonly AwsRdsPort _port;

    public RdsWireTests()
    {
        _rds = new RdsClient(FakeAws.Credentials, "eu-central-1", _aws.Options) { Account = "222222222222" };
        _port = new AwsRdsPort(_rds);
    }

    public void Dispose()
    {
        _rds.Dispose();
        _aws.Dispose();
    }

    private static string Response(string action, string result) =>
        $"""<{action}Response xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></{action}Response>""";

    private void Sent(int index, string action, params (string, string)[] expected)
    {
        var r = _aws.Requests[index];
        WireAssert.Form(r, action, "2014-10-31", expected);
        WireAssert.Signed(r, "eu-central-1", "rds");
    }

    private void Sent(string action, params (string, string)[] expected) => Sent(_aws.Requests.Count - 1, action, expected);

    private const string Tags = "<TagList><Tag><Key>backup</Key><Value>gold</Value></Tag></TagList>";

    private const string DbSnapshot = $"""
        <DBSnapshot><DBSnapshotIdentifier>ferry-db1-s1</DBSnapshotIdentifier><DBSnapshotArn>arn:aws:rds:eu-central-1:111111111111:snapshot:ferry-db1-s1</DBSnapshotArn>
        <DBInstanceIdentifier>db1</DBInstanceIdentifier><Status>creating</Status><Encrypted>true</Encrypted><KmsKeyId>arn:aws:kms:eu-central-1:111111111111:key/k</KmsKeyId>
        <Engine>postgres</Engine><EngineVersion>16.3</EngineVersion><SnapshotType>manual</SnapshotType><SnapshotCreateTime>2026-01-02T03:04:05.123Z</SnapshotCreateTime>
        <PercentProgress>40</PercentProgress>{Tags}</DBSnapshot>
        """;

    private const string ClusterSnapshot = """
        <DBClusterSnapshot><DBClusterSnapshotIdentifier>ferry-c1-s1</DBClusterSnapshotIdentifier><DBClusterSnapshotArn>arn:aws:rds:eu-central-1:111111111111:cluster-snapshot:ferry-c1-s1</DBClusterSnapshotArn>
        <DBClusterIdentifier>c1</DBClusterIdentifier><Status>available</Status><StorageEncrypted>false</StorageEncrypted><Engine>aurora-postgresql</Engine>
        <EngineVersion>15.4</EngineVersion><SnapshotType>manual</SnapshotType><PercentProgress>100</PercentProgress></DBClusterSnapshot>
        """;

    [Fact]
    public async Task DescribeDatabases_InstancesAndClusters_ByIdentifierFilter_SkipsClusterMembers_FollowsMarker()
    {
        _aws.Reply(Response("DescribeDBInstances", $"""
                <DBInstances><DBInstance><DBInstanceIdentifier>db1</DBInstanceIdentifier><DBInstanceArn>arn:aws:rds:eu-central-1:1:db:db1</DBInstanceArn>
                <Engine>postgres</Engine><EngineVersion>16.3</EngineVersion><DBInstanceStatus>available</DBInstanceStatus><StorageEncrypted>true</StorageEncrypted>
                <KmsKeyId>k</KmsKeyId><DBInstanceClass>db.m5.large</DBInstanceClass><DBSubnetGroup><DBSubnetGroupName>sg</DBSubnetGroupName></DBSubnetGroup>
                <VpcSecurityGroups><VpcSecurityGroupMembership><VpcSecurityGroupId>sg-1</VpcSecurityGroupId><Status>active</Status></VpcSecurityGroupMembership></VpcSecurityGroups>
                {Tags}</DBInstance></DBInstances><Marker>m2</Marker>
                """))
            .Reply(Response("DescribeDBInstances", "<DBInstances><DBInstance><DBInstanceIdentifier>c1-i1</DBInstanceIdentifier><DBClusterIdentifier>c1</DBClusterIdentifier></DBInstance></DBInstances>"))
            .Reply(Response("DescribeDBClusters", "<DBClusters><DBCluster><DBClusterIdentifier>c1</DBClusterIdentifier><DBClusterArn>arn:c1</DBClusterArn><Engine>aurora-postgresql</Engine><EngineVersion>15.4</EngineVersion><Status>available</Status><StorageEncrypted>false</StorageEncrypted><DBSubnetGroup>sg</DBSubnetGroup></DBCluster></DBClusters>"));

        var found = await _port.DescribeDatabasesAsync(["db1", "c1"], null);

        Sent(0, "DescribeDBInstances", ("Filters.Filter.1.Name", "db-instance-id"), ("Filters.Filter.1.Values.Value.1", "db1"), ("Filters.Filter.1.Values.Value.2", "c1"));
        Sent(1, "DescribeDBInstances", ("Filters.Filter.1.Name", "db-instance-id"), ("Filters.Filter.1.Values.Value.1", "db1"), ("Filters.Filter.1.Values.Value.2", "c1"), ("Marker", "m2"));
        Sent(2, "DescribeDBClusters", ("Filters.Filter.1.Name", "db-cluster-id"), ("Filters.Filter.1.Values.Value.1", "db1"), ("Filters.Filter.1.Values.Value.2", "c1"));
        Assert.Equal(["db1", "c1"], found.Select(d => d.Identifier));
        var db = found[0];
        Assert.Equal((RdsKind.DbInstance, "postgres", "16.3", "available", true, "k", "db.m5.large", "sg"), (db.Kind, db.Engine, db.EngineVersion, db.Status, db.Encrypted, db.KmsKeyId, db.DbClass, db.SubnetGroup));
        Assert.Equal(["sg-1"], db.SecurityGroupIds!);
        Assert.Equal("gold", db.Tags["backup"]);
        Assert.Equal((RdsKind.AuroraCluster, "aurora-postgresql", "sg"), (found[1].Kind, found[1].Engine, found[1].SubnetGroup));
    }

    [Fact]
    public async Task CreateSnapshot_InstanceAndCluster_WithTags()
    {
        _aws.Reply(Response("CreateDBSnapshot", DbSnapshot)).Reply(Response("CreateDBClusterSnapshot", ClusterSnapshot));
        var tags = new Dictionary<string, string> { ["ferry:session"] = "s1" };

        var s = await _port.CreateSnapshotAsync(RdsKind.DbInstance, "db1", "ferry-db1-s1", tags);
        Sent("CreateDBSnapshot", ("DBSnapshotIdentifier", "ferry-db1-s1"), ("DBInstanceIdentifier", "db1"), ("Tags.Tag.1.Key", "ferry:session"), ("Tags.Tag.1.Value", "s1"));
        Assert.Equal(("ferry-db1-s1", "db1", "creating", true, 40, "manual"), (s.Identifier, s.SourceIdentifier, s.Status, s.Encrypted, s.PercentProgress, s.SnapshotType));
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, 123, TimeSpan.Zero), s.CreatedAt);

        var c = await _port.CreateSnapshotAsync(RdsKind.AuroraCluster, "c1", "ferry-c1-s1", tags);
        Sent("CreateDBClusterSnapshot", ("DBClusterSnapshotIdentifier", "ferry-c1-s1"), ("DBClusterIdentifier", "c1"), ("Tags.Tag.1.Key", "ferry:session"), ("Tags.Tag.1.Value", "s1"));
        Assert.Equal(("ferry-c1-s1", RdsKind.AuroraCluster, "available", false), (c.Identifier, c.Kind, c.Status, c.Encrypted));
    }

    [Fact]
    public async Task CreateSnapshot_Retried_ReturnsTheExistingSnapshot()
    {
        _aws.Reply("<ErrorResponse><Error><Type>Sender</Type><Code>DBSnapshotAlreadyExists</Code><Message>exists</Message></Error><RequestId>r1</RequestId></ErrorResponse>", 400)
            .Reply(Response("DescribeDBSnapshots", $"<DBSnapshots>{DbSnapshot}</DBSnapshots>"));

        var s = await _port.CreateSnapshotAsync(RdsKind.DbInstance, "db1", "ferry-db1-s1", new Dictionary<string, string>());

        Assert.Equal("ferry-db1-s1", s.Identifier);
        Sent("DescribeDBSnapshots", ("DBSnapshotIdentifier", "ferry-db1-s1"));
    }

    [Fact]
    public async Task DescribeSnapshots_BySource_IncludeShared_Paged_TagsNarrow()
    {
        _aws.Reply(Response("DescribeDBClusterSnapshots", $"<DBClusterSnapshots>{ClusterSnapshot}</DBClusterSnapshots><Marker>m2</Marker>"))
            .Reply(Response("DescribeDBClusterSnapshots", $"<DBClusterSnapshots>{ClusterSnapshot.Replace("<PercentProgress>", Tags + "<PercentProgress>", StringComparison.Ordinal)}</DBClusterSnapshots>"));

        var found = await _port.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.AuroraCluster, SourceIdentifier: "c1", Tags: [new TagQuery("backup", ["gold"])], IncludeShared: true));

        Sent(0, "DescribeDBClusterSnapshots", ("DBClusterIdentifier", "c1"), ("IncludeShared", "true"), ("MaxRecords", "100"));
        Sent(1, "DescribeDBClusterSnapshots", ("DBClusterIdentifier", "c1"), ("IncludeShared", "true"), ("MaxRecords", "100"), ("Marker", "m2"));
        Assert.Single(found);
    }

    [Fact]
    public async Task DescribeSnapshots_ByIdentifier_MissingOnesAreSkipped()
    {
        _aws.Reply("<ErrorResponse><Error><Code>DBSnapshotNotFound</Code><Message>no</Message></Error><RequestId>r</RequestId></ErrorResponse>", 404)
            .Reply(Response("DescribeDBSnapshots", $"<DBSnapshots>{DbSnapshot}</DBSnapshots>"));

        var found = await _port.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, Identifiers: ["gone", "arn:aws:rds:eu-west-1:1:snapshot:x"]));

        Sent("DescribeDBSnapshots", ("DBSnapshotIdentifier", "arn:aws:rds:eu-west-1:1:snapshot:x"));
        Assert.Single(found);
    }

    [Fact]
    public async Task Share_InstanceAndCluster_AddRestoreAttribute()
    {
        _aws.Reply(Response("ModifyDBSnapshotAttribute", "")).Reply(Response("ModifyDBClusterSnapshotAttribute", ""));

        await _port.ShareSnapshotAsync(RdsKind.DbInstance, "s1", "222222222222");
        Sent("ModifyDBSnapshotAttribute", ("DBSnapshotIdentifier", "s1"), ("AttributeName", "restore"), ("ValuesToAdd.AttributeValue.1", "222222222222"));
        await _port.ShareSnapshotAsync(RdsKind.AuroraCluster, "s1", "222222222222");
        Sent("ModifyDBClusterSnapshotAttribute", ("DBClusterSnapshotIdentifier", "s1"), ("AttributeName", "restore"), ("ValuesToAdd.AttributeValue.1", "222222222222"));
    }

    /// <remarks>SourceRegion is no member of CopyDBSnapshot: the official SDKs use it only to pre-sign, and send it in neither.</remarks>
    [Fact]
    public async Task CopySnapshot_CrossRegion_CarriesPreSignedUrlForSourceRegion_AndNoSourceRegion()
    {
        _aws.Reply(Response("CopyDBSnapshot", DbSnapshot));
        var source = "arn:aws:rds:eu-west-1:111111111111:snapshot:ferry-db1-s1";

        await _port.CopySnapshotAsync(new RdsCopyRequest(RdsKind.DbInstance, source, "eu-west-1", "ferry-db1-s1-copy", "arn:aws:kms:eu-central-1:2:key/t",
            new Dictionary<string, string> { ["ferry:session"] = "s1" }));

        var r = _aws.Single();
        Sent("CopyDBSnapshot", ("SourceDBSnapshotIdentifier", source), ("TargetDBSnapshotIdentifier", "ferry-db1-s1-copy"), ("KmsKeyId", "arn:aws:kms:eu-central-1:2:key/t"),
            ("CopyTags", "false"), ("Tags.Tag.1.Key", "ferry:session"), ("Tags.Tag.1.Value", "s1"), ("PreSignedUrl", r.Form["PreSignedUrl"]));
        Assert.False(r.Form.ContainsKey("SourceRegion"));
        var query = HttpUtility.ParseQueryString(new Uri(r.Form["PreSignedUrl"]).Query);
        Assert.Equal(("CopyDBSnapshot", source, "eu-central-1"), (query["Action"], query["SourceDBSnapshotIdentifier"], query["DestinationRegion"]));
        Assert.Equal(("ferry-db1-s1-copy", "arn:aws:kms:eu-central-1:2:key/t"), (query["TargetDBSnapshotIdentifier"], query["KmsKeyId"]));
        Assert.DoesNotContain("SourceRegion", query.AllKeys);
        Assert.Matches(@"^AKIDFERRYTEST/\d{8}/eu-west-1/rds/aws4_request$", query["X-Amz-Credential"]);
    }

    [Fact]
    public async Task CopyClusterSnapshot_SameRegion_NoPreSignedUrl_RetryFindsTheCopy()
    {
        _aws.Reply(Response("CopyDBClusterSnapshot", ClusterSnapshot))
            .Reply("<ErrorResponse><Error><Code>DBClusterSnapshotAlreadyExistsFault</Code><Message>x</Message></Error><RequestId>r</RequestId></ErrorResponse>", 400)
            .Reply(Response("DescribeDBClusterSnapshots", $"<DBClusterSnapshots>{ClusterSnapshot}</DBClusterSnapshots>"));
        var request = new RdsCopyRequest(RdsKind.AuroraCluster, "arn:aws:rds:eu-central-1:1:cluster-snapshot:s", "eu-central-1", "ferry-c1-s1", null, new Dictionary<string, string>());

        await _port.CopySnapshotAsync(request);
        Sent(0, "CopyDBClusterSnapshot", ("SourceDBClusterSnapshotIdentifier", "arn:aws:rds:eu-central-1:1:cluster-snapshot:s"), ("TargetDBClusterSnapshotIdentifier", "ferry-c1-s1"), ("CopyTags", "false"));
        Assert.Equal("ferry-c1-s1", (await _port.CopySnapshotAsync(request)).Identifier);
    }

    [Fact]
    public async Task Delete_InstanceAndCluster_AlreadyGoneSucceeds()
    {
        _aws.Reply(Response("DeleteDBSnapshot", DbSnapshot))
            .Reply("<ErrorResponse><Error><Code>DBClusterSnapshotNotFoundFault</Code><Message>x</Message></Error><RequestId>r</RequestId></ErrorResponse>", 404);

        await _port.DeleteSnapshotAsync(RdsKind.DbInstance, "s1");
        Sent("DeleteDBSnapshot", ("DBSnapshotIdentifier", "s1"));
        await _port.DeleteSnapshotAsync(RdsKind.AuroraCluster, "s1");
        Sent("DeleteDBClusterSnapshot", ("DBClusterSnapshotIdentifier", "s1"));
    }

    [Fact]
    public async Task Restore_Instance_And_ClusterWithOneInstance()
    {
        _aws.Reply(Response("RestoreDBInstanceFromDBSnapshot", "<DBInstance><DBInstanceIdentifier>db1-r</DBInstanceIdentifier><DBInstanceStatus>creating</DBInstanceStatus></DBInstance>"))
            .Reply(Response("RestoreDBClusterFromSnapshot", "<DBCluster><DBClusterIdentifier>c1-r</DBClusterIdentifier><Status>creating</Status><StorageEncrypted>true</StorageEncrypted></DBCluster>"))
            .Reply(Response("CreateDBInstance", "<DBInstance><DBInstanceIdentifier>c1-r-instance-1</DBInstanceIdentifier></DBInstance>"));
        var tags = new Dictionary<string, string> { ["k"] = "v" };

        var db = await _port.RestoreAsync(new RdsRestoreRequest(RdsKind.DbInstance, "s1", "db1-r", "postgres", "db.m5.large", null, tags, "sg"));
        Sent(0, "RestoreDBInstanceFromDBSnapshot", ("DBInstanceIdentifier", "db1-r"), ("DBSnapshotIdentifier", "s1"), ("DBInstanceClass", "db.m5.large"),
            ("Engine", "postgres"), ("DBSubnetGroupName", "sg"), ("Tags.Tag.1.Key", "k"), ("Tags.Tag.1.Value", "v"));
        Assert.Equal(("db1-r", "creating"), (db.Identifier, db.Status));

        var c = await _port.RestoreAsync(new RdsRestoreRequest(RdsKind.AuroraCluster, "cs1", "c1-r", "aurora-postgresql", "db.r6g.large", "kt", tags));
        Sent(1, "RestoreDBClusterFromSnapshot", ("DBClusterIdentifier", "c1-r"), ("SnapshotIdentifier", "cs1"), ("Engine", "aurora-postgresql"), ("KmsKeyId", "kt"),
            ("Tags.Tag.1.Key", "k"), ("Tags.Tag.1.Value", "v"));
        Sent(2, "CreateDBInstance", ("DBInstanceIdentifier", "c1-r-instance-1"), ("DBInstanceClass", "db.r6g.large"), ("Engine", "aurora-postgresql"),
            ("DBClusterIdentifier", "c1-r"), ("Tags.Tag.1.Key", "k"), ("Tags.Tag.1.Value", "v"));
        Assert.Equal((RdsKind.AuroraCluster, "db.r6g.large", true), (c.Kind, c.DbClass, c.Encrypted));
    }

    [Fact]
    public async Task EngineVersions_Paged_Tags_AddAndList()
    {
        _aws.Reply(Response("DescribeDBEngineVersions", "<DBEngineVersions><DBEngineVersion><Engine>aurora-postgresql</Engine><EngineVersion>15.4</EngineVersion></DBEngineVersion></DBEngineVersions><Marker>m</Marker>"))
            .Reply(Response("DescribeDBEngineVersions", "<DBEngineVersions><DBEngineVersion><EngineVersion>16.1</EngineVersion></DBEngineVersion></DBEngineVersions>"))
            .Reply(Response("AddTagsToResource", "")).Reply(Response("ListTagsForResource", Tags));

        Assert.Equal(["15.4", "16.1"], await _port.DescribeEngineVersionsAsync("aurora-postgresql"));
        Sent(1, "DescribeDBEngineVersions", ("Engine", "aurora-postgresql"), ("Marker", "m"));
        await _rds.AddTagsToResourceAsync("arn:db1", new Dictionary<string, string> { ["a"] = "1" }, default);
        Sent("AddTagsToResource", ("ResourceName", "arn:db1"), ("Tags.Tag.1.Key", "a"), ("Tags.Tag.1.Value", "1"));
        Assert.Equal("gold", (await _rds.ListTagsForResourceAsync("arn:db1", default))["backup"]);
        Sent("ListTagsForResource", ("ResourceName", "arn:db1"));
    }

    [Theory]
    [InlineData(400, "Throttling", typeof(FerryThrottledException))]
    [InlineData(400, "SnapshotQuotaExceeded", typeof(FerryLimitExceededException))]
    [InlineData(400, "SharedSnapshotQuotaExceeded", typeof(FerryLimitExceededException))]
    [InlineData(400, "InvalidDBSnapshotState", typeof(FerryInvalidStateException))]
    [InlineData(403, "AccessDenied", typeof(FerryAccessDeniedException))]
    [InlineData(404, "DBSnapshotNotFound", typeof(FerryNotFoundException))]
    [InlineData(503, "ServiceUnavailable", typeof(FerryTransientException))]
    public async Task Errors_MapToTypedErrors(int status, string code, Type expected)
    {
        _aws.Reply($"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>m</Message></Error><RequestId>rid-1</RequestId></ErrorResponse>", status);

        var e = await Assert.ThrowsAnyAsync<FerryException>(() => _port.ShareSnapshotAsync(RdsKind.DbInstance, "s1", "2"));

        Assert.IsType(expected, e);
        Assert.Equal((code, "rid-1"), (e.AwsErrorCode, e.AwsRequestId));
    }

    [Fact]
    public async Task DeleteDatabase_Instance_NoFinalSnapshotAndNoAutomatedBackups()
    {
        _aws.Reply(Response("DescribeDBInstances", "<DBInstances><DBInstance><DBInstanceIdentifier>db1-restored</DBInstanceIdentifier><DBInstanceStatus>creating</DBInstanceStatus></DBInstance></DBInstances>"))
            .Reply(Response("DeleteDBInstance", "<DBInstance><DBInstanceIdentifier>db1-restored</DBInstanceIdentifier><DBInstanceStatus>deleting</DBInstanceStatus></DBInstance>"));

        await _port.DeleteDatabaseAsync(RdsKind.DbInstance, "db1-restored");

        Sent(0, "DescribeDBInstances", ("Filters.Filter.1.Name", "db-instance-id"), ("Filters.Filter.1.Values.Value.1", "db1-restored"));
        Sent(1, "DeleteDBInstance", ("DBInstanceIdentifier", "db1-restored"), ("SkipFinalSnapshot", "true"), ("DeleteAutomatedBackups", "true"));
    }

    [Fact]
    public async Task DeleteDatabase_AuroraCluster_ItsInstancesFirstThenTheCluster_SkippingWhatIsAlreadyDeleting()
    {
        _aws.Reply(Response("DescribeDBInstances", """
                <DBInstances><DBInstance><DBInstanceIdentifier>c1-instance-1</DBInstanceIdentifier><DBInstanceStatus>available</DBInstanceStatus><DBClusterIdentifier>c1</DBClusterIdentifier></DBInstance>
                <DBInstance><DBInstanceIdentifier>c1-instance-2</DBInstanceIdentifier><DBInstanceStatus>deleting</DBInstanceStatus><DBClusterIdentifier>c1</DBClusterIdentifier></DBInstance></DBInstances>
                """))
            .Reply(Response("DeleteDBInstance", "<DBInstance><DBInstanceIdentifier>c1-instance-1</DBInstanceIdentifier></DBInstance>"))
            .Reply(Response("DescribeDBClusters", "<DBClusters><DBCluster><DBClusterIdentifier>c1</DBClusterIdentifier><Status>available</Status></DBCluster></DBClusters>"))
            .Reply(Response("DeleteDBCluster", "<DBCluster><DBClusterIdentifier>c1</DBClusterIdentifier><Status>deleting</Status></DBCluster>"));

        await _port.DeleteDatabaseAsync(RdsKind.AuroraCluster, "c1");

        Assert.Equal(4, _aws.Requests.Count);
        Sent(0, "DescribeDBInstances", ("Filters.Filter.1.Name", "db-cluster-id"), ("Filters.Filter.1.Values.Value.1", "c1"));
        Sent(1, "DeleteDBInstance", ("DBInstanceIdentifier", "c1-instance-1"), ("SkipFinalSnapshot", "true"));
        Sent(2, "DescribeDBClusters", ("Filters.Filter.1.Name", "db-cluster-id"), ("Filters.Filter.1.Values.Value.1", "c1"));
        Sent(3, "DeleteDBCluster", ("DBClusterIdentifier", "c1"), ("SkipFinalSnapshot", "true"));
    }

    [Fact]
    public async Task DeleteDatabase_AlreadyGone_SendsNoDelete()
    {
        _aws.Reply(Response("DescribeDBInstances", "<DBInstances/>"));

        await _port.DeleteDatabaseAsync(RdsKind.DbInstance, "db1-restored");

        Assert.Single(_aws.Requests);
    }

    [Theory]
    [InlineData(RdsKind.DbInstance, "Cannot copy more than 5 snapshots across regions", typeof(FerryQuotaExceededException))]
    [InlineData(RdsKind.AuroraCluster, "Cannot copy more than 5 snapshots across regions", typeof(FerryQuotaExceededException))]
    [InlineData(RdsKind.DbInstance, "Cannot create more than 100 manual snapshots", typeof(FerryLimitExceededException))]
    [InlineData(RdsKind.AuroraCluster, "Cannot create more than 100 manual snapshots", typeof(FerryLimitExceededException))]
    [InlineData(RdsKind.DbInstance, "The request would result in the user exceeding the allowed number of DB snapshots.", typeof(FerryLimitExceededException))]
    public async Task CopySnapshot_SnapshotQuotaExceeded_WaitsOnlyWhenItSpeaksOfCopiesInFlight(RdsKind kind, string message, Type expected)
    {
        _aws.Reply($"<ErrorResponse><Error><Type>Sender</Type><Code>SnapshotQuotaExceeded</Code><Message>{message}</Message></Error><RequestId>rid-1</RequestId></ErrorResponse>", 400);

        var e = await Assert.ThrowsAnyAsync<FerryException>(() => _port.CopySnapshotAsync(new RdsCopyRequest(kind, "arn:aws:rds:eu-west-1:1:snapshot:s1", "eu-west-1", "copy-1", null,
            new Dictionary<string, string>())));

        Assert.IsType(expected, e);
        if (e is FerryLimitExceededException)
        {
            Assert.Contains(kind == RdsKind.AuroraCluster ? "manual DB cluster snapshots" : "manual DB snapshots", e.Message, StringComparison.Ordinal);
            Assert.Contains("in account 222222222222, region eu-central-1", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task DescribeSnapshots_SeveralIdentifiers_OneCallThroughTheSnapshotIdFilter()
    {
        _aws.Reply(Response("DescribeDBSnapshots", $"<DBSnapshots>{DbSnapshot}</DBSnapshots>"));

        var found = await _port.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, Identifiers: ["a", "b", "c"]));

        Sent("DescribeDBSnapshots", ("Filters.Filter.1.Name", "db-snapshot-id"), ("Filters.Filter.1.Values.Value.1", "a"), ("Filters.Filter.1.Values.Value.2", "b"),
            ("Filters.Filter.1.Values.Value.3", "c"), ("MaxRecords", "100"));
        Assert.Single(found);
        Assert.Single(_aws.Requests);
    }
}
