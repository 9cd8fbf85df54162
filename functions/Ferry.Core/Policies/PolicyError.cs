namespace Ferry.Core.Policies;

/// <summary>One rejected field: its JSON path (e.g. <c>$.replicas.mappings[0].encryption.kmsKey</c>) and why.</summary>
public sealed record PolicyError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>Thrown when a policy document is invalid; carries every error found, not only the first.</summary>
public sealed class PolicyValidationException(IReadOnlyList<PolicyError> errors)
    : Exception("Invalid policy: " + string.Join("; ", errors))
{
    public IReadOnlyList<PolicyError> Errors { get; } = errors;
}
