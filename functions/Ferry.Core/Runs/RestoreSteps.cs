using Ferry.Core.Aws;
using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Ports;
using Ferry.Core.Runs.Snapshots;
using Ferry.Core.Sessions;

namespace Ferry.Core.Runs;

/// <summary>
/// Restores a restore point (EC2-X0..X3, RDS-X0..X3, X-DEF). Planning validates the request, then opens a restore session and
/// yields a job that the share, copy and wait steps run like a replica; <see cref="AdvanceAsync"/>
/// then creates the instance and volumes, or the DB, a little more on each call until done.
/// </summary>
public sealed class RestoreSteps(FerryServices services)
{
    private static readonly HashSet<string> Settled = ["running", "stopped"];
    private readonly RunLog _log = new(services);

    public async Task<PlanOutput> PlanAsync(RestoreInput input, CancellationToken cancellationToken = default)
    {
        var point = await services.RestorePoints.GetAsync(input.RestorePointId, cancellationToken)
            ?? throw new FerryNotFoundException($"restorePointId: no restore point {Quoted.Value(input.RestorePointId)}");
        StepInputs.CheckFits(input, point.Type, point.RestorePointId);
        var sessionId = input.SessionId ?? $"restore-{point.ResourceId}-{Names.Short(point.RestorePointId, services.Clock.UtcNow.ToString("O"))}";
        await RefuseTakenSessionAsync(sessionId, point, cancellationToken);
        // Only a valid request for an existing restore point opens a session. The resource is noted at once, so a
        // planning that fails from here on leaves it for the state machine's CloseSession to fail with the reason.
        await services.Sessions.OpenAsync(Session.Open(sessionId, SessionKind.Restore, point.PolicyId, services.Clock.UtcNow), cancellationToken);
        await services.Sessions.SetProgressAsync(sessionId, point.ResourceId, "PlanRestore", cancellationToken);

        var facts = await FactsAsync(point, cancellationToken);
        var request = new RestoreRequest(input.TargetAccount, input.TargetRegion, input.RestoreRole, input.TargetKmsKey, input.InstanceType, input.DbClass, input.NewIdentifier, input.ShareKey);
        var plan = await new KeyAccessChecker(services).PlanCheckedAsync(context => RestorePlanner.Plan(facts, request, context), PlanContext.Empty, cancellationToken);

        var summary = plan.Verdict == Verdict.Proceed
            ? $"Restore of {point.RestorePointId} ({(point.IsReplica ? "replica" : "snapshot")} in {point.AccountId}/{point.Region}) planned: {string.Join(" → ", plan.Steps.Select(s => $"{s.Kind} ({s.RoleKind})"))}"
            : $"Restore of {point.RestorePointId} planned: {plan.Verdict}: {plan.Reason}";
        await _log.WriteAsync(sessionId, point.ResourceId, RunLog.Plan, "Plan", summary, input.RestoreRole, null,
            plan.Verdict == Verdict.Proceed ? ResourceStatus.Success : plan.ExpectedStatus, cancellationToken);
        var payload = new RestorePayload(point.RestorePointId, input.InstanceType, input.DbClass, input.NewIdentifier, new Dictionary<string, string>());
        var items = point.Snapshots.Select(s => new JobItem(s.ItemId, s.DeviceName, s.Encrypted, s.KmsKeyId, [s.SnapshotId])).ToList();
        var job = new Job(point.PolicyId, sessionId, point.ResourceId, point.Type, SnapshotServices.KindOf(point.Type, point.Config.DbKind),
            plan.Verdict == Verdict.Proceed ? plan.Steps : [], 0, new Place(point.AccountId, point.Region), items, [], point.Config, payload);
        return plan.Verdict == Verdict.Proceed
            ? new PlanOutput(true, ResourceStatus.Running, plan.Reason, job)
            : new PlanOutput(false, plan.ExpectedStatus, plan.Reason, job);
    }

