using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ferry.Simulator.World;

namespace Ferry.Local.Host;

/// <summary>How an invocation ends after its handler ran.</summary>
public enum StepFaultKind
{
    None,

    /// <summary>The runtime crashed: Lambda reports Runtime.ExitError.</summary>
    Crash,

    /// <summary>The function ran past its timeout: Lambda reports Sandbox.Timedout.</summary>
    Timeout,
}

/// <summary>A crash or timeout the host injected.</summary>
/// <param name="Subject">What the invocation was about (its resource, or policy and region).</param>
public sealed record InjectedStepFault(string Step, StepFaultKind Kind, string Subject, int Invocation);

/// <summary>
/// Draws the step faults of <see cref="StepFault"/> rules. Each draw hashes the seed, the step, the
/// invocation's subject and how many times the step was invoked for that subject, so it does not
/// depend on the order in which concurrent executions reach the host, and a run repeats.
/// </summary>
public sealed class StepFaultInjector(IReadOnlyList<StepFault> rules)
{
    /// <summary>Payload fields that name what an invocation is about and stay the same across runs (session ids carry the time).</summary>
    private static readonly string[] SubjectFields = ["resourceId", "restorePointId", "policyId", "region"];

    private readonly ConcurrentDictionary<(string Step, string Subject), int> _invocations = new();
    private readonly ConcurrentQueue<InjectedStepFault> _injected = new();

    public IReadOnlyList<StepFault> Rules { get; } = rules;

    public IReadOnlyCollection<InjectedStepFault> Injected => _injected;

    public StepFaultKind Draw(string step, ReadOnlySpan<byte> payload)
    {
        if (Rules.Count == 0)
            return StepFaultKind.None;
        var text = Encoding.UTF8.GetString(payload);
        var rule = Rules.Where(r => (r.Step == "*" || string.Equals(r.Step, step, StringComparison.OrdinalIgnoreCase))
                && (r.Resource is null || text.Contains(r.Resource, StringComparison.Ordinal)))
            .OrderByDescending(r => r.Resource is not null)
            .ThenByDescending(r => r.Step != "*")
            .FirstOrDefault();
        if (rule is null || (rule.Crash <= 0 && rule.Timeout <= 0))
            return StepFaultKind.None;
        var subject = SubjectOf(text);
        var invocation = _invocations.AddOrUpdate((step, subject), 1, (_, n) => n + 1);
        var draw = Uniform(rule.Seed, step, subject, invocation);
        var kind = draw < rule.Crash ? StepFaultKind.Crash
            : draw < rule.Crash + rule.Timeout ? StepFaultKind.Timeout
            : StepFaultKind.None;
        if (kind != StepFaultKind.None)
            _injected.Enqueue(new InjectedStepFault(step, kind, subject, invocation));
        return kind;
    }

    /// <summary>The subject fields present at the payload's top level, or the whole payload when it has none.</summary>
    public static string SubjectOf(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                var parts = SubjectFields
                    .Select(f => document.RootElement.TryGetProperty(f, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null)
                    .OfType<string>()
                    .ToList();
                if (parts.Count > 0)
                    return string.Join('/', parts);
            }
        }
        catch (JsonException)
        {
            // A payload that is not JSON is its own subject.
        }
        return payload;
    }

    /// <summary>A number in [0, 1) from a hash, stable across processes (string.GetHashCode is not).</summary>
    private static double Uniform(int seed, string step, string subject, int invocation)
    {
        var key = string.Join('\n', seed.ToString(CultureInfo.InvariantCulture), step, subject, invocation.ToString(CultureInfo.InvariantCulture));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) * (1.0 / (1UL << 53));
    }
}
