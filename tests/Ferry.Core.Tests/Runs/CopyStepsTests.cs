using Ferry.Core.Planning;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using static Ferry.Core.Tests.Fixtures;

namespace Ferry.Core.Tests.Runs;

public class CopyStepsTests
{
    private static Job JobOf(ResourcePlan plan) => new(
        "p", "s1", plan.ResourceId, plan.Type, SnapshotKind.Ebs, plan.Steps, 0, new Place(plan.SourceAccount, plan.SourceRegion),
        [.. plan.Items.Select(i => new JobItem(i.ItemId, i.DeviceName, i.SourceEncrypted, i.SourceKey, ["snap-" + i.ItemId]))],
        [], new ResourceConfig(new Dictionary<string, string>()), new ReplicaPayload());

    [Fact]
    public void EC2_R12_ShareKeyCopy_CountsAgainstTheSourceRegionsQuota_AndIsAStagingCopyOfTheSourceRole()
    {
        var plan = ReplicaPlanner.PlanEc2(Instance(OnDefaultKey("vol-000000000000000b1")), Sources, CrossAccount(Sharing(TargetKey)));
        var job = JobOf(plan);
        var (first, firstStep) = job.Copies.First();
        var (last, lastStep) = job.Copies.Last();
        var item = job.Items.Single();

        Assert.Equal(new CopySlotKey(SourceAccount, SourceRegion, "ebs"), CopySteps.SlotKey(job, firstStep));
        Assert.Equal(new CopySlotKey(TargetAccount, TargetRegion, "ebs"), CopySteps.SlotKey(job, lastStep));
        Assert.Equal((Job.StagingTag, "replica"), (job.CopyTag(first, item), job.CopyTag(last, item)));
        Assert.Equal([null, new RoleAt(SourceRole, SourceAccount, SourceRegion), new RoleAt(TargetRole, TargetAccount, TargetRegion)], job.PlacesOf(item));
    }
}
