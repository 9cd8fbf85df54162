using Ferry.Aws.Dynamo;
using Ferry.Core.Aws;
using Ferry.Local.Runtime;

namespace Ferry.Local.Cli;

/// <summary>
/// What <c>ferry up</c> runs: a local Ferry (dynalite, the Lambda host, the ASL runner, a simulated world) and the local
/// Step Functions endpoint in front of its runner, in the backup account and region of the world's Ferry principal.
/// </summary>
public sealed class LocalStack : IAsyncDisposable
{
    private readonly string _stateFile;

    private LocalStack(LocalFerry ferry, LocalStepFunctions states, UpState state, string stateFile)
    {
        Ferry = ferry;
        States = states;
        State = state;
        _stateFile = stateFile;
    }

    public LocalFerry Ferry { get; }

    public LocalStepFunctions States { get; }

    public UpState State { get; }

    /// <summary>The region the local stack's state machines answer in, as the deployed stack's would in its own region.</summary>
    public const string Region = "us-east-1";

    /// <summary>Starts the stack on <paramref name="world"/> and writes its endpoints to <paramref name="stateFile"/>.</summary>
    public static async Task<LocalStack> StartAsync(string world, string stateFile, double acceleration = 600)
    {
        var ferry = await LocalFerry.StartAsync(new LocalOptions(world, acceleration));
        try
        {
            var account = Arn.TryParse(ferry.Aws.Spec.Ferry.Principal, out var principal) ? principal.Account : "000000000000";
            var states = await LocalStepFunctions.StartAsync(ferry.Runner, ferry.Aws.Clock, LocalStepFunctions.FlowsIn(Repository.PathOf("statemachines")), Region, account);
            var state = new UpState(Path.GetRelativePath(Repository.Root, world), ferry.Dynalite.Endpoint, states.Url.ToString().TrimEnd('/'), Region, account,
                TableSchemas.DefaultPrefix, Environment.ProcessId, ferry.Aws.Clock.UtcNow, DateTimeOffset.UtcNow, acceleration);
            state.Write(stateFile);
            return new LocalStack(ferry, states, state, stateFile);
        }
        catch
        {
            await ferry.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (UpState.Read(_stateFile)?.Pid == Environment.ProcessId)
            File.Delete(_stateFile);
        await States.DisposeAsync();
        await Ferry.DisposeAsync();
    }
}
