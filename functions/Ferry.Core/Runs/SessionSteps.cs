using System.Text.Json;
using Ferry.Core.Errors;
using Ferry.Core.Metrics;
using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Ports;
using Ferry.Core.Sessions;

namespace Ferry.Core.Runs;

/// <summary>
/// Opening a run's session (taking the policy's run lock), recording each resource's outcome (with its restore points),
/// closing it so that every resource ends with a final outcome.
/// </summary>
public sealed class SessionSteps(FerryServices services)
{
    /// <summary>
    /// How long a run's lock lasts unless renewed. Discover and every recorded outcome renew it, and a live run records an
    /// outcome at least once per resource flow, which Step Functions ends after 72 h: so only a run that stopped without
    /// closing its session loses its lock, and the policy's next run then closes that session.
    /// </summary>
    public static readonly TimeSpan RunLease = TimeSpan.FromHours(75);

    /// <summary>Why a resource still Running is failed when its session closes.</summary>
    public const string EndedWithoutOutcome = "The run ended before this resource's outcome was recorded";

    private const int LockAttempts = 5;
    private readonly RunLog _log = new(services);

    /// <summary>
    /// Opens the run's session and takes the policy's run lock. A run refused because another run of the policy holds
    /// the lock gets its session closed Canceled, saying which run holds it, and no regions to run.
    /// </summary>
    public async Task<OpenSessionOutput> OpenAsync(OpenSessionInput input, CancellationToken cancellationToken = default)
    {
        var policy = await LoadPolicyAsync(services, input.PolicyId, cancellationToken);
        var now = services.Clock.UtcNow;
        var sessionId = input.SessionId ?? Names.SessionId(policy.Id, now);
        var session = await services.Sessions.OpenAsync(Session.Open(sessionId, SessionKind.PolicyRun, policy.Id, now), cancellationToken);
        // A retry after this run was refused finds its session already closed.
        if (session.EndedAt is not null)
            return new OpenSessionOutput(policy.Id, sessionId, []);

        var running = await TakeRunLockAsync(policy.Id, sessionId, cancellationToken);
        if (running is null)
            return new OpenSessionOutput(policy.Id, sessionId, policy.Sources.Regions);
        var reason = $"Not run: policy {policy.Id} is already running in session {running.SessionId} (its run lock lasts until {running.LeaseUntil:u} unless that run ends first)";
        await services.Sessions.CloseAsync(sessionId, services.Clock.UtcNow, new SessionEnd(ResourceStatus.Canceled, reason), cancellationToken);
        return new OpenSessionOutput(policy.Id, sessionId, []);
    }

    /// <summary>
    /// Renews the run's lock; false when another run holds it (this run outlived its lease and was closed by that run),
    /// so the caller starts nothing more.
    /// </summary>
    public async Task<bool> RenewRunLockAsync(string policyId, string sessionId, CancellationToken cancellationToken = default)
    {
        var next = new RunLock(policyId, sessionId, services.Clock.UtcNow + RunLease);
        return await services.Sessions.TryWriteRunLockAsync(next, sessionId, cancellationToken)
            || await services.Sessions.TryWriteRunLockAsync(next, null, cancellationToken);
    }

    /// <summary>
    /// Writes the resource's final outcome. Restore points are written first, so an outcome of
    /// Success always has them; copy slots the job still holds are given back either way.
    /// </summary>
    public async Task<OutcomeOutput> RecordOutcomeAsync(OutcomeInput input, CancellationToken cancellationToken = default)
    {
        var (status, reason) = Judge(input);
        var job = input.Job;
        if (job is not null && status is ResourceStatus.Success or ResourceStatus.Warning)
            await WriteRestorePointsAsync(job!, cancellationToken);
        var role = job?.Steps.LastOrDefault()?.Role;
        await _log.WriteAsync(input.SessionId, input.ResourceId, RunLog.Outcome, "RecordOutcome",
            reason is null ? $"Outcome: {status}" : $"Outcome: {status}: {reason}", role, null, status, cancellationToken);
        var recorded = await services.Sessions.RecordOutcomeAsync(input.SessionId, input.ResourceId, status, reason, cancellationToken);
        // Counted once: a retried RecordOutcome finds the outcome already recorded.
        if (recorded)
            services.Record(FerryMetrics.Resources, 1, input.PolicyId, status.ToString());
        // A job that ran its whole plan gave back each copy's slot when its check saw the copy complete.
        if (job is { Finished: false })
            await ReleaseSlotsAsync(job, cancellationToken);
        if (job is not null && status == ResourceStatus.Failed)
            await new Cleanup(services).AfterFailureAsync(job, recorded, cancellationToken);

        var session = await services.Sessions.GetHeaderAsync(input.SessionId, cancellationToken);
        // A restore session has one resource: its outcome is the last, so it closes the session (a retry finds it closed).
        SessionEvent? ended = null;
        if (session is { Kind: SessionKind.Restore })
        {
            if (session.EndedAt is null)
                await services.Sessions.CloseAsync(input.SessionId, services.Clock.UtcNow, cancellationToken: cancellationToken);
            // From the request to the restored resource being ready and recorded.
            if (recorded && status is ResourceStatus.Success or ResourceStatus.Warning)
                services.Record(FerryMetrics.RestoreTime, (services.Clock.UtcNow - session.StartedAt).TotalSeconds, input.PolicyId);
            var closed = await services.Sessions.GetAsync(input.SessionId, cancellationToken);
            ended = closed is null ? null : SessionEvent.Of(closed, null);
        }
        // A policy run that still records outcomes is alive: its lock lasts.
        if (session is { Kind: SessionKind.PolicyRun, EndedAt: null })
            await RenewRunLockAsync(session.PolicyId, session.SessionId, cancellationToken);
        return new OutcomeOutput(input.SessionId, input.ResourceId, status, reason, recorded, ended);
    }

