using Ferry.Core.Inventory;
using Ferry.Core.Planning;
using Ferry.Core.Policies;
using static Ferry.Core.Tests.Fixtures;

namespace Ferry.Core.Tests.Planning;

public class PolicyPlannerTests
{
    private static Policy Ec2Policy(string[] ids, TagFilter[] tags) => new(
        "p", "p", ResourceType.Ec2,
        Sources with { Resources = new ResourceSelection(ids, tags) },
        new ReplicaSettings([CrossAccount(On(TargetKey))], false), null, new Retention(3), null);

    private static Ec2InstanceFacts Tagged(string id, string region = SourceRegion, string account = SourceAccount, params (string Key, string Value)[] tags) =>
        new(id, account, region, "t3.small", tags.ToDictionary(t => t.Key, t => t.Value), [Plain("vol-000000000000000c1")]);

    [Fact]
    public void Plan_SelectsByIdOrTagInSourceAccountAndRegionsOnly()
    {
        var policy = Ec2Policy(["i-0000000000000000a"], [new TagFilter("backup", "gold")]);
        var instances = new[]
        {
            Tagged("i-0000000000000000a"),
            Tagged("i-0000000000000000b", tags: ("backup", "gold")),
            Tagged("i-0000000000000000c", tags: ("backup", "silver")),
            Tagged("i-0000000000000000d", region: "us-east-1", tags: ("backup", "gold")),
            Tagged("i-0000000000000000e", account: TargetAccount, tags: ("backup", "gold")),
        };

        var plans = PolicyPlanner.Plan(policy, instances, []);

        Assert.Equal(["i-0000000000000000a", "i-0000000000000000b"], plans.Select(p => p.ResourceId));
        Assert.All(plans, p => Assert.Equal(Verdict.Proceed, p.Verdict));
    }

    [Fact]
    public void Plan_ResourceNamedByIdButMissing_FailsInsteadOfBeingDropped()
    {
        var plans = PolicyPlanner.Plan(Ec2Policy(["i-0000000000000000f"], []), [Tagged("i-0000000000000000a")], []);

        var plan = Assert.Single(plans);
        Assert.Equal(("i-0000000000000000f", Verdict.Fail), (plan.ResourceId, plan.Verdict));
        Assert.Contains("was not found in account 111111111111, regions eu-west-1", plan.Reason, StringComparison.Ordinal);
    }
}
