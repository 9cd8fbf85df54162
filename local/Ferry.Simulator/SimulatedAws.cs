using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ferry.Core.Aws;
using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Planning;
using Ferry.Core.Ports;
using Ferry.Simulator.World;

namespace Ferry.Simulator;

/// <param name="Clock">Defaults to a manual clock at the world's start.</param>
/// <param name="Faults">Overrides the world file's faults.</param>
/// <param name="Acceleration">When set (and no clock is given), an accelerated clock from the world's start: this many simulated seconds per real second.</param>
public sealed record SimulatorOptions(IClock? Clock = null, FaultSettings? Faults = null, double? Acceleration = null);

/// <summary>
/// An in-memory AWS (EC2/EBS, RDS/Aurora, KMS, STS, AWS Backup, EFS) implementing Ferry's ports. It refuses
/// what AWS refuses, with AWS's error codes, so code that works here is not merely lucky.
/// One lock guards all state; every call is logged.
/// </summary>
public sealed partial class SimulatedAws : IAwsPorts
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly Lock _gate = new();
    private readonly FaultInjector _faults;
    private readonly Dictionary<string, long> _counters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _issuedKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimRole> _roles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimKey> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Account, string Region, string Alias), SimKey> _aliases = [];
    private readonly KeyAccess _keyAccess;
    private readonly List<ActiveCopy> _activeCopies = [];

    public SimulatedAws(WorldSpec spec, SimulatorOptions? options = null)
    {
        Spec = spec;
        Clock = options?.Clock
            ?? (options?.Acceleration is { } factor ? new AcceleratedClock(spec.Start, factor) : new ManualClock(spec.Start));
        _faults = new FaultInjector(options?.Faults ?? spec.Faults ?? FaultSettings.None);
        ValidateLocations(spec);
        foreach (var account in spec.Accounts)
        {
            foreach (var region in spec.Regions)
            {
                AddKey(new SimKey(DefaultKeyArn(account, region, "ebs"), account, region, "alias/aws/ebs", IsDefault: true));
                AddKey(new SimKey(DefaultKeyArn(account, region, "rds"), account, region, "alias/aws/rds", IsDefault: true));
            }
        }
        foreach (var key in spec.Keys)
            AddKey(CustomerKey(key));
        foreach (var role in spec.Roles)
            _roles.Add(role.Arn, new SimRole(role.Arn, AccountOfRole(role.Arn), role.AssumableBy ?? [], role.ExternalId));
        _keyAccess = new KeyAccess(Grants(spec));
        LoadEc2(spec);
        LoadRds(spec);
        LoadBackup(spec);
    }

    public WorldSpec Spec { get; }

    public IClock Clock { get; }

    public CallLog CallLog { get; } = new();

    public FaultSettings Faults => _faults.Settings;

    public static SimulatedAws Load(string path, SimulatorOptions? options = null) => FromJson(File.ReadAllText(path), options);

    public static SimulatedAws FromJson(string json, SimulatorOptions? options = null) =>
        new(JsonSerializer.Deserialize<WorldSpec>(json, JsonOptions) ?? throw new InvalidDataException("The world file is empty"), options);

    /// <summary>The credentials port of a caller: by default Ferry's own principal and ExternalId from the world file.</summary>
    public ICredentialsPort Credentials(string? principal = null, string? externalId = null) =>
        new SimulatedCredentials(this, principal ?? Spec.Ferry.Principal, externalId ?? Spec.Ferry.ExternalId);

    /// <summary>The EC2 port, typed so tests can also reach the setup calls Ferry's port leaves out.</summary>
    public SimulatedEc2 Ec2(RoleSession session, string region) => new(this, session, region);

    IEc2Port IAwsPorts.Ec2(RoleSession session, string region) => Ec2(session, region);

    public IRdsPort Rds(RoleSession session, string region) => new SimulatedRds(this, session, region);

    public IKmsPort Kms(RoleSession session, string region) => new SimulatedKms(this, session, region);

    public IBackupPort Backup(RoleSession session, string region) => new SimulatedBackup(this, session, region);

    public IEfsPort Efs(RoleSession session, string region) => new SimulatedEfs(this, session, region);

    /// <summary>The ARN of the AWS managed default key (alias/aws/ebs or alias/aws/rds) of an account and region.</summary>
    public static string DefaultKeyArn(string account, string region, string service) =>
        $"arn:aws:kms:{region}:{account}:key/a0000000-0000-4000-{(service == "ebs" ? "8eb5" : "8d85")}-{account}";

    /// <summary>
    /// Runs one API call: validates the session, draws faults, runs <paramref name="action"/> under the lock,
    /// and logs the outcome. Latency is added outside the lock so slow calls do not serialize others.
    /// </summary>
    internal async Task<T> CallAsync<T>(
        RoleSession session, string service, string region, string operation, IEnumerable<(string Name, string? Value)> parameters,
        Func<Call, T> action, CancellationToken cancellationToken)
    {
        parameters = [.. parameters];
        var values = parameters.Select(p => p.Value).OfType<string>().ToList();
        var latency = _faults.Latency(service, operation, values);
        if (latency > TimeSpan.Zero)
            await Task.Delay(latency, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var role = _roles.GetValueOrDefault(session.RoleArn);
            var call = new Call(this, role ?? new SimRole(session.RoleArn, session.AccountId, [], null), service, region, Clock.UtcNow, NextRequestId(), values);
            try
            {
                Authenticate(call, session, role);
                var result = Run(call, operation, action);
                Log(call, operation, parameters, CallLog.Ok);
                return result;
            }
            catch (FerryException e)
            {
                Log(call, operation, parameters, e.AwsErrorCode ?? e.ErrorName);
                throw;
            }
        }
    }

    private T Run<T>(Call call, string operation, Func<Call, T> action)
    {
        var (throttled, transient) = _faults.Draw(call.Service, operation, call.ParameterValues);
        if (throttled)
            throw new FerryThrottledException($"Rate exceeded ({call.Service}:{operation})", ThrottleCode(call.Service), call.RequestId);
        if (transient)
            throw new FerryTransientException($"An internal error has occurred ({call.Service}:{operation})", TransientCode(call.Service), call.RequestId);
        if (!Spec.Regions.Contains(call.Region) && call.Region != GlobalRegion)
            throw call.Invalid("InvalidParameterValue", $"Region {call.Region} is not part of this world");
        return action(call);
    }

    internal const string GlobalRegion = "global";

    private void Authenticate(Call call, RoleSession session, SimRole? role)
    {
        if (role is null || !_issuedKeys.TryGetValue(session.Credentials.AccessKeyId, out var issuedFor) || issuedFor != role.Arn)
        {
            throw call.Denied(call.Service == "ec2" ? "AuthFailure" : "InvalidClientTokenId",
                $"The security token of session {session.RoleArn} was not issued by this world's STS");
        }
    }

    private void Log(Call call, string operation, IEnumerable<(string Name, string? Value)> parameters, string result)
    {
        var sorted = parameters.Where(p => p.Value is not null)
            .Select(p => KeyValuePair.Create(p.Name, p.Value!))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ToList();
        var sequence = Next("call");
        CallLog.Add(new CallRecord(sequence, call.Now, call.Service, operation, call.Role.Arn, call.Account, call.Region, sorted, result,
            result == CallLog.Ok ? call.Copy : null));
    }

    private static string ThrottleCode(string service) => service switch
    {
        "ec2" => "RequestLimitExceeded",
        "backup" or "elasticfilesystem" => "ThrottlingException",
        _ => "Throttling",
    };

    private static string TransientCode(string service) => service switch
    {
        "ec2" => "InternalError",
        "kms" => "KMSInternalException",
        "backup" => "ServiceUnavailableException",
        "elasticfilesystem" => "InternalServerError",
        _ => "InternalFailure",
    };

    // ---- identifiers and time ----

    internal long Next(string kind)
    {
        _counters[kind] = _counters.GetValueOrDefault(kind) + 1;
        return _counters[kind];
    }

    /// <summary>Counter-based ids in AWS's 17-hex-digit form, so logs repeat run after run.</summary>
    internal string NewId(string prefix) => string.Create(CultureInfo.InvariantCulture, $"{prefix}-{Next(prefix):x17}");

    private string NextRequestId() => string.Create(CultureInfo.InvariantCulture, $"00000000-0000-4000-8000-{Next("request"):x12}");

    internal Progress Work(Call call, string operation, TimeSpan duration) =>
        Noted(call, operation, new(call.Now, call.Now + duration, _faults.EndsInError(call.Service, operation, call.ParameterValues)));

    internal static TimeSpan Seconds(double seconds) => TimeSpan.FromSeconds(seconds);

    // ---- copy quotas ----

    /// <summary>Refuses a copy over the destination's concurrent-copy quota, with the service's code and wording.</summary>
    internal void RequireCopySlot(Call call, string operation, CopyService service, int limit, string code)
    {
        var inFlight = _activeCopies.Count(c => c.Service == service && c.Account == call.Account && c.Region == call.Region && c.End > call.Now);
        if (inFlight >= limit)
        {
            throw call.Limit(operation, code, service == CopyService.Ebs
                ? $"Too many snapshot copies in progress. The limit is {limit} for this destination region ({inFlight} in progress to {call.Region} in account {call.Account})"
                : $"Cannot copy more than {limit} snapshots across regions ({inFlight} copies in progress to {call.Region} in account {call.Account})");
        }
    }

    /// <summary>Records a copy into (account, region) that holds a quota slot until it ends.</summary>
    internal void StartCopy(Call call, CopyService service, string account, string region, string id, Progress life)
    {
        _activeCopies.RemoveAll(c => c.End <= call.Now);
        _activeCopies.Add(new ActiveCopy(service, account, region, id, life.End));
        call.Copy = new CopyWindow(service, account, region, id, life.Start, life.End);
    }

    /// <summary>A copy deleted while in flight frees its slot now.</summary>
    internal void EndCopy(Call call, string id)
    {
        var active = _activeCopies.FirstOrDefault(c => c.Id == id && c.End > call.Now);
        if (active is null)
            return;
        active.End = call.Now;
        call.Copy = new CopyWindow(active.Service, active.Account, active.Region, id, call.Now, call.Now);
    }

    // ---- keys ----

    /// <summary>Resolves a key ARN, alias ARN, alias name or key id as seen from an account and region.</summary>
    internal SimKey? FindKey(string keyIdOrAlias, string account, string region)
    {
        if (Arn.TryParse(keyIdOrAlias, out var arn))
        {
            return arn.Resource.StartsWith("alias/", StringComparison.Ordinal)
                ? _aliases.GetValueOrDefault((arn.Account, arn.Region, arn.Resource))
                : _keys.GetValueOrDefault(keyIdOrAlias);
        }
        return keyIdOrAlias.StartsWith("alias/", StringComparison.Ordinal)
            ? _aliases.GetValueOrDefault((account, region, keyIdOrAlias))
            : _keys.GetValueOrDefault($"arn:aws:kms:{region}:{account}:key/{keyIdOrAlias}");
    }

    internal SimKey DefaultKey(string account, string region, string service) => _keys[DefaultKeyArn(account, region, service)];

    /// <summary>The permissions the call's role lacks on the key. AWS managed keys serve every principal of their own account and no other.</summary>
    internal IReadOnlyList<string> MissingPermissions(SimRole role, SimKey key, IReadOnlyList<string> permissions) =>
        key.IsDefault
            ? role.Account == key.Account ? [] : permissions
            : _keyAccess.Missing(role.Arn, key.Arn, permissions);

    /// <summary>Fails the call with <paramref name="code"/> unless its role can use the key as <paramref name="use"/> needs.</summary>
    internal void RequireKey(Call call, SimKey key, KeyUse use, string code)
    {
        var missing = MissingPermissions(call.Role, key, KeyPermissions.For(use));
        if (missing.Count > 0)
        {
            var why = key.IsDefault && key.Account != call.Account ? " (an AWS managed key cannot be used by another account)" : "";
            throw call.Denied(code, $"Role {call.Role.Arn} is not authorized to use KMS key {key.Facts.Display}: missing {string.Join(", ", missing)}{why}");
        }
    }

    /// <summary>
    /// The checks AWS makes before sharing a snapshot: a valid account, never a default-key snapshot with
    /// another account (<paramref name="defaultKeyCode"/>), and the sharing role able to describe the key.
    /// </summary>
    internal void RequireShareable(Call call, string snapshotId, SimKey? key, string accountId, string defaultKeyCode, string kmsCode)
    {
        if (!AwsIds.IsAccountId(accountId))
            throw call.Invalid("InvalidParameterValue", $"{accountId} is not a valid account id");
        if (accountId != call.Account && key is { IsDefault: true })
        {
            throw call.Invalid(defaultKeyCode,
                $"Snapshot {snapshotId} is encrypted with the AWS managed key {key.Facts.Display}; snapshots encrypted with a default key cannot be shared with account {accountId}");
        }
        if (key is not null)
            RequireKey(call, key, KeyUse.Share, kmsCode);
    }

    /// <summary>Resolves a key a request names for use in the call's region, failing as the service does when it cannot.</summary>
    internal SimKey RequestKey(Call call, string keyIdOrAlias, string notFoundCode)
    {
        var key = FindKey(keyIdOrAlias, call.Account, call.Region)
            ?? throw call.NotFound(notFoundCode, $"KMS key {keyIdOrAlias} does not exist in {call.Region}");
        if (key.Region != call.Region)
            throw call.Invalid("InvalidParameterValue", $"KMS key {key.Arn} is in {key.Region}; a key used in {call.Region} must be in {call.Region}");
        return key;
    }

    // ---- tags ----

    internal static bool MatchesAll(IReadOnlyDictionary<string, string> tags, IReadOnlyList<TagQuery>? queries) =>
        queries is null || queries.All(q => Matches(tags, q));

    internal static bool MatchesAny(IReadOnlyDictionary<string, string> tags, IReadOnlyList<TagQuery>? queries) =>
        queries is null || queries.Count == 0 || queries.Any(q => Matches(tags, q));

    /// <summary>A tag filter with no values matches the key alone (AWS's tag-key filter).</summary>
    private static bool Matches(IReadOnlyDictionary<string, string> tags, TagQuery query) =>
        tags.TryGetValue(query.Key, out var value) && (query.Values.Count == 0 || query.Values.Contains(value));

    internal static string Describe(IReadOnlyDictionary<string, string>? tags) =>
        tags is null ? "" : string.Join(";", tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));

    // ---- STS ----

    internal RoleSession Assume(string roleArn, string principal, string? externalId)
    {
        lock (_gate)
        {
            var account = Arn.TryParse(roleArn, out var arn) ? arn.Account : "";
            var parameters = new (string, string?)[] { ("RoleArn", roleArn), ("Principal", principal), ("ExternalId", externalId is null ? null : "***") };
            var call = new Call(this, new SimRole(roleArn, account, [], null), "sts", GlobalRegion, Clock.UtcNow, NextRequestId(), [roleArn]);
            try
            {
                var session = Run(call, "AssumeRole", c => IssueSession(c, roleArn, principal, externalId));
                Log(call, "AssumeRole", parameters, CallLog.Ok);
                return session;
            }
            catch (FerryException e)
            {
                Log(call, "AssumeRole", parameters, e.AwsErrorCode ?? e.ErrorName);
                throw;
            }
        }
    }

    private RoleSession IssueSession(Call call, string roleArn, string principal, string? externalId)
    {
        var notAuthorized = $"User: {principal} is not authorized to perform: sts:AssumeRole on resource: {roleArn}";
        if (!_roles.TryGetValue(roleArn, out var role))
            throw call.Denied("AccessDenied", notAuthorized + " (no such role)");
        if (!role.AssumableBy.Contains(principal) && !role.AssumableBy.Contains("*"))
            throw call.Denied("AccessDenied", notAuthorized + " (the role's trust policy does not name the caller)");
        if (role.ExternalId is not null && role.ExternalId != externalId)
            throw call.Denied("AccessDenied", notAuthorized + " (ExternalId does not match the trust policy)");
        var n = Next("session");
        var accessKey = string.Create(CultureInfo.InvariantCulture, $"ASIASIM{n:D13}");
        _issuedKeys[accessKey] = role.Arn;
        var credentials = new AwsCredentials(accessKey, $"sim-secret-{n}", $"sim-token-{n}", call.Now.AddHours(1));
        return new RoleSession(role.Arn, role.Account, credentials);
    }

    // ---- loading ----

    private static void ValidateLocations(WorldSpec spec)
    {
        if (spec.Accounts.FirstOrDefault(a => !AwsIds.IsAccountId(a)) is { } badAccount)
            throw new InvalidDataException($"accounts: {badAccount} is not a 12-digit account id");
        if (spec.Regions.FirstOrDefault(r => !AwsRegions.IsKnown(r)) is { } badRegion)
            throw new InvalidDataException($"regions: {badRegion} is not an AWS region");
    }

    internal void RequireLocation(string what, string account, string region)
    {
        if (!Spec.Accounts.Contains(account) || !Spec.Regions.Contains(region))
            throw new InvalidDataException($"{what}: account {account} / region {region} is not declared in accounts / regions");
    }

    private string AccountOfRole(string roleArn) =>
        Arn.TryParse(roleArn, out var arn) && AwsIds.RoleNameOf(arn) is not null && Spec.Accounts.Contains(arn.Account)
            ? arn.Account
            : throw new InvalidDataException($"roles: {roleArn} is not a role ARN of a declared account");

    private void AddKey(SimKey key)
    {
        _keys.Add(key.Arn, key);
        if (key.Alias is not null)
            _aliases.Add((key.Account, key.Region, key.Alias), key);
    }

    private SimKey CustomerKey(KeySpec spec)
    {
        if (!Arn.TryParse(spec.Arn, out var arn) || arn.Service != "kms" || !arn.Resource.StartsWith("key/", StringComparison.Ordinal))
            throw new InvalidDataException($"keys: {spec.Arn} is not a KMS key ARN");
        RequireLocation($"keys: {spec.Arn}", arn.Account, arn.Region);
        if (spec.Alias is { } alias && (!alias.StartsWith("alias/", StringComparison.Ordinal) || alias.StartsWith("alias/aws/", StringComparison.Ordinal)))
            throw new InvalidDataException($"keys: alias {alias} must start with alias/ and not with the reserved alias/aws/");
        return new SimKey(spec.Arn, arn.Account, arn.Region, spec.Alias, IsDefault: false);
    }

    private IEnumerable<KeyGrant> Grants(WorldSpec spec)
    {
        foreach (var role in spec.Roles)
        {
            foreach (var grant in role.Keys ?? [])
            {
                var account = _roles[role.Arn].Account;
                var key = FindKey(grant.Key, account, grant.Region ?? "")
                    ?? throw new InvalidDataException($"roles: {role.Arn} is granted unknown key {grant.Key}");
                yield return new KeyGrant(role.Arn, key.Arn, grant.Actions);
            }
        }
        foreach (var key in spec.Keys)
        {
            foreach (var statement in key.Policy ?? [])
            {
                var principals = statement.Principals
                    .SelectMany(p => AwsIds.IsAccountId(p) ? _roles.Values.Where(r => r.Account == p).Select(r => r.Arn) : [p]);
                foreach (var principal in principals)
                    yield return new KeyGrant(principal, key.Arn, statement.Actions);
            }
        }
    }

    /// <summary>A resource's key from the world file: explicit, or the service's default key when encrypted without one.</summary>
    private SimKey? ResourceKey(string what, bool encrypted, string? keyRef, string account, string region, string service)
    {
        if (!encrypted)
        {
            return keyRef is null ? null : throw new InvalidDataException($"{what}: unencrypted but names key {keyRef}");
        }
        if (keyRef is null)
            return DefaultKey(account, region, service);
        var key = FindKey(keyRef, account, region) ?? throw new InvalidDataException($"{what}: unknown key {keyRef}");
        return key.Region == region ? key : throw new InvalidDataException($"{what}: key {key.Arn} is not in {region}");
    }
}
