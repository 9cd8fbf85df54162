using Ferry.Core.Errors;
using Ferry.Core.Policies;
using Ferry.Core.Ports;

namespace Ferry.Core.Runs;

/// <summary>
/// Finds a policy's resources in one source region, by id and by tag, as the source role (EFS: as each covered account's
/// role), and notes each in the session: if the run stops before their outcomes, closing the session fails them.
/// </summary>
public sealed class DiscoverStep(FerryServices services)
{
    private static readonly HashSet<string> GoneStates = ["terminated", "shutting-down"];

    public async Task<DiscoverOutput> RunAsync(DiscoverInput input, CancellationToken cancellationToken = default)
    {
        var policy = await SessionSteps.LoadPolicyAsync(services, input.PolicyId, cancellationToken);
        if (!policy.Sources.Regions.Contains(input.Region, StringComparer.Ordinal))
            throw new FerryInvalidInputException($"region: {input.Region} is not a source region of policy {policy.Id} ({string.Join(", ", policy.Sources.Regions)})");
        // A run that lost its lock (it outlived its lease and another run closed its session) starts nothing more.
        if (!await new SessionSteps(services).RenewRunLockAsync(policy.Id, input.SessionId, cancellationToken))
            return new DiscoverOutput(policy.Id, input.SessionId, input.Region, []);

        var found = await FindAsync(policy, input.Region, cancellationToken);
        foreach (var id in found)
            await services.Sessions.SetProgressAsync(input.SessionId, id, "Discovered", cancellationToken);
        return new DiscoverOutput(policy.Id, input.SessionId, input.Region, found);
    }

    /// <summary>The policy's resources in one source region, in id order, writing nothing (<c>ferry plan</c> finds them this way too).</summary>
    public async Task<IReadOnlyList<string>> FindAsync(Policy policy, string region, CancellationToken cancellationToken = default)
    {
        var at = new RoleAt(policy.Sources.SourceRole, policy.Sources.AccountId, region);
        var selection = policy.Sources.Resources;
        // AWS filters AND their tags, while a policy protects a resource matching any: one query per tag.
        var tagQueries = selection.Tags.Select(t => (IReadOnlyList<TagQuery>)[new TagQuery(t.Key, [t.Value])]).ToList();
        var found = new SortedSet<string>(StringComparer.Ordinal);
        switch (policy.Type)
        {
            case ResourceType.Ec2:
                var ec2 = await services.Ec2Async(at, cancellationToken);
                if (selection.Ids.Count > 0)
                    Add(found, await ec2.DescribeInstancesAsync(new InstanceQuery(Ids: selection.Ids), cancellationToken));
                foreach (var tags in tagQueries)
                    Add(found, await ec2.DescribeInstancesAsync(new InstanceQuery(Tags: tags), cancellationToken));
                break;
            case ResourceType.Rds:
                var rds = await services.RdsAsync(at, cancellationToken);
                if (selection.Ids.Count > 0)
                    found.UnionWith((await rds.DescribeDatabasesAsync(selection.Ids, null, cancellationToken)).Select(d => d.Identifier));
                foreach (var tags in tagQueries)
                    found.UnionWith((await rds.DescribeDatabasesAsync(null, tags, cancellationToken)).Select(d => d.Identifier));
                break;
            default:
                found.UnionWith(await new BackupCopySteps(services).DiscoverAsync(policy, region, cancellationToken));
                break;
        }
        return [.. found];
    }

    private static void Add(SortedSet<string> found, IEnumerable<Ec2Instance> instances) =>
        found.UnionWith(instances.Where(i => !GoneStates.Contains(i.State)).Select(i => i.InstanceId));
}
