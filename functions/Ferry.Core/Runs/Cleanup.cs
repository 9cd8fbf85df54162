using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Ports;
using Ferry.Core.Runs.Snapshots;
using Ferry.Core.Sessions;

namespace Ferry.Core.Runs;

/// <summary>
/// Deletes what Ferry made and no longer needs. It finds things only by Ferry's tags (policy, session, source
/// resource, restore point) and deterministic RDS names, acts as the role that owns them, and never deletes a
/// snapshot a restore point names. What it cannot delete is logged as a warning and never fails the resource.
/// </summary>
/// <remarks>
/// <see cref="AfterFailureAsync"/> removes what one failed attempt made, right when its outcome is recorded;
/// <see cref="SweepAsync"/> removes, in a later run, what failed or abandoned attempts of the same policy and
/// resource left behind (a crash before RecordOutcome, or a deletion refused the first time).
/// </remarks>
public sealed class Cleanup(FerryServices services)
{
    private readonly RunLog _log = new(services);

    /// <summary>
    /// How long an attempt still marked Running may go on before its leftovers may be swept: a replica flow waits
    /// on at most three stages (snapshot, staging copy, replica), each failing at the deadline, and a copy waits
    /// for a slot at most one lease (a slot is free again by then). An attempt older than that has crashed.
    /// </summary>
    public TimeSpan AbandonedAfter => services.Waits.Deadline * 3 + services.Waits.SlotLease;

    /// <summary>
    /// After a resource's flow failed: deletes the snapshots and copies this attempt (its session) made for the
    /// resource, completed or not, and a restore's partial instance, volumes, image or database. A failed outcome
    /// writes no restore point, so nothing would ever name them again; their shares go with them.
    /// </summary>
    /// <param name="recorded">Whether this call recorded the outcome; otherwise one was recorded before, and only a Failed one is cleaned up after.</param>
    /// <returns>The ids removed.</returns>
    public async Task<IReadOnlyList<string>> AfterFailureAsync(Job job, bool recorded, CancellationToken cancellationToken = default)
    {
        // An error reported after the resource already succeeded (a late Catch) must not undo the success.
        if (!recorded && (await services.Sessions.GetOutcomeAsync(job.SessionId, job.ResourceId, cancellationToken))?.Status != ResourceStatus.Failed)
            return [];
        var ours = new Dictionary<string, string> { [FerryTags.Policy] = job.PolicyId, [FerryTags.Source] = job.ResourceId, [FerryTags.Session] = job.SessionId };
        var service = SnapshotServices.For(services, job.Snapshots);
        var removed = new List<string>();
        var places = Places(job);
        var restoredAt = job.Steps.Where(s => s.Kind is StepKind.CreateInstance or StepKind.RestoreDatabase).Select(Job.At).FirstOrDefault();
        for (var i = 0; i < places.Count; i++)
        {
            var report = new Report(places[i]);
            await report.TryAsync("look for what the failed attempt made", async () =>
            {
                // Instances and images hold volumes and snapshots, so the partial restore goes before the copies it was made from.
                if (job.Payload is RestorePayload spec && report.At == restoredAt)
                    await RemovePartialRestoreAsync(job, spec, report, cancellationToken);
                var found = await service.FindAsync(report.At, job.ResourceId, Names.RdsSnapshots(job.ResourceId, job.SessionId),
                    [Tag(FerryTags.Session, job.SessionId), Tag(FerryTags.Source, job.ResourceId)], cancellationToken);
                var candidates = found.Where(s => Carries(s.Tags, ours)).ToList();
                if (candidates.Count == 0)
                    return;
                var referenced = await ReferencedAsync(job.PolicyId, job.ResourceId, cancellationToken);
                foreach (var snapshot in candidates.Where(s => !referenced.Contains(s.Id)))
                    await RemoveSnapshotAsync(report, service, snapshot, "made by this attempt, which failed: no restore point will name it", cancellationToken);
            });
            removed.AddRange(report.Removed.Select(r => r.Id));
            await WriteAsync(job.SessionId, job.ResourceId, RunLog.Cleanup + (2 * i), "RecordOutcome", report, cancellationToken);
        }
        return removed;
    }

