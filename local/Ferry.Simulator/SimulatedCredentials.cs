using System.Collections.Concurrent;
using Ferry.Core.Ports;

namespace Ferry.Simulator;

/// <summary>STS AssumeRole as one principal presenting one ExternalId; sessions are reused until shortly before they expire, as the port promises.</summary>
internal sealed class SimulatedCredentials(SimulatedAws world, string principal, string? externalId) : ICredentialsPort
{
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, RoleSession> _sessions = new(StringComparer.Ordinal);

    public Task<RoleSession> AssumeAsync(string roleArn, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_sessions.TryGetValue(roleArn, out var cached) && cached.Credentials.Expiration - world.Clock.UtcNow > RenewBefore)
            return Task.FromResult(cached);
        var session = world.Assume(roleArn, principal, externalId);
        _sessions[roleArn] = session;
        return Task.FromResult(session);
    }
}
