using Ferry.Core.Errors;
using Ferry.Core.Ports;
using Ferry.Local.Runtime;
using Ferry.Simulator.World;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Simulator.Tests;

/// <summary>A bundled world loaded on a manual clock, with the roles and keys the tests use.</summary>
internal sealed class Sim
{
    public const string Source = "arn:aws:iam::111111111111:role/FerrySource";
    public const string Restore = "arn:aws:iam::111111111111:role/FerryRestore";
    public const string Target = "arn:aws:iam::222222222222:role/FerryTarget";
    public const string RestrictedKey = "arn:aws:kms:eu-west-1:111111111111:key/1111aaaa-0000-4000-8000-000000000666";

    public static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

    /// <param name="limits">AWS's quotas for this world, when a test needs them small.</param>
    public Sim(string world = "replicas.json", FaultSettings? faults = null, LimitSpec? limits = null)
    {
        var options = new SimulatorOptions(Faults: faults);
        Aws = SimulatedAws.Load(WorldPath(world), options);
        if (limits is not null)
            Aws = new SimulatedAws(Aws.Spec with { Limits = limits }, options);
        Local = new LocalAws(Aws, sdkRetries: false);
    }

    public SimulatedAws Aws { get; }

    /// <summary>The production adapters on the world's endpoint, without SDK retries: each test sees the world's own answer.</summary>
    public LocalAws Local { get; }

    public IAwsPorts Ports => Local.Ports;

    public ICredentialsPort Credentials => Local.Credentials;

    public ManualClock Clock => (ManualClock)Aws.Clock;

    public async Task<IEc2Port> Ec2(string role, string region = West) => Ports.Ec2(await Credentials.AssumeAsync(role), region);

    public async Task<IRdsPort> Rds(string role, string region = West) => Ports.Rds(await Credentials.AssumeAsync(role), region);

    public async Task<IKmsPort> Kms(string role, string region = West) => Ports.Kms(await Credentials.AssumeAsync(role), region);

    public async Task<IBackupPort> Backup(string role, string region = West) => Ports.Backup(await Credentials.AssumeAsync(role), region);

    public async Task<IEfsPort> Efs(string role, string region = West) => Ports.Efs(await Credentials.AssumeAsync(role), region);

    public void Advance(double hours) => Clock.Advance(TimeSpan.FromHours(hours));

    /// <summary>Snapshots an instance's volumes as the source role and lets them complete.</summary>
    public async Task<IReadOnlyList<Ec2Snapshot>> CompletedSnapshots(string instanceId, IReadOnlyDictionary<string, string>? tags = null)
    {
        var ec2 = await Ec2(Source);
        var snapshots = await ec2.CreateSnapshotsAsync(instanceId, tags ?? NoTags);
        Advance(1);
        return snapshots;
    }

    public async Task<RdsSnapshotInfo> AvailableRdsSnapshot(Ferry.Core.Inventory.RdsKind kind, string database, string snapshotId)
    {
        var rds = await Rds(Source);
        var snapshot = await rds.CreateSnapshotAsync(kind, database, snapshotId, NoTags);
        Advance(1);
        return new RdsSnapshotInfo(snapshot.Identifier, snapshot.Arn);
    }

    /// <summary>Asserts the call fails with Ferry's typed error <typeparamref name="T"/> carrying AWS's error code.</summary>
    public static async Task<T> Fails<T>(string awsErrorCode, Func<Task> call)
        where T : FerryException
    {
        var error = await Assert.ThrowsAsync<T>(call);
        Assert.Equal(awsErrorCode, error.AwsErrorCode);
        Assert.False(string.IsNullOrEmpty(error.AwsRequestId));
        return error;
    }
}

internal sealed record RdsSnapshotInfo(string Identifier, string Arn);