    /// <summary>
    /// Deletes the snapshots and copies Ferry made for this policy and resource in earlier attempts that ended
    /// without a restore point naming them: attempts whose outcome is final, whose session is closed, or that have
    /// been Running longer than <see cref="AbandonedAfter"/>. An attempt that may still be running is left alone,
    /// and so is a successful restore's copy (it belongs to the restored resource).
    /// </summary>
    /// <param name="currentSessionId">The run doing the sweep: its own work is never a leftover; the log goes to it.</param>
    /// <param name="regions">The source regions to look at (the resource's own, when known).</param>
    /// <returns>The ids removed.</returns>
    public async Task<IReadOnlyList<string>> SweepAsync(Policy policy, string resourceId, string? currentSessionId, IReadOnlyList<string> regions, CancellationToken cancellationToken = default)
    {
        var kinds = SnapshotServices.KindsOf(policy.Type);
        if (kinds.Count == 0)
            return [];
        var query = new[] { Tag(FerryTags.Policy, policy.Id), Tag(FerryTags.Source, resourceId) };
        var sessions = new Dictionary<string, (Session? Header, ResourceOutcome? Outcome)>(StringComparer.Ordinal);
        var removed = new List<string>();
        var places = regions.SelectMany(region => SweepPlaces(policy, region)).Distinct().ToList();
        for (var i = 0; i < places.Count; i++)
        {
            var report = new Report(places[i]);
            await report.TryAsync("look for leftovers of earlier attempts", async () =>
            {
                var candidates = new List<(ISnapshotService Service, FoundSnapshot Snapshot)>();
                foreach (var service in kinds.Select(k => SnapshotServices.For(services, k)))
                {
                    candidates.AddRange((await service.FindAsync(report.At, resourceId, null, query, cancellationToken))
                        .Where(s => s.Tags.TryGetValue(FerryTags.Session, out var session) && session != currentSessionId)
                        .Select(s => (service, s)));
                }
                if (candidates.Count == 0)
                    return;
                var reasons = new List<(ISnapshotService Service, FoundSnapshot Snapshot, string Reason)>();
                foreach (var (service, snapshot) in candidates)
                {
                    if (await LeftoverReasonAsync(snapshot, resourceId, sessions, cancellationToken) is { } reason)
                        reasons.Add((service, snapshot, reason));
                }
                // Read after the sessions: RecordOutcome writes restore points before the final outcome, so an outcome
                // seen final above has its restore points visible here.
                var referenced = await ReferencedAsync(policy.Id, resourceId, cancellationToken);
                foreach (var (service, snapshot, reason) in reasons.Where(r => !referenced.Contains(r.Snapshot.Id)))
                    await RemoveSnapshotAsync(report, service, snapshot, reason, cancellationToken);
            });
            removed.AddRange(report.Removed.Select(r => r.Id));
            if (currentSessionId is not null)
                await WriteAsync(currentSessionId, resourceId, RunLog.Sweep + (2 * i), "ApplyRetention", report, cancellationToken);
        }
        return removed;
    }

    /// <summary>
    /// Where a failed job may have made something: where its plan's steps made things, latest first (a restore's instance,
    /// volumes or DB; then copies before the snapshots they were copied from). A restore writes to its origin only
    /// X-DEF2's share-key copy, found there by this attempt's session tag (never the restore point's own snapshots).
    /// </summary>
    private static List<RoleAt> Places(Job job) =>
        [.. job.Steps.Where(s => s.Kind is not (StepKind.WaitForAvailable or StepKind.Share or StepKind.EnableBackupOptIn)).Reverse().Select(Job.At).Distinct()];

    /// <summary>Where a policy's replica flows make snapshots and copies for resources of one source region, as its planner routes them.</summary>
    private static IEnumerable<RoleAt> SweepPlaces(Policy policy, string region) =>
        policy.MappingFor(region) is { } mapping
            ? ReplicaPlanner.Places(policy.Type, policy.Sources, mapping).Select(p => new RoleAt(p.Role, p.Account, p.Region))
            : [new RoleAt(policy.Sources.SourceRole, policy.Sources.AccountId, region)];

