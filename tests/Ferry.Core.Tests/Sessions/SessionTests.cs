using Ferry.Core.Sessions;

namespace Ferry.Core.Tests.Sessions;

public class SessionTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 22, 2, 0, 0, TimeSpan.Zero);

    private static ResourceOutcome Outcome(string id, ResourceStatus status) => new(id, status, null, []);

    [Theory]
    [InlineData(new[] { ResourceStatus.Success, ResourceStatus.Success }, ResourceStatus.Success)]
    [InlineData(new[] { ResourceStatus.Success, ResourceStatus.Warning }, ResourceStatus.Warning)]
    [InlineData(new[] { ResourceStatus.Warning, ResourceStatus.Failed, ResourceStatus.Success }, ResourceStatus.Failed)]
    [InlineData(new[] { ResourceStatus.Canceled, ResourceStatus.Warning }, ResourceStatus.Canceled)]
    [InlineData(new[] { ResourceStatus.Canceled, ResourceStatus.Failed }, ResourceStatus.Failed)]
    [InlineData(new ResourceStatus[0], ResourceStatus.Success)]
    public void Close_WorstResourceStatusWins(ResourceStatus[] statuses, ResourceStatus expected)
    {
        var session = statuses.Select((s, i) => Outcome($"r{i}", s))
            .Aggregate(Session.Open("s-1", SessionKind.PolicyRun, "p", At), (current, outcome) => current.WithOutcome(outcome));

        var closed = session.Close(At.AddMinutes(5));

        Assert.Equal(expected, closed.Status);
        Assert.Equal(At.AddMinutes(5), closed.EndedAt);
    }

    [Fact]
    public void Close_ResourceStillRunning_CountsAsFailedBecauseItWasDropped()
    {
        var session = Session.Open("s-1", SessionKind.PolicyRun, "p", At).WithOutcome(Outcome("r1", ResourceStatus.Running));

        Assert.Equal(ResourceStatus.Failed, session.Close(At).Status);
    }

    [Fact]
    public void WithOutcome_SameResourceTwice_KeepsOneOutcome()
    {
        var session = Session.Open("s-1", SessionKind.PolicyRun, "p", At)
            .WithOutcome(Outcome("r1", ResourceStatus.Running))
            .WithOutcome(Outcome("r1", ResourceStatus.Success));

        Assert.Equal(ResourceStatus.Success, session.Resources.Single().Status);
        Assert.Equal(ResourceStatus.Running, session.Status);
    }
}
