using System.Text.Json;
using System.Text.Json.Serialization;
using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Ports;
using Ferry.Core.Sessions;

namespace Ferry.Local.Cli;

/// <summary>A stored policy as `ferry policies list --json` prints it.</summary>
public sealed record PolicyRow(string Id, string Name, ResourceType Type, string? Schedule, DateTimeOffset? UpdatedAt);

/// <summary>One file's verdict from `ferry policies validate` / `put`.</summary>
public sealed record PolicyCheck(string File, bool Valid, string? Id, IReadOnlyList<string> Errors);

/// <summary>A started execution and the session it writes.</summary>
/// <param name="Status">With --watch: the session's final status; otherwise null.</param>
public sealed record Started(string ExecutionArn, string SessionId, string? Status = null, int? ExitCode = null, Session? Session = null);

/// <summary>A restore request's plan, and what happened to it.</summary>
public sealed record RestorePlanned(ResourcePlan Plan, bool DryRun, Started? Started);

/// <summary>The CLI's JSON: camelCase, enums by name, indented for people who pipe it to a file.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true, WriteIndented = true)]
[JsonSerializable(typeof(IReadOnlyList<PolicyRow>))]
[JsonSerializable(typeof(IReadOnlyList<PolicyCheck>))]
[JsonSerializable(typeof(Policy))]
[JsonSerializable(typeof(Started))]
[JsonSerializable(typeof(RestorePlanned))]
[JsonSerializable(typeof(Session))]
[JsonSerializable(typeof(IReadOnlyList<Session>))]
[JsonSerializable(typeof(IReadOnlyList<RestorePoint>))]
public sealed partial class CliJson : JsonSerializerContext
{
    public static string Write<T>(T value) => JsonSerializer.Serialize(value, typeof(T), Default);
}