    /// <summary>
    /// Runs the plan's restore steps from the cursor as far as they can go now (create the instance, create the volumes,
    /// attach them; or restore the DB), a little more on each call; the job is done when its cursor passes the last step.
    /// </summary>
    public async Task<Job> AdvanceAsync(Job job, CancellationToken cancellationToken = default)
    {
        var spec = job.Payload as RestorePayload ?? throw new FerryInvalidInputException($"payload: job of {job.ResourceId} is not a restore");
        var created = new Dictionary<string, string>(spec.CreatedIds, StringComparer.Ordinal);
        var wait = job.Wait is { Ready: false } current ? CheckSteps.WaitAgain(services, current) : CheckSteps.StartWait(services);
        var at = Job.At(job.Expect(StepRunners.Restore));
        while (!job.Finished && await AdvanceAsync(job, job.Expect(StepRunners.Restore), spec, created, cancellationToken))
            job = job.Advanced();
        if (!job.Finished && services.Clock.UtcNow >= wait.Deadline)
            throw new FerryInvalidStateException($"Restore of {job.ResourceId} did not complete by {wait.Deadline:u}; created so far: {string.Join(", ", created.Values)}");
        if (job.Finished)
        {
            await _log.WriteAsync(job.SessionId, job.ResourceId, RunLog.RestoreDone, "Restore",
                $"Restored into {at.Account}/{at.Region}: {string.Join(", ", created.Select(c => $"{c.Key} {c.Value}"))}",
                at.Role, created, cancellationToken: cancellationToken);
        }
        return job with { Payload = spec with { CreatedIds = created }, Wait = wait with { Ready = job.Finished } };
    }

    /// <summary>Does what the restore step can do now; true when the step is complete.</summary>
    private Task<bool> AdvanceAsync(Job job, PlanStep step, RestorePayload spec, Dictionary<string, string> created, CancellationToken cancellationToken) => step.Kind switch
    {
        StepKind.CreateInstance => CreateInstanceAsync(job, step, spec, created, cancellationToken),
        StepKind.CreateVolumes => CreateVolumesAsync(job, step, spec, created, cancellationToken),
        StepKind.AttachVolumes => AttachVolumesAsync(job, step, created, cancellationToken),
        _ => RestoreDatabaseAsync(job, step, spec, created, cancellationToken),
    };

    /// <summary>Registers the image from the root volume's snapshot and launches the instance (found again by name and client token on a retry).</summary>
    private async Task<bool> CreateInstanceAsync(Job job, PlanStep step, RestorePayload spec, Dictionary<string, string> created, CancellationToken cancellationToken)
    {
        var at = Job.At(step);
        var ec2 = await services.Ec2Async(at, cancellationToken);
        var config = job.Config;
        var (root, rootDevice) = Root(job);
        var tags = RestoredTags(job, spec);
        var sameLocation = config.IsOriginalLocation(at.Account, at.Region);
        if (!created.ContainsKey("image"))
        {
            var name = $"ferry-restore-{Names.Short(job.SessionId, job.ResourceId)}";
            created["image"] = await ec2.FindImageAsync(name, cancellationToken)
                ?? await ec2.RegisterImageAsync(new RegisterImageRequest(name, rootDevice, root.Current, config.Architecture ?? "x86_64", tags), cancellationToken);
        }
        if (!created.ContainsKey("instance"))
        {
            var zone = sameLocation && config.AvailabilityZone is not null ? config.AvailabilityZone : at.Region + "a";
            created["instance"] = await ec2.RunInstanceAsync(new RunInstanceRequest(
                created["image"], spec.InstanceType ?? config.InstanceType ?? "t3.micro", zone,
                sameLocation ? config.SubnetId : null, sameLocation ? config.SecurityGroupIds ?? [] : [],
                rootDevice, step.KmsKey, tags, Names.Short(job.SessionId, job.ResourceId, "instance")), cancellationToken);
        }
        return true;
    }

