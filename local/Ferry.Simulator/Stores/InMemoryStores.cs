using Ferry.Core.Policies;
using Ferry.Core.Ports;
using Ferry.Core.Sessions;

namespace Ferry.Simulator.Stores;

/// <summary>Policies in memory, validated on the way in like the DynamoDB store.</summary>
public sealed class InMemoryPolicyStore : IPolicyStore
{
    private readonly Dictionary<string, string> _documents = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public Task<Policy> PutAsync(string policyJson, CancellationToken cancellationToken = default)
    {
        var policy = PolicyParser.Parse(policyJson);
        lock (_lock)
            _documents[policy.Id] = policyJson;
        return Task.FromResult(policy);
    }

    public Task<Policy?> GetAsync(string policyId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(_documents.TryGetValue(policyId, out var json) ? PolicyParser.ParseStored(policyId, json) : null);
    }
}

/// <summary>
/// Sessions in memory, with the DynamoDB store's conditions: final outcomes are written once, log entries once per
/// sequence, a run lock only over the holder it is expected to have.
/// </summary>
public sealed class InMemorySessionStore : ISessionStore
{
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunLock> _runLocks = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public Task<Session> OpenAsync(Session session, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_sessions.TryGetValue(session.SessionId, out var stored))
                _sessions[session.SessionId] = stored = session;
            return Task.FromResult(Header(stored));
        }
    }

    public Task<Session?> GetAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(_sessions.GetValueOrDefault(sessionId));
    }

    public Task<Session?> GetHeaderAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(_sessions.GetValueOrDefault(sessionId) is { } session ? Header(session) : null);
    }

    public Task<ResourceOutcome?> GetOutcomeAsync(string sessionId, string resourceId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var outcome = _sessions.GetValueOrDefault(sessionId)?.Resources.FirstOrDefault(r => r.ResourceId == resourceId);
            return Task.FromResult(outcome is null ? null : outcome with { Log = [] });
        }
    }

    public Task<IReadOnlyList<Session>> ListByPolicyAsync(string policyId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<Session>>([.. _sessions.Values.Where(s => s.PolicyId == policyId).OrderByDescending(s => s.StartedAt).Select(Header)]);
    }

    public Task SetProgressAsync(string sessionId, string resourceId, string step, CancellationToken cancellationToken = default) =>
        Update(sessionId, resourceId, r => r.Status == ResourceStatus.Running ? r with { CurrentStep = step } : r);

    public Task AppendLogAsync(string sessionId, string resourceId, LogEntry entry, CancellationToken cancellationToken = default) =>
        Update(sessionId, resourceId, r => r.Log.Any(e => e.Sequence == entry.Sequence)
            ? r
            : r with { Log = [.. r.Log.Append(entry).OrderBy(e => e.Sequence)] });

    public Task<bool> RecordOutcomeAsync(string sessionId, string resourceId, ResourceStatus status, string? reason, CancellationToken cancellationToken = default)
    {
        var written = false;
        Update(sessionId, resourceId, r =>
        {
            if (r.Status != ResourceStatus.Running)
                return r;
            written = true;
            return r with { Status = status, Reason = reason, CurrentStep = null };
        });
        return Task.FromResult(written);
    }

    public Task<Session> CloseAsync(string sessionId, DateTimeOffset at, SessionEnd? end = null, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var session = Existing(sessionId);
            if (session.EndedAt is null)
                _sessions[sessionId] = session = session.Close(at, end);
            return Task.FromResult(session);
        }
    }

    public Task<RunLock?> GetRunLockAsync(string policyId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(_runLocks.GetValueOrDefault(policyId));
    }

    public Task<bool> TryWriteRunLockAsync(RunLock next, string? expectedHolder, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_runLocks.GetValueOrDefault(next.PolicyId)?.SessionId != expectedHolder)
                return Task.FromResult(false);
            _runLocks[next.PolicyId] = next;
            return Task.FromResult(true);
        }
    }

    public Task ReleaseRunLockAsync(string policyId, string sessionId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_runLocks.GetValueOrDefault(policyId)?.SessionId == sessionId)
                _runLocks.Remove(policyId);
        }
        return Task.CompletedTask;
    }

    /// <summary>What the DynamoDB store's header reads return: the session without its resources.</summary>
    private static Session Header(Session session) => session with { Resources = [] };

    private Task Update(string sessionId, string resourceId, Func<ResourceOutcome, ResourceOutcome> change)
    {
        lock (_lock)
        {
            var session = Existing(sessionId);
            var current = session.Resources.FirstOrDefault(r => r.ResourceId == resourceId)
                ?? new ResourceOutcome(resourceId, ResourceStatus.Running, null, []);
            _sessions[sessionId] = session.WithOutcome(change(current));
        }
        return Task.CompletedTask;
    }

    private Session Existing(string sessionId) =>
        _sessions.TryGetValue(sessionId, out var session)
            ? session
            : throw new Ferry.Core.Errors.FerryNotFoundException($"sessionId: no session '{sessionId}'");
}

public sealed class InMemoryRestorePointStore : IRestorePointStore
{
    private readonly Dictionary<string, RestorePoint> _points = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public Task PutAsync(RestorePoint point, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            _points[point.RestorePointId] = point;
        return Task.CompletedTask;
    }

    public Task<RestorePoint?> GetAsync(string restorePointId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(_points.GetValueOrDefault(restorePointId));
    }

    public Task<IReadOnlyList<RestorePoint>> ListAsync(string policyId, string resourceId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<RestorePoint>>(
                [.. _points.Values.Where(p => p.PolicyId == policyId && p.ResourceId == resourceId).OrderByDescending(p => p.CreatedAt)]);
        }
    }

    public Task DeleteAsync(string restorePointId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            _points.Remove(restorePointId);
        return Task.CompletedTask;
    }
}
