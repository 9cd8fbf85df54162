using System.Text.Json.Serialization;
using Ferry.Core.Errors;
using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Ports;

namespace Ferry.Core.Runs;

/// <summary>Which AWS snapshots a job makes, copies and waits on; the job's steps pick their <see cref="Snapshots.ISnapshotService"/> by it.</summary>
public enum SnapshotKind
{
    Ebs,
    RdsDb,
    AuroraCluster,

    /// <summary>AWS Backup recovery points (EFS backup copies).</summary>
    RecoveryPoint,
}

/// <summary>
/// One volume (EBS), the DB (RDS) or the file system (EFS) of a job, with what each of its plan's steps produced.
/// </summary>
/// <param name="Ids">The item's snapshot (or recovery point), then each copy of it, in plan order: the last is the one the next step reads.</param>
/// <param name="SourceKey">The key the item's original snapshot is encrypted with, if any.</param>
/// <param name="Slot">The copy slot the item's current copy holds, when known, so its check gives it back without reading the scope.</param>
public sealed record JobItem(
    string ItemId,
    string? DeviceName,
    bool Encrypted,
    string? SourceKey,
    IReadOnlyList<string> Ids,
    string? Slot = null)
{
    /// <summary>The id the item's next step reads: its newest copy, or its snapshot.</summary>
    [JsonIgnore]
    public string Current => Ids.Count > 0 ? Ids[^1] : throw new FerryInvalidInputException($"items[{ItemId}]: no snapshot id yet; the flow ran its steps out of order");

    public JobItem With(string id, string? slot = null) => this with { Ids = [.. Ids, id], Slot = slot };
}

/// <summary>The state of a Wait → CheckAvailable → Choice loop: interval grows until a deadline.</summary>
public sealed record WaitState(int Attempt, int Seconds, DateTimeOffset Deadline, bool Ready);

/// <summary>An account and region; where a job's snapshots start from.</summary>
public sealed record Place(string Account, string Region);

