namespace Ferry.Simulator;

/// <summary>Faults injected into one operation, or every operation of a service ("ec2:*"), or all ("*").</summary>
/// <param name="Operation">"service:Operation" as in the call log, e.g. "ec2:CopySnapshot", "rds:*", "*".</param>
/// <param name="Throttle">Probability that a call is throttled (RequestLimitExceeded for EC2, Throttling for RDS, STS and KMS).</param>
/// <param name="Transient">Probability of a transient server error.</param>
/// <param name="SnapshotError">Probability that a snapshot, copy or copy job it starts ends in error.</param>
/// <param name="LatencyMs">Real milliseconds added to every call.</param>
/// <param name="Resource">When set, the rule applies only to calls with a parameter naming this resource (an instance, volume or DB id), so one resource can fail while others run.</param>
public sealed record FaultRule(string Operation, double Throttle = 0, double Transient = 0, double SnapshotError = 0, int LatencyMs = 0, string? Resource = null)
{
    internal bool Matches(string service, string operation, IReadOnlyCollection<string> parameterValues) =>
        (Operation == "*" || Operation == $"{service}:*" || Operation == $"{service}:{operation}")
        && (Resource is null || parameterValues.Any(v => v.Contains(Resource, StringComparison.Ordinal)));
}

/// <summary>The faults of a run. Draws come from one generator seeded with <paramref name="Seed"/>, so a run repeats exactly.</summary>
public sealed record FaultSettings(int Seed = 1, IReadOnlyList<FaultRule>? Rules = null)
{
    public static readonly FaultSettings None = new();

    /// <summary>The most specific rule for the call (a resource's own rule, then exact, service-wide, "*").</summary>
    internal FaultRule? RuleFor(string service, string operation, IReadOnlyCollection<string> parameterValues) =>
        Rules?.Where(r => r.Matches(service, operation, parameterValues))
            .OrderByDescending(r => r.Resource is not null)
            .ThenByDescending(r => r.Operation.Length)
            .FirstOrDefault();
}

/// <summary>Draws faults deterministically; callers hold the world's lock, so draws happen in call order.</summary>
internal sealed class FaultInjector(FaultSettings settings)
{
    private readonly Random _random = new(settings.Seed);

    public FaultSettings Settings { get; } = settings;

    public TimeSpan Latency(string service, string operation, IReadOnlyCollection<string> parameterValues) =>
        TimeSpan.FromMilliseconds(Settings.RuleFor(service, operation, parameterValues)?.LatencyMs ?? 0);

    /// <summary>Every call draws the same number of values, so one rule's change does not shift others' faults.</summary>
    public (bool Throttled, bool Transient) Draw(string service, string operation, IReadOnlyCollection<string> parameterValues)
    {
        var rule = Settings.RuleFor(service, operation, parameterValues);
        var throttle = _random.NextDouble();
        var transient = _random.NextDouble();
        return rule is null ? (false, false) : (throttle < rule.Throttle, transient < rule.Transient);
    }

    public bool EndsInError(string service, string operation, IReadOnlyCollection<string> parameterValues)
    {
        var draw = _random.NextDouble();
        return draw < (Settings.RuleFor(service, operation, parameterValues)?.SnapshotError ?? 0);
    }
}
