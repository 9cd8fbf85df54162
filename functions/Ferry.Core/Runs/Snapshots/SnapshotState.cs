namespace Ferry.Core.Runs.Snapshots;

/// <summary>A snapshot or copy as one describe call reports it.</summary>
/// <param name="Started">When AWS started it, if reported.</param>
/// <param name="Percent">How far AWS says it is, 0..100, if reported.</param>
/// <param name="ResultId">What a completed copy is known as from then on, when that is not the id it was started as (an AWS Backup copy job becomes a recovery point).</param>
internal sealed record SnapshotState(
    string Name, bool Done, bool Failed, string? Message, string? Progress, DateTimeOffset? Started = null, int? Percent = null, string? ResultId = null)
{
    /// <summary>Still counted by AWS against its concurrent-copy quota.</summary>
    public bool InProgress => !Done && !Failed;

    /// <summary>How long it should still take, read from its progress so far; null before AWS reports any.</summary>
    public TimeSpan? Remaining(DateTimeOffset now) =>
        InProgress && Started is { } started && Percent is > 0 and < 100 && now > started
            ? (now - started) * (100 - Percent.Value) / Percent.Value
            : null;
}