    /// <summary>
    /// Closes a session so that every resource has a final outcome: when a policy run ended normally, its resources
    /// named by id that no region had fail; every resource still Running fails (with the error when the run or restore
    /// failed outright, else because the run ended before its outcome was recorded). The session takes the worst
    /// status (Failed, with the reason, when closing on an error) and a policy run gives back its run lock.
    /// </summary>
    public async Task<CloseSessionOutput> CloseAsync(CloseSessionInput input, CancellationToken cancellationToken = default)
    {
        var failure = input.Error is null ? null : Explain(input.Error, input.Cause);
        var session = await services.Sessions.GetAsync(input.SessionId, cancellationToken);
        if (session is null)
        {
            // A restore whose request was invalid opened no session and gets none.
            if (input.PolicyId is null)
                return new CloseSessionOutput(input.SessionId, ResourceStatus.Failed, 0, failure, Found: false);
            // A run whose OpenSession failed before writing its session gets one, to say why.
            session = await services.Sessions.OpenAsync(Session.Open(input.SessionId, SessionKind.PolicyRun, input.PolicyId, services.Clock.UtcNow), cancellationToken);
        }
        var closed = await FinishAsync(session, failure is null ? null : new SessionEnd(ResourceStatus.Failed, failure), cancellationToken);
        var policyType = closed.Kind == SessionKind.PolicyRun ? await PolicyTypeAsync(closed.PolicyId, cancellationToken) : null;
        return new CloseSessionOutput(closed.SessionId, closed.Status, closed.Resources.Count, closed.Reason, Event: SessionEvent.Of(closed, policyType));
    }

    /// <summary>The policy's type for the session's event; null when the policy is missing or invalid (the run then failed for it).</summary>
    private async Task<ResourceType?> PolicyTypeAsync(string policyId, CancellationToken cancellationToken)
    {
        try
        {
            return (await services.Policies.GetAsync(policyId, cancellationToken))?.Type;
        }
        catch (PolicyValidationException)
        {
            return null;
        }
    }

    internal static async Task<Policy> LoadPolicyAsync(FerryServices services, string policyId, CancellationToken cancellationToken)
    {
        Policy policy;
        try
        {
            policy = await services.Policies.GetAsync(policyId, cancellationToken)
                ?? throw new FerryNotFoundException($"policyId: no policy '{policyId}'");
        }
        catch (PolicyValidationException e)
        {
            throw new FerryInvalidInputException($"policyId: policy '{policyId}' is stored but invalid: {string.Join("; ", e.Errors)}");
        }
        // Whatever the store: a run asked for one policy never runs another.
        return policy.Id == policyId
            ? policy
            : throw new FerryInvalidInputException($"policyId: the policy stored under '{policyId}' says its id is {Quoted.Value(policy.Id)}; it is not run under another id");
    }

