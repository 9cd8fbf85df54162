using Ferry.Aws.Dynamo;
using Ferry.Functions;
using Ferry.Local.Host;
using Ferry.Local.Runtime;

namespace Ferry.Local.Tests.Host;

public sealed class TableGrantsTests : IAsyncLifetime
{
    private DynaliteServer _dynalite = null!;
    private DynamoTables _tables = null!;
    private TableGrants _grants = null!;

    public async Task InitializeAsync()
    {
        _dynalite = await DynaliteServer.StartAsync();
        _tables = await _dynalite.CreateTablesAsync($"grants-{Guid.NewGuid():N}");
        _grants = new TableGrants(_tables);
        _grants.Attach(_dynalite.Client);
    }

    public async Task DisposeAsync()
    {
        _grants.Detach(_dynalite.Client);
        await _dynalite.DisposeAsync();
    }

    private DynamoPolicyStore Policies => new(_dynalite.Client, _tables);

    private DynamoSessionStore Sessions => new(_dynalite.Client, _tables);

    [Fact]
    public async Task Step_ReadingATableItDoesNotDeclare_IsDeniedAsIamWouldDenyIt()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => AsStepAsync("TakeSnapshot", () => Policies.GetAsync("p")));

        Assert.Contains("AccessDenied", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(["TakeSnapshot read Policies (GetItem)"], _grants.Refused);
    }

    [Fact]
    public async Task Step_ReadingATableItDeclares_Passes()
    {
        var policy = await AsStepAsync("OpenSession", () => Policies.GetAsync("p"));

        Assert.Null(policy);
        Assert.Empty(_grants.Refused);
    }

    [Fact]
    public async Task Step_DeletingAnItemOfATableItOnlyWrites_IsDenied()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => AsStepAsync("RecordOutcome", async () =>
        {
            await Sessions.ReleaseRunLockAsync("p", "s");
            return true;
        }));

        Assert.Contains("AccessDenied", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(["RecordOutcome write Sessions (DeleteItem)"], _grants.Refused);
    }

    [Fact]
    public async Task Step_DeletingAnItemOfATableItDeclaresDeletesOf_Passes()
    {
        await AsStepAsync("CloseSession", async () =>
        {
            await Sessions.ReleaseRunLockAsync("p", "s");
            return true;
        });

        Assert.Empty(_grants.Refused);
    }

    [Fact]
    public async Task CallsOutsideAnyStep_Pass()
    {
        Assert.Null(await Policies.GetAsync("p"));
        Assert.Empty(_grants.Refused);
    }

    /// <summary>Runs work as a step's function does in the host; the step ends with this call.</summary>
    private static async Task<T> AsStepAsync<T>(string step, Func<Task<T>> work)
    {
        TableGrants.Enter(StepCatalog.Find(step)!);
        return await work();
    }
}