    /// <summary>Creates the data volumes from their snapshots in the instance's zone (found again by client token on a retry).</summary>
    private async Task<bool> CreateVolumesAsync(Job job, PlanStep step, RestorePayload spec, Dictionary<string, string> created, CancellationToken cancellationToken)
    {
        var ec2 = await services.Ec2Async(Job.At(step), cancellationToken);
        var instance = await InstanceAsync(ec2, created, cancellationToken);
        foreach (var item in DataItems(job, step).Where(i => !created.ContainsKey("volume:" + i.ItemId)))
        {
            var shape = job.Config.Volumes?.FirstOrDefault(v => v.VolumeId == item.ItemId);
            var volume = await ec2.CreateVolumeAsync(new CreateVolumeRequest(
                item.Current, instance.AvailabilityZone, shape?.VolumeType ?? "gp3", shape?.SizeGiB,
                step.KmsKey is not null || item.Encrypted, step.KmsKey, RestoredTags(job, spec), Names.Short(job.SessionId, job.ResourceId, item.ItemId), shape?.Iops, shape?.Throughput), cancellationToken);
            created["volume:" + item.ItemId] = volume.VolumeId;
        }
        return true;
    }

    /// <summary>Attaches the data volumes with their original device names once the instance and each volume are ready.</summary>
    private async Task<bool> AttachVolumesAsync(Job job, PlanStep step, Dictionary<string, string> created, CancellationToken cancellationToken)
    {
        var ec2 = await services.Ec2Async(Job.At(step), cancellationToken);
        var instance = await InstanceAsync(ec2, created, cancellationToken);
        if (!Settled.Contains(instance.State))
            return false;
        var dataItems = DataItems(job, step);
        var volumeIds = dataItems.Select(i => created.GetValueOrDefault("volume:" + i.ItemId)
            ?? throw new FerryInvalidInputException($"payload.createdIds: no volume for {i.ItemId} yet; the flow ran its steps out of order")).ToList();
        var volumes = volumeIds.Count == 0 ? [] : (await ec2.DescribeVolumesAsync(volumeIds, cancellationToken)).ToDictionary(v => v.VolumeId);
        var attached = 0;
        foreach (var item in dataItems)
        {
            var id = created["volume:" + item.ItemId];
            if (!volumes.TryGetValue(id, out var volume))
                continue;
            if (volume.AttachedInstanceId == instance.InstanceId)
            {
                attached++;
            }
            else if (volume.State == "available")
            {
                await ec2.AttachVolumeAsync(id, instance.InstanceId, item.DeviceName ?? "/dev/sdf", cancellationToken);
                attached++;
            }
        }
        return attached == dataItems.Count;
    }

    private async Task<bool> RestoreDatabaseAsync(Job job, PlanStep step, RestorePayload spec, Dictionary<string, string> created, CancellationToken cancellationToken)
    {
        var at = Job.At(step);
        var rds = await services.RdsAsync(at, cancellationToken);
        var config = job.Config;
        var kind = config.DbKind ?? RdsKind.DbInstance;
        var sameLocation = config.IsOriginalLocation(at.Account, at.Region);
        // Restoring next to the original must not collide with it.
        var identifier = spec.NewIdentifier ?? (sameLocation ? $"{job.ResourceId}-restored-{Names.Short(job.SessionId)}" : job.ResourceId);
        var existing = (await rds.DescribeDatabasesAsync([identifier], null, cancellationToken)).SingleOrDefault(d => d.Identifier == identifier);
        if (existing is null)
        {
            var item = job.ItemsOf(step)[0];
            // A DB instance restore keeps its snapshot's key (the plan copies first to change it); a cluster restore encrypts.
            existing = await rds.RestoreAsync(new RdsRestoreRequest(kind, item.Current, identifier, config.Engine ?? "postgres",
                spec.DbClass ?? config.DbClass, kind == RdsKind.AuroraCluster ? step.KmsKey : null, RestoredTags(job, spec),
                sameLocation ? config.SubnetGroup : null), cancellationToken);
        }
        created["db"] = existing.Identifier;
        return existing.Status == "available";
    }

    private static (JobItem Item, string Device) Root(Job job)
    {
        var device = job.Config.RootDeviceName ?? job.Items[0].DeviceName ?? "/dev/xvda";
        return (job.Items.FirstOrDefault(i => i.DeviceName == device) ?? job.Items[0], device);
    }

