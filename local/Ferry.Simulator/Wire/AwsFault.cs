namespace Ferry.Simulator.Wire;

/// <summary>What kind of refusal a fault is: each service answers each kind with its own HTTP status.</summary>
public enum FaultKind
{
    Invalid,
    NotFound,
    Conflict,
    Denied,
    Unauthenticated,
    Limit,
    Throttled,
    Transient,
}

/// <summary>An AWS error as a service answers it: its code and message, rendered by the service's protocol.</summary>
/// <param name="Status">Overrides the status the service uses for <paramref name="kind"/>.</param>
public sealed class AwsFault(FaultKind kind, string code, string message, int? status = null) : Exception(message)
{
    public FaultKind Kind { get; } = kind;

    public string Code { get; } = code;

    public int? Status { get; } = status;
}
