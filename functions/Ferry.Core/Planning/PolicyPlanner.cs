using Ferry.Core.Inventory;
using Ferry.Core.Policies;

namespace Ferry.Core.Planning;

/// <summary>Plans a whole policy run over known resources: which resources it covers and the plan of each.</summary>
public static class PolicyPlanner
{
    public static IReadOnlyList<ResourcePlan> Plan(
        Policy policy,
        IEnumerable<Ec2InstanceFacts> instances,
        IEnumerable<RdsFacts> databases,
        PlanContext? context = null)
    {
        var plans = new List<ResourcePlan>();
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var region in policy.Sources.Regions)
        {
            var mapping = policy.MappingFor(region);
            if (mapping is null)
                continue;
            switch (policy.Type)
            {
                case ResourceType.Ec2:
                    foreach (var instance in Select(policy, region, instances, i => (i.InstanceId, i.AccountId, i.Region, i.Tags)))
                    {
                        found.Add(instance.InstanceId);
                        plans.Add(ReplicaPlanner.PlanEc2(instance, policy.Sources, mapping, context));
                    }
                    break;
                case ResourceType.Rds:
                    foreach (var db in Select(policy, region, databases, d => (d.Identifier, d.AccountId, d.Region, d.Tags)))
                    {
                        found.Add(db.Identifier);
                        plans.Add(ReplicaPlanner.PlanRds(db, policy.Sources, mapping, context));
                    }
                    break;
            }
        }
        plans.AddRange(policy.Sources.Resources.Ids.Where(id => !found.Contains(id)).Select(id => Missing(policy, id)));
        return plans;
    }

    /// <summary>A resource named by id that exists in none of the policy's regions fails, rather than being silently dropped.</summary>
    public static ResourcePlan Missing(Policy policy, string resourceId)
    {
        var reason = $"Resource {resourceId} was not found in account {policy.Sources.AccountId}, regions {string.Join(", ", policy.Sources.Regions)}";
        var region = policy.Sources.Regions[0];
        var mapping = policy.MappingFor(region);
        return new ResourcePlan(resourceId, policy.Type, policy.Sources.AccountId, region,
            mapping?.TargetAccount ?? policy.Sources.AccountId, mapping?.TargetRegion ?? region,
            Verdict.Fail, reason, [], [], [], []);
    }

    private static IEnumerable<T> Select<T>(Policy policy, string region, IEnumerable<T> resources, Func<T, (string Id, string Account, string Region, IReadOnlyDictionary<string, string> Tags)> describe) =>
        resources.Where(r =>
        {
            var (id, account, resourceRegion, tags) = describe(r);
            return account == policy.Sources.AccountId && resourceRegion == region && policy.Sources.Resources.Matches(id, tags);
        });
}