    /// <summary>
    /// Gives every resource an outcome (one still Running fails with the end's reason, or because the run ended before its
    /// outcome was recorded), closes the session and, for a policy run, releases its lock.
    /// </summary>
    private async Task<Session> FinishAsync(Session session, SessionEnd? end, CancellationToken cancellationToken)
    {
        if (session.EndedAt is null)
        {
            // Only a run that looked in every region can say a named resource was not found.
            if (session.Kind == SessionKind.PolicyRun && end is null)
                await FailUndiscoveredAsync(session, cancellationToken);
            var reason = end?.Reason ?? EndedWithoutOutcome;
            foreach (var resource in session.Resources.Where(r => r.Status == ResourceStatus.Running))
            {
                await _log.WriteAsync(session.SessionId, resource.ResourceId, RunLog.Outcome, "RecordOutcome", $"Outcome: Failed: {reason}",
                    level: ResourceStatus.Failed, cancellationToken: cancellationToken);
                if (await services.Sessions.RecordOutcomeAsync(session.SessionId, resource.ResourceId, ResourceStatus.Failed, reason, cancellationToken))
                    services.Record(FerryMetrics.Resources, 1, session.PolicyId, nameof(ResourceStatus.Failed));
            }
        }
        var closed = await services.Sessions.CloseAsync(session.SessionId, services.Clock.UtcNow, end, cancellationToken);
        if (closed.Kind == SessionKind.PolicyRun)
            await services.Sessions.ReleaseRunLockAsync(closed.PolicyId, closed.SessionId, cancellationToken);
        return closed;
    }

    /// <summary>Resources the policy names by id that no region had fail (the policy may since have become invalid: then none).</summary>
    private async Task FailUndiscoveredAsync(Session session, CancellationToken cancellationToken)
    {
        Policy? policy;
        try
        {
            policy = await services.Policies.GetAsync(session.PolicyId, cancellationToken);
        }
        catch (PolicyValidationException)
        {
            return;
        }
        if (policy is null)
            return;
        // Organization-mode EFS resources are account/fs-id; the policy names them by fs-id.
        var seen = session.Resources.Select(r => r.ResourceId[(r.ResourceId.IndexOf('/', StringComparison.Ordinal) + 1)..]).ToHashSet(StringComparer.Ordinal);
        foreach (var id in policy.Sources.Resources.Ids.Where(id => !seen.Contains(id)))
        {
            var reason = $"Resource {id} was not found in account {policy.Sources.AccountId}, regions {string.Join(", ", policy.Sources.Regions)}";
            await _log.WriteAsync(session.SessionId, id, RunLog.Outcome, "RecordOutcome", $"Outcome: Failed: {reason}", policy.Sources.SourceRole, null, ResourceStatus.Failed, cancellationToken);
            if (await services.Sessions.RecordOutcomeAsync(session.SessionId, id, ResourceStatus.Failed, reason, cancellationToken))
                services.Record(FerryMetrics.Resources, 1, policy.Id, nameof(ResourceStatus.Failed));
        }
    }

