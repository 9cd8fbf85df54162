using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Planning;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using Ferry.Simulator;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Functions.Tests.Steps;

/// <summary>What a failed or abandoned attempt made is deleted, only Ferry's own and never what a restore point names.</summary>
public class CleanupStepTests
{
    private static readonly FerryTransientException Crash = new("The step's Lambda crashed after its AWS calls took effect");

    private static async Task<IReadOnlyList<Ec2Snapshot>> EbsSnapshotsAsync(Harness h, string role, string region, string tagKey, string tagValue)
    {
        var ec2 = await h.Ec2Async(role, region);
        return await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Tags: [new TagQuery(tagKey, [tagValue])]));
    }

    private static async Task<bool> EbsExistsAsync(Harness h, string role, string region, string snapshotId) =>
        (await (await h.Ec2Async(role, region)).DescribeSnapshotsAsync(new SnapshotQuery(Ids: [snapshotId]))).Count == 1;

    private static async Task<bool> AllExistAsync(Harness h, string role, string region, IEnumerable<string> snapshotIds)
    {
        var ids = snapshotIds.ToList();
        return (await (await h.Ec2Async(role, region)).DescribeSnapshotsAsync(new SnapshotQuery(Ids: ids))).Count == ids.Count;
    }

    private static async Task<IReadOnlyList<LogEntry>> LogAsync(Harness h, string sessionId, string resourceId) =>
        (await h.Services.Sessions.GetAsync(sessionId))!.Resources.Single(r => r.ResourceId == resourceId).Log;

    /// <summary>Opens a session and runs the flow up to the copies being started, as the state machine would.</summary>
    private static async Task<(string SessionId, Job BeforeCopy, Job Copied)> CopyStartedAsync(Harness h, string resource)
    {
        var sessionId = await h.OpenSessionAsync("p");
        var plan = await h.PlanAsync("p", sessionId, resource);
        var job = await h.RunStepsAsync(plan.Job!, until: StepKind.Copy);
        return (sessionId, job, await h.InvokeAsync<Job>(StepRunners.CopyToRegion, job));
    }

    [Fact]
    public async Task CopyEndingInError_FailedResource_ItsSnapshotsAndCopiesDeletedByTheirOwners_AndTheLogSaysWhatAndWhere()
    {
        var h = new Harness(new FaultSettings(1, [new FaultRule("ec2:CopySnapshot", SnapshotError: 1)]));
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [AppKeyed], TargetRole, Central, true, DrKey));

        var (outcome, job) = await h.ReplicateAsync("p", AppKeyed);

        Assert.Equal(ResourceStatus.Failed, outcome.Status);
        Assert.Empty(await EbsSnapshotsAsync(h, SourceRole, West, FerryTags.Session, job!.SessionId));
        Assert.Empty(await EbsSnapshotsAsync(h, TargetRole, Central, FerryTags.Session, job.SessionId));
        var removed = (await LogAsync(h, job.SessionId, AppKeyed)).Where(e => e.Step == "RecordOutcome" && e.Message.StartsWith("Removed", StringComparison.Ordinal)).ToList();
        Assert.Equal([TargetRole, SourceRole], removed.Select(e => e.Role));
        Assert.StartsWith($"Removed from {TargetAccount}/{Central}: EBS snapshot", removed[0].Message, StringComparison.Ordinal);
        Assert.Contains("made by this attempt, which failed", removed[0].Message, StringComparison.Ordinal);
        // The job the Catch hands over is the one the failed wait was given: each copy is removed once, by its owner.
        Assert.Equal(job.Items.Count, removed[0].Ids!.Count);
        Assert.Equal(job.Items.Count, h.Aws.CallLog.Records.Count(c => c.Operation == "DeleteSnapshot" && c.Role == TargetRole && c.Succeeded));
        Assert.Equal(job.Items.Select(i => i.Ids[0]).Order(), removed[1].Ids!.Keys.Order());
        Assert.Equal(ResourceStatus.Failed, (await h.Services.Sessions.GetAsync(job.SessionId))!.Resources.Single().Status);
    }

    [Fact]
    public async Task CopyStepCrashedAfterCopying_CopiesMissingFromTheJob_FoundByTagsAndDeleted()
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [AppKeyed], TargetRole, Central, true, DrKey));
        var (sessionId, beforeCopy, copied) = await CopyStartedAsync(h, AppKeyed);

        var outcome = await h.RecordFailureAsync("p", sessionId, AppKeyed, beforeCopy, Crash);

        Assert.Equal(ResourceStatus.Failed, outcome.Status);
        Assert.All(copied.Items, i => Assert.Single(beforeCopy.Items.Single(b => b.ItemId == i.ItemId).Ids));
        foreach (var item in copied.Items)
        {
            Assert.False(await EbsExistsAsync(h, TargetRole, Central, item.Current), $"{item.Current} should be deleted");
            Assert.False(await EbsExistsAsync(h, SourceRole, West, item.Ids[0]), $"{item.Ids[0]} should be deleted");
        }
    }

    [Fact]
    public async Task RDS_R10_TargetCopyEndingInError_FailedResource_ShareKeyCopyDeletedBySourceRoleWithTheSnapshot()
    {
        // Only the target's copy names the source account's share-key copy by ARN.
        var h = new Harness(new FaultSettings(1, [new FaultRule("rds:CopyDBSnapshot", SnapshotError: 1, Resource: $"arn:aws:rds:{West}:{SourceAccount}:snapshot:")]));
        await h.PutPolicyAsync(ReplicaPolicy("p", "RDS", ["legacy-db"], TargetRole, Central, true, DrKey, shareKey: ShareKey));

        var (outcome, job) = await h.ReplicateAsync("p", "legacy-db");

        Assert.Equal(ResourceStatus.Failed, outcome.Status);
        var source = await h.RdsAsync(SourceRole, West);
        Assert.Empty(await source.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, Identifiers: Names.RdsSnapshots("legacy-db", job!.SessionId))));
        var removed = Assert.Single(await LogAsync(h, job.SessionId, "legacy-db"), e => e.Step == "RecordOutcome" && e.Role == SourceRole && e.Message.StartsWith("Removed", StringComparison.Ordinal));
        Assert.Contains(Names.RdsShareCopy("legacy-db", job.SessionId), removed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RdsCopyStillCreatingWhenTheResourceFails_KeptWithAWarning_ThenSweptByTheNextRun()
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", "RDS", [Orders], LocalTarget, Central, true, LocalDrKey));
        var (first, _, copied) = await CopyStartedAsync(h, Orders);

        var failed = await h.RecordFailureAsync("p", first, Orders, copied, Crash);

        Assert.Equal(ResourceStatus.Failed, failed.Status);
        var copy = Names.RdsSnapshot(Orders, first);
        var target = await h.RdsAsync(LocalTarget, Central);
        var source = await h.RdsAsync(SourceRole, West);
        Assert.Single(await target.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, Identifiers: [copy])));
        Assert.Empty(await source.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, Identifiers: [copy])));
        var warning = Assert.Single(await LogAsync(h, first, Orders), e => e.Level == ResourceStatus.Warning);
        Assert.Equal(("RecordOutcome", LocalTarget), (warning.Step, warning.Role));
        Assert.Contains($"DB snapshot {copy} could not be removed", warning.Message, StringComparison.Ordinal);
        Assert.Contains("still being created", warning.Message, StringComparison.Ordinal);

        h.Clock.Advance(TimeSpan.FromHours(1));
        var (next, _) = await h.ReplicateAsync("p", Orders);
        var retention = await h.InvokeAsync<RetentionOutput>("ApplyRetention", new RetentionInput("p", Orders, next.SessionId, West));

        Assert.Equal(ResourceStatus.Success, next.Status);
        Assert.Equal([copy], retention.RemovedLeftovers!);
        Assert.Empty(await target.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, Identifiers: [copy])));
        var swept = Assert.Single(await LogAsync(h, next.SessionId, Orders), e => e.Step == "ApplyRetention");
        Assert.Equal($"Removed from {SourceAccount}/{Central}: DB snapshot {copy} (left by session {first}, which ended Failed)", swept.Message);
        var replica = (await h.Services.RestorePoints.ListAsync("p", Orders)).Single(p => p.IsReplica);
        Assert.Single(await target.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, Identifiers: [replica.Snapshots[0].SnapshotId])));
    }

    [Fact]
    public async Task Sweep_RemovesOnlyThisPolicysLeftovers_NeverForeignOtherPolicyOrRestorePointSnapshots()
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [AppKeyed], LocalTarget, Central, true, LocalDrKey));
        await h.ReplicateAsync("p", AppKeyed);
        var foreign = await Ferry.Tests.Shared.ByHand.CreateSnapshotAsync(h.Local, SourceRole, West, "vol-0a1b2c3d4e5f60021", "a person's own snapshot", new Dictionary<string, string>());
        var otherPolicy = await Ferry.Tests.Shared.ByHand.CreateSnapshotAsync(h.Local, SourceRole, West, "vol-0a1b2c3d4e5f60021", "another policy's", new Dictionary<string, string>
        {
            [FerryTags.Policy] = "q", [FerryTags.Session] = "q-20260101T000000Z", [FerryTags.Source] = AppKeyed,
        });
        // An attempt whose child execution failed outright: the policy run records Failed without a job, so nothing is cleaned then.
        h.Clock.Advance(TimeSpan.FromHours(1));
        var crashed = await h.OpenSessionAsync("p");
        var plan = await h.PlanAsync("p", crashed, AppKeyed);
        var leftovers = (await h.InvokeAsync<Job>("TakeSnapshot", plan.Job!)).Items.Select(i => i.Ids[0]).ToList();
        await h.RecordFailureAsync("p", crashed, AppKeyed, null, Crash);
        Assert.True(await AllExistAsync(h, SourceRole, West, leftovers));

        h.Clock.Advance(TimeSpan.FromHours(1));
        var (next, _) = await h.ReplicateAsync("p", AppKeyed);
        var retention = await h.InvokeAsync<RetentionOutput>("ApplyRetention", new RetentionInput("p", AppKeyed, next.SessionId, West));

        Assert.Equal(leftovers.Order(), retention.RemovedLeftovers!.Order());
        Assert.True(await EbsExistsAsync(h, SourceRole, West, foreign.SnapshotId));
        Assert.True(await EbsExistsAsync(h, SourceRole, West, otherPolicy.SnapshotId));
        foreach (var point in await h.Services.RestorePoints.ListAsync("p", AppKeyed))
        {
            foreach (var snapshot in point.Snapshots)
                Assert.True(await EbsExistsAsync(h, point.OwnerRole, point.Region, snapshot.SnapshotId), $"{snapshot.SnapshotId} of {point.RestorePointId}");
        }
        var swept = Assert.Single(await LogAsync(h, next.SessionId, AppKeyed), e => e.Step == "ApplyRetention");
        Assert.Equal(SourceRole, swept.Role);
        Assert.Contains($"left by session {crashed}, which ended Failed", swept.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sweep_AttemptStillRunning_IsLeftAlone_UntilRunningLongerThanTheAbandonHorizon()
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [Unencrypted], LocalTarget, Central, encrypted: false));
        var running = await h.OpenSessionAsync("p");
        var plan = await h.PlanAsync("p", running, Unencrypted);
        var snapshot = (await h.InvokeAsync<Job>("TakeSnapshot", plan.Job!)).Items.Single().Ids[0];

        // The run lock keeps a second run of the policy from starting while this one runs, so the sweeps
        // are asked for directly, as a later session of the policy would ask.
        h.Clock.Advance(TimeSpan.FromHours(1));
        await h.Services.Sessions.OpenAsync(Session.Open("p-early", SessionKind.PolicyRun, "p", h.Clock.UtcNow));
        var early = await h.InvokeAsync<RetentionOutput>("ApplyRetention", new RetentionInput("p", Unencrypted, "p-early", West));
        h.Clock.Advance(new Cleanup(h.Services).AbandonedAfter);
        await h.Services.Sessions.OpenAsync(Session.Open("p-late", SessionKind.PolicyRun, "p", h.Clock.UtcNow));
        var late = await h.InvokeAsync<RetentionOutput>("ApplyRetention", new RetentionInput("p", Unencrypted, "p-late", West));

        Assert.Empty(early.RemovedLeftovers!);
        Assert.Equal([snapshot], late.RemovedLeftovers!);
        Assert.Contains("(abandoned)", Assert.Single(await LogAsync(h, "p-late", Unencrypted), e => e.Step == "ApplyRetention").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ec2RestoreFailingToAttach_PartialInstanceVolumeImageAndCopiesRemovedByTags_RestorePointKept()
    {
        var h = new Harness(new FaultSettings(1, [new FaultRule("ec2:AttachVolume", Transient: 1)]));
        var point = await SnapshotPointAsync(h);

        var (outcome, job) = await h.RestoreAsync(new RestoreInput(point.RestorePointId, SourceAccount, Central, RestoreRole, LocalDrKey));

        Assert.Equal(ResourceStatus.Failed, outcome.Status);
        var ec2 = await h.Ec2Async(RestoreRole, Central);
        var session = new TagQuery(FerryTags.Session, [job!.SessionId]);
        Assert.All(await ec2.DescribeInstancesAsync(new InstanceQuery(Tags: [session])), i => Assert.Equal("terminated", i.State));
        Assert.Empty(await ec2.FindVolumesAsync([session]));
        Assert.Empty(await ec2.FindImagesAsync([session]));
        Assert.Empty(await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Tags: [session])));
        Assert.True(await AllExistAsync(h, SourceRole, West, point.Snapshots.Select(s => s.SnapshotId)));
        var removed = Assert.Single(await LogAsync(h, job.SessionId, AppKeyed), e => e.Step == "RecordOutcome" && e.Message.StartsWith("Removed", StringComparison.Ordinal));
        Assert.Equal(RestoreRole, removed.Role);
        Assert.Equal(["EBS snapshot", "EBS snapshot", "image", "instance", "volume"], removed.Ids!.Values.Order());
    }

    [Fact]
    public async Task X_DEF2_RestoreCopyEndingInError_OwnersShareKeyCopyRemovedBySourceRole_RestorePointKept()
    {
        // Only the restore role's copy encrypts with the target key.
        var h = new Harness(new FaultSettings(1, [new FaultRule("ec2:CopySnapshot", SnapshotError: 1, Resource: DrWestKey)]));
        var point = await SnapshotPointAsync(h, DefaultKeyed);

        var (outcome, job) = await h.RestoreAsync(new RestoreInput(point.RestorePointId, TargetAccount, West, RestoreTarget, DrWestKey, ShareKey: ShareKey));

        Assert.Equal(ResourceStatus.Failed, outcome.Status);
        Assert.Empty(await EbsSnapshotsAsync(h, SourceRole, West, FerryTags.Session, job!.SessionId));
        Assert.Empty(await EbsSnapshotsAsync(h, RestoreTarget, West, FerryTags.Session, job.SessionId));
        Assert.True(await AllExistAsync(h, SourceRole, West, point.Snapshots.Select(s => s.SnapshotId)));
        Assert.Contains(await LogAsync(h, job.SessionId, DefaultKeyed), e => e.Step == "RecordOutcome" && e.Role == SourceRole && e.Message.StartsWith("Removed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ec2RestoreCrashingAfterAttaching_InstanceTerminatedWithItsAttachedVolume()
    {
        var h = new Harness();
        var point = await SnapshotPointAsync(h);
        var plan = await h.InvokeAsync<PlanOutput>("PlanRestore", new RestoreInput(point.RestorePointId, SourceAccount, West, RestoreRole, AppKey));
        var job = await h.RunStepsAsync(plan.Job!);
        var ec2 = await h.Ec2Async(RestoreRole, West);
        var restored = Assert.Single(await ec2.DescribeInstancesAsync(new InstanceQuery(Ids: [job.Created()["instance"]])));
        Assert.Equal(2, restored.Volumes.Count);

        // The last Restore call took effect but its answer was lost: the failure carries the job as planned.
        await h.RecordFailureAsync(plan.Job!.PolicyId, plan.Job.SessionId, AppKeyed, plan.Job, Crash);

        Assert.Equal("terminated", Assert.Single(await ec2.DescribeInstancesAsync(new InstanceQuery(Ids: [restored.InstanceId]))).State);
        Assert.Empty(await ec2.DescribeVolumesAsync([.. restored.Volumes.Select(v => v.VolumeId)]));
        Assert.Empty(await ec2.FindImagesAsync([new TagQuery(FerryTags.Session, [job.SessionId])]));
        Assert.True(await AllExistAsync(h, SourceRole, West, point.Snapshots.Select(s => s.SnapshotId)));
    }

    [Fact]
    public async Task RdsRestoreCrashingAfterCreatingTheDatabase_DatabaseAndRestoreCopyDeleted()
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", "RDS", [Orders], LocalTarget, Central, true, LocalDrKey));
        Assert.Equal(ResourceStatus.Success, (await h.ReplicateAsync("p", Orders)).Outcome.Status);
        var point = (await h.Services.RestorePoints.ListAsync("p", Orders)).Single(p => !p.IsReplica);
        var plan = await h.InvokeAsync<PlanOutput>("PlanRestore", new RestoreInput(point.RestorePointId, SourceAccount, Central, RestoreRole, LocalDrKey));
        var job = await h.RunStepsAsync(plan.Job!, until: StepKind.RestoreDatabase);
        var restoring = await h.InvokeAsync<Job>(StepRunners.Restore, job);
        var rds = await h.RdsAsync(RestoreRole, Central);
        var database = restoring.Created()["db"];
        Assert.Single(await rds.DescribeDatabasesAsync([database], null));

        await h.RecordFailureAsync("p", job.SessionId, Orders, job, Crash);

        Assert.Empty(await rds.DescribeDatabasesAsync([database], null));
        Assert.Empty(await rds.DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, Identifiers: [Names.RdsSnapshot(Orders, job.SessionId)])));
        Assert.Single(await (await h.RdsAsync(SourceRole, West)).DescribeSnapshotsAsync(new RdsSnapshotQuery(RdsKind.DbInstance, Identifiers: [point.Snapshots[0].SnapshotId])));
    }

    [Fact]
    public async Task FailureReportedAfterTheRestoreSucceeded_DeletesNothing()
    {
        var h = new Harness();
        var point = await SnapshotPointAsync(h);
        var (outcome, job) = await h.RestoreAsync(new RestoreInput(point.RestorePointId, SourceAccount, West, RestoreRole, AppKey));
        Assert.Equal(ResourceStatus.Success, outcome.Status);

        var late = await h.RecordFailureAsync(job!.PolicyId, job.SessionId, AppKeyed, job, Crash);

        Assert.False(late.Recorded);
        var ec2 = await h.Ec2Async(RestoreRole, West);
        Assert.Equal("running", Assert.Single(await ec2.DescribeInstancesAsync(new InstanceQuery(Ids: [job.Created()["instance"]]))).State);
        Assert.Equal(0, h.Aws.CallLog.Count("ec2", "TerminateInstances"));
    }

    [Fact]
    public async Task ApplyRetention_SnapshotInUseByARestoredImage_KeepsItsRestorePointWithAWarning()
    {
        var h = new Harness();
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [AppKeyed], LocalTarget, Central, true, LocalDrKey, keep: 1));
        await h.ReplicateAsync("p", AppKeyed);
        var oldest = (await h.Services.RestorePoints.ListAsync("p", AppKeyed)).Single(p => !p.IsReplica);
        // A restore to the original location registers its image from the restore point's own root snapshot.
        await h.RestoreAsync(new RestoreInput(oldest.RestorePointId, SourceAccount, West, RestoreRole, AppKey));
        h.Clock.Advance(TimeSpan.FromHours(1));
        var (next, _) = await h.ReplicateAsync("p", AppKeyed);

        var retention = await h.InvokeAsync<RetentionOutput>("ApplyRetention", new RetentionInput("p", AppKeyed, next.SessionId, West));

        Assert.DoesNotContain(oldest.RestorePointId, retention.DeletedRestorePoints);
        Assert.Single(retention.DeletedRestorePoints);
        Assert.NotNull(await h.Services.RestorePoints.GetAsync(oldest.RestorePointId));
        var warning = Assert.Single(await LogAsync(h, next.SessionId, AppKeyed), e => e.Level == ResourceStatus.Warning);
        Assert.Contains($"Kept restore point {oldest.RestorePointId}", warning.Message, StringComparison.Ordinal);
        Assert.Contains("in use by", warning.Message, StringComparison.Ordinal);
    }

    private static async Task<RestorePoint> SnapshotPointAsync(Harness h, string resource = AppKeyed)
    {
        await h.PutPolicyAsync(ReplicaPolicy("p", "EC2", [resource], LocalTarget, Central, true, LocalDrKey));
        Assert.Equal(ResourceStatus.Success, (await h.ReplicateAsync("p", resource)).Outcome.Status);
        return (await h.Services.RestorePoints.ListAsync("p", resource)).Single(p => !p.IsReplica);
    }
}
