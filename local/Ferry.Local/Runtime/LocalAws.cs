using Amazon.Runtime;
using Ferry.Aws;
using Ferry.Aws.Runtime;
using Ferry.Aws.Sts;
using Ferry.Core.Ports;
using Ferry.Simulator;
using Ferry.Simulator.Wire;

namespace Ferry.Local.Runtime;

/// <summary>
/// A simulated world on the process's loopback endpoint, and Ferry's production adapters (<see cref="AwsPorts"/>, STS
/// AssumeRole) pointed at it through the endpoint overrides: local runs and tests reach the world only over the wire,
/// as the Lambdas reach AWS.
/// </summary>
public sealed class LocalAws : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    /// <param name="sdkRetries">
    /// Whether the SDK retries throttling and 5xx answers as in production (its backoff sleeps real time); without, every
    /// refusal the world gives reaches the caller, as tests of the world's answers need.
    /// </param>
    public LocalAws(SimulatedAws world, bool sdkRetries = true)
    {
        World = world;
        var url = SimulatorServer.Shared.Url.ToString();
        Options = new AwsOptions(world.Spec.Ferry.ExternalId, AwsOptions.AwsServices.ToDictionary(s => s, _ => url));
        if (!sdkRetries)
            Options = Options with { MaxErrorRetry = 0 };
        Ports = Own(new AwsPorts(Options));
        Credentials = CredentialsOf(world.Spec.Ferry.Principal, world.Spec.Ferry.ExternalId);
    }

    public SimulatedAws World { get; }

    public AwsOptions Options { get; }

    /// <summary>The adapters the Lambdas use, on the simulator's endpoint.</summary>
    public AwsPorts Ports { get; }

    /// <summary>STS AssumeRole as Ferry's own principal, with the world's ExternalId.</summary>
    public ICredentialsPort Credentials { get; }

    /// <summary>STS AssumeRole as another principal (or with another ExternalId), signed with that principal's own keys.</summary>
    public ICredentialsPort CredentialsOf(string principal, string? externalId)
    {
        var (accessKeyId, secret) = World.PrincipalKeys(principal);
        return Own(new StsCredentialsPort(Options with { ExternalId = externalId }, new BasicAWSCredentials(accessKeyId, secret), World.Clock));
    }

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        lock (_owned)
            _owned.Add(disposable);
        return disposable;
    }

    public void Dispose()
    {
        lock (_owned)
        {
            foreach (var owned in _owned)
                owned.Dispose();
            _owned.Clear();
        }
        World.Retire();
    }
}
