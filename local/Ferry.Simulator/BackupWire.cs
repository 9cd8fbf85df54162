using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Core.Aws;
using Ferry.Simulator.Wire;
using Ferry.Simulator.World;
using static Ferry.Simulator.Wire.Protocols;

namespace Ferry.Simulator;

public sealed partial class SimulatedAws
{
    /// <summary>AWS Backup creates a vault named Default in every account and region.</summary>
    public const string DefaultVault = "Default";

    internal Dictionary<(string Account, string Region, string Name), SimVault> Vaults { get; } = [];
    internal Dictionary<string, SimRecoveryPoint> RecoveryPoints { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, SimCopyJob> CopyJobs { get; } = new(StringComparer.Ordinal);
    internal HashSet<(string Account, string Region)> EfsOptInDisabled { get; } = [];

    private void LoadBackup(WorldSpec spec)
    {
        foreach (var account in spec.Accounts)
        {
            foreach (var region in spec.Regions)
                Vaults[(account, region, DefaultVault)] = new SimVault(DefaultVault, account, region, [], Locked: false, LogicallyAirGapped: false);
        }
        foreach (var v in spec.Vaults)
        {
            RequireLocation($"vaults: {v.Name}", v.Account, v.Region);
            if (!AwsIds.IsVaultName(v.Name))
                throw new InvalidDataException($"vaults: {v.Name} is not a valid vault name");
            Vaults[(v.Account, v.Region, v.Name)] = new SimVault(v.Name, v.Account, v.Region, v.Tags is null ? [] : new(v.Tags), v.Locked, v.LogicallyAirGapped);
        }
        foreach (var fs in spec.FileSystems)
        {
            RequireLocation($"fileSystems: {fs.FileSystemId}", fs.Account, fs.Region);
            if (!Vaults.ContainsKey((fs.Account, fs.Region, fs.Vault)))
                throw new InvalidDataException($"fileSystems: {fs.FileSystemId} is backed up to unknown vault {fs.Vault}");
            var arn = $"arn:aws:backup:{fs.Region}:{fs.Account}:recovery-point:{fs.FileSystemId}-initial";
            var done = new Progress(spec.Start.AddDays(-1), spec.Start.AddDays(-1), Fails: false);
            RecoveryPoints.Add(arn, new SimRecoveryPoint(arn, FileSystemArn(fs.Account, fs.Region, fs.FileSystemId), fs.Account, fs.Region, fs.Vault, done));
        }
        foreach (var location in spec.EfsOptInDisabled)
            EfsOptInDisabled.Add((location.Account, location.Region));
    }

    public static string FileSystemArn(string account, string region, string fileSystemId) =>
        $"arn:aws:elasticfilesystem:{region}:{account}:file-system/{fileSystemId}";
}

/// <summary>
/// AWS Backup (protocol <c>rest-json</c>, version 2018-11-15) as one role sees its region: vaults with tags, recovery
/// points by resource, copy jobs, tags and deletion of recovery points, and the resource-type opt-in of the region settings.
/// </summary>
internal sealed class BackupWire(SimulatedAws world) : IWireService
{
    private static readonly string[] ResourceTypes = ["Aurora", "EBS", "EC2", "EFS", "RDS"];

    public string Name => "backup";

    public string? OperationOf(WireRequest request)
    {
        var path = request.Path;
        return (request.Method, path) switch
        {
            ("GET", "/backup-vaults" or "/backup-vaults/") => "ListBackupVaults",
            ("GET", _) when Between(path, "/tags/", "/") is not null => "ListTags",
            ("POST", _) when Between(path, "/tags/", "") is { } arn && !arn.EndsWith('/') => "TagResource",
            ("GET", _) when Between(path, "/resources/", "/recovery-points/") is not null => "ListRecoveryPointsByResource",
            ("PUT", "/copy-jobs") => "StartCopyJob",
            ("GET", _) when Between(path, "/copy-jobs/", "") is { } id && !id.Contains('/', StringComparison.Ordinal) => "DescribeCopyJob",
            ("DELETE", _) when RecoveryPointPath(path) is not null => "DeleteRecoveryPoint",
            ("GET", "/account-settings") => "DescribeRegionSettings",
            ("PUT", "/account-settings") => "UpdateRegionSettings",
            _ => null,
        };
    }

