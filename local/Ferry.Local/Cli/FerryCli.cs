using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Core.Sessions;
using Ferry.Local.Demo;
using Ferry.Local.Planning;
using Ferry.Local.Runtime;
using Spectre.Console;

namespace Ferry.Local.Cli;

/// <summary>
/// The operator's commands (README "Using Ferry"): up, policies, run, sessions, session, restore-points, restore. Each talks
/// to the local stack <c>ferry up</c> runs, or with --aws to the deployed FerryBackup stack, through the same ports.
/// </summary>
public sealed class FerryCli(CliIo io)
{
    private readonly Option<bool> _aws = new("--aws") { Description = "Use the deployed FerryBackup stack (standard AWS credential chain) instead of the local one", Recursive = true };
    private readonly Option<string?> _profile = new("--profile") { Description = "With --aws: the AWS profile to use", Recursive = true };
    /// <summary>With --aws, the region of the deployed stack: --region on every command but restore, whose --region is the target's.</summary>
    private readonly Option<string?> _region = StackRegion("--region");
    private readonly Option<string?> _stackRegion = StackRegion("--stack-region");
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON for scripts instead of tables", Recursive = true };

    /// <summary>Parses and runs a command line: a usage error (a missing or unknown option, a bad value) is one line per problem and exit code 2.</summary>
    public static async Task<int> InvokeAsync(RootCommand root, IReadOnlyList<string> args, CliIo io)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                await io.Error.WriteLineAsync($"ferry: {string.Join(' ', error.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))} (see `ferry {string.Join(' ', CommandPath(parse.CommandResult.Command, root))} --help`)".Replace("ferry  --help", "ferry --help", StringComparison.Ordinal));
            return ExitCodes.Invalid;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = io.Out, Error = io.Error });
    }

    private static IEnumerable<string> CommandPath(Command command, RootCommand root)
    {
        var path = new List<string>();
        for (Command? at = command; at is not null && at != root; at = at.Parents.OfType<Command>().FirstOrDefault())
            path.Insert(0, at.Name);
        return path;
    }

    /// <summary>Adds the operator's commands to the root command.</summary>
    public void AddTo(RootCommand root)
    {
        root.Options.Add(_aws);
        root.Options.Add(_profile);
        root.Options.Add(_json);
        root.Subcommands.Add(Up());
        root.Subcommands.Add(Policies());
        root.Subcommands.Add(Run());
        root.Subcommands.Add(Sessions());
        root.Subcommands.Add(SessionCommand());
        root.Subcommands.Add(RestorePoints());
        root.Subcommands.Add(Restore());
        // Every command that talks to a stack, but restore (whose --region is the target's), takes the stack's region as --region.
        foreach (var command in root.Subcommands.SelectMany(c => c.Subcommands.Prepend(c)).Where(c => c.Name is not ("up" or "validate" or "policies" or "restore")))
            command.Options.Add(_region);
    }

    private Command Up()
    {
        var world = new Argument<string>("WORLD") { Description = "A world file, or the name of one in local/worlds (replicas, efs)", DefaultValueFactory = _ => "replicas" };
        var acceleration = new Option<double>("--acceleration") { Description = "Simulated seconds per real second", DefaultValueFactory = _ => 600 };
        var command = new Command("up", "Start the local stack (DynamoDB, Lambda host, ASL runner, simulated AWS) and keep it running until stopped") { world, acceleration };
        command.SetAction((parse, ct) => Guarded(async () =>
        {
            if (UpState.Read(io.StateFile) is { } running)
                throw new CliException($"a local stack is already running (pid {running.Pid}, {running.World}): stop it first, or use it");
            var file = WorldFile(parse.GetValue(world)!);
            await using var stack = await LocalStack.StartAsync(file, io.StateFile, parse.GetValue(acceleration));
            var state = stack.State;
            io.Out.WriteLine($"Ferry local stack: world {state.World}, account {state.Account}, region {state.Region}");
            io.Out.WriteLine($"  clock           simulated, {state.Acceleration:0}× real time, now {Time(state.Now)}");
            io.Out.WriteLine($"  dynamodb        {state.DynamoDb} (tables {state.TablePrefix}-*)");
            io.Out.WriteLine($"  step functions  {state.StepFunctions}");
            io.Out.WriteLine($"  lambda host     {stack.Ferry.Host.Url}");
            io.Out.WriteLine($"  state file      {Path.GetRelativePath(Repository.Root, io.StateFile)} (other ferry commands read it)");
            io.Out.WriteLine("Running; stop with Ctrl+C.");
            await io.Out.FlushAsync(ct);
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                io.Out.WriteLine("Stopping the local stack.");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string WorldFile(string world)
    {
        if (File.Exists(world))
            return Path.GetFullPath(world);
        var bundled = Repository.PathOf("local", "worlds", world.EndsWith(".json", StringComparison.Ordinal) ? world : world + ".json");
        return File.Exists(bundled)
            ? bundled
            : throw new CliException($"WORLD: no world file \"{world}\" (bundled: {string.Join(", ", Directory.GetFiles(Repository.PathOf("local", "worlds"), "*.json").Select(Path.GetFileNameWithoutExtension))})", ExitCodes.Invalid);
    }

    private Command Policies()
    {
        var id = new Argument<string>("ID");
        var files = new Argument<string[]>("FILE") { Arity = ArgumentArity.OneOrMore, Description = "Policy documents (JSON)" };

        var list = new Command("list", "The stored policies");
        list.SetAction((parse, ct) => WithTarget(parse, ct, _region, async target =>
        {
            var rows = (await target.Policies.ListAsync(ct))
                .Select(p => new PolicyRow(p.Policy.Id, p.Policy.Name, p.Policy.Type, p.Policy.Schedule?.Expression, p.UpdatedAt)).ToList();
            if (Json(parse, (IReadOnlyList<PolicyRow>)rows))
                return ExitCodes.Ok;
            Table(["Policy", "Name", "Type", "Schedule", "Updated"], rows.Select(r => new[] { r.Id, r.Name, r.Type.ToString(), r.Schedule ?? "-", Time(r.UpdatedAt) }));
            return ExitCodes.Ok;
        }));

        var show = new Command("show", "A stored policy, as Ferry reads it") { id };
        show.SetAction((parse, ct) => WithTarget(parse, ct, _region, async target =>
        {
            var policy = await PolicyAsync(target, parse.GetValue(id)!, ct);
            io.Out.WriteLine(CliJson.Write(policy));
            return ExitCodes.Ok;
        }));

        var put = new Command("put", "Validate policy documents and store them (all or none)") { files };
        put.SetAction((parse, ct) => WithTarget(parse, ct, _region, async target =>
        {
            var checks = Check(parse.GetValue(files)!);
            if (checks.Any(c => !c.Valid))
                return Invalid(parse, checks);
            foreach (var file in parse.GetValue(files)!)
                await target.Policies.PutAsync(await File.ReadAllTextAsync(file, ct), ct);
            if (!Json(parse, checks))
            {
                foreach (var check in checks)
                    io.Out.WriteLine($"stored policy {check.Id} ({check.File}) in the {target.Description}");
            }
            return ExitCodes.Ok;
        }));

        var delete = new Command("delete", "Delete a stored policy (its sessions and restore points stay)") { id };
        delete.SetAction((parse, ct) => WithTarget(parse, ct, _region, async target =>
        {
            var policyId = parse.GetValue(id)!;
            if (!await target.Policies.DeleteAsync(policyId, ct))
                throw UnknownPolicy(policyId);
            io.Out.WriteLine($"deleted policy {policyId}");
            return ExitCodes.Ok;
        }));

        var validate = new Command("validate", "Check policy documents without storing them; lists every invalid field by JSON path") { files };
        validate.SetAction(parse => Guarded(() =>
        {
            var checks = Check(parse.GetValue(files)!);
            if (checks.Any(c => !c.Valid))
                return Task.FromResult(Invalid(parse, checks));
            if (!Json(parse, checks))
            {
                foreach (var check in checks)
                    io.Out.WriteLine($"valid: {check.File} (policy {check.Id})");
            }
            return Task.FromResult(ExitCodes.Ok);
        }));

        return new Command("policies", "List, show, store, delete and validate policies") { list, show, put, delete, validate };
    }

    private static List<PolicyCheck> Check(IEnumerable<string> files) =>
    [
        .. files.Select(file =>
        {
            if (!File.Exists(file))
                return new PolicyCheck(file, false, null, ["no such file"]);
            var (policy, errors) = PolicyParser.TryParse(File.ReadAllText(file));
            return new PolicyCheck(file, policy is not null, policy?.Id, [.. errors.Select(e => e.ToString())]);
        }),
    ];

    private int Invalid(ParseResult parse, IReadOnlyList<PolicyCheck> checks)
    {
        if (!Json(parse, checks))
        {
            foreach (var check in checks.Where(c => !c.Valid))
            {
                io.Error.WriteLine($"{check.File}: invalid policy");
                foreach (var error in check.Errors)
                    io.Error.WriteLine($"  {error}");
            }
        }
        return ExitCodes.Invalid;
    }

    private Command Run()
    {
        var policy = new Argument<string>("POLICY");
        var watch = new Option<bool>("--watch") { Description = "Follow the run live; exit with a code for the session's status" };
        var command = new Command("run", "Start a run of a policy, as its schedule would") { policy, watch };
        command.SetAction((parse, ct) => WithTarget(parse, ct, _region, async target =>
        {
            var policyId = (await PolicyAsync(target, parse.GetValue(policy)!, ct)).Id;
            var name = ExecutionName();
            var arn = await target.Executions.StartAsync(Flows.PolicyRun, name, new JsonObject { ["policyId"] = policyId }.ToJsonString(), ct);
            // OpenSession names the session after the execution (policy-run.asl.json).
            return await StartedAsync(parse, target, arn, $"{policyId}-{name}", parse.GetValue(watch), ct);
        }));
        return command;
    }

    private Command Sessions()
    {
        var policy = new Option<string?>("--policy") { Description = "Only this policy's sessions" };
        var status = new Option<ResourceStatus?>("--status") { Description = "Only sessions with this status (Running, Success, Warning, Canceled, Failed)" };
        var since = new Option<string?>("--since") { Description = "Only sessions started since: a duration back from now (30m, 12h, 7d) or a UTC time (2026-12-01T00:00Z)" };
        var command = new Command("sessions", "Policy runs and restores, newest first") { policy, status, since };
        command.SetAction((parse, ct) => WithTarget(parse, ct, _region, async target =>
        {
            var from = Since(parse.GetValue(since), target.Now);
            var ids = parse.GetValue(policy) is { } one ? [one] : (await target.Policies.ListAsync(ct)).Select(p => p.Policy.Id).ToList();
            var sessions = new List<Session>();
            foreach (var policyId in ids)
                sessions.AddRange(await target.Sessions.ListByPolicyAsync(policyId, ct));
            IReadOnlyList<Session> shown = [.. sessions
                .Where(s => parse.GetValue(status) is not { } wanted || s.Status == wanted)
                .Where(s => from is null || s.StartedAt >= from)
                .OrderByDescending(s => s.StartedAt)];
            if (Json(parse, shown))
                return ExitCodes.Ok;
            Table(["Session", "Policy", "Kind", "Status", "Started", "Ended", "Reason"],
                shown.Select(s => new[] { s.SessionId, s.PolicyId, s.Kind.ToString(), s.Status.ToString(), Time(s.StartedAt), Time(s.EndedAt), s.Reason ?? "" }));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <param name="now">The stack's time, which a duration counts back from.</param>
    private static DateTimeOffset? Since(string? since, DateTimeOffset now)
    {
        if (since is null)
            return null;
        if (since.Length > 1 && double.TryParse(since[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0)
        {
            TimeSpan? back = since[^1] switch { 'm' => TimeSpan.FromMinutes(amount), 'h' => TimeSpan.FromHours(amount), 'd' => TimeSpan.FromDays(amount), _ => null };
            if (back is { } span)
                return now - span;
        }
        return DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : throw new CliException($"--since: \"{since}\" is neither a duration (30m, 12h, 7d) nor a time (2026-12-01T00:00Z)", ExitCodes.Invalid);
    }

    private Command SessionCommand()
    {
        var id = new Argument<string>("ID");
        var command = new Command("session", "One session's report: status, each resource's outcome, the steps done with their roles, reasons") { id };
        command.SetAction((parse, ct) => WithTarget(parse, ct, _region, async target =>
        {
            var sessionId = parse.GetValue(id)!;
            var session = await target.Sessions.GetAsync(sessionId, ct)
                ?? throw new CliException($"no session \"{sessionId}\": `ferry sessions` lists them");
            if (!Json(parse, session))
                Report(session);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private Command RestorePoints()
    {
        var resource = new Argument<string>("RESOURCE") { Description = "The resource's id (an instance, DB, cluster or file system id)" };
        var policy = new Option<string?>("--policy") { Description = "Only this policy's restore points" };
        var command = new Command("restore-points", "A resource's restore points, newest first") { resource, policy };
        command.SetAction((parse, ct) => WithTarget(parse, ct, _region, async target =>
        {
            var ids = parse.GetValue(policy) is { } one ? [one] : (await target.Policies.ListAsync(ct)).Select(p => p.Policy.Id).ToList();
            var points = new List<RestorePoint>();
            foreach (var policyId in ids)
                points.AddRange(await target.RestorePoints.ListAsync(policyId, parse.GetValue(resource)!, ct));
            IReadOnlyList<RestorePoint> shown = [.. points.OrderByDescending(p => p.CreatedAt)];
            if (Json(parse, shown))
                return ExitCodes.Ok;
            Table(["Restore point", "Policy", "Created", "Kind", "Account", "Region", "Key", "Snapshots"],
                shown.Select(p => new[]
                {
                    p.RestorePointId, p.PolicyId, Time(p.CreatedAt), p.IsReplica ? "replica" : "snapshot", p.AccountId, p.Region,
                    string.Join(", ", p.Snapshots.Select(s => s.KmsKeyId).Distinct().Select(k => k ?? "unencrypted")),
                    string.Join(", ", p.Snapshots.Select(s => s.SnapshotId)),
                }));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private Command Restore()
    {
        var point = new Argument<string>("RESTORE_POINT");
        var account = new Option<string>("--account") { Description = "The target account", Required = true };
        var region = new Option<string>("--region") { Description = "The target region", Required = true };
        var role = new Option<string>("--role") { Description = "The restore role (in the target account)", Required = true };
        var key = new Option<string?>("--key") { Description = "The KMS key (in the target region) the restored volumes or DB are encrypted with" };
        var instanceType = new Option<string?>("--instance-type") { Description = "EC2: the instance type (default: the original's)" };
        var dbClass = new Option<string?>("--db-class") { Description = "RDS: the DB instance class (default: the original's)" };
        var identifier = new Option<string?>("--identifier") { Description = "RDS: the new DB identifier" };
        var session = new Option<string?>("--session") { Description = "The restore session's id (default: restore-<execution name>)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate and plan, then stop" };
        var watch = new Option<bool>("--watch") { Description = "Follow the restore live; exit with a code for the session's status" };
        var command = new Command("restore", "Validate and plan a restore (printing the plan), then start the restore flow")
            { point, account, region, role, key, instanceType, dbClass, identifier, session, dryRun, watch, _stackRegion };
        command.SetAction((parse, ct) => WithTarget(parse, ct, _stackRegion, async target =>
        {
            var name = ExecutionName();
            var input = new RestoreInput(parse.GetValue(point)!, parse.GetValue(account)!, parse.GetValue(region)!, parse.GetValue(role)!, parse.GetValue(key),
                parse.GetValue(instanceType), parse.GetValue(dbClass), parse.GetValue(identifier), parse.GetValue(session) ?? $"restore-{name}");
            var plan = await PlanRestoreAsync(target, input, ct);
            var json = parse.GetValue(_json);
            if (!json)
                PlanTable.Write(io.Out, [plan]);
            if (parse.GetValue(dryRun) || plan.Verdict != Verdict.Proceed)
            {
                if (json)
                    io.Out.WriteLine(CliJson.Write(new RestorePlanned(plan, parse.GetValue(dryRun), null)));
                else
                    io.Out.WriteLine(plan.Verdict == Verdict.Proceed ? "dry run: nothing started" : $"not started: the plan says {plan.Verdict}");
                return plan.Verdict == Verdict.Proceed ? ExitCodes.Ok : ExitCodes.Of(plan.ExpectedStatus);
            }
            var arn = await target.Executions.StartAsync(Flows.Restore, name, System.Text.Json.JsonSerializer.Serialize(input, Functions.FerryJson.Default.RestoreInput), ct);
            return await StartedAsync(parse, target, arn, input.SessionId!, parse.GetValue(watch), ct, started => CliJson.Write(new RestorePlanned(plan, false, started)));
        }));
        return command;
    }

    /// <summary>
    /// The restore flow's own checks before anything starts, with the same code: the request's fields (StepInputs), that the restore
    /// point exists and fits them, then RestorePlanner's plan. Keys are taken as the restore point recorded them; the flow describes
    /// them as the owner role and checks each role's key access when it runs.
    /// </summary>
    private static async Task<ResourcePlan> PlanRestoreAsync(FerryTarget target, RestoreInput input, CancellationToken ct)
    {
        Invalid(() => StepInputs.Check(input));
        var point = await target.RestorePoints.GetAsync(input.RestorePointId, ct)
            ?? throw new CliException($"restore point \"{input.RestorePointId}\" not found: `ferry restore-points RESOURCE` lists a resource's restore points");
        Invalid(() => StepInputs.CheckFits(input, point.Type, point.RestorePointId));
        var snapshots = point.Snapshots.Select(s => new SnapshotFacts(s.SnapshotId, s.ItemId, s.Encrypted,
            s.Encrypted && s.KmsKeyId is not null ? new KeyFacts(s.KmsKeyId, point.AccountId, point.Region, false) : null, s.DeviceName)).ToList();
        var request = new RestoreRequest(input.TargetAccount, input.TargetRegion, input.RestoreRole, input.TargetKmsKey, input.InstanceType, input.DbClass, input.NewIdentifier);
        return RestorePlanner.Plan(RestoreSteps.FactsOf(point, snapshots), request);
    }

    /// <summary>The request's field names, as the CLI's options name them.</summary>
    private static readonly Dictionary<string, string> RestoreOptions = new(StringComparer.Ordinal)
    {
        ["restorePointId"] = "RESTORE_POINT", ["targetAccount"] = "--account", ["targetRegion"] = "--region", ["restoreRole"] = "--role",
        ["targetKmsKey"] = "--key", ["instanceType"] = "--instance-type", ["dbClass"] = "--db-class", ["newIdentifier"] = "--identifier", ["sessionId"] = "--session",
    };

    private static void Invalid(Action check)
    {
        try
        {
            check();
        }
        catch (FerryInvalidInputException e)
        {
            var field = e.Message.Split(':')[0];
            var option = RestoreOptions.TryGetValue(field, out var name) ? $"{name} ({field})" : field;
            throw new CliException($"invalid restore request: {option}{e.Message[field.Length..]}", ExitCodes.Invalid);
        }
    }

    /// <summary>After a start: print where to follow it, or follow it to the end (--watch) and exit with the session's status.</summary>
    /// <param name="json">The --json document of what started (a restore's carries its plan too).</param>
    private async Task<int> StartedAsync(ParseResult parse, FerryTarget target, string executionArn, string sessionId, bool watch, CancellationToken ct,
        Func<Started, string>? json = null)
    {
        json ??= CliJson.Write;
        var quiet = parse.GetValue(_json);
        var started = new Started(executionArn, sessionId);
        if (!watch)
        {
            if (quiet)
                io.Out.WriteLine(json(started));
            else
                io.Out.WriteLine($"started {executionArn}\n  session {sessionId}: follow it with `ferry session {sessionId}`");
            return ExitCodes.Ok;
        }
        if (!quiet)
            io.Out.WriteLine($"started {executionArn}, session {sessionId}");
        var (execution, session) = await new SessionWatch(target, io.Console, quiet).FollowAsync(executionArn, sessionId, ct);
        var code = session is { EndedAt: not null } ended ? ExitCodes.Of(ended.Status) : ExitCodes.Failed;
        if (quiet)
        {
            io.Out.WriteLine(json(started with { Status = session?.Status.ToString() ?? execution.Status, ExitCode = code, Session = session }));
            return code;
        }
        if (execution.Status != "SUCCEEDED")
            io.Out.WriteLine($"execution {execution.Status}: {execution.Error}: {execution.Cause}");
        if (session is not null)
            Report(session);
        else
            io.Out.WriteLine($"the execution opened no session {sessionId}");
        return code;
    }

    private void Report(Session session)
    {
        SessionReport.Write(io.Out, session, _ => null, _ => null);
        if (session.Reason is { Length: > 0 } reason)
            io.Out.WriteLine($"  why: {reason}");
    }

    private static async Task<Policy> PolicyAsync(FerryTarget target, string policyId, CancellationToken ct) =>
        await target.Policies.GetAsync(policyId, ct) ?? throw UnknownPolicy(policyId);

    private static CliException UnknownPolicy(string policyId) =>
        new($"unknown policy \"{policyId}\": `ferry policies list` shows the stored ones, `ferry policies put FILE` stores one");

    /// <summary>A unique execution name (Step Functions keeps names for 90 days): the time and a random suffix.</summary>
    private static string ExecutionName() =>
        $"cli-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";

    private bool Json<T>(ParseResult parse, T value)
    {
        if (!parse.GetValue(_json))
            return false;
        io.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(value, typeof(T), CliJson.Default));
        return true;
    }

    private void Table(string[] header, IEnumerable<string[]> rows)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in header)
            table.AddColumn(new TableColumn(column));
        foreach (var row in rows)
            table.AddRow([.. row.Select(cell => new Text(cell))]);
        io.Console.Write(table);
    }

    private static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    private static Option<string?> StackRegion(string name) => new(name) { Description = "With --aws: the region Ferry is deployed in (default: the profile's or AWS_REGION)" };

    private Task<int> WithTarget(ParseResult parse, CancellationToken ct, Option<string?> region, Func<FerryTarget, Task<int>> action) => Guarded(async () =>
    {
        using var target = await FerryTarget.ConnectAsync(
            new TargetOptions(parse.GetValue(_aws), parse.GetValue(_profile), parse.GetValue(region), io.StateFile), ct);
        return await action(target);
    });

    /// <summary>Every error as one line on stderr, without a stack trace.</summary>
    private async Task<int> Guarded(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (CliException e)
        {
            io.Error.WriteLine($"ferry: {e.Message}");
            return e.ExitCode;
        }
        catch (PolicyValidationException e)
        {
            io.Error.WriteLine($"ferry: a stored policy is invalid: {e.Message.ReplaceLineEndings(" ")}");
            return ExitCodes.Error;
        }
        catch (FerryException e)
        {
            io.Error.WriteLine($"ferry: {e.Message.ReplaceLineEndings(" ")}");
            return e is FerryInvalidInputException ? ExitCodes.Invalid : ExitCodes.Error;
        }
        catch (StartupException e)
        {
            io.Error.WriteLine($"ferry: {e.Message}");
            return ExitCodes.Error;
        }
    }
}
