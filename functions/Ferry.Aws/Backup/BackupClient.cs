using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Ferry.Aws.Runtime;

namespace Ferry.Aws.Backup;

/// <param name="VaultType">BACKUP_VAULT, LOGICALLY_AIR_GAPPED_BACKUP_VAULT or RESTORE_ACCESS_BACKUP_VAULT.</param>
public sealed record BackupVaultInfo(string Name, string Arn, string? VaultType, bool Locked);

public sealed record RecoveryPointInfo(string Arn, string VaultName, string Status, DateTimeOffset? CreatedAt);

public sealed record CopyJobInfo(string CopyJobId, string State, string SourceRecoveryPointArn, string DestinationVaultArn, string? DestinationRecoveryPointArn, string? StatusMessage);

/// <summary>The AWS Backup API (protocol <c>rest-json</c>) operations Ferry uses, in one region.</summary>
public sealed class BackupClient : WireClient
{
    public static readonly AwsService Service = new("backup", "backup", "2018-11-15");

    public BackupClient(AWSCredentials credentials, string region, AwsOptions options)
        : base(credentials, Service, region, options, Json.ReadError)
    {
    }

    public Task<string> StartCopyJobAsync(string recoveryPointArn, string sourceVaultName, string destinationVaultArn, string iamRoleArn, string idempotencyToken, CancellationToken ct) =>
        Call("StartCopyJob", "PUT", "/copy-jobs", null, new JsonObject
        {
            ["RecoveryPointArn"] = recoveryPointArn,
            ["SourceBackupVaultName"] = sourceVaultName,
            ["DestinationBackupVaultArn"] = destinationVaultArn,
            ["IamRoleArn"] = iamRoleArn,
            ["IdempotencyToken"] = idempotencyToken,
        }, j => j.Req("CopyJobId"), ct);

    public Task<CopyJobInfo> DescribeCopyJobAsync(string copyJobId, CancellationToken ct) =>
        Call("DescribeCopyJob", "GET", "/copy-jobs/{copyJobId}", new() { ["{copyJobId}"] = copyJobId }, null, j =>
        {
            var job = j["CopyJob"];
            return new CopyJobInfo(job.Req("CopyJobId"), job.Req("State"), job.Str("SourceRecoveryPointArn") ?? "", job.Str("DestinationBackupVaultArn") ?? "",
                job.Str("DestinationRecoveryPointArn"), job.Str("StatusMessage"));
        }, ct);

    public Task DeleteRecoveryPointAsync(string vaultName, string recoveryPointArn, CancellationToken ct) =>
        Call("DeleteRecoveryPoint", "DELETE", "/backup-vaults/{backupVaultName}/recovery-points/{recoveryPointArn}",
            new() { ["{backupVaultName}"] = vaultName, ["{recoveryPointArn}"] = recoveryPointArn }, null, _ => true, ct);

    public Task<Page<BackupVaultInfo>> ListBackupVaultsAsync(string? nextToken, CancellationToken ct) =>
        Call("ListBackupVaults", "GET", "/backup-vaults/", null, null,
            j => ReadPage(j, "BackupVaultList", ReadVault), ct, Query(nextToken));

    public Task<Page<KeyValuePair<string, string>>> ListTagsAsync(string resourceArn, string? nextToken, CancellationToken ct) =>
        Call("ListTags", "GET", "/tags/{resourceArn}/", new() { ["{resourceArn}"] = resourceArn }, null,
            j => new Page<KeyValuePair<string, string>>(
                [.. (j["Tags"]?.AsObject() ?? []).Select(t => KeyValuePair.Create(t.Key, t.Value?.GetValue<string>() ?? ""))], j.Str("NextToken")),
            ct, Query(nextToken));

    public Task TagResourceAsync(string resourceArn, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Call("TagResource", "POST", "/tags/{resourceArn}", new() { ["{resourceArn}"] = resourceArn }, new JsonObject
        {
            ["Tags"] = new JsonObject(tags.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))),
        }, _ => true, ct);

    public Task<Page<RecoveryPointInfo>> ListRecoveryPointsByResourceAsync(string resourceArn, string? nextToken, CancellationToken ct) =>
        Call("ListRecoveryPointsByResource", "GET", "/resources/{resourceArn}/recovery-points/", new() { ["{resourceArn}"] = resourceArn }, null,
            j => ReadPage(j, "RecoveryPoints", r => new RecoveryPointInfo(r.Req("RecoveryPointArn"), r.Str("BackupVaultName") ?? "", r.Str("Status") ?? "", r.Epoch("CreationDate"))),
            ct, Query(nextToken));

    public Task<IReadOnlyDictionary<string, bool>> DescribeRegionSettingsAsync(CancellationToken ct) =>
        Call("DescribeRegionSettings", "GET", "/account-settings", null, null,
            j => (IReadOnlyDictionary<string, bool>)(j["ResourceTypeOptInPreference"]?.AsObject() ?? []).ToDictionary(p => p.Key, p => p.Value?.GetValue<bool>() == true), ct);

    public Task UpdateRegionSettingsAsync(IReadOnlyDictionary<string, bool> optIn, CancellationToken ct) =>
        Call("UpdateRegionSettings", "PUT", "/account-settings", null, new JsonObject
        {
            ["ResourceTypeOptInPreference"] = new JsonObject(optIn.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
        }, _ => true, ct);

    private static Dictionary<string, string> Query(string? nextToken) => nextToken is null ? [] : new() { ["nextToken"] = nextToken };

    private static Page<T> ReadPage<T>(JsonNode j, string list, Func<JsonNode, T> read) =>
        new([.. (j[list]?.AsArray() ?? []).OfType<JsonNode>().Select(read)], j.Str("NextToken"));

    private static BackupVaultInfo ReadVault(JsonNode v) => new(v.Req("BackupVaultName"), v.Req("BackupVaultArn"), v.Str("VaultType"), v.Bool("Locked"));

    private Task<T> Call<T>(string operation, string method, string path, Dictionary<string, string>? pathParams, JsonObject? body, Func<JsonNode, T> read, CancellationToken ct, Dictionary<string, string>? query = null) =>
        SendAsync(new WireRequest<T>(operation, request =>
        {
            request.HttpMethod = method;
            request.ResourcePath = path;
            foreach (var (name, value) in pathParams ?? [])
                request.AddPathResource(name, value);
            foreach (var (name, value) in query ?? [])
                request.Parameters[name] = value;
            request.UseQueryString = method == "GET";
            if (body is not null)
            {
                request.Content = Encoding.UTF8.GetBytes(body.ToJsonString());
                request.Headers["Content-Type"] = "application/json";
            }
        }, b => read(Json.Parse(b))), ct);
}
