using Ferry.Aws.Dynamo;
using Ferry.Core.Planning;
using Ferry.Core.Runs;
using Ferry.Functions.Steps;
using static Ferry.Aws.Dynamo.FerryTable;
using static Ferry.Core.Planning.RoleKind;

namespace Ferry.Functions;

/// <summary>
/// A step as its hosts see it: the Lambda function (name, handler, how to make it) and what its IAM role must allow:
/// the Ferry roles it assumes in source and target accounts, and the tables it reads and writes.
/// </summary>
/// <param name="Assumes">The member-account roles the step assumes (none: it only touches Ferry's tables).</param>
/// <param name="Reads">Tables it gets, queries or scans (with their indexes).</param>
/// <param name="Writes">Tables it puts or updates items in.</param>
/// <param name="Deletes">Tables it deletes items from (a subset of <paramref name="Writes"/>). No step scans a table.</param>
public sealed record StepDefinition(
    string Name,
    Type Type,
    Func<FerryServices, StepLog, IStepHandler> Create,
    IReadOnlyList<RoleKind> Assumes,
    IReadOnlyList<FerryTable> Reads,
    IReadOnlyList<FerryTable> Writes,
    IReadOnlyList<FerryTable> Deletes)
{
    /// <summary>The DynamoDB operations of Ferry's stores (Ferry.Aws.Dynamo) that reading a table means.</summary>
    public static readonly IReadOnlyList<string> ReadOperations = ["GetItem", "Query"];

    public static readonly IReadOnlyList<string> WriteOperations = ["PutItem", "UpdateItem"];

    public static readonly IReadOnlyList<string> DeleteOperations = ["DeleteItem"];


    /// <summary>The managed runtime's handler string: assembly::type::method.</summary>
    public string Handler => $"Ferry.Functions::{Type.FullName}::HandleAsync";

    /// <summary>The deployed function's name, also the name of its execution role (other accounts' roles trust it by name).</summary>
    public string FunctionName => $"{StepCatalog.FunctionPrefix}{Name}";

    /// <summary>Every table the step touches.</summary>
    public IEnumerable<FerryTable> Tables => Reads.Union(Writes);

    /// <summary>The DynamoDB operations the step may call on a table: what its IAM role allows, and all the local host lets through.</summary>
    public IReadOnlyList<string> OperationsOn(FerryTable table) =>
    [
        .. Reads.Contains(table) ? ReadOperations : [],
        .. Writes.Contains(table) ? WriteOperations : [],
        .. Deletes.Contains(table) ? DeleteOperations : [],
    ];
}

/// <summary>What every step function offers its host.</summary>
public interface IStepHandler
{
    string Name { get; }

    Task<Stream> HandleAsync(Stream input);
}

/// <summary>
/// Every step Ferry deploys, one Lambda function each: the one manifest that the CDK stack (functions and IAM), the
/// local Lambda host (which refuses table access the manifest does not declare) and the tests read.
/// </summary>
public static class StepCatalog
{
    public const string FunctionPrefix = "ferry-";

    /// <summary>The daily digest's step: the one step of no session.</summary>
    public const string Digest = "Digest";

    public static readonly IReadOnlyList<StepDefinition> All =
    [
        // Taking over an abandoned run's lock closes that run's session, releasing (deleting) the lock item it held.
        Step("OpenSession", (s, l) => new OpenSessionFunction(s, l), assumes: [], reads: [Policies, Sessions], writes: [Sessions], deletes: [Sessions]),
        Step("Discover", (s, l) => new DiscoverFunction(s, l), assumes: [Source], reads: [Policies], writes: [Sessions]),
        // Plan checks key access as the source and target roles, and reads Aurora engine versions as the target role.
        Step("Plan", (s, l) => new PlanFunction(s, l), assumes: [Source, Target], reads: [Policies], writes: [Sessions]),
        Step(StepRunners.TakeSnapshot, (s, l) => new TakeSnapshotFunction(s, l), assumes: [Source], reads: [], writes: [Sessions]),
        // A restore from a replica shares as the replica's target role.
        Step(StepRunners.Share, (s, l) => new ShareFunction(s, l), assumes: [Source, Target], reads: [], writes: [Sessions]),
        // EFS backup copies are started and watched as the file system's own account role (the source role).
        Step(StepRunners.CopyToRegion, (s, l) => new CopyToRegionFunction(s, l), assumes: [Source, Target, Restore], reads: [CopySlots], writes: [Sessions, CopySlots]),
        Step(StepRunners.CheckAvailable, (s, l) => new CheckAvailableFunction(s, l), assumes: [Source, Target, Restore], reads: [CopySlots], writes: [Sessions, CopySlots]),
        // After a failure it deletes what the attempt made, as the role that made it (Cleanup.AfterFailureAsync).
        Step("RecordOutcome", (s, l) => new RecordOutcomeFunction(s, l), assumes: [Source, Target, Restore],
            reads: [Sessions, RestorePoints, CopySlots], writes: [Sessions, RestorePoints, CopySlots]),
        // Closing a policy run deletes its run lock item.
        Step("CloseSession", (s, l) => new CloseSessionFunction(s, l), assumes: [], reads: [Policies, Sessions], writes: [Sessions], deletes: [Sessions]),
        // Retention deletes as the restore point's owner: the source role for snapshots, the target role for replicas;
        // the sweep of earlier attempts' leftovers deletes as the same roles, where the replica flows made them.
        Step("ApplyRetention", (s, l) => new ApplyRetentionFunction(s, l), assumes: [Source, Target],
            reads: [Policies, Sessions, RestorePoints], writes: [Sessions, RestorePoints], deletes: [RestorePoints]),
        // Restore planning describes the restore point's keys as its owner and checks key access as the restore role.
        Step("PlanRestore", (s, l) => new PlanRestoreFunction(s, l), assumes: [Source, Target, Restore], reads: [RestorePoints, Sessions], writes: [Sessions]),
        Step(StepRunners.Restore, (s, l) => new RestoreFunction(s, l), assumes: [Restore], reads: [], writes: [Sessions]),
        // Turns AWS Backup's EFS opt-in on as the file system's own account role (a member account's, in Organization mode).
        Step(StepRunners.EnableBackupOptIn, (s, l) => new EnableBackupOptInFunction(s, l), assumes: [Source], reads: [], writes: [Sessions]),
        // The daily digest only reads: policies, their sessions and their resources' restore points.
        Step(Digest, (s, l) => new DigestFunction(s, l), assumes: [], reads: [Policies, Sessions, RestorePoints], writes: []),
    ];

    public static StepDefinition? Find(string name) => All.FirstOrDefault(s => s.Name == name);

    /// <summary>The name the manifest gives a step's function type.</summary>
    public static string NameOf(Type type) =>
        All.FirstOrDefault(s => s.Type == type)?.Name ?? throw new InvalidOperationException($"{type.Name} is not in the step catalog");

    /// <summary>The steps that assume a role: the ones that role must trust.</summary>
    public static IEnumerable<StepDefinition> Assuming(RoleKind kind) => All.Where(s => s.Assumes.Contains(kind));

    private static StepDefinition Step<T>(string name, Func<FerryServices, StepLog, T> create, RoleKind[] assumes, FerryTable[] reads, FerryTable[] writes,
        FerryTable[]? deletes = null)
        where T : IStepHandler =>
        new(name, typeof(T), (services, log) => create(services, log), assumes, reads, writes, deletes ?? []);
}
