using Ferry.Core.Planning;

namespace Ferry.Infra;

/// <summary>The names of Ferry's roles in every source and target account; policies name them in their role ARNs.</summary>
public sealed record RoleNames(string Source, string Target, string Restore)
{
    public static readonly RoleNames Default = new("FerrySource", "FerryTarget", "FerryRestore");

    public string Of(RoleKind kind) => kind switch
    {
        RoleKind.Source => Source,
        RoleKind.Target => Target,
        _ => Restore,
    };
}