/// <summary>
/// One resource's flow, passed from step to step: the plan's ordered steps and a cursor at the next one. Each step
/// executes the plan step at the cursor, as that step's role, account and region, and moves the cursor on; the state
/// machines' Choices read <see cref="Next"/>. It carries ids, never inventories, so a run over thousands of resources
/// stays within Step Functions' payload limits.
/// </summary>
/// <param name="Origin">Where the items' first ids live (the source snapshot's or restore point's account and region).</param>
public sealed record Job(
    string PolicyId,
    string SessionId,
    string ResourceId,
    ResourceType Type,
    SnapshotKind Snapshots,
    IReadOnlyList<PlanStep> Steps,
    int Cursor,
    Place Origin,
    IReadOnlyList<JobItem> Items,
    IReadOnlyList<string> Warnings,
    ResourceConfig Config,
    JobPayload Payload,
    WaitState? Wait = null)
{
    /// <summary>The kind of the plan step at the cursor, or <c>Done</c>: what the state machines' Choices branch on.</summary>
    public string Next => Cursor >= 0 && Cursor < Steps.Count ? Steps[Cursor].Kind.ToString() : Done;

    public const string Done = "Done";

    [JsonIgnore]
    public bool Finished => Cursor >= Steps.Count;

    /// <summary>The plan step at the cursor, which must be of a kind the calling state runs: the flow never runs a step the plan does not say.</summary>
    public PlanStep Expect(string state)
    {
        var kinds = StepRunners.Kinds[state];
        if (Cursor >= 0 && Cursor < Steps.Count && kinds.Contains(Steps[Cursor].Kind))
            return Steps[Cursor];
        throw new FerryInvalidInputException(
            $"cursor: the plan's step {Cursor} of {ResourceId} is {Next}, but {state} runs only {string.Join(" or ", kinds)}; the flow ran its steps out of order");
    }

    /// <summary>The job with the plan step at the cursor done.</summary>
    public Job Advanced() => this with { Cursor = Cursor + 1 };

    public static RoleAt At(PlanStep step) => new(step.Role, step.Account, step.Region);

    /// <summary>The items a plan step acts on, in the step's order.</summary>
    public IReadOnlyList<JobItem> ItemsOf(PlanStep step) =>
        [.. step.Items.Select(id => Items.FirstOrDefault(i => i.ItemId == id)
            ?? throw new FerryInvalidInputException($"items: the plan's step {step.Kind} names {id}, which the job does not carry"))];

    /// <summary>The plan's Copy steps, with their positions.</summary>
    [JsonIgnore]
    public IEnumerable<(int Index, PlanStep Step)> Copies => Steps.Select((step, index) => (index, step)).Where(s => s.step.Kind == StepKind.Copy);

    /// <summary>
    /// Where each id of an item lives, aligned with <see cref="JobItem.Ids"/>: the origin, then each Copy step of the
    /// plan that copies the item, with the role that owns the copy.
    /// </summary>
    public IReadOnlyList<RoleAt?> PlacesOf(JobItem item) =>
        [null, .. Copies.Where(c => c.Step.Items.Contains(item.ItemId)).Select(c => (RoleAt?)At(c.Step))];

    /// <summary>The account and region an item's current id lives in.</summary>
    public Place WhereIs(JobItem item)
    {
        var place = item.Ids.Count > 1 ? PlacesOf(item)[item.Ids.Count - 1] : null;
        return place is null ? Origin : new Place(place.Account, place.Region);
    }

    /// <summary>The position of the Copy step that made the item's current id; null while it is still the origin's.</summary>
    public int? CopyIndexOf(JobItem item)
    {
        var copies = Copies.Where(c => c.Step.Items.Contains(item.ItemId)).Select(c => c.Index).ToList();
        return item.Ids.Count > 1 && item.Ids.Count - 2 < copies.Count ? copies[item.Ids.Count - 2] : null;
    }

    /// <summary>The tags of everything a job makes; <paramref name="step"/> says which of its steps made it.</summary>
    public IReadOnlyDictionary<string, string> Tags(string step) => new Dictionary<string, string>
    {
        [FerryTags.ManagedBy] = FerryTags.ManagedByFerry,
        [FerryTags.Policy] = PolicyId,
        [FerryTags.Session] = SessionId,
        [FerryTags.Source] = ResourceId,
        [FerryTags.Step] = step,
    };

    /// <summary>
    /// What a copy is tagged as: a restore's copy (made by the restore role), a replica (the item's last copy), or a
    /// staging copy that a later copy reads (deleted once that one is complete; a restore point owner's share-key copy too).
    /// </summary>
    public string CopyTag(int index, JobItem item) =>
        Payload is RestorePayload && Steps[index].RoleKind == RoleKind.Restore ? "restore-copy"
            : Copies.Last(c => c.Step.Items.Contains(item.ItemId)).Index == index ? "replica" : StagingTag;

    /// <summary>The step tag of a copy that only a later copy needs.</summary>
    public const string StagingTag = "staging";

    /// <summary>The copy slot holder of one item's copy by one Copy step.</summary>
    public string SlotHolder(JobItem item, int index) => CopySteps.Holder(SessionId, ResourceId, item.ItemId, index);
}

/// <summary>What only one kind of job carries: a replica, a restore or an EFS backup copy.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(ReplicaPayload), "replica")]
[JsonDerivedType(typeof(RestorePayload), "restore")]
[JsonDerivedType(typeof(BackupCopyPayload), "backupCopy")]
public abstract record JobPayload;

/// <summary>A policy run's replica: everything it needs is in the plan and the items.</summary>
public sealed record ReplicaPayload : JobPayload;

/// <summary>What a restore adds: the restore point and the overrides of the original's configuration.</summary>
/// <param name="NewIdentifier">RDS: the restored DB's identifier.</param>
/// <param name="CreatedIds">What the restore created so far (image, instance, volumes, DB), so a retry resumes.</param>
public sealed record RestorePayload(
    string RestorePointId,
    string? InstanceType,
    string? DbClass,
    string? NewIdentifier,
    IReadOnlyDictionary<string, string> CreatedIds) : JobPayload;

/// <summary>What an EFS backup copy adds: the source and destination vaults.</summary>
public sealed record BackupCopyPayload(string SourceVault, string VaultName, string VaultArn) : JobPayload;