    /// <summary>
    /// Takes the policy's run lock for the session: when nobody holds it, this session already does, or its holder
    /// stopped (its session is closed or gone, or its lease ran out; a holder still open is then closed, its resources
    /// failed). Returns null once taken, or the lock of the run that is still running.
    /// </summary>
    private async Task<RunLock?> TakeRunLockAsync(string policyId, string sessionId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < LockAttempts; attempt++)
        {
            var now = services.Clock.UtcNow;
            var held = await services.Sessions.GetRunLockAsync(policyId, cancellationToken);
            Session? abandoned = null;
            if (held is not null && held.SessionId != sessionId)
            {
                var holder = await services.Sessions.GetHeaderAsync(held.SessionId, cancellationToken);
                if (holder is { EndedAt: null } && held.LeaseUntil > now)
                    return held;
                abandoned = holder is { EndedAt: null } ? holder : null;
            }
            if (!await services.Sessions.TryWriteRunLockAsync(new RunLock(policyId, sessionId, now + RunLease), held?.SessionId, cancellationToken))
                continue;
            if (abandoned is not null)
            {
                var full = await services.Sessions.GetAsync(abandoned.SessionId, cancellationToken) ?? abandoned;
                var reason = $"The run stopped without closing its session; run {sessionId} closed it when it found the policy's run lock expired at {held!.LeaseUntil:u}";
                await FinishAsync(full, new SessionEnd(ResourceStatus.Failed, reason), cancellationToken);
            }
            return null;
        }
        throw new FerryTransientException($"The run lock of policy {policyId} kept changing while session {sessionId} tried to take it");
    }

    private static (ResourceStatus Status, string? Reason) Judge(OutcomeInput input)
    {
        if (input.Error is not null)
            return (ResourceStatus.Failed, Explain(input.Error, input.Cause));
        if (input.Status is { } status)
            return (status, input.Reason);
        var warnings = input.Job?.Warnings ?? [];
        return warnings.Count > 0 ? (ResourceStatus.Warning, string.Join("; ", warnings)) : (ResourceStatus.Success, input.Reason);
    }

    /// <summary>Turns a Step Functions error and cause into a sentence; Lambda causes are JSON with errorMessage.</summary>
    internal static string Explain(string error, string? cause)
    {
        var message = cause;
        if (cause is not null && cause.TrimStart().StartsWith('{'))
        {
            try
            {
                using var document = JsonDocument.Parse(cause);
                if (document.RootElement.TryGetProperty("errorMessage", out var text) && text.ValueKind == JsonValueKind.String)
                    message = text.GetString();
            }
            catch (JsonException)
            {
                message = cause;
            }
        }
        // Some interpreters give the cause as "<error>: <message>"; the error is said once, by the prefix below.
        if (message is not null && message.StartsWith(error + ": ", StringComparison.Ordinal))
            message = message[(error.Length + 2)..];
        var prefix = error switch
        {
            nameof(FerryQuotaExceededException) => "Gave up waiting for a copy slot: ",
            nameof(FerryThrottledException) => "AWS kept throttling the step: ",
            nameof(FerryTransientException) => "AWS kept failing the step: ",
            "States.Timeout" or "Sandbox.Timedout" => "The step timed out: ",
            "Runtime.ExitError" => "The step crashed: ",
            "States.TaskFailed" or "States.ALL" or "Lambda.Unknown" => $"{error}: ",
            _ => "",
        };
        return prefix + (string.IsNullOrWhiteSpace(message) ? error : message);
    }

    /// <summary>
    /// Gives back every copy slot the job still holds; this needs no AWS call (RecordOutcome assumes no role). A slot
    /// that cannot be given back now frees itself when its lease ends.
    /// </summary>
    private async Task ReleaseSlotsAsync(Job job, CancellationToken cancellationToken)
    {
        try
        {
            var scheduler = new CopyScheduler(services);
            foreach (var (key, holders) in CopySteps.SlotsOf(job))
                await scheduler.FreeAsync(key, holders, cancellationToken);
        }
        catch (FerryException e)
        {
            await _log.WriteAsync(job.SessionId, job.ResourceId, RunLog.Outcome + 1, "RecordOutcome",
                $"Copy slots could not be released ({e.Message}); they free themselves when their lease ends", level: ResourceStatus.Warning, cancellationToken: cancellationToken);
        }
    }

    /// <summary>
    /// A replica job's restore points: the snapshots it took (when its plan took any: AWS Backup's own recovery points are
    /// not Ferry's to keep or delete) and the copies its plan's last Copy step made.
    /// </summary>
    private async Task WriteRestorePointsAsync(Job job, CancellationToken cancellationToken)
    {
        if (job.Payload is RestorePayload)
            return;
        var now = services.Clock.UtcNow;
        if (job.Steps.FirstOrDefault(s => s.Kind == StepKind.TakeSnapshot) is { } take)
        {
            var snapshots = job.Items.Where(i => take.Items.Contains(i.ItemId) && i.Ids.Count > 0)
                .Select(i => new SnapshotRef(i.Ids[0], i.ItemId, i.Encrypted, i.SourceKey, i.DeviceName)).ToList();
            if (snapshots.Count > 0)
            {
                await services.RestorePoints.PutAsync(new RestorePoint(
                    Names.RestorePoint(job.SessionId, job.ResourceId, replica: false), job.PolicyId, job.ResourceId, job.SessionId, job.Type,
                    false, take.Account, take.Region, take.Role, now, snapshots, job.Config), cancellationToken);
            }
        }
        var copies = job.Copies.ToList();
        if (copies.Count == 0)
            return;
        var copy = copies[^1].Step;
        var replicas = job.Items
            .Select(i => (Item: i, Index: job.CopyIndexOf(i)))
            .Where(c => c.Index is { } index && index == copies.Last(x => x.Step.Items.Contains(c.Item.ItemId)).Index)
            .Select(c => new SnapshotRef(c.Item.Current, c.Item.ItemId, job.Steps[c.Index!.Value].KmsKey is not null, job.Steps[c.Index!.Value].KmsKey, c.Item.DeviceName))
            .ToList();
        if (replicas.Count > 0)
        {
            await services.RestorePoints.PutAsync(new RestorePoint(
                Names.RestorePoint(job.SessionId, job.ResourceId, replica: true), job.PolicyId, job.ResourceId, job.SessionId, job.Type,
                true, copy.Account, copy.Region, copy.Role, now, replicas, job.Config), cancellationToken);
        }
    }
}
