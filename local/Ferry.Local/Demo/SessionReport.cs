using Ferry.Core.Sessions;

namespace Ferry.Local.Demo;

/// <summary>Renders a session as a person reads it: status, each resource's outcome, and the steps done with the role used.</summary>
public static class SessionReport
{
    public static void Write(TextWriter output, Session session, Func<string, string?> label, Func<string, ResourceStatus?> expected)
    {
        output.WriteLine($"  Session {session.SessionId}: {session.Status}  ({session.Resources.Count} resource(s))");
        foreach (var resource in session.Resources.OrderBy(r => r.ResourceId, StringComparer.Ordinal))
        {
            var tag = label(resource.ResourceId) is { } scenario ? $" [{scenario}]" : "";
            var expect = expected(resource.ResourceId) is { } e ? (e == resource.Status ? "  ✓ as expected" : $"  ✗ expected {e}") : "";
            output.WriteLine($"    {resource.ResourceId}{tag}: {resource.Status}{expect}");
            if (resource.Reason is { Length: > 0 } reason && resource.Status != ResourceStatus.Success)
                output.WriteLine($"      why: {reason}");
            foreach (var entry in resource.Log.Where(l => l.Step != "RecordOutcome"))
                output.WriteLine($"      {entry.Step,-15} {RoleName(entry.Role),-20} {entry.Message}");
        }
    }

    private static string RoleName(string? role) => role is null ? "-" : role[(role.LastIndexOf('/') + 1)..];
}
