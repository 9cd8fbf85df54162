using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Ports;
using Ferry.Core.Runs.Snapshots;
using Ferry.Core.Sessions;

namespace Ferry.Core.Runs;

/// <summary>
/// Pre-flight for one resource: gathers its facts (volumes, keys, engine versions), asks KMS, as each
/// role, whether it can use the keys its steps need, and plans. Nothing is changed.
/// </summary>
public sealed class PlanResource(FerryServices services)
{
    private readonly RunLog _log = new(services);

    public async Task<PlanOutput> RunAsync(ResourceKey key, CancellationToken cancellationToken = default)
    {
        var policy = await SessionSteps.LoadPolicyAsync(services, key.PolicyId, cancellationToken);
        var (plan, job) = await PlanAsync(policy, key, cancellationToken);
        return await FinishAsync(key, plan, job, cancellationToken);
    }

    /// <summary>
    /// The resource's plan and the job that runs it (none unless it proceeds), writing nothing: the Plan step and
    /// <c>ferry plan</c> both plan this way, so the dry run prints what a run executes.
    /// </summary>
    public async Task<(ResourcePlan Plan, Job? Job)> PlanAsync(Policy policy, ResourceKey key, CancellationToken cancellationToken = default)
    {
        if (policy.Type == ResourceType.Efs)
            return await new BackupCopySteps(services).PlanAsync(policy, key, cancellationToken);
        var mapping = policy.MappingFor(key.Region)
            ?? throw new FerryInvalidInputException($"region: policy {policy.Id} has no replica mapping for {key.Region}");
        var source = new RoleAt(policy.Sources.SourceRole, policy.Sources.AccountId, key.Region);
        var keys = new KeyResolver(services, source);

        var facts = policy.Type switch
        {
            ResourceType.Ec2 => await Ec2FactsAsync(source, key.ResourceId, keys, cancellationToken),
            ResourceType.Rds => await RdsFactsAsync(source, mapping, key.ResourceId, keys, cancellationToken),
            _ => throw new FerryInvalidInputException($"policyId: {policy.Type} policies are not replicated by this flow"),
        };
        if (facts is null)
            return (PolicyPlanner.Missing(policy, key.ResourceId) with { Reason = $"Resource {key.ResourceId} no longer exists in {key.Region}" }, null);

        var plan = await new KeyAccessChecker(services).PlanCheckedAsync(context => facts.Plan(policy.Sources, mapping, context), facts.Context, cancellationToken);

        var job = new Job(policy.Id, key.SessionId, key.ResourceId, policy.Type, SnapshotServices.KindOf(policy.Type, facts.DbKind),
            plan.Steps, 0, new Place(source.Account, source.Region),
            [.. plan.Items.Select(i => new JobItem(i.ItemId, i.DeviceName, i.SourceEncrypted, i.SourceKey, []))],
            plan.Warnings, facts.Config, new ReplicaPayload());
        return (plan, plan.Verdict == Verdict.Proceed ? job : null);
    }

    private async Task<PlanOutput> FinishAsync(ResourceKey key, ResourcePlan plan, Job? job, CancellationToken cancellationToken)
    {
        var steps = string.Join(" → ", plan.Steps.Select(s => $"{s.Kind} ({s.RoleKind})"));
        var message = plan.Verdict == Verdict.Proceed
            ? $"Planned: {steps}" + (plan.Notes.Count > 0 ? ". " + string.Join(". ", plan.Notes) : "")
            : $"Planned: {plan.Verdict}: {plan.Reason}";
        await _log.WriteAsync(key.SessionId, key.ResourceId, RunLog.Plan, "Plan", message, plan.Steps.FirstOrDefault()?.Role, null,
            plan.ExpectedStatus == ResourceStatus.Success ? ResourceStatus.Success : plan.ExpectedStatus, cancellationToken);
        return plan.Verdict == Verdict.Proceed
            ? new PlanOutput(true, ResourceStatus.Running, plan.Reason, job!)
            : new PlanOutput(false, plan.ExpectedStatus, plan.Reason, null);
    }