    /// <summary>Why an earlier attempt's snapshot is a leftover, or null while that attempt may still need it.</summary>
    /// <param name="sessions">Each earlier session's header and this resource's outcome in it, read once per sweep.</param>
    private async Task<string?> LeftoverReasonAsync(FoundSnapshot snapshot, string resourceId, Dictionary<string, (Session? Header, ResourceOutcome? Outcome)> sessions, CancellationToken cancellationToken)
    {
        var sessionId = snapshot.Tags[FerryTags.Session];
        if (!sessions.TryGetValue(sessionId, out var read))
        {
            var header = await services.Sessions.GetHeaderAsync(sessionId, cancellationToken);
            sessions[sessionId] = read = (header, header is null ? null : await services.Sessions.GetOutcomeAsync(sessionId, resourceId, cancellationToken));
        }
        var (session, outcome) = read;
        var horizon = services.Clock.UtcNow - AbandonedAfter;
        if (session is null)
            return snapshot.CreatedAt is { } created && created < horizon ? $"its session {sessionId} no longer exists" : null;
        // A successful restore's copies belong to what it restored; its staging copies (X-DEF2's share-key copy) do not.
        if (session.Kind == SessionKind.Restore && outcome?.Status is ResourceStatus.Success or ResourceStatus.Warning
            && snapshot.Tags.GetValueOrDefault(FerryTags.Step) != Job.StagingTag)
            return null;
        if (outcome is { Status: not ResourceStatus.Running })
            return $"left by session {sessionId}, which ended {outcome.Status}";
        if (session.EndedAt is not null)
            return $"left by session {sessionId}, closed before the resource finished";
        return session.StartedAt < horizon ? $"left by session {sessionId}, Running since {session.StartedAt:u} (abandoned)" : null;
    }

    /// <summary>Removes what a failed restore created in the restore's account and region, found by the restore's tags.</summary>
    private async Task RemovePartialRestoreAsync(Job job, RestorePayload spec, Report report, CancellationToken cancellationToken)
    {
        var restored = new Dictionary<string, string>
        {
            [FerryTags.Session] = job.SessionId,
            [FerryTags.Source] = job.ResourceId,
            [FerryTags.RestorePoint] = spec.RestorePointId,
        };
        const string why = "created by this restore, which failed";
        if (job.Steps.Any(s => s.Kind == StepKind.RestoreDatabase))
        {
            var rds = await services.RdsAsync(report.At, cancellationToken);
            var databases = await rds.DescribeDatabasesAsync(null, [Tag(FerryTags.Session, job.SessionId)], cancellationToken);
            foreach (var database in databases.Where(d => Carries(d.Tags, restored)))
            {
                var what = database.Kind == RdsKind.AuroraCluster ? "DB cluster" : "DB instance";
                await report.RemoveAsync(database.Identifier, what, why, () => rds.DeleteDatabaseAsync(database.Kind, database.Identifier, cancellationToken));
            }
            return;
        }

        var ec2 = await services.Ec2Async(report.At, cancellationToken);
        var tags = restored.Select(t => Tag(t.Key, t.Value)).ToList();
        var volumes = await ec2.FindVolumesAsync(tags, cancellationToken);
        var instances = await ec2.DescribeInstancesAsync(new InstanceQuery(Tags: [Tag(FerryTags.Session, job.SessionId)]), cancellationToken);
        foreach (var instance in instances.Where(i => Carries(i.Tags, restored) && i.State is not ("terminated" or "shutting-down")))
        {
            // Volumes attached after launch outlive their instance unless told otherwise; the root volume goes with it already.
            var attached = volumes.Where(v => v.AttachedInstanceId == instance.InstanceId && v.DeviceName is not null).ToList();
            var what = attached.Count == 0 ? "instance" : $"instance, with its volumes {string.Join(", ", attached.Select(v => v.VolumeId))}";
            await report.RemoveAsync(instance.InstanceId, what, why, async () =>
            {
                if (attached.Count > 0)
                    await ec2.DeleteOnTerminationAsync(instance.InstanceId, [.. attached.Select(v => v.DeviceName!)], cancellationToken);
                await ec2.TerminateInstanceAsync(instance.InstanceId, cancellationToken);
            });
        }
        foreach (var volume in volumes.Where(v => v.AttachedInstanceId is null))
            await report.RemoveAsync(volume.VolumeId, "volume", why, () => ec2.DeleteVolumeAsync(volume.VolumeId, cancellationToken));
        // The image holds the root snapshot it was registered from, which may be this restore's copy.
        foreach (var image in await ec2.FindImagesAsync(tags, cancellationToken))
            await report.RemoveAsync(image, "image", why, () => ec2.DeregisterImageAsync(image, cancellationToken));
    }