    public WireReply Handle(Call call, string operation, WireRequest request) => operation switch
    {
        "ListBackupVaults" => ListBackupVaults(call),
        "ListTags" => ListTags(call, Between(request.Path, "/tags/", "/")!),
        "TagResource" => TagResource(call, request, Between(request.Path, "/tags/", "")!),
        "ListRecoveryPointsByResource" => ListRecoveryPoints(call, Between(request.Path, "/resources/", "/recovery-points/")!),
        "StartCopyJob" => StartCopyJob(call, request),
        "DescribeCopyJob" => DescribeCopyJob(call, Between(request.Path, "/copy-jobs/", "")!),
        "DeleteRecoveryPoint" => DeleteRecoveryPoint(call, RecoveryPointPath(request.Path)!.Value),
        "DescribeRegionSettings" => DescribeRegionSettings(call),
        _ => UpdateRegionSettings(call, request),
    };

    /// <summary>AWS Backup's errors carry no modelled status: client errors are 400, its faults (ServiceUnavailableException) 500.</summary>
    public WireReply Fault(AwsFault fault, string operation, string requestId) =>
        RestJsonError(fault.Status ?? fault.Kind switch
        {
            FaultKind.Denied or FaultKind.Unauthenticated => 403,
            FaultKind.Transient => 500,
            _ => 400,
        }, fault.Code, fault.Message, requestId);

    private WireReply ListBackupVaults(Call call) =>
        RestJson(new JsonObject
        {
            ["BackupVaultList"] = new JsonArray([.. world.Vaults.Values
                .Where(v => v.Account == call.Account && v.Region == call.Region)
                .OrderBy(v => v.Name, StringComparer.Ordinal)
                .Select(v => (JsonNode)new JsonObject
                {
                    ["BackupVaultName"] = v.Name,
                    ["BackupVaultArn"] = v.Arn,
                    ["VaultType"] = v.LogicallyAirGapped ? "LOGICALLY_AIR_GAPPED_BACKUP_VAULT" : "BACKUP_VAULT",
                    ["VaultState"] = "AVAILABLE",
                    ["CreationDate"] = world.Spec.Start.AddDays(-30).ToUnixTimeSeconds(),
                    ["NumberOfRecoveryPoints"] = world.RecoveryPoints.Values.Count(p => p.Account == v.Account && p.Region == v.Region && p.VaultName == v.Name),
                    ["Locked"] = v.Locked,
                })]),
        }, call.RequestId);

