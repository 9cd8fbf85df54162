using Ferry.Aws.Dynamo;
using Ferry.Core.Policies;
using Ferry.Core.Ports;
using Ferry.Core.Sessions;

namespace Ferry.Aws.Tests.Dynamo;

[Collection(DynaliteCollection.Name)]
public sealed class DynamoStoreTests(DynaliteFixture dynalite) : IAsyncLifetime
{
    private static readonly DateTimeOffset _t0 = new(2026, 3, 1, 2, 0, 0, TimeSpan.Zero);

    // Each test class instance gets its own tables, so tests never see each other's items.
    private readonly DynamoTables _tables = DynamoTables.WithPrefix($"t-{Guid.NewGuid():N}");

    public Task InitializeAsync() => _tables.CreateAsync(dynalite.Client);

    public Task DisposeAsync() => Task.CompletedTask;

    private static string PolicyJson(string id = "prod-ec2-dr") =>
        File.ReadAllText(Path.Combine(Root(), "local", "examples", "ec2-policy.json")).Replace("\"prod-ec2-dr\"", $"\"{id}\"", StringComparison.Ordinal);

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "package.json")))
            dir = dir.Parent;
        return dir.FullName;
    }

    [Fact]
    public async Task Policies_AreStoredAsDocuments_ValidatedOnPutAndLoad()
    {
        var store = new DynamoPolicyStore(dynalite.Client, _tables);

        var stored = await store.PutAsync(PolicyJson("b-policy"));
        await store.PutAsync(PolicyJson("a-policy"));

        Assert.Equal("b-policy", stored.Id);
        Assert.Equal(ResourceType.Ec2, (await store.GetAsync("b-policy"))!.Type);
        Assert.Null(await store.GetAsync("missing"));
        await Assert.ThrowsAsync<PolicyValidationException>(() => store.PutAsync("""{"id":"x","type":"EC2"}"""));
    }

    [Fact]
    public async Task Session_OpenTwice_KeepsTheFirst()
    {
        var store = new DynamoSessionStore(dynalite.Client, _tables);

        await store.OpenAsync(Session.Open("s1", SessionKind.PolicyRun, "p1", _t0));
        var again = await store.OpenAsync(Session.Open("s1", SessionKind.Restore, "p1", _t0.AddHours(1)));

        Assert.Equal((SessionKind.PolicyRun, _t0, ResourceStatus.Running), (again.Kind, again.StartedAt, again.Status));
    }

    [Fact]
    public async Task Outcome_IsWrittenOnce_ARetryNeverOverwritesTheFinalState()
    {
        var store = new DynamoSessionStore(dynalite.Client, _tables);
        await store.OpenAsync(Session.Open("s1", SessionKind.PolicyRun, "p1", _t0));

        await store.SetProgressAsync("s1", "i-1", "CopySnapshot");
        var running = (await store.GetAsync("s1"))!.Resources.Single();
        Assert.Equal((ResourceStatus.Running, "CopySnapshot", null), (running.Status, running.CurrentStep, running.Reason));

        Assert.True(await store.RecordOutcomeAsync("s1", "i-1", ResourceStatus.Warning, "encrypted, no target key"));
        Assert.False(await store.RecordOutcomeAsync("s1", "i-1", ResourceStatus.Success, null));
        await store.SetProgressAsync("s1", "i-1", "late step");

        var outcome = (await store.GetAsync("s1"))!.Resources.Single();
        Assert.Equal((ResourceStatus.Warning, "encrypted, no target key", null), (outcome.Status, outcome.Reason, outcome.CurrentStep));
    }

    [Fact]
    public async Task OneResourcesOutcome_ReadsItsStatusReasonAndStep_WithoutItsLog_NullForAResourceNotInTheSession()
    {
        var store = new DynamoSessionStore(dynalite.Client, _tables);
        await store.OpenAsync(Session.Open("s1", SessionKind.PolicyRun, "p1", _t0));
        await store.AppendLogAsync("s1", "i-1", new LogEntry(1, _t0, "TakeSnapshot", ResourceStatus.Success, "taken"));
        await store.SetProgressAsync("s1", "i-1", "TakeSnapshot");
        await store.AppendLogAsync("s1", "i-2", new LogEntry(1, _t0, "TakeSnapshot", ResourceStatus.Success, "taken"));
        await store.RecordOutcomeAsync("s1", "i-2", ResourceStatus.Failed, "copy failed");

        var running = (await store.GetOutcomeAsync("s1", "i-1"))!;
        var failed = (await store.GetOutcomeAsync("s1", "i-2"))!;

        Assert.Equal(("i-1", ResourceStatus.Running, null, "TakeSnapshot"), (running.ResourceId, running.Status, running.Reason, running.CurrentStep));
        Assert.Equal(("i-2", ResourceStatus.Failed, "copy failed", null), (failed.ResourceId, failed.Status, failed.Reason, failed.CurrentStep));
        Assert.Empty(failed.Log);
        Assert.Null(await store.GetOutcomeAsync("s1", "i-3"));
        Assert.Null(await store.GetOutcomeAsync("missing", "i-1"));
    }

    [Fact]
    public async Task Log_SameSequenceIsWrittenOnce_EntriesComeBackInOrder()
    {
        var store = new DynamoSessionStore(dynalite.Client, _tables);
        await store.OpenAsync(Session.Open("s1", SessionKind.PolicyRun, "p1", _t0));
        var ids = new Dictionary<string, string> { ["snapshot"] = "snap-1" };

        await store.AppendLogAsync("s1", "i-1", new LogEntry(2, _t0.AddMinutes(2), "Copy", ResourceStatus.Success, "copied", "arn:aws:iam::2:role/T", ids));
        await store.AppendLogAsync("s1", "i-1", new LogEntry(1, _t0.AddMinutes(1), "Snapshot", ResourceStatus.Success, "taken"));
        await store.AppendLogAsync("s1", "i-1", new LogEntry(1, _t0.AddMinutes(9), "Snapshot", ResourceStatus.Failed, "retry"));

        var log = (await store.GetAsync("s1"))!.Resources.Single().Log;
        Assert.Equal([1, 2], log.Select(e => e.Sequence));
        Assert.Equal("taken", log[0].Message);
        Assert.Equal("snap-1", log[1].Ids!["snapshot"]);
        Assert.Equal("arn:aws:iam::2:role/T", log[1].Role);
    }

    [Fact]
    public async Task Close_TakesTheWorstStatus_ClosingTwiceChangesNothing_ListedByPolicyAsHeaders()
    {
        var store = new DynamoSessionStore(dynalite.Client, _tables);
        await store.OpenAsync(Session.Open("s1", SessionKind.PolicyRun, "p1", _t0));
        await store.OpenAsync(Session.Open("s2", SessionKind.PolicyRun, "p1", _t0.AddDays(1)));
        await store.OpenAsync(Session.Open("s3", SessionKind.PolicyRun, "p2", _t0));
        await store.AppendLogAsync("s1", "i-1", new LogEntry(1, _t0, "TakeSnapshot", ResourceStatus.Success, "taken"));
        await store.RecordOutcomeAsync("s1", "i-1", ResourceStatus.Success, null);
        await store.RecordOutcomeAsync("s1", "i-2", ResourceStatus.Warning, "w");

        var closed = await store.CloseAsync("s1", _t0.AddHours(1));
        await store.RecordOutcomeAsync("s1", "i-3", ResourceStatus.Failed, "late");
        var again = await store.CloseAsync("s1", _t0.AddHours(2));

        Assert.Equal((ResourceStatus.Warning, _t0.AddHours(1)), (closed.Status, closed.EndedAt));
        Assert.Equal((ResourceStatus.Warning, _t0.AddHours(1)), (again.Status, again.EndedAt));
        Assert.Equal(["i-1", "i-2"], closed.Resources.Select(r => r.ResourceId));
        var listed = await store.ListByPolicyAsync("p1");
        Assert.Equal(["s2", "s1"], listed.Select(s => s.SessionId));
        Assert.Equal((SessionKind.PolicyRun, "p1", _t0, ResourceStatus.Warning, _t0.AddHours(1)), (listed[1].Kind, listed[1].PolicyId, listed[1].StartedAt, listed[1].Status, listed[1].EndedAt));
        Assert.Equal((ResourceStatus.Running, null), (listed[0].Status, listed[0].EndedAt));
        Assert.All(listed, s => Assert.Empty(s.Resources));
    }

    [Fact]
    public async Task Close_WithAnEnd_TakesTheWorseStatusAndItsReason_HeaderReadsWithoutResources()
    {
        var store = new DynamoSessionStore(dynalite.Client, _tables);
        await store.OpenAsync(Session.Open("s1", SessionKind.PolicyRun, "p1", _t0));
        await store.RecordOutcomeAsync("s1", "i-1", ResourceStatus.Success, null);

        var closed = await store.CloseAsync("s1", _t0.AddHours(1), new SessionEnd(ResourceStatus.Canceled, "Not run: p1 is already running"));
        var header = (await store.GetHeaderAsync("s1"))!;
        Assert.Equal("Not run: p1 is already running", Assert.Single(await store.ListByPolicyAsync("p1")).Reason);

        Assert.Equal((ResourceStatus.Canceled, "Not run: p1 is already running"), (closed.Status, closed.Reason));
        Assert.Equal((ResourceStatus.Canceled, "Not run: p1 is already running", _t0.AddHours(1)), (header.Status, header.Reason, header.EndedAt));
        Assert.Empty(header.Resources);
        Assert.Equal("Not run: p1 is already running", (await store.GetAsync("s1"))!.Reason);
        Assert.Null(await store.GetHeaderAsync("missing"));
    }

    [Fact]
    public async Task RunLock_WrittenOnlyWhileHeldAsExpected_ReleasedOnlyByItsHolder_NeverListedAsASession()
    {
        var store = new DynamoSessionStore(dynalite.Client, _tables);
        await store.OpenAsync(Session.Open("s1", SessionKind.PolicyRun, "p1", _t0));

        Assert.True(await store.TryWriteRunLockAsync(new RunLock("p1", "s1", _t0.AddHours(75)), null));
        Assert.False(await store.TryWriteRunLockAsync(new RunLock("p1", "s2", _t0.AddHours(75)), null));
        Assert.False(await store.TryWriteRunLockAsync(new RunLock("p1", "s2", _t0.AddHours(75)), "s3"));
        Assert.True(await store.TryWriteRunLockAsync(new RunLock("p1", "s1", _t0.AddHours(80)), "s1"));
        await store.ReleaseRunLockAsync("p1", "s2");
        Assert.Equal(new RunLock("p1", "s1", _t0.AddHours(80)), await store.GetRunLockAsync("p1"));

        await store.ReleaseRunLockAsync("p1", "s1");

        Assert.Null(await store.GetRunLockAsync("p1"));
        Assert.True(await store.TryWriteRunLockAsync(new RunLock("p1", "s2", _t0.AddHours(90)), null));
        Assert.Equal(["s1"], (await store.ListByPolicyAsync("p1")).Select(s => s.SessionId));
    }

    [Fact]
    public async Task RestorePoints_ListNewestFirstPerResource_GetAndDelete()
    {
        var store = new DynamoRestorePointStore(dynalite.Client, _tables);
        RestorePoint Point(string id, int day, string resource = "i-1") => new(
            id, "p1", resource, "s" + day, ResourceType.Ec2, IsReplica: day % 2 == 0, "111111111111", "eu-west-1", "arn:aws:iam::111111111111:role/S",
            _t0.AddDays(day), [new SnapshotRef("snap-" + id, "vol-1", true, "arn:aws:kms:eu-west-1:111111111111:key/k", "/dev/xvda")],
            new ResourceConfig(new Dictionary<string, string> { ["Name"] = "app" }, InstanceType: "m6i.large", RootDeviceName: "/dev/xvda",
                Volumes: [new VolumeConfig("vol-1", "/dev/xvda", 8, "gp3")]));

        await store.PutAsync(Point("rp1", 1));
        await store.PutAsync(Point("rp3", 3));
        await store.PutAsync(Point("rp2", 2));
        await store.PutAsync(Point("rp2", 2));
        await store.PutAsync(Point("other", 4, "i-2"));

        Assert.Equal(["rp3", "rp2", "rp1"], (await store.ListAsync("p1", "i-1")).Select(p => p.RestorePointId));
        var rp2 = (await store.GetAsync("rp2"))!;
        Assert.Equal(Point("rp2", 2).Snapshots, rp2.Snapshots);
        Assert.Equal(("m6i.large", "app"), (rp2.Config.InstanceType, rp2.Config.Tags["Name"]));
        Assert.Equal(Point("rp2", 2).Config.Volumes, rp2.Config.Volumes);
        Assert.True(rp2.IsReplica);
        await store.DeleteAsync("rp2");
        Assert.Null(await store.GetAsync("rp2"));
        Assert.Equal(["rp3", "rp1"], (await store.ListAsync("p1", "i-1")).Select(p => p.RestorePointId));
    }
}
