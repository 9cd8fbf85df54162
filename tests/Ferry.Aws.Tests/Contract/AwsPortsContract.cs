using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Ports;

namespace Ferry.Aws.Tests.Contract;

/// <summary>What a world must already contain for the contract to run against it.</summary>
public sealed record ContractFixtures(
    string SourceRole = "arn:aws:iam::111111111111:role/FerrySource",
    string TargetRole = "arn:aws:iam::222222222222:role/FerryTarget",
    string Region = "eu-west-1",
    string OtherRegion = "eu-central-1",
    string InstanceId = "i-0a1b2c3d4e5f60001",
    string TagKey = "backup",
    string TagValue = "gold",
    string KeyArn = "arn:aws:kms:eu-west-1:111111111111:alias/aws/ebs",
    string DbInstanceId = "orders-db",
    string Engine = "postgres");

/// <summary>An implementation of Ferry's AWS ports with a world that holds <see cref="ContractFixtures"/>.</summary>
/// <param name="Clock">The world's own time (the simulator's clock; the system clock for real AWS).</param>
public sealed record ContractWorld(IAwsPorts Ports, ICredentialsPort Credentials, ContractFixtures Fixtures, IClock? Clock = null)
{
    public DateTimeOffset Now => (Clock ?? SystemClock.Instance).UtcNow;
}

/// <summary>
/// The behaviour every <see cref="IAwsPorts"/> must show, written against the ports only. A binding derives from this
/// class and supplies the world; the same tests then run against real AWS, an AWS-compatible endpoint or the simulator.
/// </summary>
public abstract class AwsPortsContract
{
    protected abstract Task<ContractWorld> CreateWorldAsync();

    private async Task<(ContractWorld World, RoleSession Source)> SourceAsync()
    {
        var world = await CreateWorldAsync();
        return (world, await world.Credentials.AssumeAsync(world.Fixtures.SourceRole));
    }

    [Fact]
    public async Task AssumeRole_GivesASessionInTheRolesAccount()
    {
        var (world, source) = await SourceAsync();

        Assert.Equal(world.Fixtures.SourceRole, source.RoleArn);
        Assert.Equal(world.Fixtures.SourceRole.Split(':')[4], source.AccountId);
        Assert.True(source.Credentials.Expiration > world.Now, $"credentials expire at {source.Credentials.Expiration:O}, before {world.Now:O}");
    }

    [Fact]
    public async Task DescribeInstances_ByIdAndByTag_WithTheirVolumes()
    {
        var (world, source) = await SourceAsync();
        var ec2 = world.Ports.Ec2(source, world.Fixtures.Region);

        var byId = await ec2.DescribeInstancesAsync(new InstanceQuery(Ids: [world.Fixtures.InstanceId]));
        var byTag = await ec2.DescribeInstancesAsync(new InstanceQuery(Tags: [new TagQuery(world.Fixtures.TagKey, [world.Fixtures.TagValue])]));

        var instance = Assert.Single(byId);
        Assert.NotEmpty(instance.Volumes);
        Assert.All(instance.Volumes, v => Assert.NotNull(v.DeviceName));
        Assert.Contains(byTag, i => i.InstanceId == world.Fixtures.InstanceId);
    }

    [Fact]
    public async Task Snapshots_AreFoundByIdAndByFerryTags_ThenDeleted()
    {
        var (world, source) = await SourceAsync();
        var ec2 = world.Ports.Ec2(source, world.Fixtures.Region);
        var instance = (await ec2.DescribeInstancesAsync(new InstanceQuery(Ids: [world.Fixtures.InstanceId])))[0];
        var session = Guid.NewGuid().ToString("N");
        var tags = new Dictionary<string, string> { [FerryTags.Session] = session, [FerryTags.Source] = world.Fixtures.InstanceId };

        var snapshots = await ec2.CreateSnapshotsAsync(world.Fixtures.InstanceId, tags);
        var ids = snapshots.Select(s => s.SnapshotId).Order().ToList();

        Assert.Equal(instance.Volumes.Select(v => v.VolumeId).Order(), snapshots.Select(s => s.VolumeId).Order());
        Assert.All(snapshots, s => Assert.Contains(s.State, new[] { "pending", "completed" }));
        Assert.Equal(ids, (await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Ids: ids))).Select(s => s.SnapshotId).Order());
        var byTags = await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Tags: [new TagQuery(FerryTags.Session, [session]), new TagQuery(FerryTags.Source, [world.Fixtures.InstanceId])]));
        Assert.Equal(ids, byTags.Select(s => s.SnapshotId).Order());

        foreach (var id in ids)
            await ec2.DeleteSnapshotAsync(id);
        Assert.Empty(await ec2.DescribeSnapshotsAsync(new SnapshotQuery(Tags: [new TagQuery(FerryTags.Session, [session])])));
    }

    [Fact]
    public async Task DescribeSnapshots_UnknownTag_FindsNothing()
    {
        var (world, source) = await SourceAsync();

        var found = await world.Ports.Ec2(source, world.Fixtures.Region)
            .DescribeSnapshotsAsync(new SnapshotQuery(Tags: [new TagQuery(FerryTags.Session, [Guid.NewGuid().ToString("N")])]));

        Assert.Empty(found);
    }

    [Fact]
    public async Task DeleteSnapshot_Unknown_IsNotFound()
    {
        var (world, source) = await SourceAsync();

        await Assert.ThrowsAsync<FerryNotFoundException>(() =>
            world.Ports.Ec2(source, world.Fixtures.Region).DeleteSnapshotAsync("snap-0000000000000000f"));
    }

    [Fact]
    public async Task Rds_DescribesTheDatabase_AndTheEngineVersionsOfARegion()
    {
        var (world, source) = await SourceAsync();
        var rds = world.Ports.Rds(source, world.Fixtures.Region);

        var db = Assert.Single(await rds.DescribeDatabasesAsync([world.Fixtures.DbInstanceId], null));
        var versions = await rds.DescribeEngineVersionsAsync(db.Engine);

        Assert.Equal((world.Fixtures.Engine, RdsKind.DbInstance), (db.Engine, db.Kind));
        Assert.Contains(db.EngineVersion, versions);
    }

    [Fact]
    public async Task Kms_DescribesAKeyInItsRegionAndAccount()
    {
        var (world, source) = await SourceAsync();

        var key = await world.Ports.Kms(source, world.Fixtures.Region).DescribeKeyAsync(world.Fixtures.KeyArn);

        Assert.Equal((world.Fixtures.Region, source.AccountId), (key.Region, key.AccountId));
        Assert.StartsWith("arn:", key.KeyArn, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backup_ListsVaults_AndReportsOptIn()
    {
        var (world, source) = await SourceAsync();
        var backup = world.Ports.Backup(source, world.Fixtures.Region);

        var vaults = await backup.ListVaultsAsync();
        var optIn = await backup.GetResourceTypeOptInAsync();

        Assert.All(vaults, v => Assert.Equal((source.AccountId, world.Fixtures.Region), (v.AccountId, v.Region)));
        Assert.NotNull(optIn);
    }
}
