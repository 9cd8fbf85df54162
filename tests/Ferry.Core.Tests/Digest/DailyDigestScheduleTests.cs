using Ferry.Core.Digest;
using Ferry.Core.Policies;

namespace Ferry.Core.Tests.Digest;

/// <summary>Which scheduled runs the daily digest reports as missed: cron times in the window without a run, and rate periods after the newest run.</summary>
public class DailyDigestScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 7, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset From = Now - DailyDigest.Window;

    [Fact]
    public void DailyCron_WithARunAtItsTime_IsKept()
    {
        var schedule = new Schedule("cron(0 2 * * ? *)", "UTC");

        Assert.Null(DailyDigest.Missed(schedule, [new DateTimeOffset(2026, 12, 2, 2, 0, 20, TimeSpan.Zero)], From, Now));
    }

    [Fact]
    public void DailyCron_WithoutARunInTheWindow_IsMissedOnce_NamingTheNewestRun()
    {
        var schedule = new Schedule("cron(0 2 * * ? *)", "UTC");
        var lastWeek = new DateTimeOffset(2026, 11, 25, 2, 0, 5, TimeSpan.Zero);

        var missed = DailyDigest.Missed(schedule, [lastWeek], From, Now);

        Assert.Equal(new MissedSchedule("cron(0 2 * * ? *)", "UTC", 1, lastWeek), missed);
    }

    [Fact]
    public void HourlyCron_InATimeZone_CountsEachHourWithoutARun()
    {
        // Every hour at :30 Berlin time; runs started for all but three of the 24 hours.
        var schedule = new Schedule("cron(30 * * * ? *)", "Europe/Berlin");
        var times = Enumerable.Range(0, 24).Select(h => From.AddMinutes(30).AddHours(h)).Where(t => t <= Now - DailyDigest.Grace).ToList();
        var runs = times.Skip(3).Select(t => t.AddMinutes(2)).ToList();

        Assert.Equal(3, DailyDigest.Missed(schedule, runs, From, Now)!.Missed);
    }

    [Fact]
    public void WeekdayCron_OnASunday_ExpectsNoRun()
    {
        var sunday = new DateTimeOffset(2026, 12, 6, 23, 0, 0, TimeSpan.Zero);
        var schedule = new Schedule("cron(0 3 ? * MON-FRI *)", "UTC");

        Assert.Null(DailyDigest.Missed(schedule, [], sunday - DailyDigest.Window, sunday));
    }

    [Fact]
    public void CronRunWithinTheGrace_IsNotYetDue()
    {
        var schedule = new Schedule("cron(55 6 * * ? *)", "UTC");

        Assert.Null(DailyDigest.Missed(schedule, [From.AddMinutes(-5)], From.AddMinutes(6), Now));
    }

    [Fact]
    public void Rate_AfterTheNewestRun_MissesEachPeriodThatEndedInTheWindow()
    {
        var schedule = new Schedule("rate(6 hours)", "UTC");

        Assert.Equal(3, DailyDigest.Missed(schedule, [Now.AddHours(-19)], From, Now)!.Missed);
        Assert.Null(DailyDigest.Missed(schedule, [Now.AddHours(-5)], From, Now));
    }

    [Fact]
    public void Rate_NeverRun_MissesEveryPeriodOfTheWindow()
    {
        Assert.Equal(new MissedSchedule("rate(1 day)", "UTC", 1, null), DailyDigest.Missed(new Schedule("rate(1 day)", "UTC"), [], From, Now));
        Assert.Equal(24, DailyDigest.Missed(new Schedule("rate(1 hour)", "UTC"), [], From, Now)!.Missed);
    }

    [Theory]
    [InlineData("cron(0 12 L * ? *)", "2026-11-30T12:00:00Z")]
    [InlineData("cron(0 12 LW * ? *)", "2026-10-30T12:00:00Z")]
    [InlineData("cron(0 12 15W * ? *)", "2026-11-16T12:00:00Z")]
    [InlineData("cron(0 12 ? * 2#1 *)", "2026-11-02T12:00:00Z")]
    [InlineData("cron(0 12 ? * FRIL *)", "2026-11-27T12:00:00Z")]
    [InlineData("cron(0/20 12 ? * MON *)", "2026-11-02T12:40:00Z")]
    [InlineData("cron(0 12 1,15 JAN-DEC ? 2026)", "2026-11-15T12:00:00Z")]
    public void CronOccurrences_MatchEventBridgeSpecialFields(string expression, string expected)
    {
        var at = DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture);

        var fired = ScheduleOccurrences.Cron(new Schedule(expression, "UTC"), at.AddHours(-1), at.AddHours(1)).ToList();

        Assert.Contains(at, fired);
        Assert.DoesNotContain(at.AddDays(-1), ScheduleOccurrences.Cron(new Schedule(expression, "UTC"), at.AddDays(-1).AddMinutes(-1), at.AddDays(-1).AddMinutes(1)));
    }
}
