using System.Text.Json;
using Ferry.Core.Errors;
using Ferry.Core.Policies;
using Ferry.Core.Ports;
using Ferry.Core.Sessions;

namespace Ferry.Core.Runs;

/// <summary>Opening a run's session, recording each resource's outcome (with its restore points), closing it.</summary>
public sealed class SessionSteps(FerryServices services)
{
    private readonly RunLog _log = new(services);

    public async Task<OpenSessionOutput> OpenAsync(OpenSessionInput input, CancellationToken cancellationToken = default)
    {
        var policy = await LoadPolicyAsync(services, input.PolicyId, cancellationToken);
        var sessionId = input.SessionId ?? Names.SessionId(policy.Id, services.Clock.UtcNow);
        await services.Sessions.OpenAsync(Session.Open(sessionId, SessionKind.PolicyRun, policy.Id, services.Clock.UtcNow), cancellationToken);
        return new OpenSessionOutput(policy.Id, sessionId, policy.Sources.Regions);
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
        var role = job?.Target.Role;
        await _log.WriteAsync(input.SessionId, input.ResourceId, RunLog.Outcome, "RecordOutcome",
            reason is null ? $"Outcome: {status}" : $"Outcome: {status}: {reason}", role, null, status, cancellationToken);
        var recorded = await services.Sessions.RecordOutcomeAsync(input.SessionId, input.ResourceId, status, reason, cancellationToken);
        if (job is not null)
            await ReleaseSlotsAsync(job, cancellationToken);

        // A restore session has one resource: its outcome is the last, so it closes the session.
        var session = await services.Sessions.GetAsync(input.SessionId, cancellationToken);
        if (session is { Kind: SessionKind.Restore, EndedAt: null })
            await services.Sessions.CloseAsync(input.SessionId, services.Clock.UtcNow, cancellationToken);
        return new OutcomeOutput(input.SessionId, input.ResourceId, status, reason, recorded);
    }

    /// <summary>Closes a policy run: resources named by id that were never discovered fail; the session takes the worst status.</summary>
    public async Task<CloseSessionOutput> CloseAsync(CloseSessionInput input, CancellationToken cancellationToken = default)
    {
        var session = await services.Sessions.GetAsync(input.SessionId, cancellationToken)
            ?? throw new FerryNotFoundException($"sessionId: no session '{input.SessionId}'");
        var policy = await services.Policies.GetAsync(session.PolicyId, cancellationToken);
        if (policy is not null && session.EndedAt is null)
        {
            // Organization-mode EFS resources are account/fs-id; the policy names them by fs-id.
            var seen = session.Resources.Select(r => r.ResourceId[(r.ResourceId.IndexOf('/', StringComparison.Ordinal) + 1)..]).ToHashSet(StringComparer.Ordinal);
            foreach (var id in policy.Sources.Resources.Ids.Where(id => !seen.Contains(id)))
            {
                var reason = $"Resource {id} was not found in account {policy.Sources.AccountId}, regions {string.Join(", ", policy.Sources.Regions)}";
                await _log.WriteAsync(session.SessionId, id, RunLog.Outcome, "RecordOutcome", $"Outcome: Failed: {reason}", policy.Sources.SourceRole, null, ResourceStatus.Failed, cancellationToken);
                await services.Sessions.RecordOutcomeAsync(session.SessionId, id, ResourceStatus.Failed, reason, cancellationToken);
            }
        }
        var closed = await services.Sessions.CloseAsync(input.SessionId, services.Clock.UtcNow, cancellationToken);
        return new CloseSessionOutput(closed.SessionId, closed.Status, closed.Resources.Count);
    }

    internal static async Task<Policy> LoadPolicyAsync(FerryServices services, string policyId, CancellationToken cancellationToken)
    {
        try
        {
            return await services.Policies.GetAsync(policyId, cancellationToken)
                ?? throw new FerryNotFoundException($"policyId: no policy '{policyId}'");
        }
        catch (PolicyValidationException e)
        {
            throw new FerryInvalidInputException($"policyId: policy '{policyId}' is stored but invalid: {string.Join("; ", e.Errors)}");
        }
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
        var prefix = error switch
        {
            nameof(FerryQuotaExceededException) => "Gave up waiting for a copy slot: ",
            nameof(FerryThrottledException) => "AWS kept throttling the step: ",
            nameof(FerryTransientException) => "AWS kept failing the step: ",
            "States.Timeout" => "The step timed out: ",
            "States.TaskFailed" or "States.ALL" or "Lambda.Unknown" => $"{error}: ",
            _ => "",
        };
        return prefix + (string.IsNullOrWhiteSpace(message) ? error : message);
    }

    /// <summary>
    /// Gives back every copy slot the job still holds; this needs no AWS call (RecordOutcome assumes no role). A slot
    /// that cannot be given back now frees itself when its lease ends.
    /// </summary>
    private async Task ReleaseSlotsAsync(ReplicaJob job, CancellationToken cancellationToken)
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

    private async Task WriteRestorePointsAsync(ReplicaJob job, CancellationToken cancellationToken)
    {
        if (job.Restore is not null)
            return;
        var now = services.Clock.UtcNow;
        var snapshots = job.Items.Where(i => i.SnapshotId is not null)
            .Select(i => new SnapshotRef(i.SnapshotId!, i.ItemId, i.Encrypted, i.SourceKey, i.DeviceName)).ToList();
        if (snapshots.Count > 0)
        {
            await services.RestorePoints.PutAsync(new RestorePoint(
                Names.RestorePoint(job.SessionId, job.ResourceId, replica: false), job.PolicyId, job.ResourceId, job.SessionId, job.Type,
                false, job.Source.Account, job.Source.Region, job.Source.Role, now, snapshots, job.Config), cancellationToken);
        }
        var replicas = job.Replicated.Where(i => i.ReplicaId is not null)
            .Select(i => new SnapshotRef(i.ReplicaId!, i.ItemId, i.TargetKey is not null, i.TargetKey, i.DeviceName)).ToList();
        if (replicas.Count > 0)
        {
            await services.RestorePoints.PutAsync(new RestorePoint(
                Names.RestorePoint(job.SessionId, job.ResourceId, replica: true), job.PolicyId, job.ResourceId, job.SessionId, job.Type,
                true, job.Target.Account, job.Target.Region, job.Target.Role, now, replicas, job.Config), cancellationToken);
        }
    }
}
