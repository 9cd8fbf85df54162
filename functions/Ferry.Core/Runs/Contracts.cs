using Ferry.Core.Inventory;
using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Ports;
using Ferry.Core.Sessions;

namespace Ferry.Core.Runs;

/// <summary>A role acting in an account and region.</summary>
public sealed record RoleAt(string Role, string Account, string Region);

/// <summary>A restore request as a person or the console starts it; the state machine names its session after the execution unless <c>sessionId</c> is given.</summary>
/// <param name="ShareKey">X-DEF2: a customer managed key of the restore point's account and region, to restore a default-key restore point into another account.</param>
public sealed record RestoreInput(
    string RestorePointId,
    string TargetAccount,
    string TargetRegion,
    string RestoreRole,
    string? TargetKmsKey = null,
    string? InstanceType = null,
    string? DbClass = null,
    string? NewIdentifier = null,
    string? SessionId = null,
    string? ShareKey = null);

/// <summary>Names of Ferry's state machines, shared by the plan step, the ASL files, CDK and the CLI.</summary>
public static class Flows
{
    public const string Replica = "replica";
    public const string Restore = "restore";
    public const string PolicyRun = "policy-run";
    public const string Digest = "digest";

    /// <summary>The deployed state machine's fixed name: the CDK stack creates it, the CLI derives its ARN from it.</summary>
    public static string MachineName(string flow) => $"ferry-{flow}";

    /// <summary>The flow a state machine name belongs to, or null when the name is not one of Ferry's.</summary>
    public static string? FlowOf(string machineName) =>
        machineName.StartsWith("ferry-", StringComparison.Ordinal) && machineName["ferry-".Length..] is { Length: > 0 } flow ? flow : null;
}

/// <param name="SessionId">The state machine names it after its execution, so a retry finds the session it opened.</param>
public sealed record OpenSessionInput(string PolicyId, string? SessionId = null);

/// <param name="Regions">The source regions to run, in order; none when the run was refused (another run of the policy is running).</param>
public sealed record OpenSessionOutput(string PolicyId, string SessionId, IReadOnlyList<string> Regions);

public sealed record DiscoverInput(string PolicyId, string SessionId, string Region);

/// <summary>The resources found, as ids only, so a region with thousands of resources stays well under the payload limit.</summary>
public sealed record DiscoverOutput(string PolicyId, string SessionId, string Region, IReadOnlyList<string> ResourceIds);

/// <summary>A resource of a run, as the fan-out carries it.</summary>
public sealed record ResourceKey(string PolicyId, string SessionId, string Region, string ResourceId);

/// <param name="Proceed">True when the job's steps should run; otherwise record <paramref name="Status"/> with <paramref name="Reason"/>.</param>
public sealed record PlanOutput(bool Proceed, ResourceStatus Status, string Reason, Job? Job);

/// <summary>What RecordOutcome receives: the job when the flow ran, and the error when a step failed.</summary>
/// <param name="Error">Step Functions' error name (from a Catch), when a step failed.</param>
/// <param name="Cause">Step Functions' cause (for Lambda errors, a JSON document with errorMessage).</param>
public sealed record OutcomeInput(
    string PolicyId,
    string SessionId,
    string ResourceId,
    ResourceStatus? Status = null,
    string? Reason = null,
    Job? Job = null,
    string? Error = null,
    string? Cause = null);

/// <param name="Event">When this outcome closed its session (a restore's), the event the session emits.</param>
public sealed record OutcomeOutput(string SessionId, string ResourceId, ResourceStatus Status, string? Reason, bool Recorded, SessionEvent? Event = null);

/// <summary>Closes a session; with an error, the run or restore failed outright and the session closes Failed with it as the reason.</summary>
/// <param name="PolicyId">A policy run's policy: a run whose OpenSession failed before writing its session gets one, to say why.</param>
/// <param name="Error">Step Functions' error name (from a Catch).</param>
/// <param name="Cause">Step Functions' cause (for Lambda errors, a JSON document with errorMessage).</param>
public sealed record CloseSessionInput(string SessionId, string? PolicyId = null, string? Error = null, string? Cause = null);

/// <param name="Found">False when there was no session to close (a restore whose request was invalid opens none).</param>
/// <param name="Event">The event the closed session emits; none when there was no session.</param>
public sealed record CloseSessionOutput(string SessionId, ResourceStatus Status, int Resources, string? Reason = null, bool Found = true, SessionEvent? Event = null);

/// <param name="Region">The resource's source region, where (and at whose mapping) leftovers are swept; all the policy's regions when absent.</param>
public sealed record RetentionInput(string PolicyId, string ResourceId, string? SessionId = null, string? Region = null);

/// <param name="RemovedLeftovers">Snapshots and copies of earlier failed or abandoned attempts that the sweep deleted.</param>
public sealed record RetentionOutput(string PolicyId, string ResourceId, int Kept, IReadOnlyList<string> DeletedRestorePoints, IReadOnlyList<string>? RemovedLeftovers = null);