    /// <summary>The step's volumes other than the root, which the instance launches with.</summary>
    private static List<JobItem> DataItems(Job job, PlanStep step)
    {
        var (root, _) = Root(job);
        return [.. job.ItemsOf(step).Where(i => i.ItemId != root.ItemId)];
    }

    private static async Task<Ec2Instance> InstanceAsync(IEc2Port ec2, Dictionary<string, string> created, CancellationToken cancellationToken)
    {
        var id = created.GetValueOrDefault("instance")
            ?? throw new FerryInvalidInputException("payload.createdIds: no instance yet; the flow ran its steps out of order");
        return (await ec2.DescribeInstancesAsync(new InstanceQuery(Ids: [id]), cancellationToken)).SingleOrDefault()
            ?? throw new FerryNotFoundException($"Restored instance {id} disappeared");
    }

    private static Dictionary<string, string> RestoredTags(Job job, RestorePayload spec) =>
        new(job.Config.Tags.Where(t => !t.Key.StartsWith("aws:", StringComparison.Ordinal)), StringComparer.Ordinal)
        {
            [FerryTags.Session] = job.SessionId,
            [FerryTags.Source] = job.ResourceId,
            [FerryTags.RestorePoint] = spec.RestorePointId,
        };

    private async Task<RestorePointFacts> FactsAsync(RestorePoint point, CancellationToken cancellationToken)
    {
        var kms = await services.KmsAsync(point.OwnerRole, point.Region, cancellationToken);
        var snapshots = new List<SnapshotFacts>();
        foreach (var s in point.Snapshots)
            snapshots.Add(new SnapshotFacts(s.SnapshotId, s.ItemId, s.Encrypted, s.Encrypted && s.KmsKeyId is not null ? await kms.DescribeKeyAsync(s.KmsKeyId, cancellationToken) : null, s.DeviceName));
        return FactsOf(point, snapshots);
    }

    /// <summary>What the restore planner knows of a restore point, given its snapshots' facts (keys described as the owner role, or as known).</summary>
    public static RestorePointFacts FactsOf(RestorePoint point, IReadOnlyList<SnapshotFacts> snapshots)
    {
        var config = point.Config;
        Ec2InstanceFacts? instance = null;
        RdsFacts? database = null;
        if (point.Type == ResourceType.Ec2)
        {
            instance = new Ec2InstanceFacts(point.ResourceId, point.AccountId, point.Region, config.InstanceType ?? "unknown", config.Tags,
                [.. (config.Volumes ?? []).Select(v => new VolumeFacts(v.VolumeId, v.DeviceName, v.SizeGiB, false, null, v.VolumeType))],
                config.AvailabilityZone, config.RootDeviceName);
        }
        else
        {
            var key = snapshots[0].Key;
            database = new RdsFacts(point.ResourceId, config.DbKind ?? RdsKind.DbInstance, point.AccountId, point.Region,
                config.Engine ?? "", config.EngineVersion ?? "", snapshots[0].Encrypted, key, config.Tags, config.DbClass);
        }
        return new RestorePointFacts(point.RestorePointId, point.ResourceId, point.IsReplica, point.AccountId, point.Region, point.OwnerRole, snapshots, instance, database);
    }

    /// <summary>
    /// A restore writes only into a session of its own: an existing session is refused unless a retry of this very
    /// planning finds it again (a restore session of the point's resource, still open, whose plan, if logged yet, is
    /// this restore point's).
    /// </summary>
    private async Task RefuseTakenSessionAsync(string sessionId, RestorePoint point, CancellationToken cancellationToken)
    {
        var existing = await services.Sessions.GetAsync(sessionId, cancellationToken);
        if (existing is null)
            return;
        var ownRetry = existing is { Kind: SessionKind.Restore, EndedAt: null } && existing.PolicyId == point.PolicyId
            && existing.Resources.All(r => r.ResourceId == point.ResourceId
                && r.Log.All(l => l.Sequence != RunLog.Plan || l.Message.StartsWith($"Restore of {point.RestorePointId} ", StringComparison.Ordinal)));
        if (!ownRetry)
            throw new FerryInvalidInputException($"sessionId: session {Quoted.Value(sessionId)} already exists; a restore opens a session of its own (give a new id, or none)");
    }
}
