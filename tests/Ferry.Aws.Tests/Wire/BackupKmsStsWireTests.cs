using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Ferry.Aws.Backup;
using Ferry.Aws.Kms;
using Ferry.Aws.Runtime;
using Ferry.Aws.Sts;
using Ferry.Core.Errors;
using Ferry.Core.Ports;

namespace Ferry.Aws.Tests.Wire;

public sealed class BackupKmsStsWireTests : IDisposable
{
    private const string VaultArn = "arn:aws:backup:eu-central-1:111111111111:backup-vault:efs-dr";
    private readonly FakeAws _aws = new();
    private readonly BackupClient _backup;
    private readonly AwsBackupPort _port;

    public BackupKmsStsWireTests()
    {
        _backup = new BackupClient(FakeAws.Credentials, "eu-central-1", _aws.Options);
        _port = new AwsBackupPort(_backup, "111111111111");
    }

    public void Dispose()
    {
        _backup.Dispose();
        _aws.Dispose();
    }

    private RecordedRequest Sent(int index, string method, string rawPath)
    {
        var r = _aws.Requests[index];
        Assert.Equal((method, rawPath), (r.Method, r.RawPath));
        WireAssert.Signed(r, "eu-central-1", "backup");
        return r;
    }

    [Fact]
    public async Task StartCopyJob_PutsTheJsonBody_AndDescribeCopyJob_ParsesTheJob()
    {
        _aws.ReplyJson("""{"CopyJobId":"job-1","CreationDate":1767323045.5}""")
            .ReplyJson("""{"CopyJob":{"CopyJobId":"job-1","State":"COMPLETED","SourceRecoveryPointArn":"arn:rp","DestinationBackupVaultArn":"arn:v","DestinationRecoveryPointArn":"arn:rp2","StatusMessage":"done"}}""");

        var id = await _port.StartCopyJobAsync(new StartCopyJobRequest("arn:rp", "Default", VaultArn, "arn:aws:iam::1:role/B", "tok-1"));
        var r = Sent(0, "PUT", "/copy-jobs");
        Assert.StartsWith("application/json", r.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal(JsonNode.Parse("""{"RecoveryPointArn":"arn:rp","SourceBackupVaultName":"Default","DestinationBackupVaultArn":"arn:aws:backup:eu-central-1:111111111111:backup-vault:efs-dr","IamRoleArn":"arn:aws:iam::1:role/B","IdempotencyToken":"tok-1"}""")!.ToJsonString(),
            JsonNode.Parse(r.Body)!.ToJsonString());
        Assert.Equal("job-1", id);

        var job = await _port.DescribeCopyJobAsync("job-1");
        Sent(1, "GET", "/copy-jobs/job-1");
        Assert.Equal(new CopyJob("job-1", "COMPLETED", "arn:rp", "arn:v", "arn:rp2", "done"), job);
    }

    [Fact]
    public async Task DeleteRecoveryPoint_DeletesByVaultAndEscapedArn()
    {
        _aws.ReplyJson("");

        await _port.DeleteRecoveryPointAsync("efs-dr", "arn:aws:backup:eu-central-1:111111111111:recovery-point:rp-1");

        Sent(0, "DELETE", "/backup-vaults/efs-dr/recovery-points/arn%3Aaws%3Abackup%3Aeu-central-1%3A111111111111%3Arecovery-point%3Arp-1");
    }

    [Fact]
    public async Task TagRecoveryPoint_PostsTheTagMapToTheEscapedArn()
    {
        _aws.ReplyJson("");

        await _port.TagRecoveryPointAsync("arn:aws:backup:eu-central-1:111111111111:recovery-point:rp-1",
            new Dictionary<string, string> { ["ferry:managed-by"] = "ferry", ["ferry:policy"] = "p" });

        var r = Sent(0, "POST", "/tags/arn%3Aaws%3Abackup%3Aeu-central-1%3A111111111111%3Arecovery-point%3Arp-1");
        Assert.Equal("""{"Tags":{"ferry:managed-by":"ferry","ferry:policy":"p"}}""", JsonNode.Parse(r.Body)!.ToJsonString());
    }

    [Fact]
    public async Task ListVaults_Paged_WithTags_LockAndAirGap()
    {
        _aws.ReplyJson($$"""{"BackupVaultList":[{"BackupVaultName":"efs-dr","BackupVaultArn":"{{VaultArn}}","VaultType":"BACKUP_VAULT","Locked":true}],"NextToken":"n2"}""")
            .ReplyJson("""{"BackupVaultList":[{"BackupVaultName":"ag","BackupVaultArn":"arn:ag","VaultType":"LOGICALLY_AIR_GAPPED_BACKUP_VAULT"}]}""")
            .ReplyJson("""{"Tags":{"ferry":"dr"},"NextToken":"t2"}""").ReplyJson("""{"Tags":{"env":"prod"}}""")
            .ReplyJson("""{"Tags":{}}""");

        var vaults = await _port.ListVaultsAsync();

        Sent(0, "GET", "/backup-vaults/");
        var second = Sent(1, "GET", "/backup-vaults/");
        Assert.Equal("n2", second.Query["nextToken"]);
        Sent(2, "GET", "/tags/arn%3Aaws%3Abackup%3Aeu-central-1%3A111111111111%3Abackup-vault%3Aefs-dr/");
        Assert.Equal("t2", _aws.Requests[3].Query["nextToken"]);
        Assert.Equal(new BackupVault("efs-dr", VaultArn, "111111111111", "eu-central-1", vaults[0].Tags, true, false), vaults[0]);
        Assert.Equal(("dr", "prod"), (vaults[0].Tags["ferry"], vaults[0].Tags["env"]));
        Assert.True(vaults[1].LogicallyAirGapped);
    }

    [Fact]
    public async Task RecoveryPoints_RegionSettings()
    {
        _aws.ReplyJson("""{"RecoveryPoints":[{"RecoveryPointArn":"arn:rp","BackupVaultName":"Default","Status":"COMPLETED","CreationDate":1767323045}]}""")
            .ReplyJson("""{"ResourceTypeOptInPreference":{"EFS":false,"EBS":true}}""")
            .ReplyJson("{}");

        var points = await _port.ListRecoveryPointsByResourceAsync("arn:aws:elasticfilesystem:eu-central-1:1:file-system/fs-1");
        Sent(0, "GET", "/resources/arn%3Aaws%3Aelasticfilesystem%3Aeu-central-1%3A1%3Afile-system%2Ffs-1/recovery-points/");
        Assert.Equal(new RecoveryPoint("arn:rp", "arn:aws:elasticfilesystem:eu-central-1:1:file-system/fs-1", "Default", "COMPLETED", DateTimeOffset.FromUnixTimeSeconds(1767323045)), points.Single());

        var optIn = await _port.GetResourceTypeOptInAsync();
        Sent(1, "GET", "/account-settings");
        Assert.Equal((false, true), (optIn["EFS"], optIn["EBS"]));

        await _port.SetResourceTypeOptInAsync("EFS", true);
        var put = Sent(2, "PUT", "/account-settings");
        Assert.Equal("""{"ResourceTypeOptInPreference":{"EFS":true}}""", put.Body);
    }

    [Theory]
    [InlineData(400, "ResourceNotFoundException", typeof(FerryNotFoundException))]
    [InlineData(400, "LimitExceededException", typeof(FerryLimitExceededException))]
    [InlineData(400, "InvalidResourceStateException", typeof(FerryInvalidStateException))]
    [InlineData(400, "InvalidRequestException", typeof(FerryInvalidInputException))]
    [InlineData(400, "MissingParameterValueException", typeof(FerryInvalidInputException))]
    [InlineData(403, "AccessDeniedException", typeof(FerryAccessDeniedException))]
    [InlineData(500, "ServiceUnavailableException", typeof(FerryTransientException))]
    [InlineData(400, "ThrottlingException", typeof(FerryThrottledException))]
    public async Task Errors_FromHeaderAndBody_MapToTypedErrors(int status, string code, Type expected)
    {
        _aws.ReplyJson($$"""{"Code":"{{code}}","Message":"m"}""", status,
            new Dictionary<string, string> { ["x-amzn-ErrorType"] = $"{code}:http://internal.amazon.com/", ["x-amzn-RequestId"] = "rid-9" });

        var e = await Assert.ThrowsAnyAsync<FerryException>(() => _port.DescribeCopyJobAsync("job-1"));

        Assert.IsType(expected, e);
        Assert.Equal((code, "rid-9"), (e.AwsErrorCode, e.AwsRequestId));
    }

    [Fact]
    public async Task Kms_DescribeKey_ThenListAliases_DetectsDefaultKeys()
    {
        _aws.ReplyJson("""{"KeyMetadata":{"KeyId":"k1","Arn":"arn:aws:kms:eu-central-1:111111111111:key/k1","AWSAccountId":"111111111111","KeyManager":"AWS"}}""")
            .ReplyJson("""{"Aliases":[{"AliasName":"alias/aws/ebs","TargetKeyId":"k1"}]}""");
        using var kms = new AmazonKeyManagementServiceClient(FakeAws.Credentials,
            SdkErrors.Configure(new AmazonKeyManagementServiceConfig(), "kms", "eu-central-1", _aws.Options));

        var key = await new AwsKmsPort(kms, "eu-central-1", "arn:aws:iam::111111111111:role/FerrySource").DescribeKeyAsync("arn:aws:kms:eu-central-1:111111111111:key/k1");

        Assert.Equal(("TrentService.DescribeKey", "TrentService.ListAliases"), (_aws.Requests[0].Headers["X-Amz-Target"], _aws.Requests[1].Headers["X-Amz-Target"]));
        Assert.Equal("k1", JsonNode.Parse(_aws.Requests[1].Body)!["KeyId"]!.GetValue<string>());
        WireAssert.Signed(_aws.Requests[0], "eu-central-1", "kms");
        Assert.Equal(("arn:aws:kms:eu-central-1:111111111111:key/k1", "111111111111", "eu-central-1", true, "alias/aws/ebs"),
            (key.KeyArn, key.AccountId, key.Region, key.IsAwsManagedDefault, key.Alias));
    }

    [Fact]
    public async Task Kms_CheckAccess_DescribeKeyThenOneDryRunPerPermission_AnswersAllowedMissingOrUnknown()
    {
        const string key = "arn:aws:kms:eu-central-1:111111111111:key/k1";
        const string role = "arn:aws:iam::222222222222:role/FerryTarget";
        static string Error(string code, string message) => $$"""{"__type":"{{code}}","message":"{{message}}"}""";
        _aws.ReplyJson($$$"""{"KeyMetadata":{"KeyId":"k1","Arn":"{{{key}}}","AWSAccountId":"111111111111","KeyManager":"CUSTOMER"}}""")
            .Reply(Error("DryRunOperationException", "The request would have succeeded, but the DryRun option is set."), 412, "application/x-amz-json-1.1")
            .Reply(Error("AccessDeniedException", $"User: {role} is not authorized to perform: kms:Decrypt on resource: {key}"), 400, "application/x-amz-json-1.1")
            .Reply(Error("AccessDeniedException", $"User: {role} is not authorized to perform: kms:ReEncryptTo on resource: {key}"), 400, "application/x-amz-json-1.1")
            .Reply(Error("KMSInvalidStateException", "pending import"), 400, "application/x-amz-json-1.1");
        using var kms = new AmazonKeyManagementServiceClient(FakeAws.Credentials,
            SdkErrors.Configure(new AmazonKeyManagementServiceConfig(), "kms", "eu-central-1", _aws.Options));

        var check = await new AwsKmsPort(kms, "eu-central-1", role).CheckAccessAsync(key,
            ["kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptTo"]);

        Assert.Equal(["TrentService.DescribeKey", "TrentService.CreateGrant", "TrentService.Decrypt", "TrentService.ReEncrypt", "TrentService.GenerateDataKeyWithoutPlaintext"],
            _aws.Requests.Select(r => r.Headers["X-Amz-Target"]));
        JsonNode Body(int index) => JsonNode.Parse(_aws.Requests[index].Body)!;
        Assert.Equal((key, role, true, "Decrypt"),
            (Body(1)["KeyId"]!.GetValue<string>(), Body(1)["GranteePrincipal"]!.GetValue<string>(), Body(1)["DryRun"]!.GetValue<bool>(), Body(1)["Operations"]![0]!.GetValue<string>()));
        Assert.Equal((key, "AA==", true), (Body(2)["KeyId"]!.GetValue<string>(), Body(2)["CiphertextBlob"]!.GetValue<string>(), Body(2)["DryRun"]!.GetValue<bool>()));
        Assert.Equal((key, key, true), (Body(3)["SourceKeyId"]!.GetValue<string>(), Body(3)["DestinationKeyId"]!.GetValue<string>(), Body(3)["DryRun"]!.GetValue<bool>()));
        Assert.Equal((key, "AES_256", true), (Body(4)["KeyId"]!.GetValue<string>(), Body(4)["KeySpec"]!.GetValue<string>(), Body(4)["DryRun"]!.GetValue<bool>()));
        // ReEncrypt was refused for kms:ReEncryptTo, which leaves kms:ReEncryptFrom unknown, as is the answer KMS gave for GenerateDataKeyWithoutPlaintext.
        Assert.Equal(["kms:Decrypt", "kms:ReEncryptTo"], check.Missing);
        Assert.False(check.Complete);
    }

    [Fact]
    public async Task Sts_AssumeRole_WithExternalId_CachedUntilShortlyBeforeExpiry()
    {
        var clock = new TestClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        string Reply(string key) => $"""
            <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>
            <AccessKeyId>{key}</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2026-01-01T01:00:00Z</Expiration>
            </Credentials><AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/T/ferry</Arn><AssumedRoleId>AROA:ferry</AssumedRoleId></AssumedRoleUser>
            </AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>
            """;
        _aws.Reply(Reply("ASIA1")).Reply(Reply("ASIA2"));
        using var sts = new StsCredentialsPort(_aws.Options, FakeAws.Credentials, clock);
        const string role = "arn:aws:iam::222222222222:role/T";

        var first = await sts.AssumeAsync(role);
        clock.UtcNow = clock.UtcNow.AddMinutes(50);
        var cached = await sts.AssumeAsync(role);
        clock.UtcNow = clock.UtcNow.AddMinutes(6);
        var renewed = await sts.AssumeAsync(role);

        var r = _aws.Requests[0];
        WireAssert.Form(r, "AssumeRole", "2011-06-15", ("RoleArn", role), ("RoleSessionName", "ferry"), ("ExternalId", "ferry-external"), ("DurationSeconds", "3600"));
        WireAssert.Signed(r, "us-east-1", "sts");
        Assert.Equal(("ASIA1", "222222222222"), (first.Credentials.AccessKeyId, first.AccountId));
        Assert.Same(first, cached);
        Assert.Equal("ASIA2", renewed.Credentials.AccessKeyId);
        Assert.Equal(2, _aws.Requests.Count);
    }

    private sealed class TestClock(DateTimeOffset now) : IClock
    {
        public DateTimeOffset UtcNow { get; set; } = now;
    }
}
