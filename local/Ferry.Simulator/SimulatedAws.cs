using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ferry.Core.Aws;
using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Planning;
using Ferry.Core.Ports;
using Ferry.Simulator.Wire;
using Ferry.Simulator.World;

namespace Ferry.Simulator;

/// <param name="Clock">Defaults to a manual clock at the world's start.</param>
/// <param name="Faults">Overrides the world file's faults.</param>
/// <param name="Acceleration">When set (and no clock is given), an accelerated clock from the world's start: this many simulated seconds per real second.</param>
public sealed record SimulatorOptions(IClock? Clock = null, FaultSettings? Faults = null, double? Acceleration = null);

/// <summary>
/// A simulated AWS (EC2/EBS, RDS/Aurora, KMS, STS, AWS Backup, EFS) that answers on the wire (<see cref="ServeAsync"/>,
/// served by <see cref="SimulatorServer"/>) in each service's protocol. It refuses what AWS refuses, with AWS's
/// error codes and statuses, so code that works here is not merely lucky. One lock guards all state; every call is logged.
/// </summary>
public sealed partial class SimulatedAws
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

    /// <summary>
    /// Every world by number until it is retired: one endpoint serves them all, and an access key names the world that issued
    /// it. Held strongly, since whoever holds only adapters and credentials still talks to the world.
    /// </summary>
    private static readonly ConcurrentDictionary<int, SimulatedAws> Worlds = new();
    private static int _lastWorld;

    private readonly Lock _gate = new();
    private readonly FaultInjector _faults;
    private readonly Dictionary<string, long> _counters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Identity> _identities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IWireService> _services;
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
        _services = new IWireService[] { new StsWire(this), new KmsWire(this), new EfsWire(this), new Ec2Wire(this), new RdsWire(this), new BackupWire(this) }.ToDictionary(w => w.Name, StringComparer.Ordinal);
        Number = Interlocked.Increment(ref _lastWorld);
        Worlds[Number] = this;
    }

    /// <summary>Stops serving this world: its keys become unknown to the endpoint, and the world can be collected.</summary>
    public void Retire() => Worlds.TryRemove(Number, out _);

    /// <summary>This world's number, which the access keys it issues carry.</summary>
    public int Number { get; }

    public WorldSpec Spec { get; }

    public IClock Clock { get; }

    public CallLog CallLog { get; } = new();

    public FaultSettings Faults => _faults.Settings;

    public static SimulatedAws Load(string path, SimulatorOptions? options = null) => FromJson(File.ReadAllText(path), options);

    public static SimulatedAws FromJson(string json, SimulatorOptions? options = null) =>
        new(JsonSerializer.Deserialize<WorldSpec>(json, JsonOptions) ?? throw new InvalidDataException("The world file is empty"), options);

    /// <summary>
    /// Long-term credentials of a principal (by default Ferry's own, as Lambda gives a function its execution role's): what
    /// signs the AssumeRole calls that lead to every other identity. Issuing twice gives the same keys.
    /// </summary>
    public (string AccessKeyId, string SecretAccessKey) PrincipalKeys(string? principal = null)
    {
        principal ??= Spec.Ferry.Principal;
        lock (_gate)
        {
            var existing = _identities.FirstOrDefault(i => i.Value.Arn == principal && i.Value.Token is null);
            if (existing.Key is not null)
                return (existing.Key, existing.Value.Secret);
            var n = Next("principal");
            var key = AccessKey("AKIA", n);
            _identities[key] = new Identity(principal, $"sim-principal-secret-{n}", null, DateTimeOffset.MaxValue);
            return (key, _identities[key].Secret);
        }
    }

    /// <summary>An access key id in AWS's 20-character form (AKIA long-term, ASIA temporary) that names the issuing world.</summary>
    private string AccessKey(string prefix, long n) => string.Create(CultureInfo.InvariantCulture, $"{prefix}{Number:D6}{n:D10}");

    /// <summary>
    /// Answers a request for whichever world issued its access key. A key no live world issued is refused by the most
    /// recent world (none knows it), as AWS refuses a key it never issued.
    /// </summary>
    public static Task<WireReply> ServeAnyAsync(WireRequest request, CancellationToken cancellationToken = default)
    {
        var key = request.AccessKeyId;
        var world = key is { Length: 20 } && int.TryParse(key.AsSpan(4, 6), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            && Worlds.TryGetValue(number, out var issuer)
            ? issuer
            : Worlds.OrderByDescending(w => w.Key).Select(w => w.Value).FirstOrDefault();
        return world is not null
            ? world.ServeAsync(request, cancellationToken)
            : Task.FromResult(Protocols.QueryError("https://iam.amazonaws.com/doc/2010-05-08/", 403, "InvalidClientTokenId",
                "The security token included in the request is invalid.", "00000000-0000-4000-8000-000000000000"));
    }

    /// <summary>The ARN of the AWS managed default key (alias/aws/ebs or alias/aws/rds) of an account and region.</summary>
    public static string DefaultKeyArn(string account, string region, string service) =>
        $"arn:aws:kms:{region}:{account}:key/a0000000-0000-4000-{(service == "ebs" ? "8eb5" : "8d85")}-{account}";

    /// <summary>
    /// Answers one request on the wire: finds the service its signature names, adds latency, then under the lock
    /// authenticates the signer, draws faults, runs the operation and logs it. Latency is added outside the lock so
    /// slow calls do not serialize others.
    /// </summary>
    public async Task<WireReply> ServeAsync(WireRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Service is null || !_services.TryGetValue(request.Service, out var service))
        {
            return Protocols.QueryError("https://iam.amazonaws.com/doc/2010-05-08/", 403, "MissingAuthenticationToken",
                request.Service is null ? "Request is missing Authentication Token" : $"No service {request.Service} answers here", "00000000-0000-4000-8000-000000000000");
        }
        var operation = service.OperationOf(request);
        var parameters = request.LogParameters();
        var values = parameters.Select(p => p.Value).OfType<string>().ToList();
        var latency = operation is null ? TimeSpan.Zero : _faults.Latency(service.Name, operation, values);
        if (latency > TimeSpan.Zero)
            await Task.Delay(latency, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            var requestId = NextRequestId();
            var region = request.Region ?? "";
            var identity = request.AccessKeyId is { } key ? _identities.GetValueOrDefault(key) : null;
            var role = identity is null ? new SimRole("(unauthenticated)", "", [], null)
                : _roles.GetValueOrDefault(identity.Arn) ?? new SimRole(identity.Arn, Arn.TryParse(identity.Arn, out var arn) ? arn.Account : "", [], null);
            var call = new Call(this, role, service.Name, region, Clock.UtcNow, requestId, values) { AccessKeyId = request.AccessKeyId };
            var logged = operation ?? "(unknown)";
            try
            {
                // Expiry is not judged: on an accelerated clock a step's real run time is not simulated work (as with Task
                // timeouts), so a session could expire under a step that in AWS would take seconds.
                if (identity is null || (identity.Token is not null && request.Headers.GetValueOrDefault("X-Amz-Security-Token") != identity.Token))
                    throw new AwsFault(FaultKind.Unauthenticated, UnknownKeyCode(service.Name), "The security token included in the request is invalid.");
                if (operation is null)
                    throw call.Invalid(service.Name == "kms" ? "UnknownOperationException" : "InvalidAction", "The action or operation requested is invalid.");
                var reply = Run(call, operation, () => service.Handle(call, operation, request));
                Log(call, logged, parameters, CallLog.Ok);
                return reply;
            }
            catch (AwsFault fault)
            {
                Log(call, logged, parameters, fault.Code);
                return service.Fault(fault, logged, requestId);
            }
        }
    }

    private T Run<T>(Call call, string operation, Func<T> action)
    {
        var (throttled, transient) = _faults.Draw(call.Service, operation, call.ParameterValues);
        if (throttled)
            throw new AwsFault(FaultKind.Throttled, ThrottleCode(call.Service), "Rate exceeded");
        if (transient)
            throw new AwsFault(FaultKind.Transient, TransientCode(call.Service), "An internal error has occurred");
        if (!Spec.Regions.Contains(call.Region) && call.Service != "sts")
            throw call.Invalid("InvalidParameterValue", $"Region {call.Region} is not part of this world");
        return action();
    }

    /// <summary>How each service refuses a key it did not issue.</summary>
    private static string UnknownKeyCode(string service) => service switch
    {
        "ec2" => "AuthFailure",
        "kms" or "backup" or "elasticfilesystem" => "UnrecognizedClientException",
        _ => "InvalidClientTokenId",
    };

    private void Log(Call call, string operation, IEnumerable<(string Name, string? Value)> parameters, string result)
    {
        var sorted = parameters.Where(p => p.Value is not null)
            .Select(p => KeyValuePair.Create(p.Name, p.Value!))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ToList();
        var sequence = Next("call");
        CallLog.Add(new CallRecord(sequence, call.Now, call.Service, operation, call.Role.Arn, call.Account, call.Region, sorted, result,
            result == CallLog.Ok ? call.Copy : null, call.AccessKeyId));
    }

    private static string ThrottleCode(string service) => service switch
    {
        "ec2" => "RequestLimitExceeded",
        "kms" or "backup" or "elasticfilesystem" => "ThrottlingException",
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

    internal string NextRequestId() => string.Create(CultureInfo.InvariantCulture, $"00000000-0000-4000-8000-{Next("request"):x12}");

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
            throw call.Limit(code, service == CopyService.Ebs
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

    /// <summary>The keys with an alias in an account and region, by alias.</summary>
    internal IEnumerable<SimKey> Aliases(string account, string region) =>
        _aliases.Where(a => a.Key.Account == account && a.Key.Region == region).OrderBy(a => a.Key.Alias, StringComparer.Ordinal).Select(a => a.Value);

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

    /// <summary>AssumeRole as the call's signer: the role's trust policy must name the signer and, when it asks for one, the ExternalId.</summary>
    internal (Identity Issued, string AccessKeyId, SimRole Role) Assume(Call call, string roleArn, string? externalId)
    {
        var notAuthorized = $"User: {call.Role.Arn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}";
        if (!_roles.TryGetValue(roleArn, out var role))
            throw call.Denied("AccessDenied", notAuthorized + " (no such role)");
        if (!role.AssumableBy.Contains(call.Role.Arn) && !role.AssumableBy.Contains("*"))
            throw call.Denied("AccessDenied", notAuthorized + " (the role's trust policy does not name the caller)");
        if (role.ExternalId is not null && role.ExternalId != externalId)
            throw call.Denied("AccessDenied", notAuthorized + " (ExternalId does not match the trust policy)");
        var n = Next("session");
        var accessKey = AccessKey("ASIA", n);
        var identity = new Identity(role.Arn, $"sim-secret-{n}", $"sim-token-{n}", call.Now.AddHours(1));
        _identities[accessKey] = identity;
        return (identity, accessKey, role);
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
