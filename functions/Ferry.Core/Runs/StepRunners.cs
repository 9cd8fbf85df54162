using Ferry.Core.Planning;

namespace Ferry.Core.Runs;

/// <summary>
/// Which Lambda step runs which kinds of plan step: the one place that pairs the state machines' Task states with the
/// planner's step kinds. A step refuses a job whose next plan step is of another kind.
/// </summary>
public static class StepRunners
{
    public const string TakeSnapshot = "TakeSnapshot";
    public const string CheckAvailable = "CheckAvailable";
    public const string Share = "Share";
    public const string CopyToRegion = "CopyToRegion";
    public const string EnableBackupOptIn = "EnableBackupOptIn";
    public const string Restore = "Restore";

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<StepKind>> Kinds = new Dictionary<string, IReadOnlyList<StepKind>>(StringComparer.Ordinal)
    {
        [TakeSnapshot] = [StepKind.TakeSnapshot],
        [CheckAvailable] = [StepKind.WaitForAvailable],
        [Share] = [StepKind.Share],
        [CopyToRegion] = [StepKind.Copy],
        [EnableBackupOptIn] = [StepKind.EnableBackupOptIn],
        [Restore] = [StepKind.CreateInstance, StepKind.CreateVolumes, StepKind.AttachVolumes, StepKind.RestoreDatabase],
    };

    /// <summary>The step that runs a kind of plan step.</summary>
    public static string For(StepKind kind) => Kinds.First(k => k.Value.Contains(kind)).Key;
}
