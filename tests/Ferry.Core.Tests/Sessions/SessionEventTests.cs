using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ferry.Core.Policies;
using Ferry.Core.Sessions;

namespace Ferry.Core.Tests.Sessions;

public class SessionEventTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 22, 2, 0, 0, TimeSpan.Zero);

    private static readonly JsonSerializerOptions Wire = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static Session Closed(SessionKind kind, params (string Id, ResourceStatus Status, string? Reason)[] resources) =>
        resources.Aggregate(Session.Open("p-run-1", kind, "p", At), (s, r) => s.WithOutcome(new ResourceOutcome(r.Id, r.Status, r.Reason, [])))
            .Close(At.AddMinutes(30));

    [Fact]
    public void Event_FiveThousandFailuresWithLongReasons_FitsTheDetailLimit_WorstFirst_SayingHowManyWereLeftOut()
    {
        var reason = string.Concat(Enumerable.Repeat("é\"", 2_500));
        var resources = Enumerable.Range(0, 5_000)
            .Select(i => ($"vol-{i:D17}", i % 3 == 0 ? ResourceStatus.Warning : ResourceStatus.Failed, (string?)reason))
            .Append(("vol-ok", ResourceStatus.Success, null))
            .ToArray();

        var detail = SessionEvent.Of(Closed(SessionKind.PolicyRun, resources), ResourceType.Ec2);

        Assert.True(Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(detail, Wire)) <= SessionEvent.MaxDetailBytes);
        Assert.NotEmpty(detail.Resources);
        Assert.Equal(5_000, detail.Resources.Count + detail.ResourcesLeftOut);
        Assert.All(detail.Resources, r => Assert.Equal(ResourceStatus.Failed, r.Status));
        Assert.All(detail.Resources, r => Assert.Equal(SessionEvent.MaxReasonChars, r.Reason!.Length));
        Assert.Equal(new SessionCounts(1, 1_667, 0, 3_333, 0), detail.Counts);
        Assert.Contains("- and 4990 more (the event's detail lists them).", detail.Summary, StringComparison.Ordinal);
        Assert.True(detail.Summary.Length < 8_000, $"summary of {detail.Summary.Length} characters");
    }

    [Theory]
    [InlineData(SessionKind.PolicyRun, ResourceType.Ec2, SessionEventKind.Replica)]
    [InlineData(SessionKind.PolicyRun, ResourceType.Efs, SessionEventKind.BackupCopy)]
    [InlineData(SessionKind.PolicyRun, null, SessionEventKind.PolicyRun)]
    [InlineData(SessionKind.Restore, null, SessionEventKind.Restore)]
    public void Event_Kind_IsWhatTheSessionDid(SessionKind kind, ResourceType? policyType, SessionEventKind expected)
    {
        var detail = SessionEvent.Of(Closed(kind, ("i-1", ResourceStatus.Success, null)), policyType);

        Assert.Equal(expected, detail.Kind);
        Assert.Equal((ResourceStatus.Success, 0, new SessionCounts(1, 0, 0, 0, 0)), (detail.Status, detail.ResourcesLeftOut, detail.Counts));
    }

    [Fact]
    public void Summary_SaysPolicyStatusCountsWhatFailedAndWhy_AndWhereToLook()
    {
        var session = Closed(SessionKind.PolicyRun, ("i-1", ResourceStatus.Success, null), ("i-2", ResourceStatus.Warning, "no target KMS key"),
            ("i-3", ResourceStatus.Failed, "AccessDenied: kms:CreateGrant"));

        var summary = SessionEvent.Of(session, ResourceType.Ec2).Summary;

        Assert.Equal(
            "Ferry: Replica run of policy p ended Failed (session p-run-1, started 2026-11-22 02:00:00Z, ended 2026-11-22 02:30:00Z).\n"
            + "3 resources: 1 Success, 1 Warning, 1 Failed.\n"
            + "- i-3 Failed: AccessDenied: kms:CreateGrant\n"
            + "- i-2 Warning: no target KMS key\n"
            + "Look at it: session p-run-1 in Ferry's sessions table (each resource's steps, roles and reasons), or its execution in the Step Functions console.",
            summary);
    }

    [Fact]
    public void NotifyPattern_MatchesSourceDetailTypeAndTheWarningAndFailedStatuses()
    {
        var pattern = SessionEvents.NotifyPattern();

        Assert.Equal("""{"source":["ferry"],"detail-type":["Ferry Session Completed"],"detail":{"status":["Warning","Failed"]}}""", pattern.ToJsonString());
    }
}