    private async Task<Facts?> Ec2FactsAsync(RoleAt source, string instanceId, KeyResolver keys, CancellationToken cancellationToken)
    {
        var ec2 = await services.Ec2Async(source, cancellationToken);
        var instance = (await ec2.DescribeInstancesAsync(new InstanceQuery(Ids: [instanceId]), cancellationToken)).SingleOrDefault();
        if (instance is null)
            return null;
        var volumes = new List<VolumeFacts>();
        foreach (var v in instance.Volumes)
            volumes.Add(new VolumeFacts(v.VolumeId, v.DeviceName ?? "", v.SizeGiB, v.Encrypted, v.Encrypted ? await keys.ResolveAsync(v.KmsKeyId, cancellationToken) : null, v.VolumeType));
        var facts = new Ec2InstanceFacts(instance.InstanceId, source.Account, source.Region, instance.InstanceType, instance.Tags, volumes, instance.AvailabilityZone, instance.RootDeviceName);
        var config = new ResourceConfig(instance.Tags, instance.InstanceType, instance.AvailabilityZone, instance.RootDeviceName, instance.Architecture,
            instance.SubnetId, instance.SecurityGroupIds,
            [.. instance.Volumes.Select(v => new VolumeConfig(v.VolumeId, v.DeviceName ?? "", v.SizeGiB, v.VolumeType, v.Iops, v.Throughput))],
            AccountId: source.Account, Region: source.Region);
        return new Facts((sources, mapping, context) => ReplicaPlanner.PlanEc2(facts, sources, mapping, context), PlanContext.Empty, config, null);
    }

    private async Task<Facts?> RdsFactsAsync(RoleAt source, ReplicaMapping mapping, string identifier, KeyResolver keys, CancellationToken cancellationToken)
    {
        var rds = await services.RdsAsync(source, cancellationToken);
        var db = (await rds.DescribeDatabasesAsync([identifier], null, cancellationToken)).SingleOrDefault(d => d.Identifier == identifier);
        if (db is null)
            return null;
        var key = db.Encrypted ? await keys.ResolveAsync(db.KmsKeyId, cancellationToken) : null;
        var facts = new RdsFacts(db.Identifier, db.Kind, source.Account, source.Region, db.Engine, db.EngineVersion, db.Encrypted, key, db.Tags, db.DbClass);
        var context = PlanContext.Empty;
        if (db.Kind == RdsKind.AuroraCluster)
        {
            var target = await services.RdsAsync(new RoleAt(mapping.TargetRole, mapping.TargetAccount, mapping.TargetRegion), cancellationToken);
            var versions = await target.DescribeEngineVersionsAsync(db.Engine, cancellationToken);
            context = context with { Engines = new EngineCatalog(versions.Select(v => (mapping.TargetRegion, db.Engine, v)), [(mapping.TargetRegion, db.Engine)]) };
        }
        var config = new ResourceConfig(db.Tags, DbKind: db.Kind, Engine: db.Engine, EngineVersion: db.EngineVersion, DbClass: db.DbClass,
            SubnetGroup: db.SubnetGroup, SecurityGroupIds: db.SecurityGroupIds, AccountId: source.Account, Region: source.Region);
        return new Facts((sources, m, c) => ReplicaPlanner.PlanRds(facts, sources, m, c), context, config, db.Kind);
    }

    private sealed record Facts(Func<PolicySources, ReplicaMapping, PlanContext, ResourcePlan> Plan, PlanContext Context, ResourceConfig Config, RdsKind? DbKind);

    /// <summary>Resolves key ids to facts once per key, as the source role in the source region.</summary>
    private sealed class KeyResolver(FerryServices services, RoleAt source)
    {
        private readonly Dictionary<string, KeyFacts> _keys = new(StringComparer.Ordinal);
        private IKmsPort? _kms;

        public async Task<KeyFacts?> ResolveAsync(string? keyId, CancellationToken cancellationToken)
        {
            if (keyId is null)
                return null;
            if (_keys.TryGetValue(keyId, out var known))
                return known;
            _kms ??= await services.KmsAsync(source.Role, source.Region, cancellationToken);
            return _keys[keyId] = await _kms.DescribeKeyAsync(keyId, cancellationToken);
        }
    }
}
