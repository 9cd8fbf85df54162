namespace Ferry.Infra;

/// <summary>The roles Ferry assumes in source and target accounts (behaviour.md "Words").</summary>
public enum RoleKind
{
    Source,
    Target,
    Restore,
}

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

/// <summary>
/// Which of Ferry's roles each step assumes (read from Ferry.Core.Runs): a function may assume only those,
/// and each role trusts only the functions that assume it.
/// </summary>
public static class StepRoles
{
    private static readonly Dictionary<string, RoleKind[]> Assumed = new(StringComparer.Ordinal)
    {
        ["OpenSession"] = [],
        ["Discover"] = [RoleKind.Source],
        // Plan checks key access as the source and target roles, and reads Aurora engine versions as the target role.
        ["Plan"] = [RoleKind.Source, RoleKind.Target],
        ["TakeSnapshot"] = [RoleKind.Source],
        // A restore from a replica shares as the replica's target role.
        ["Share"] = [RoleKind.Source, RoleKind.Target],
        // EFS backup copies are started and watched as the file system's own account role (the source role).
        ["CopyToRegion"] = [RoleKind.Source, RoleKind.Target, RoleKind.Restore],
        ["CheckAvailable"] = [RoleKind.Source, RoleKind.Target, RoleKind.Restore],
        // After a failure it deletes what the attempt made, as the role that made it (Cleanup.AfterFailureAsync).
        ["RecordOutcome"] = [RoleKind.Source, RoleKind.Target, RoleKind.Restore],
        ["CloseSession"] = [],
        // Retention deletes as the restore point's owner: the source role for snapshots, the target role for replicas;
        // the sweep of earlier attempts' leftovers deletes as the same roles, where the replica flows made them.
        ["ApplyRetention"] = [RoleKind.Source, RoleKind.Target],
        // Restore planning describes the restore point's keys as its owner and checks key access as the restore role.
        ["PlanRestore"] = [RoleKind.Source, RoleKind.Target, RoleKind.Restore],
        ["Restore"] = [RoleKind.Restore],
        // Turns AWS Backup's EFS opt-in on as the file system's own account role (a member account's, in Organization mode).
        ["EnableBackupOptIn"] = [RoleKind.Source],
    };

    public static IReadOnlyList<RoleKind> Of(string step) =>
        Assumed.TryGetValue(step, out var kinds) ? kinds : throw new FerryConfigException($"step {step}: no entry in StepRoles; say which roles it assumes");

    public static IEnumerable<string> Assuming(RoleKind kind) => Assumed.Where(p => p.Value.Contains(kind)).Select(p => p.Key);

    /// <summary>The execution role of a step's function: a fixed name, so other accounts' roles can trust it.</summary>
    public static string FunctionRoleName(string step) => $"ferry-{step}";
}
