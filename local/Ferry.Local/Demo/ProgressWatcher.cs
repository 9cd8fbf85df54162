using Ferry.Core.Ports;
using Ferry.Core.Sessions;

namespace Ferry.Local.Demo;

/// <summary>Polls a policy's sessions in DynamoDB and prints each resource's step as it changes: the live view of a run.</summary>
public sealed class ProgressWatcher(ISessionStore sessions, TextWriter output)
{
    /// <param name="earlier">Sessions that existed before this run; they are not shown.</param>
    public async Task WatchAsync(string policyId, SessionKind kind, IReadOnlySet<string> earlier, CancellationToken cancellationToken)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in earlier)
            seen[id] = "";
        while (true)
        {
            await ShowAsync(policyId, kind, seen);
            try
            {
                await Task.Delay(200, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                await ShowAsync(policyId, kind, seen);
                return;
            }
        }
    }

    private async Task ShowAsync(string policyId, SessionKind kind, Dictionary<string, string> seen)
    {
        foreach (var header in (await sessions.ListByPolicyAsync(policyId)).Where(s => s.Kind == kind && !seen.ContainsKey(s.SessionId)))
        {
            var session = await sessions.GetAsync(header.SessionId);
            foreach (var resource in session?.Resources ?? [])
            {
                var now = resource.Status == ResourceStatus.Running ? resource.CurrentStep ?? "Running" : $"→ {resource.Status}";
                var key = $"{header.SessionId}/{resource.ResourceId}";
                if (seen.GetValueOrDefault(key) == now)
                    continue;
                seen[key] = now;
                output.WriteLine($"    {resource.ResourceId,-22} {now}");
            }
        }
    }
}
