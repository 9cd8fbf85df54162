namespace Ferry.Core.Planning;

/// <summary>Which KMS actions a role may perform on a key (from key policies and IAM), as far as Ferry knows.</summary>
public sealed record KeyGrant(string Role, string KeyArn, IReadOnlyList<string> Actions);

/// <summary>Answers whether a role may use a key; actions may end in '*' (kms:*, kms:ReEncrypt*).</summary>
public sealed class KeyAccess(IEnumerable<KeyGrant> grants)
{
    private readonly ILookup<(string Role, string Key), string> _actions =
        grants.SelectMany(g => g.Actions.Select(a => (Key: (g.Role, g.KeyArn), Action: a))).ToLookup(x => x.Key, x => x.Action);

    /// <summary>The permissions of <paramref name="required"/> the role lacks on the key, in the order asked.</summary>
    public IReadOnlyList<string> Missing(string role, string keyArn, IEnumerable<string> required)
    {
        var granted = _actions[(role, keyArn)].ToList();
        return required.Where(permission => !granted.Any(g => Allows(g, permission))).ToList();
    }

    private static bool Allows(string granted, string permission) =>
        granted.EndsWith('*')
            ? permission.StartsWith(granted[..^1], StringComparison.OrdinalIgnoreCase)
            : string.Equals(granted, permission, StringComparison.OrdinalIgnoreCase);
}

/// <summary>The Aurora engine versions each region offers.</summary>
/// <param name="lookedUp">Region and engine pairs that were looked up, even when they offer no version.</param>
public sealed class EngineCatalog(IEnumerable<(string Region, string Engine, string Version)> offers, IEnumerable<(string Region, string Engine)>? lookedUp = null)
{
    private readonly HashSet<(string, string, string)> _offers = [.. offers];
    private readonly HashSet<(string, string)> _known = [.. offers.Select(o => (o.Region, o.Engine)), .. lookedUp ?? []];

    /// <summary>True or false when the region's offers for the engine are known; null when they were never looked up.</summary>
    public bool? Offers(string region, string engine, string version) =>
        _known.Contains((region, engine)) ? _offers.Contains((region, engine, version)) : null;
}

/// <summary>Facts the planners consult beyond the resource itself. Missing facts are not checked, and the plan says so.</summary>
public sealed record PlanContext(KeyAccess? Access = null, EngineCatalog? Engines = null)
{
    public static readonly PlanContext Empty = new();
}
