using Ferry.Core.Errors;
using Ferry.Simulator.World;

namespace Ferry.Simulator;

/// <summary>One API call in progress, made under the world's lock: who calls, where, when, and how it fails.</summary>
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

    /// <summary>Set by calls that start a copy or cut one short, for the call log.</summary>
    public CopyWindow? Copy { get; set; }

    public FerryNotFoundException NotFound(string code, string message) => new(message, code, RequestId);

    public FerryInvalidInputException Invalid(string code, string message) => new(message, code, RequestId);

    public FerryInvalidStateException Conflict(string code, string message) => new(message, code, RequestId);

    public FerryNotReadyException NotReady(string code, string message) => new(message, code, RequestId);

    /// <summary>A limit or quota AWS reports with <paramref name="code"/>, typed as the real adapters type it (AwsLimits).</summary>
    public FerryException Limit(string operation, string code, string message) =>
        AwsLimits.Error(AwsLimits.Classify(code, operation, message) ?? throw new ArgumentException($"{code} is not a limit", nameof(code)),
            code, $"{Service}:{operation} in {Region}", message, Account, Region, RequestId);

    public FerryAccessDeniedException Denied(string code, string message) => new(message, code, RequestId);

    public Dictionary<string, string> TagsOf(IReadOnlyDictionary<string, string>? tags) => tags is null ? [] : new(tags);
}
