using Ferry.Core.Inventory;

namespace Ferry.Core.Ports;

/// <summary>The result of checking a role's use of a key: what is missing, and whether the check could see everything.</summary>
/// <param name="Complete">False when the adapter cannot tell every permission (real AWS hides key policies from callers).</param>
public sealed record KeyAccessCheck(IReadOnlyList<string> Missing, bool Complete);

/// <summary>The KMS facts Ferry needs, as a role in one region.</summary>
public interface IKmsPort
{
    /// <summary>Resolves a key id, key ARN or alias (ARN) to the key's facts.</summary>
    Task<KeyFacts> DescribeKeyAsync(string keyIdOrAlias, CancellationToken cancellationToken = default);

    /// <summary>Checks which of <paramref name="permissions"/> this port's role lacks on the key.</summary>
    Task<KeyAccessCheck> CheckAccessAsync(string keyArn, IReadOnlyList<string> permissions, CancellationToken cancellationToken = default);
}
