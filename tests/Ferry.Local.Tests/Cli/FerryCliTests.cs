using System.Text.Json.Nodes;
using Ferry.Local.Cli;

namespace Ferry.Local.Tests.Cli;

/// <summary>Each command against a local stack started by the test, through the same Step Functions client and stores as --aws.</summary>
public sealed class FerryCliTests(CliStackFixture stack) : IClassFixture<CliStackFixture>
{
    private const string Target = "222222222222";
    private const string RestoreRole = "arn:aws:iam::222222222222:role/FerryRestoreTarget";
    private const string TargetKey = "arn:aws:kms:eu-west-1:222222222222:key/2222bbbb-0000-4000-8000-000000000223";

    private static void Ok(CliResult result)
    {
        Assert.True(result.Code == ExitCodes.Ok, $"exit {result.Code}: {result.Error}");
        Assert.Empty(result.Error);
    }

    /// <summary>An error is one line naming what to do, with no stack trace.</summary>
    private static void OneLineError(CliResult result, int code, string expected)
    {
        Assert.Equal(code, result.Code);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ferry: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Policies_PutListShowDelete_StoreAndReadBackThroughTheStack()
    {
        Ok(await stack.RunAsync("policies", "put", CliStackFixture.Policy("ec2-unencrypted-copies.json"), CliStackFixture.Policy("rds-dr-account.json")));

        var list = await stack.RunAsync("policies", "list", "--json");
        Ok(list);
        Assert.Contains("ec2-unencrypted-copies", list.Json.AsArray().Select(p => p!["id"]!.GetValue<string>()));
        var rds = list.Json.AsArray().Single(p => p!["id"]!.GetValue<string>() == "rds-dr-account")!;
        Assert.Equal("Rds", rds["type"]!.GetValue<string>());
        var table = await stack.RunAsync("policies", "list");
        Assert.Matches(@"rds-dr-account\s+\S.*\s+Rds\s", table.Output);

        var show = await stack.RunAsync("policies", "show", "rds-dr-account");
        Ok(show);
        Assert.Equal("rds-dr-account", show.Json["id"]!.GetValue<string>());

        Ok(await stack.RunAsync("policies", "delete", "rds-dr-account"));
        OneLineError(await stack.RunAsync("policies", "show", "rds-dr-account"), ExitCodes.Error, "unknown policy \"rds-dr-account\"");
    }

    [Fact]
    public async Task PoliciesValidate_InvalidDocument_ExitsTwoNamingEveryFieldByJsonPath_AndPutStoresNothing()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ferry-cli-invalid-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{"id":"bad policy","name":"x","type":"Ec2"}""");
        try
        {
            var validate = await stack.RunAsync("policies", "validate", CliStackFixture.Policy("ec2-dr-account.json"), file, "--json");
            Assert.Equal(ExitCodes.Invalid, validate.Code);
            var checks = validate.Json.AsArray();
            Assert.True(checks[0]!["valid"]!.GetValue<bool>());
            Assert.False(checks[1]!["valid"]!.GetValue<bool>());
            Assert.Contains(checks[1]!["errors"]!.AsArray(), e => e!.GetValue<string>().StartsWith("$.id", StringComparison.Ordinal));

            var put = await stack.RunAsync("policies", "put", CliStackFixture.Policy("ec2-key-not-chosen.json"), file);
            Assert.Equal(ExitCodes.Invalid, put.Code);
            Assert.Contains("invalid policy", put.Error, StringComparison.Ordinal);
            OneLineError(await stack.RunAsync("policies", "show", "ec2-key-not-chosen"), ExitCodes.Error, "unknown policy");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task EC2_R7_RunWatch_ThenRestorePoints_ThenEC2_X2_RestoreWatch_ExitWithTheSessionsStatus()
    {
        Ok(await stack.RunAsync("policies", "put", CliStackFixture.Policy("ec2-dr-account.json")));

        // EC2-R7 succeeds, EC2-R8 and EC2-R10 fail: the session is Failed, and so is the exit code.
        var run = await stack.RunAsync("run", "ec2-dr-account", "--watch", "--json");
        Assert.Equal(ExitCodes.Failed, run.Code);
        Assert.Equal(("Failed", ExitCodes.Failed), (run.Json["status"]!.GetValue<string>(), run.Json["exitCode"]!.GetValue<int>()));
        var sessionId = run.Json["sessionId"]!.GetValue<string>();
        var outcomes = run.Json["session"]!["resources"]!.AsArray().ToDictionary(r => r!["resourceId"]!.GetValue<string>(), r => r!["status"]!.GetValue<string>());
        Assert.Equal("Success", outcomes["i-0a1b2c3d4e5f60002"]);
        Assert.Equal("Failed", outcomes["i-0a1b2c3d4e5f60003"]);

        var sessions = await stack.RunAsync("sessions", "--policy", "ec2-dr-account", "--status", "Failed", "--json");
        Ok(sessions);
        Assert.Contains(sessionId, sessions.Json.AsArray().Select(s => s!["sessionId"]!.GetValue<string>()));
        // --since counts back from the stack's now, the simulated world's.
        var recent = await stack.RunAsync("sessions", "--since", "1d", "--json");
        Assert.Contains(sessionId, recent.Json.AsArray().Select(s => s!["sessionId"]!.GetValue<string>()));
        Assert.Empty((await stack.RunAsync("sessions", "--since", "2100-01-01T00:00Z", "--json")).Json.AsArray());
        var report = await stack.RunAsync("session", sessionId);
        Ok(report);
        Assert.Contains($"Session {sessionId}: Failed", report.Output, StringComparison.Ordinal);
        Assert.Matches(@"Share\s+FerrySource\s+Shared snap-", report.Output);

        var points = await stack.RunAsync("restore-points", "i-0a1b2c3d4e5f60002", "--policy", "ec2-dr-account", "--json");
        Ok(points);
        var snapshot = points.Json.AsArray().Single(p => !p!["isReplica"]!.GetValue<bool>())!;
        Assert.Equal(("111111111111", "eu-west-1"), (snapshot["accountId"]!.GetValue<string>(), snapshot["region"]!.GetValue<string>()));
        var pointId = snapshot["restorePointId"]!.GetValue<string>();

        var restore = await stack.RunAsync("restore", pointId, "--account", Target, "--region", "eu-west-1", "--role", RestoreRole, "--key", TargetKey, "--watch", "--json");
        Assert.True(restore.Code == ExitCodes.Ok, restore.Output + restore.Error);
        Assert.Equal(["Share", "CreateInstance", "CreateVolumes", "AttachVolumes"], restore.Json["plan"]!["steps"]!.AsArray().Select(s => s!["kind"]!.GetValue<string>()));
        Assert.Equal("Success", restore.Json["started"]!["status"]!.GetValue<string>());
        Assert.Equal("Restore", restore.Json["started"]!["session"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task EC2_X2_RestoreDryRun_PrintsThePlanAndStartsNothing()
    {
        Ok(await stack.RunAsync("policies", "put", CliStackFixture.Policy("ec2-dr-account-same-region.json")));
        Assert.Equal(ExitCodes.Ok, (await stack.RunAsync("run", "ec2-dr-account-same-region", "--watch", "--json")).Code);
        var points = await stack.RunAsync("restore-points", "i-0a1b2c3d4e5f60002", "--json");
        var pointId = points.Json.AsArray().First(p => p!["policyId"]!.GetValue<string>() == "ec2-dr-account-same-region" && !p["isReplica"]!.GetValue<bool>())!["restorePointId"]!.GetValue<string>();

        var human = await stack.RunAsync("restore", pointId, "--account", Target, "--region", "eu-west-1", "--role", RestoreRole, "--key", TargetKey, "--dry-run");
        Ok(human);
        Assert.Matches(@"CreateInstance\s+\| Restore arn:aws:iam::222222222222:role/FerryRestoreTarget", human.Output);
        Assert.Contains("dry run: nothing started", human.Output, StringComparison.Ordinal);
        var json = await stack.RunAsync("restore", pointId, "--account", Target, "--region", "eu-west-1", "--role", RestoreRole, "--key", TargetKey, "--dry-run", "--json");
        Ok(json);
        Assert.True(json.Json["dryRun"]!.GetValue<bool>());
        Assert.Equal("Proceed", json.Json["plan"]!["verdict"]!.GetValue<string>());
        Assert.Null(json.Json["started"]);
    }

    [Fact]
    public async Task EC2_X2_RestoreWithoutTargetKey_PlanDoesNotProceed_StartsNothingAndExitsWithItsStatus()
    {
        Ok(await stack.RunAsync("policies", "put", CliStackFixture.Policy("ec2-dr-account-same-region.json")));
        Assert.Equal(ExitCodes.Ok, (await stack.RunAsync("run", "ec2-dr-account-same-region", "--watch", "--json")).Code);
        var points = await stack.RunAsync("restore-points", "i-0a1b2c3d4e5f60002", "--policy", "ec2-dr-account-same-region", "--json");
        // The source snapshot, in account 111111111111: restoring it into another account needs a target key.
        var pointId = points.Json.AsArray().First(p => !p!["isReplica"]!.GetValue<bool>())!["restorePointId"]!.GetValue<string>();
        var sessionsBefore = (await stack.RunAsync("sessions", "--json")).Json.AsArray().Count;

        var restore = await stack.RunAsync("restore", pointId, "--account", Target, "--region", "eu-west-1", "--role", RestoreRole, "--watch", "--json");

        Assert.Equal(ExitCodes.Failed, restore.Code);
        Assert.Equal("Fail", restore.Json["plan"]!["verdict"]!.GetValue<string>());
        Assert.Null(restore.Json["started"]);
        Assert.Equal(sessionsBefore, (await stack.RunAsync("sessions", "--json")).Json.AsArray().Count);
    }

    [Fact]
    public async Task Run_WithoutWatch_PrintsTheExecutionAndItsSession_AndExitsZero()
    {
        Ok(await stack.RunAsync("policies", "put", CliStackFixture.Policy("ec2-encrypt-everything.json")));

        var run = await stack.RunAsync("run", "ec2-encrypt-everything", "--json");

        Ok(run);
        Assert.StartsWith("arn:aws:states:us-east-1:999999999999:execution:ferry-policy-run:cli-", run.Json["executionArn"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("ec2-encrypt-everything-cli-", run.Json["sessionId"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_UnknownPolicy_UnknownSession_RestorePointNotFound_InvalidRestoreField_AreOneLine()
    {
        OneLineError(await stack.RunAsync("run", "no-such-policy", "--watch"), ExitCodes.Error, "unknown policy \"no-such-policy\": `ferry policies list`");
        OneLineError(await stack.RunAsync("session", "no-such-session"), ExitCodes.Error, "no session \"no-such-session\"");
        OneLineError(await stack.RunAsync("restore", "rp-none", "--account", Target, "--region", "eu-west-1", "--role", RestoreRole),
            ExitCodes.Error, "restore point \"rp-none\" not found");
        OneLineError(await stack.RunAsync("restore", "rp-none", "--account", "2222", "--region", "eu-west-1", "--role", RestoreRole),
            ExitCodes.Invalid, "invalid restore request: --account (targetAccount): '2222' is not a 12-digit AWS account id");
        OneLineError(await stack.RunAsync("restore", "rp-none", "--account", Target, "--region", "eu-west-1", "--role", RestoreRole, "--instance-type", "huge"),
            ExitCodes.Invalid, "--instance-type (instanceType)");
        OneLineError(await stack.RunAsync("sessions", "--since", "yesterday"), ExitCodes.Invalid, "--since: \"yesterday\"");
        OneLineError(await stack.RunAsync("restore", "rp-none", "--account", Target, "--region", "eu-west-1"), ExitCodes.Invalid, "--role");
        OneLineError(await stack.RunAsync("sessions", "--status", "Lost"), ExitCodes.Invalid, "Lost");
    }

    [Fact]
    public async Task Errors_NoLocalStack_AndNoAwsCredentials_AreOneLineSayingWhatToDo()
    {
        var nowhere = Path.Combine(Path.GetTempPath(), $"ferry-cli-none-{Guid.NewGuid():N}", "up.json");

        OneLineError(await CliStackFixture.RunWithAsync(nowhere, "policies", "list"), ExitCodes.Error,
            "no local stack is running: start one with `ferry up`, or pass --aws");
        OneLineError(await CliStackFixture.RunWithAsync(nowhere, "sessions", "--aws", "--profile", "ferry-no-such-profile"), ExitCodes.Error,
            "no AWS credentials: there is no profile \"ferry-no-such-profile\"");
    }

    [Fact]
    public async Task Up_WhileAStackRuns_RefusesInOneLine()
    {
        OneLineError(await stack.RunAsync("up"), ExitCodes.Error, "a local stack is already running");
    }
}
