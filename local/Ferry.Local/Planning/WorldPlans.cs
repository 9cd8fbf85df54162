using Ferry.Core.Errors;
using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Runs;

namespace Ferry.Local.Planning;

/// <summary>
/// Plans a policy in a world with the run's own code: Discover's search and the Plan step's planning (facts, key
/// checks as each role, the planner), writing nothing. So <c>ferry plan --world</c> prints what a run there executes.
/// </summary>
public static class WorldPlans
{
    /// <summary>The session id a dry run's jobs carry: it opens no session.</summary>
    private const string DryRun = "dry-run";

    public static async Task<IReadOnlyList<ResourcePlan>> PlanAsync(FerryServices services, Policy policy, CancellationToken cancellationToken = default)
    {
        var discover = new DiscoverStep(services);
        var planner = new PlanResource(services);
        var plans = new List<ResourcePlan>();
        foreach (var region in policy.Sources.Regions)
        {
            IReadOnlyList<string> ids;
            try
            {
                ids = await discover.FindAsync(policy, region, cancellationToken);
            }
            catch (FerryException e)
            {
                // A run records a region whose discovery fails as a failed region:<region> entry and goes on.
                plans.Add(RegionFailed(policy, region, e));
                continue;
            }
            foreach (var id in ids)
                plans.Add((await planner.PlanAsync(policy, new ResourceKey(policy.Id, DryRun, region, id), cancellationToken)).Plan);
        }
        // A resource named by id that no region has fails, as CloseSession fails it (Organization-mode EFS ids are account/fs-id).
        var seen = plans.Select(p => p.ResourceId[(p.ResourceId.IndexOf('/', StringComparison.Ordinal) + 1)..]).ToHashSet(StringComparer.Ordinal);
        plans.AddRange(policy.Sources.Resources.Ids.Where(id => !seen.Contains(id)).Select(id => PolicyPlanner.Missing(policy, id)));
        return plans;
    }

    private static ResourcePlan RegionFailed(Policy policy, string region, FerryException error)
    {
        var mapping = policy.MappingFor(region);
        return new ResourcePlan($"region:{region}", policy.Type, policy.Sources.AccountId, region,
            mapping?.TargetAccount ?? policy.Sources.AccountId, mapping?.TargetRegion ?? region,
            Verdict.Fail, $"Discovery in {region} failed: {error.Message}", [], [], [], []);
    }
}