    private static async Task RemoveSnapshotAsync(Report report, ISnapshotService service, FoundSnapshot snapshot, string why, CancellationToken cancellationToken) =>
        await report.RemoveAsync(snapshot.Id, snapshot.What, why, () => service.DeleteAsync(report.At, snapshot, cancellationToken));

    /// <summary>Every snapshot a restore point of the resource names: never deleted here, whatever its tags say.</summary>
    private async Task<HashSet<string>> ReferencedAsync(string policyId, string resourceId, CancellationToken cancellationToken) =>
        (await services.RestorePoints.ListAsync(policyId, resourceId, cancellationToken))
            .SelectMany(p => p.Snapshots).Select(s => s.SnapshotId).ToHashSet(StringComparer.Ordinal);

    private async Task WriteAsync(string sessionId, string resourceId, int sequence, string step, Report report, CancellationToken cancellationToken)
    {
        var at = $"{report.At.Account}/{report.At.Region}";
        if (report.Removed.Count > 0)
        {
            await _log.WriteAsync(sessionId, resourceId, sequence, step,
                $"Removed from {at}: {string.Join("; ", report.Removed.Select(r => $"{r.What} {r.Id} ({r.Why})"))}",
                report.At.Role, report.Removed.ToDictionary(r => r.Id, r => r.What, StringComparer.Ordinal), cancellationToken: cancellationToken);
        }
        if (report.Kept.Count > 0)
        {
            await _log.WriteAsync(sessionId, resourceId, sequence + 1, step,
                $"Cleanup in {at} incomplete: {string.Join("; ", report.Kept)}. A later run tries again for snapshots and copies; anything else is left in place",
                report.At.Role, level: ResourceStatus.Warning, cancellationToken: cancellationToken);
        }
    }

    private static bool Carries(IReadOnlyDictionary<string, string> tags, IReadOnlyDictionary<string, string> required) =>
        required.All(r => tags.TryGetValue(r.Key, out var value) && value == r.Value);

    private static TagQuery Tag(string key, string value) => new(key, [value]);

    /// <summary>What one place's cleanup removed and could not remove; AWS errors become entries, never failures.</summary>
    private sealed class Report(RoleAt at)
    {
        public RoleAt At { get; } = at;

        public List<(string Id, string What, string Why)> Removed { get; } = [];

        public List<string> Kept { get; } = [];

        public async Task RemoveAsync(string id, string what, string why, Func<Task> delete)
        {
            try
            {
                await delete();
                Removed.Add((id, what, why));
            }
            catch (FerryNotFoundException)
            {
                // Already gone (an earlier attempt of this cleanup, or someone else): nothing left to do.
            }
            catch (FerryException e) when (!Passing(e))
            {
                Kept.Add($"{what} {id} could not be removed: {e.Message}");
            }
        }

        public async Task TryAsync(string action, Func<Task> work)
        {
            try
            {
                await work();
            }
            catch (FerryException e) when (!Passing(e))
            {
                Kept.Add($"could not {action}: {e.Message}");
            }
        }

        /// <summary>
        /// Throttling and transient errors fail the step so its retry cleans up again (cleaning is idempotent);
        /// leaving the snapshots for a later run's sweep would keep orphans until then.
        /// </summary>
        private static bool Passing(FerryException e) => e is FerryThrottledException or FerryTransientException;
    }
}