    /// <summary>The tags of a vault or recovery point; one of another account or region is not found here.</summary>
    private WireReply ListTags(Call call, string resourceArn) =>
        RestJson(new JsonObject
        {
            ["Tags"] = new JsonObject(TagsOf(call, resourceArn).OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))),
        }, call.RequestId);

    /// <summary>Adds or replaces tags (a map of at most 50) on a vault or recovery point of the caller's account and region.</summary>
    private WireReply TagResource(Call call, WireRequest request, string resourceArn)
    {
        var tags = request.Json is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("Tags", out var map) && map.ValueKind == JsonValueKind.Object
            ? map.EnumerateObject().ToList()
            : throw call.Invalid("MissingParameterValueException", "Tags is required");
        if (tags.Any(t => t.Value.ValueKind != JsonValueKind.String))
            throw call.Invalid("InvalidParameterValueException", "Tag values must be strings");
        var target = TagsOf(call, resourceArn);
        if (target.Keys.Union(tags.Select(t => t.Name), StringComparer.Ordinal).Count() > 50)
            throw call.Invalid("InvalidParameterValueException", $"Resource {resourceArn} would have more than 50 tags");
        foreach (var tag in tags)
            target[tag.Name] = tag.Value.GetString()!;
        return RestJson(new JsonObject(), call.RequestId);
    }

    private Dictionary<string, string> TagsOf(Call call, string resourceArn) =>
        world.Vaults.Values.FirstOrDefault(v => v.Arn == resourceArn && v.Account == call.Account && v.Region == call.Region)?.Tags
        ?? (world.RecoveryPoints.GetValueOrDefault(resourceArn) is { } point && point.Account == call.Account && point.Region == call.Region ? point.Tags : null)
        ?? throw call.NotFound("ResourceNotFoundException", $"Resource {resourceArn} not found in account {call.Account}, {call.Region}");

    /// <summary>The resource's recovery points in the caller's account and region, newest first; failed ones are gone.</summary>
    private WireReply ListRecoveryPoints(Call call, string resourceArn) =>
        RestJson(new JsonObject
        {
            ["RecoveryPoints"] = new JsonArray([.. world.RecoveryPoints.Values
                .Where(p => p.ResourceArn == resourceArn && p.Account == call.Account && p.Region == call.Region && !(p.Life.Done(call.Now) && p.Life.Fails))
                .OrderByDescending(p => p.Life.End)
                .Select(p => (JsonNode)new JsonObject
                {
                    ["RecoveryPointArn"] = p.Arn,
                    ["CreationDate"] = Epoch(p.Life.Start),
                    ["Status"] = p.Status(call.Now),
                    ["BackupVaultName"] = p.VaultName,
                    ["IsParent"] = false,
                })]),
        }, call.RequestId);

    private WireReply StartCopyJob(Call call, WireRequest request)
    {
        var recoveryPointArn = Required(call, request, "RecoveryPointArn");
        var sourceVaultName = Required(call, request, "SourceBackupVaultName");
        var destinationVaultArn = Required(call, request, "DestinationBackupVaultArn");
        var iamRoleArn = Required(call, request, "IamRoleArn");
        var token = request.JsonString("IdempotencyToken") ?? world.NewId("token");
        var jobId = $"sim-copy-{call.Account}-{token}";
        if (world.CopyJobs.TryGetValue(jobId, out var existing))
            return CopyJobStarted(call, existing);
        var point = world.RecoveryPoints.GetValueOrDefault(recoveryPointArn) is { } p && p.Account == call.Account && p.Region == call.Region
            ? p
            : throw call.NotFound("ResourceNotFoundException", $"Recovery point {recoveryPointArn} not found in account {call.Account}, {call.Region}");
        if (point.VaultName != sourceVaultName)
            throw call.Invalid("InvalidParameterValueException", $"Recovery point {point.Arn} is not in vault {sourceVaultName}");
        if (point.Status(call.Now) != "COMPLETED")
            throw call.Conflict("InvalidRequestException", $"Recovery point {point.Arn} is {point.Status(call.Now)}, not COMPLETED");
        if (point.ResourceArn.Contains(":elasticfilesystem:", StringComparison.Ordinal) && world.EfsOptInDisabled.Contains((call.Account, call.Region)))
            throw call.Invalid("InvalidRequestException", $"Resource type EFS is not opted in to AWS Backup in account {call.Account}, {call.Region}");
        if (!Arn.TryParse(iamRoleArn, out var roleArn) || roleArn.Account != call.Account || AwsIds.RoleNameOf(roleArn) is null)
            throw call.Invalid("InvalidParameterValueException", $"IamRoleArn {iamRoleArn} is not a role of account {call.Account}");
        var destination = Arn.TryParse(destinationVaultArn, out var vaultArn) && vaultArn.Resource.StartsWith("backup-vault:", StringComparison.Ordinal)
            ? world.Vaults.GetValueOrDefault((vaultArn.Account, vaultArn.Region, vaultArn.Resource["backup-vault:".Length..]))
            : null;
        if (destination is null)
            throw call.Invalid("InvalidParameterValueException", $"Destination vault {destinationVaultArn} does not exist");
        var life = world.Work(call, "StartCopyJob", SimulatedAws.Seconds(world.Spec.Timings.BackupCopySeconds));
        var copyArn = $"arn:aws:backup:{destination.Region}:{destination.Account}:recovery-point:{world.NewId("copy")}";
        world.RecoveryPoints.Add(copyArn, new SimRecoveryPoint(copyArn, point.ResourceArn, destination.Account, destination.Region, destination.Name, life));
        var job = new SimCopyJob(jobId, call.Account, call.Region, point.Arn, destination, copyArn, life);
        world.CopyJobs.Add(jobId, job);
        world.StartCopy(call, CopyService.Backup, destination.Account, destination.Region, jobId, life);
        return CopyJobStarted(call, job);
    }

    private static WireReply CopyJobStarted(Call call, SimCopyJob job) =>
        RestJson(new JsonObject { ["CopyJobId"] = job.Id, ["CreationDate"] = Epoch(job.Life.Start), ["IsParent"] = false }, call.RequestId);

    /// <summary>The destination recovery point is named once the copy completed, and a failed job says why.</summary>
    private WireReply DescribeCopyJob(Call call, string copyJobId)
    {
        var job = world.CopyJobs.GetValueOrDefault(copyJobId) is { } j && j.Account == call.Account && j.Region == call.Region
            ? j
            : throw call.NotFound("ResourceNotFoundException", $"Copy job {copyJobId} not found");
        var state = job.State(call.Now);
        return RestJson(new JsonObject
        {
            ["CopyJob"] = Present(new JsonObject
            {
                ["AccountId"] = job.Account,
                ["CopyJobId"] = job.Id,
                ["SourceRecoveryPointArn"] = job.SourceRecoveryPointArn,
                ["DestinationBackupVaultArn"] = job.Destination.Arn,
                ["DestinationRecoveryPointArn"] = state == "COMPLETED" ? job.DestinationRecoveryPointArn : null,
                ["CreationDate"] = Epoch(job.Life.Start),
                ["CompletionDate"] = state == "RUNNING" ? null : Epoch(job.Life.End),
                ["State"] = state,
                ["StatusMessage"] = state == "FAILED" ? "The copy job failed (injected fault)" : null,
                ["IsParent"] = false,
            }),
        }, call.RequestId);
    }

    private WireReply DeleteRecoveryPoint(Call call, (string VaultName, string RecoveryPointArn) target)
    {
        var (vaultName, recoveryPointArn) = target;
        var point = world.RecoveryPoints.GetValueOrDefault(recoveryPointArn);
        if (point is null || point.Account != call.Account || point.Region != call.Region || point.VaultName != vaultName)
            throw call.NotFound("ResourceNotFoundException", $"Recovery point {recoveryPointArn} not found in vault {vaultName} of account {call.Account}, {call.Region}");
        if (world.Vaults.GetValueOrDefault((call.Account, call.Region, vaultName)) is { Locked: true })
            throw call.Invalid("InvalidRequestException", $"Vault {vaultName} has Vault Lock: its recovery points cannot be deleted");
        world.RecoveryPoints.Remove(recoveryPointArn);
        return RestJson(new JsonObject(), call.RequestId);
    }

    private WireReply DescribeRegionSettings(Call call) =>
        RestJson(new JsonObject
        {
            ["ResourceTypeOptInPreference"] = new JsonObject(ResourceTypes.Select(t =>
                KeyValuePair.Create(t, (JsonNode?)(t != "EFS" || !world.EfsOptInDisabled.Contains((call.Account, call.Region)))))),
            ["ResourceTypeManagementPreference"] = new JsonObject(),
        }, call.RequestId);

    /// <summary>Only EFS's opt-in is modelled; the other known types accept any setting, unknown types are refused.</summary>
    private WireReply UpdateRegionSettings(Call call, WireRequest request)
    {
        var preferences = request.Json is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("ResourceTypeOptInPreference", out var map)
            && map.ValueKind == JsonValueKind.Object
            ? map.EnumerateObject().ToList()
            : [];
        foreach (var preference in preferences)
        {
            if (!ResourceTypes.Contains(preference.Name))
                throw call.Invalid("InvalidParameterValueException", $"Unknown resource type {preference.Name}");
            if (preference.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                throw call.Invalid("InvalidParameterValueException", $"The opt-in preference of {preference.Name} must be true or false");
        }
        foreach (var preference in preferences.Where(p => p.Name == "EFS"))
        {
            if (preference.Value.ValueKind == JsonValueKind.True)
                world.EfsOptInDisabled.Remove((call.Account, call.Region));
            else
                world.EfsOptInDisabled.Add((call.Account, call.Region));
        }
        return RestJson(new JsonObject(), call.RequestId);
    }

    private static string Required(Call call, WireRequest request, string member) =>
        request.JsonString(member) ?? throw call.Invalid("MissingParameterValueException", $"{member} is required");

    /// <summary>AWS leaves unset members out of its answers.</summary>
    private static JsonObject Present(JsonObject members)
    {
        foreach (var name in members.Where(m => m.Value is null).Select(m => m.Key).ToList())
            members.Remove(name);
        return members;
    }

    private static double Epoch(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>The segment between a prefix and a suffix (ARNs in paths contain slashes), or null when the path has other bounds.</summary>
    private static string? Between(string path, string prefix, string suffix) =>
        path.Length > prefix.Length + suffix.Length && path.StartsWith(prefix, StringComparison.Ordinal) && path.EndsWith(suffix, StringComparison.Ordinal)
            ? path[prefix.Length..^suffix.Length]
            : null;

    private static (string VaultName, string RecoveryPointArn)? RecoveryPointPath(string path)
    {
        var rest = Between(path, "/backup-vaults/", "");
        var split = rest?.IndexOf("/recovery-points/", StringComparison.Ordinal) ?? -1;
        return rest is not null && split > 0 && !rest[..split].Contains('/', StringComparison.Ordinal) && rest.Length > split + "/recovery-points/".Length
            ? (rest[..split], rest[(split + "/recovery-points/".Length)..])
            : null;
    }
}
