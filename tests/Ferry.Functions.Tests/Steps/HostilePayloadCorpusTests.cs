using Ferry.Core.Errors;
using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Functions.Tests.Steps;

/// <summary>
/// Replicated EC2 and RDS resources, each with a snapshot restore point, plus planned replica and restore jobs: what the
/// hostile payloads of <see cref="HostilePayloadCorpusTests"/> are made from. Every case is refused before it changes anything.
/// </summary>
public sealed class HostilePayloadWorld : IAsyncLifetime
{
    internal Harness H { get; } = new();

    internal RestorePoint Ec2Point { get; private set; } = null!;

    internal RestorePoint RdsPoint { get; private set; } = null!;

    /// <summary>A replica job planned and not yet run.</summary>
    internal Job Replica { get; private set; } = null!;

    internal Job Ec2Restore { get; private set; } = null!;

    internal Job RdsRestore { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await H.PutPolicyAsync(ReplicaPolicy("p", "EC2", [AppKeyed], LocalTarget, Central, true, LocalDrKey));
        await H.PutPolicyAsync(ReplicaPolicy("q", "RDS", [Orders], LocalTarget, Central, true, LocalDrKey));
        await H.ReplicateAsync("p", AppKeyed);
        await H.ReplicateAsync("q", Orders);
        Ec2Point = (await H.Services.RestorePoints.ListAsync("p", AppKeyed)).Single(p => !p.IsReplica);
        RdsPoint = (await H.Services.RestorePoints.ListAsync("q", Orders)).Single(p => !p.IsReplica);
        var session = await H.OpenSessionAsync("p");
        await H.InvokeAsync<DiscoverOutput>("Discover", new DiscoverInput("p", session, West));
        Replica = (await H.PlanAsync("p", session, AppKeyed)).Job!;
        Ec2Restore = (await H.InvokeAsync<PlanOutput>("PlanRestore", new RestoreInput(Ec2Point.RestorePointId, SourceAccount, West, RestoreRole, AppKey))).Job!;
        RdsRestore = (await H.InvokeAsync<PlanOutput>("PlanRestore", new RestoreInput(RdsPoint.RestorePointId, SourceAccount, West, RestoreRole))).Job!;
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>
/// Hostile step payloads and restore requests, each refused as <see cref="FerryInvalidInputException"/> (or the error
/// type named) whose message starts with the offending field's JSON path, before the step acts.
/// </summary>
public sealed class HostilePayloadCorpusTests(HostilePayloadWorld world) : IClassFixture<HostilePayloadWorld>
{
    private const int LongestMessage = 600;

    /// <param name="Payload">The step and its payload as text, made from the world.</param>
    /// <param name="Field">How the error message starts: the field's path, then a colon.</param>
    private sealed record Case(Func<HostilePayloadWorld, (string Step, string Json)> Payload, string Field, Type? Error = null);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // Restore requests.
        ["restore: 5,000-character instance type"] = Restore(w => Ec2(w) with { InstanceType = new string('m', 5000) }, "instanceType:"),
        ["restore: instance type with a shell command"] = Restore(w => Ec2(w) with { InstanceType = "m5.large; rm -rf /" }, "instanceType:"),
        ["restore: instance type with NUL"] = Restore(w => Ec2(w) with { InstanceType = "m5.large\0" }, "instanceType:"),
        ["restore: instance type in upper case"] = Restore(w => Ec2(w) with { InstanceType = "M5.LARGE" }, "instanceType:"),
        ["restore: DB class without db. prefix"] = Restore(w => Rds(w) with { DbClass = "r6g.large" }, "dbClass:"),
        ["restore: 5,000-character DB class"] = Restore(w => Rds(w) with { DbClass = "db." + new string('r', 5000) }, "dbClass:"),
        ["restore: identifier with underscore"] = Restore(w => Rds(w) with { NewIdentifier = "orders_restored" }, "newIdentifier:"),
        ["restore: identifier of 64 characters"] = Restore(w => Rds(w) with { NewIdentifier = "a" + new string('b', 63) }, "newIdentifier:"),
        ["restore: identifier ending with hyphen"] = Restore(w => Rds(w) with { NewIdentifier = "orders-" }, "newIdentifier:"),
        ["restore: identifier with right-to-left override"] = Restore(w => Rds(w) with { NewIdentifier = "orders\u202Edb" }, "newIdentifier:"),
        ["restore: instance type for an RDS restore point"] = Restore(w => Rds(w) with { InstanceType = "m5.large" }, "instanceType:"),
        ["restore: DB class for an EC2 restore point"] = Restore(w => Ec2(w) with { DbClass = "db.r6g.large" }, "dbClass:"),
        ["restore: identifier for an EC2 restore point"] = Restore(w => Ec2(w) with { NewIdentifier = "orders-restored" }, "newIdentifier:"),
        ["restore: account of five digits"] = Restore(w => Ec2(w) with { TargetAccount = "12345" }, "targetAccount:"),
        ["restore: account with zero-width space"] = Restore(w => Ec2(w) with { TargetAccount = "111111111111\u200B" }, "targetAccount:"),
        ["restore: region with zero-width space"] = Restore(w => Ec2(w) with { TargetRegion = "eu-west-1\u200B" }, "targetRegion:"),
        ["restore: China region with an aws role"] = Restore(w => Ec2(w) with { TargetRegion = "cn-north-1", TargetKmsKey = null }, "restoreRole:"),
        ["restore: role is a user"] = Restore(w => Ec2(w) with { RestoreRole = "arn:aws:iam::111111111111:user/alice" }, "restoreRole:"),
        ["restore: role is an S3 bucket ARN"] = Restore(w => Ec2(w) with { RestoreRole = "arn:aws:s3:::ferry-bucket" }, "restoreRole:"),
        ["restore: role of 3,000 characters"] = Restore(w => Ec2(w) with { RestoreRole = "arn:aws:iam::111111111111:role/" + new string('r', 3000) }, "restoreRole:"),
        ["restore: key is a bare alias"] = Restore(w => Ec2(w) with { TargetKmsKey = "alias/ferry" }, "targetKmsKey:"),
        ["restore: key is a bare key id"] = Restore(w => Ec2(w) with { TargetKmsKey = "1111aaaa-0000-4000-8000-000000000111" }, "targetKmsKey:"),
        ["restore: key of another partition"] = Restore(w => Ec2(w) with { TargetKmsKey = "arn:aws-cn:kms:eu-west-1:111111111111:key/1111aaaa-0000-4000-8000-000000000111" }, "targetKmsKey:"),
        ["restore: key is an IAM role ARN"] = Restore(w => Ec2(w) with { TargetKmsKey = RestoreRole }, "targetKmsKey:"),
        ["restore: share key is an alias ARN"] = Restore(w => Ec2(w) with { ShareKey = "arn:aws:kms:eu-west-1:111111111111:alias/ferry-share" }, "shareKey:"),
        ["restore: share key of another partition"] = Restore(w => Ec2(w) with { ShareKey = "arn:aws-cn:kms:eu-west-1:111111111111:key/1111aaaa-0000-4000-8000-000000000113" }, "shareKey:"),
        ["restore: empty restore point id"] = Restore(w => Ec2(w) with { RestorePointId = "" }, "restorePointId:"),
        ["restore: 10 MB restore point id"] = Restore(w => Ec2(w) with { RestorePointId = new string('r', 10_000_000) }, "restorePointId:"),
        ["restore: restore point id with NUL"] = Restore(w => Ec2(w) with { RestorePointId = "rp-\0" }, "restorePointId:"),
        ["restore: unknown restore point"] = Restore(w => Ec2(w) with { RestorePointId = "rp-00000000" }, "restorePointId:", typeof(FerryNotFoundException)),
        ["restore: session id of an existing run"] = Restore(w => Ec2(w) with { SessionId = w.Replica.SessionId }, "sessionId:"),
        ["restore: session id of another restore"] = Restore(w => Rds(w) with { SessionId = w.Ec2Restore.SessionId }, "sessionId:"),
        ["restore: session id with spaces"] = Restore(w => Ec2(w) with { SessionId = "my session" }, "sessionId:"),
        ["restore: session id of 200 characters"] = Restore(w => Ec2(w) with { SessionId = new string('s', 200) }, "sessionId:"),
        ["restore: account as a number"] = Raw("PlanRestore", w => Harness.Json(Ec2(w)).Replace("\"targetAccount\":\"111111111111\"", "\"targetAccount\":111111111111", StringComparison.Ordinal), "PlanRestore: input $.targetAccount:"),
        ["restore: without a role"] = Raw("PlanRestore", w => $$"""{ "restorePointId": "{{w.Ec2Point.RestorePointId}}", "targetAccount": "111111111111", "targetRegion": "eu-west-1" }""", "PlanRestore: input $:"),
        ["restore: lone surrogate"] = Raw("PlanRestore", w => Harness.Json(Ec2(w)).Replace("\"targetRegion\":\"eu-west-1\"", "\"targetRegion\":\"eu-west-1\\uD800\"", StringComparison.Ordinal), "PlanRestore: input"),
        ["restore: duplicate target account"] = Raw("PlanRestore", w => Harness.Json(Ec2(w)).Replace("\"targetAccount\":\"111111111111\"", "\"targetAccount\":\"111111111111\",\"targetAccount\":\"222222222222\"", StringComparison.Ordinal), "PlanRestore: input $"),
        ["restore: null"] = Raw("PlanRestore", _ => "null", "PlanRestore: the input is empty"),
        ["restore: 10,000 nested arrays"] = Raw("PlanRestore", _ => new string('[', 10_000) + new string(']', 10_000), "PlanRestore: input"),
        ["restore: an array"] = Raw("PlanRestore", _ => "[]", "PlanRestore: input $:"),

        // RecordOutcome: an outcome must say what happened.
        ["outcome: no status, error or job"] = Step("RecordOutcome", w => new OutcomeInput("p", w.Replica.SessionId, AppKeyed), "status:"),
        ["outcome: status Running"] = Step("RecordOutcome", w => new OutcomeInput("p", w.Replica.SessionId, AppKeyed, ResourceStatus.Running), "status:"),
        ["outcome: Success with an error"] = Step("RecordOutcome", w => new OutcomeInput("p", w.Replica.SessionId, AppKeyed, ResourceStatus.Success, Error: "FerryAccessDeniedException"), "status:"),
        ["outcome: cause without error"] = Step("RecordOutcome", w => new OutcomeInput("p", w.Replica.SessionId, AppKeyed, ResourceStatus.Failed, Cause: "boom"), "error:"),
        ["outcome: job of another resource"] = Step("RecordOutcome", w => new OutcomeInput("p", w.Replica.SessionId, Unencrypted, Job: w.Replica), "job.resourceId:"),
        ["outcome: job of another session"] = Step("RecordOutcome", w => new OutcomeInput("p", "other-session", AppKeyed, Job: w.Replica), "job.sessionId:"),
        ["outcome: job of another policy"] = Step("RecordOutcome", w => new OutcomeInput("q", w.Replica.SessionId, AppKeyed, Job: w.Replica), "job.policyId:"),
        ["outcome: unfinished job without status"] = Step("RecordOutcome", w => new OutcomeInput("p", w.Replica.SessionId, AppKeyed, Job: w.Replica), "job.cursor:"),
        ["outcome: 10 MB reason"] = Step("RecordOutcome", w => new OutcomeInput("p", w.Replica.SessionId, AppKeyed, ResourceStatus.Failed, new string('r', 10_000_000)), "reason:"),
        ["outcome: resource id with NUL"] = Step("RecordOutcome", w => new OutcomeInput("p", w.Replica.SessionId, "i-0a1b2c3d4e5f60002\0", ResourceStatus.Failed), "resourceId:"),
        ["outcome: policy id with right-to-left mark"] = Step("RecordOutcome", w => new OutcomeInput("p\u200F", w.Replica.SessionId, AppKeyed, ResourceStatus.Failed), "policyId:"),
        ["outcome: unknown status"] = Raw("RecordOutcome", w => Harness.Json(new OutcomeInput("p", w.Replica.SessionId, AppKeyed, ResourceStatus.Failed)).Replace("\"Failed\"", "\"Bogus\"", StringComparison.Ordinal), "RecordOutcome: input $.status:"),
        ["outcome: status as a number"] = Raw("RecordOutcome", w => Harness.Json(new OutcomeInput("p", w.Replica.SessionId, AppKeyed, ResourceStatus.Failed)).Replace("\"Failed\"", "[1]", StringComparison.Ordinal), "RecordOutcome: input $.status:"),
        ["outcome: null session id"] = Raw("RecordOutcome", w => Harness.Json(new OutcomeInput("p", w.Replica.SessionId, AppKeyed, ResourceStatus.Failed)).Replace($"\"{w.Replica.SessionId}\"", "null", StringComparison.Ordinal), "RecordOutcome: input $.sessionId:"),

        // OpenSession, Discover, Plan, CloseSession, ApplyRetention.
        ["open: policy id with a path"] = Step("OpenSession", _ => new OpenSessionInput("../p"), "policyId:"),
        ["open: 10 MB policy id"] = Step("OpenSession", _ => new OpenSessionInput(new string('p', 10_000_000)), "policyId:"),
        ["open: session id with spaces"] = Step("OpenSession", _ => new OpenSessionInput("p", "a session"), "sessionId:"),
        ["open: policy id with zero-width space"] = Step("OpenSession", _ => new OpenSessionInput("p\u200B"), "policyId:"),
        ["discover: unknown region"] = Step("Discover", w => new DiscoverInput("p", w.Replica.SessionId, "eu-west-9"), "region:"),
        ["discover: session id with NUL"] = Step("Discover", _ => new DiscoverInput("p", "s\0", West), "sessionId:"),
        ["plan: 10 MB resource id"] = Step("Plan", w => new ResourceKey("p", w.Replica.SessionId, West, new string('i', 10_000_000)), "resourceId:"),
        ["plan: resource id with zero-width joiner"] = Step("Plan", w => new ResourceKey("p", w.Replica.SessionId, West, "i-0a1b2c3d4e5f\u200D60002"), "resourceId:"),
        ["close: cause without error"] = Step("CloseSession", w => new CloseSessionInput(w.Replica.SessionId, Cause: "boom"), "error:"),
        ["close: empty session id"] = Step("CloseSession", _ => new CloseSessionInput(""), "sessionId:"),
        ["retention: unknown region"] = Step("ApplyRetention", _ => new RetentionInput("p", AppKeyed, Region: "mars-1"), "region:"),
        ["retention: resource id with newline"] = Step("ApplyRetention", _ => new RetentionInput("p", "i-1\ni-2"), "resourceId:"),

        // Jobs: the parts of a job agree, and the flow runs only what the job's type can.
        ["job: cursor before the plan"] = Step(StepRunners.TakeSnapshot, w => w.Replica with { Cursor = -1 }, "cursor:"),
        ["job: cursor past the plan"] = Step(StepRunners.TakeSnapshot, w => w.Replica with { Cursor = 99 }, "cursor:"),
        ["job: RDS job with EBS snapshots"] = Step(StepRunners.TakeSnapshot, w => w.Replica with { Type = ResourceType.Rds }, "snapshots:"),
        ["job: EFS job with EBS snapshots"] = Step(StepRunners.TakeSnapshot, w => w.Replica with { Type = ResourceType.Efs }, "snapshots:"),
        ["job: RDS restore flow given an EC2 restore point"] = Step(StepRunners.Restore, w => w.Ec2Restore with { Type = ResourceType.Rds, Snapshots = SnapshotKind.RdsDb }, "steps[0].kind:"),
        ["job: EC2 restore flow given an RDS restore point"] = Step(StepRunners.Restore, w => w.RdsRestore with { Type = ResourceType.Ec2, Snapshots = SnapshotKind.Ebs }, "steps[0].kind:"),
        ["job: RDS restore with an instance type"] = Step(StepRunners.Restore, w => w.RdsRestore with { Payload = RestorePayloadOf(w.RdsRestore) with { InstanceType = "m5.large" } }, "payload.instanceType:"),
        ["job: EC2 restore with a DB class"] = Step(StepRunners.Restore, w => w.Ec2Restore with { Payload = RestorePayloadOf(w.Ec2Restore) with { DbClass = "db.r6g.large" } }, "payload.dbClass:"),
        ["job: restore with a 5,000-character instance type"] = Step(StepRunners.Restore, w => w.Ec2Restore with { Payload = RestorePayloadOf(w.Ec2Restore) with { InstanceType = new string('m', 5000) } }, "payload.instanceType:"),
        ["job: item listed twice"] = Step(StepRunners.TakeSnapshot, w => w.Replica with { Items = [w.Replica.Items[0], w.Replica.Items[0]] }, "items[1].itemId:"),
        ["job: 200 items"] = Step(StepRunners.TakeSnapshot, w => w.Replica with { Items = [.. Enumerable.Range(0, 200).Select(i => w.Replica.Items[0] with { ItemId = $"vol-{i:x17}" })] }, "items:"),
        ["job: step role is not an ARN"] = Step(StepRunners.TakeSnapshot, w => w.Replica with { Steps = [w.Replica.Steps[0] with { Role = "FerrySource" }, .. w.Replica.Steps.Skip(1)] }, "steps[0].role:"),
        ["job: step in an unknown region"] = Step(StepRunners.TakeSnapshot, w => w.Replica with { Steps = [w.Replica.Steps[0] with { Region = "eu-west-9" }, .. w.Replica.Steps.Skip(1)] }, "steps[0].region:"),
        ["job: step item the job does not carry"] = Step(StepRunners.TakeSnapshot, w => w.Replica with { Steps = [w.Replica.Steps[0] with { Items = ["vol-00000000000000000"] }, .. w.Replica.Steps.Skip(1)] }, "steps[0].items[0]:"),
        ["job: origin account of letters"] = Step(StepRunners.TakeSnapshot, w => w.Replica with { Origin = new Place("abcdefghijkl", West) }, "origin.account:"),
        ["job: 10 MB policy id"] = Step(StepRunners.TakeSnapshot, w => w.Replica with { PolicyId = new string('p', 10_000_000) }, "policyId:"),
        ["job: unknown payload kind"] = Raw(StepRunners.TakeSnapshot, w => Harness.Json(w.Replica).Replace("\"kind\":\"replica\"", "\"kind\":\"bogus\"", StringComparison.Ordinal), "TakeSnapshot: input"),
        ["job: duplicate cursor"] = Raw(StepRunners.TakeSnapshot, w => Harness.Json(w.Replica).Replace("\"cursor\":0", "\"cursor\":0,\"cursor\":5", StringComparison.Ordinal), "TakeSnapshot: input"),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task HostilePayload_IsRefusedNamingTheField(string name)
    {
        var @case = Cases[name];
        var (step, json) = @case.Payload(world);

        var error = await Assert.ThrowsAnyAsync<FerryException>(() => world.H.InvokeRawAsync(step, json));

        Assert.IsType(@case.Error ?? typeof(FerryInvalidInputException), error);
        Assert.StartsWith(@case.Field, error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length <= LongestMessage, $"{error.Message.Length} characters");
    }

    [Fact]
    public void Corpus_HasAtLeastSeventyCases() => Assert.True(Cases.Count >= 70, $"{Cases.Count} cases");

    [Fact]
    public async Task OpenSession_PolicyStoredUnderAnotherId_IsRefusedNeverRunUnderTheWrongId()
    {
        var services = world.H.Services with { Policies = new MisfiledPolicies(world.H.Services.Policies) };

        var error = await Assert.ThrowsAsync<FerryInvalidInputException>(() => new SessionSteps(services).OpenAsync(new OpenSessionInput("misfiled")));

        Assert.StartsWith("policyId: the policy stored under 'misfiled' says its id is 'p'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyStore_DocumentWhoseIdIsNotItsKey_IsRefusedNamingTheId()
    {
        var error = Assert.Throws<PolicyValidationException>(() => PolicyParser.ParseStored("other", ReplicaPolicy("p", "EC2", [AppKeyed], LocalTarget, Central, false)));

        var problem = Assert.Single(error.Errors);
        Assert.Equal(("$.id", "is 'p', but the policy is stored under 'other'"), (problem.Path, problem.Message));
    }

    /// <summary>A store that answers for any id with policy p: what a store whose key and document disagree returns.</summary>
    private sealed class MisfiledPolicies(IPolicyStore inner) : IPolicyStore
    {
        public Task<Policy?> GetAsync(string policyId, CancellationToken cancellationToken = default) => inner.GetAsync("p", cancellationToken);
    }

    private static RestoreInput Ec2(HostilePayloadWorld w) => new(w.Ec2Point.RestorePointId, SourceAccount, West, RestoreRole, AppKey);

    private static RestoreInput Rds(HostilePayloadWorld w) => new(w.RdsPoint.RestorePointId, SourceAccount, West, RestoreRole);

    private static RestorePayload RestorePayloadOf(Job job) => (RestorePayload)job.Payload;

    private static Case Restore(Func<HostilePayloadWorld, RestoreInput> input, string field, Type? error = null) =>
        new(w => ("PlanRestore", Harness.Json(input(w))), field, error);

    private static Case Step(string step, Func<HostilePayloadWorld, object> input, string field) => new(w => (step, Harness.Json(input(w))), field);

    private static Case Raw(string step, Func<HostilePayloadWorld, string> json, string field) => new(w => (step, json(w)), field);
}
