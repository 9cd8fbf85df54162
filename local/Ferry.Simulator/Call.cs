using Ferry.Simulator.Wire;
using Ferry.Simulator.World;

namespace Ferry.Simulator;

/// <summary>One API call in progress, made under the world's lock: who signed it, where, when, and how it is refused.</summary>
internal sealed class Call(SimulatedAws world, SimRole role, string service, string region, DateTimeOffset now, string requestId, IReadOnlyCollection<string> parameterValues)
{
    /// <summary>The call's parameter values, which resource-scoped fault rules match.</summary>
    public IReadOnlyCollection<string> ParameterValues { get; } = parameterValues;

    public SimulatedAws World { get; } = world;
    public SimRole Role { get; } = role;
    public string Service { get; } = service;
    public string Account => Role.Account;
    public string Region { get; } = region;
    public DateTimeOffset Now { get; } = now;
    public string RequestId { get; } = requestId;

    /// <summary>The access key id that signed the request (null when unsigned).</summary>
    public string? AccessKeyId { get; init; }

    /// <summary>Set by calls that start a copy or cut one short, for the call log.</summary>
    public CopyWindow? Copy { get; set; }

    public AwsFault NotFound(string code, string message) => new(FaultKind.NotFound, code, message);

    public AwsFault Invalid(string code, string message) => new(FaultKind.Invalid, code, message);

    /// <summary>The resource is in a state that does not allow the operation (pending, in use, failed, …).</summary>
    public AwsFault Conflict(string code, string message) => new(FaultKind.Conflict, code, message);

    /// <summary>A limit or quota, with the code and wording the service uses.</summary>
    public AwsFault Limit(string code, string message) => new(FaultKind.Limit, code, message);

    public AwsFault Denied(string code, string message) => new(FaultKind.Denied, code, message);

    public Dictionary<string, string> TagsOf(IReadOnlyDictionary<string, string>? tags) => tags is null ? [] : new(tags);
}
