using Ferry.Core.Ports;

namespace Ferry.Simulator;

/// <summary>STS AssumeRole as one principal presenting one ExternalId.</summary>
internal sealed class SimulatedCredentials(SimulatedAws world, string principal, string? externalId) : ICredentialsPort
{
    public Task<RoleSession> AssumeAsync(string roleArn, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(world.Assume(roleArn, principal, externalId));
    }
}
