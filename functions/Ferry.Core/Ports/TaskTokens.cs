namespace Ferry.Core.Ports;

/// <summary>
/// Resumes Step Functions states that park with a task token (<c>.waitForTaskToken</c>): a wait for a snapshot or copy,
/// a wait for a copy slot. Whoever learns that the wait is over (an AWS event, the fallback poll, a slot given back)
/// completes the token.
/// </summary>
public interface ITaskTokens
{
    /// <summary>Resumes the parked state with <paramref name="output"/> (a JSON document) as its result.</summary>
    /// <returns>False when the token no longer waits (its state timed out, its execution ended, or it is unknown): the caller drops it.</returns>
    Task<bool> SucceedAsync(string token, string output, CancellationToken cancellationToken = default);

    /// <summary>Fails the parked state with <paramref name="error"/> (the name its Retry and Catch match) and <paramref name="cause"/>.</summary>
    /// <returns>False when the token no longer waits.</returns>
    Task<bool> FailAsync(string token, string error, string cause, CancellationToken cancellationToken = default);
}

/// <summary>Where no state parks (unit tests of steps that never complete a token): completing one is a bug.</summary>
public sealed class NoTaskTokens : ITaskTokens
{
    public static readonly NoTaskTokens Instance = new();

    public Task<bool> SucceedAsync(string token, string output, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("No task tokens are wired here");

    public Task<bool> FailAsync(string token, string error, string cause, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("No task tokens are wired here");
}
