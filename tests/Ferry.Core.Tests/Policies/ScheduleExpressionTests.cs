using Ferry.Core.Policies;

namespace Ferry.Core.Tests.Policies;

public class ScheduleExpressionTests
{
    [Theory]
    [InlineData("rate(1 minute)")]
    [InlineData("rate(15 minutes)")]
    [InlineData("rate(1 day)")]
    [InlineData("cron(0 2 * * ? *)")]
    [InlineData("cron(0/15 8-18 ? * MON-FRI *)")]
    [InlineData("cron(30 3 L * ? 2026-2030)")]
    [InlineData("cron(0 4 ? * 6#3 *)")]
    [InlineData("cron(0 4 15W JAN,JUL ? *)")]
    public void Check_ValidExpression_ReturnsNull(string expression) => Assert.Null(ScheduleExpression.Check(expression));

    [Theory]
    [InlineData("rate(0 minutes)", "at least 1")]
    [InlineData("rate(5 minute)", "plural unit 'minutes'")]
    [InlineData("cron(60 2 * * ? *)", "minutes field")]
    [InlineData("cron(0 2 32 * ? *)", "day-of-month field")]
    [InlineData("cron(0 2 ? 13 MON *)", "month field")]
    [InlineData("cron(0 2 ? * MON#6 *)", "day-of-week field")]
    [InlineData("cron(0 2 ? * ? *)", "exactly one")]
    [InlineData("cron(0 2 * * ? 1800)", "year field")]
    public void Check_InvalidExpression_SaysWhichPart(string expression, string reason) =>
        Assert.Contains(reason, ScheduleExpression.Check(expression), StringComparison.Ordinal);
}
