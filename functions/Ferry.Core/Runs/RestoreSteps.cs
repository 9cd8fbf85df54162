using Ferry.Core.Aws;
using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Ports;
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
        Validate(input);
        var point = await services.RestorePoints.GetAsync(input.RestorePointId, cancellationToken)
            ?? throw new FerryNotFoundException($"restorePointId: no restore point '{input.RestorePointId}'");
        var sessionId = input.SessionId ?? $"restore-{point.ResourceId}-{Names.Short(point.RestorePointId, services.Clock.UtcNow.ToString("O"))}";
        // Only a valid request for an existing restore point opens a session. The resource is noted at once, so a
        // planning that fails from here on leaves it for the state machine's CloseSession to fail with the reason.
        await services.Sessions.OpenAsync(Session.Open(sessionId, SessionKind.Restore, point.PolicyId, services.Clock.UtcNow), cancellationToken);
        await services.Sessions.SetProgressAsync(sessionId, point.ResourceId, "PlanRestore", cancellationToken);

        var facts = await FactsAsync(point, cancellationToken);
        var request = new RestoreRequest(input.TargetAccount, input.TargetRegion, input.RestoreRole, input.TargetKmsKey, input.InstanceType, input.DbClass, input.NewIdentifier);
        var plan = await new KeyAccessChecker(services).PlanCheckedAsync(context => RestorePlanner.Plan(facts, request, context), PlanContext.Empty, cancellationToken);

        var summary = plan.Verdict == Verdict.Proceed
            ? $"Restore of {point.RestorePointId} ({(point.IsReplica ? "replica" : "snapshot")} in {point.AccountId}/{point.Region}) planned: {string.Join(" → ", plan.Steps.Select(s => $"{s.Kind} ({s.RoleKind})"))}"
            : $"Restore of {point.RestorePointId} planned: {plan.Verdict}: {plan.Reason}";
        await _log.WriteAsync(sessionId, point.ResourceId, RunLog.Plan, "Plan", summary, input.RestoreRole, null,
            plan.Verdict == Verdict.Proceed ? ResourceStatus.Success : plan.ExpectedStatus, cancellationToken);
        if (plan.Verdict != Verdict.Proceed)
            return new PlanOutput(false, plan.ExpectedStatus, plan.Reason, null, Shell(point, sessionId, input, []));

        // Each copy's key is what the plan's last copy step encrypts with (unencrypted Aurora: none).
        var copyKey = plan.Steps.LastOrDefault(s => s.Kind == StepKind.Copy)?.KmsKey;
        var items = point.Snapshots.Select(s => new JobItem(s.ItemId, s.DeviceName, true, copyKey, s.SnapshotId, Encrypted: s.Encrypted, SourceKey: s.KmsKeyId)).ToList();
        var job = Shell(point, sessionId, input, items) with
        {
            Restore = new RestoreSpec(point.RestorePointId, input.TargetKmsKey, plan.Steps.Any(s => s.Kind == StepKind.Copy),
                input.InstanceType, input.DbClass, input.NewIdentifier, new Dictionary<string, string>()),
        };
        return new PlanOutput(true, ResourceStatus.Running, plan.Reason, job.Flow, job);
    }

    /// <summary>Does what can be done now; returns the job with <see cref="RestoreSpec.Done"/> set when the restore is complete.</summary>
    public async Task<ReplicaJob> AdvanceAsync(ReplicaJob job, CancellationToken cancellationToken = default)
    {
        var spec = job.Restore ?? throw new FerryInvalidInputException("restore: the job is not a restore");
        var created = new Dictionary<string, string>(spec.CreatedIds, StringComparer.Ordinal);
        var done = job.Type == ResourceType.Ec2
            ? await AdvanceEc2Async(job, spec, created, cancellationToken)
            : await AdvanceRdsAsync(job, spec, created, cancellationToken);
        var wait = job.Wait is { Stage: WaitStage.Restore } current
            ? current with { Attempt = current.Attempt + 1, Seconds = Math.Min(current.Seconds * 2, (int)services.Waits.MaxWait.TotalSeconds), Ready = done }
            : CheckSteps.StartWait(services, WaitStage.Restore) with { Ready = done };
        if (!done && services.Clock.UtcNow >= wait.Deadline)
            throw new FerryInvalidStateException($"Restore of {job.ResourceId} did not complete by {wait.Deadline:u}; created so far: {string.Join(", ", created.Values)}");
        if (done)
        {
            await _log.WriteAsync(job.SessionId, job.ResourceId, RunLog.RestoreDone, "Restore",
                $"Restored into {job.Target.Account}/{job.Target.Region}: {string.Join(", ", created.Select(c => $"{c.Key} {c.Value}"))}",
                job.Target.Role, created, cancellationToken: cancellationToken);
        }
        return job with { Restore = spec with { CreatedIds = created, Done = done }, Wait = wait };
    }

    private async Task<bool> AdvanceEc2Async(ReplicaJob job, RestoreSpec spec, Dictionary<string, string> created, CancellationToken cancellationToken)
    {
        var ec2 = await services.Ec2Async(job.Target, cancellationToken);
        var config = job.Config;
        var rootDevice = config.RootDeviceName ?? job.Items[0].DeviceName ?? "/dev/xvda";
        var root = job.Items.FirstOrDefault(i => i.DeviceName == rootDevice) ?? job.Items[0];
        var tags = RestoredTags(job);
        var sameLocation = config.IsOriginalLocation(job.Target.Account, job.Target.Region);

        if (!created.ContainsKey("image"))
        {
            var name = $"ferry-restore-{Names.Short(job.SessionId, job.ResourceId)}";
            created["image"] = await ec2.FindImageAsync(name, cancellationToken)
                ?? await ec2.RegisterImageAsync(new RegisterImageRequest(name, rootDevice, Current(root), config.Architecture ?? "x86_64", tags), cancellationToken);
        }
        if (!created.ContainsKey("instance"))
        {
            var zone = sameLocation && config.AvailabilityZone is not null ? config.AvailabilityZone : job.Target.Region + "a";
            created["instance"] = await ec2.RunInstanceAsync(new RunInstanceRequest(
                created["image"], spec.InstanceType ?? config.InstanceType ?? "t3.micro", zone,
                sameLocation ? config.SubnetId : null, sameLocation ? config.SecurityGroupIds ?? [] : [],
                rootDevice, spec.TargetKey, tags, Names.Short(job.SessionId, job.ResourceId, "instance")), cancellationToken);
        }
        var instance = (await ec2.DescribeInstancesAsync(new InstanceQuery(Ids: [created["instance"]]), cancellationToken)).SingleOrDefault()
            ?? throw new FerryNotFoundException($"Restored instance {created["instance"]} disappeared");

        var dataItems = job.Items.Where(i => i != root).ToList();
        foreach (var item in dataItems.Where(i => !created.ContainsKey("volume:" + i.ItemId)))
        {
            var shape = config.Volumes?.FirstOrDefault(v => v.VolumeId == item.ItemId);
            var volume = await ec2.CreateVolumeAsync(new CreateVolumeRequest(
                Current(item), instance.AvailabilityZone, shape?.VolumeType ?? "gp3", shape?.SizeGiB,
                spec.TargetKey is not null || item.Encrypted, spec.TargetKey, tags, Names.Short(job.SessionId, job.ResourceId, item.ItemId), shape?.Iops, shape?.Throughput), cancellationToken);
            created["volume:" + item.ItemId] = volume.VolumeId;
        }
        if (!Settled.Contains(instance.State))
            return false;

        var volumeIds = dataItems.Select(i => created["volume:" + i.ItemId]).ToList();
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

    private async Task<bool> AdvanceRdsAsync(ReplicaJob job, RestoreSpec spec, Dictionary<string, string> created, CancellationToken cancellationToken)
    {
        var rds = await services.RdsAsync(job.Target, cancellationToken);
        var config = job.Config;
        var kind = config.DbKind ?? RdsKind.DbInstance;
        var sameLocation = config.IsOriginalLocation(job.Target.Account, job.Target.Region);
        // Restoring next to the original must not collide with it.
        var identifier = spec.NewIdentifier ?? (sameLocation ? $"{job.ResourceId}-restored-{Names.Short(job.SessionId)}" : job.ResourceId);
        var existing = (await rds.DescribeDatabasesAsync([identifier], null, cancellationToken)).SingleOrDefault(d => d.Identifier == identifier);
        if (existing is null)
        {
            var item = job.Items[0];
            existing = await rds.RestoreAsync(new RdsRestoreRequest(kind, Current(item), identifier, config.Engine ?? "postgres",
                spec.DbClass ?? config.DbClass, kind == RdsKind.AuroraCluster ? spec.TargetKey : null, RestoredTags(job),
                sameLocation ? config.SubnetGroup : null), cancellationToken);
        }
        created["db"] = existing.Identifier;
        return existing.Status == "available";
    }

    /// <summary>The snapshot a restore reads: the copy when one was made, the original otherwise.</summary>
    private static string Current(JobItem item) => item.ReplicaId ?? SnapshotSteps.Require(item.SnapshotId, item);

    private static Dictionary<string, string> RestoredTags(ReplicaJob job) =>
        new(job.Config.Tags.Where(t => !t.Key.StartsWith("aws:", StringComparison.Ordinal)), StringComparer.Ordinal)
        {
            [FerryTags.Session] = job.SessionId,
            [FerryTags.Source] = job.ResourceId,
            [FerryTags.RestorePoint] = job.Restore!.RestorePointId,
        };

    private async Task<RestorePointFacts> FactsAsync(RestorePoint point, CancellationToken cancellationToken)
    {
        var kms = await services.KmsAsync(point.OwnerRole, point.Region, cancellationToken);
        var snapshots = new List<SnapshotFacts>();
        foreach (var s in point.Snapshots)
            snapshots.Add(new SnapshotFacts(s.SnapshotId, s.ItemId, s.Encrypted, s.Encrypted && s.KmsKeyId is not null ? await kms.DescribeKeyAsync(s.KmsKeyId, cancellationToken) : null, s.DeviceName));
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

    private static ReplicaJob Shell(RestorePoint point, string sessionId, RestoreInput input, IReadOnlyList<JobItem> items) =>
        new(point.PolicyId, sessionId, point.ResourceId, point.Type, point.Config.DbKind,
            new RoleAt(point.OwnerRole, point.AccountId, point.Region), new RoleAt(input.RestoreRole, input.TargetAccount, input.TargetRegion),
            items, [], point.Config);

    private static void Validate(RestoreInput input)
    {
        if (string.IsNullOrWhiteSpace(input.RestorePointId))
            throw new FerryInvalidInputException("restorePointId: is required");
        if (!AwsIds.IsAccountId(input.TargetAccount))
            throw new FerryInvalidInputException($"targetAccount: '{input.TargetAccount}' is not a 12-digit AWS account id");
        if (!AwsRegions.IsKnown(input.TargetRegion))
            throw new FerryInvalidInputException($"targetRegion: '{input.TargetRegion}' is not a known AWS region");
        if (!Arn.TryParse(input.RestoreRole, out var role) || AwsIds.RoleNameOf(role) is null)
            throw new FerryInvalidInputException($"restoreRole: '{input.RestoreRole}' is not an IAM role ARN");
        if (role.Account != input.TargetAccount)
            throw new FerryInvalidInputException($"restoreRole: the role is in account {role.Account}, but the restore goes to {input.TargetAccount}; use a role of the target account");
        if (input.TargetKmsKey is not null && (!Arn.TryParse(input.TargetKmsKey, out var key) || key.Service != "kms"))
            throw new FerryInvalidInputException($"targetKmsKey: '{input.TargetKmsKey}' is not a KMS key ARN");
    }
}
