using Ferry.Aws.Dynamo;
using Ferry.Core.Policies;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Functions;
using Ferry.Local.Host;
using Ferry.Simulator;
using Ferry.Simulator.World;

namespace Ferry.Local.Runtime;

/// <summary>How a local Ferry runs: which world, how fast simulated time passes, which faults.</summary>
/// <param name="Acceleration">Simulated seconds per real second.</param>
/// <param name="Faults">Overrides the world file's AWS faults.</param>
/// <param name="StepFaults">Overrides the world file's step crashes and timeouts.</param>
/// <param name="CopyQuotas">Copy slots per (account, region, service); AWS's defaults when null.</param>
public sealed record LocalOptions(string World, double Acceleration = 600, FaultSettings? Faults = null, TextWriter? StepLog = null,
    IReadOnlyList<StepFault>? StepFaults = null, CopyQuotas? CopyQuotas = null);

/// <summary>
/// Ferry on one machine: the simulated world (on an accelerated clock) on the wire behind Ferry's production AWS adapters, the real DynamoDB stores on
/// dynalite, every step behind the local Lambda host, and the real state machines in the ASL runner. Each step
/// reaches only the tables the step catalog grants it (<see cref="TableGrants"/>), as its IAM role allows in AWS.
/// </summary>
public sealed class LocalFerry : IAsyncDisposable
{
    private readonly bool _ownsDynalite;
    private readonly DynamoPolicyStore _policies;

    private LocalFerry(LocalAws wire, FerryServices services, DynamoPolicyStore policies, DynaliteServer dynalite, bool ownsDynalite, TableGrants grants, LambdaHost host,
        StateMachineRunner runner, NotificationRule notifications)
    {
        Notifications = notifications;
        _policies = policies;
        Wire = wire;
        Grants = grants;
        Services = services;
        Dynalite = dynalite;
        _ownsDynalite = ownsDynalite;
        Host = host;
        Runner = runner;
    }

    /// <summary>The simulated world, which the steps reach only over the wire.</summary>
    public SimulatedAws Aws => Wire.World;

    /// <summary>The world's endpoint and the production adapters pointed at it.</summary>
    public LocalAws Wire { get; }

    /// <summary>Validates and stores a policy document in the policies table, as the CDK stack's deployment does.</summary>
    public Task<Policy> PutPolicyAsync(string policyJson) => _policies.PutAsync(policyJson);

    public FerryServices Services { get; }

    public DynaliteServer Dynalite { get; }

    /// <summary>The table access steps were refused: none unless a step touches a table the catalog does not declare.</summary>
    public TableGrants Grants { get; }

    public LambdaHost Host { get; }

    public StateMachineRunner Runner { get; }

    /// <summary>The stack's notification rule: which of an execution's events (<see cref="Execution.Events"/>) reach people, and as which message.</summary>
    public NotificationRule Notifications { get; }

    /// <param name="dynalite">A running server to share (tests); when null, one is started and stopped with this instance.</param>
    public static async Task<LocalFerry> StartAsync(LocalOptions options, DynaliteServer? dynalite = null, string tablePrefix = "ferry")
    {
        var aws = SimulatedAws.Load(options.World, new SimulatorOptions(Faults: options.Faults, Acceleration: options.Acceleration));
        var clock = aws.Clock;
        var ownsDynalite = dynalite is null;
        dynalite ??= await DynaliteServer.StartAsync();
        LocalAws? wire = null;
        LambdaHost? host = null;
        TableGrants? grants = null;
        try
        {
            var tables = await dynalite.CreateTablesAsync(tablePrefix);
            grants = new TableGrants(tables);
            grants.Attach(dynalite.Client);
            var policies = new DynamoPolicyStore(dynalite.Client, tables, clock);
            wire = new LocalAws(aws);
            var services = new FerryServices(wire.Credentials, wire.Ports,
                policies, new DynamoSessionStore(dynalite.Client, tables),
                new DynamoRestorePointStore(dynalite.Client, tables), new DynamoCopySlots(dynalite.Client, tables.CopySlots, clock),
                clock, WaitSettings.Default) { CopyQuotas = options.CopyQuotas ?? CopyQuotas.Default };
            var log = new StepLog(options.StepLog ?? TextWriter.Null);
            // Metrics go where the steps' log lines go, as their embedded-metric-format lines do in Lambda.
            services = services with { Metrics = new EmfMetrics(log, clock) };
            host = await LambdaHost.StartAsync(services, log, stepFaults: options.StepFaults ?? aws.Spec.StepFaults);
            var runner = await StateMachineRunner.StartAsync(host.Url, options.Acceleration, clock);
            return new LocalFerry(wire, services, policies, dynalite, ownsDynalite, grants, host, runner, new NotificationRule(tables.Sessions));
        }
        catch
        {
            if (host is not null)
                await host.DisposeAsync();
            wire?.Dispose();
            grants?.Detach(dynalite.Client);
            if (ownsDynalite)
                await dynalite.DisposeAsync();
            throw;
        }
    }

    /// <param name="history">Whether to return the execution's history and its child executions' (large for a policy run).</param>
    public Task<Execution> RunAsync(string machine, object input, string? executionName = null, bool history = false) => Runner.RunAsync(machine, input, executionName, history);

    public async ValueTask DisposeAsync()
    {
        await Runner.DisposeAsync();
        await Host.DisposeAsync();
        Wire.Dispose();
        Grants.Detach(Dynalite.Client);
        if (_ownsDynalite)
            await Dynalite.DisposeAsync();
    }
}
