using System.Globalization;

namespace Ferry.Core.Policies;

/// <summary>
/// When a policy's schedule fires, as EventBridge Scheduler fires it: a cron expression at every minute of its time zone
/// that matches all six fields; a rate every period counted from when it first ran (which only the runs themselves tell).
/// Only valid expressions (<see cref="ScheduleExpression.Check"/>) reach here: a policy is parsed before it is used.
/// </summary>
public static class ScheduleOccurrences
{
    /// <summary>A rate expression's period, or null for a cron expression.</summary>
    public static TimeSpan? RatePeriod(string expression)
    {
        var rate = ScheduleExpression.RatePattern().Match(expression);
        if (!rate.Success)
            return null;
        var value = int.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture);
        return rate.Groups[2].Value.TrimEnd('s') switch
        {
            "minute" => TimeSpan.FromMinutes(value),
            "hour" => TimeSpan.FromHours(value),
            _ => TimeSpan.FromDays(value),
        };
    }

    /// <summary>The minutes in [<paramref name="from"/>, <paramref name="to"/>] at which a cron schedule fires.</summary>
    public static IEnumerable<DateTimeOffset> Cron(Schedule schedule, DateTimeOffset from, DateTimeOffset to)
    {
        var fields = ScheduleExpression.CronPattern().Match(schedule.Expression).Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone);
        var first = new DateTimeOffset(from.UtcDateTime.Ticks - from.UtcDateTime.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        if (first < from)
            first = first.AddMinutes(1);
        for (var minute = first; minute <= to; minute = minute.AddMinutes(1))
        {
            var local = TimeZoneInfo.ConvertTime(minute, zone).DateTime;
            if (Matches(fields, local))
                yield return minute;
        }
    }

    private static bool Matches(string[] f, DateTime t) =>
        Field(f[0], t.Minute, 0, 59, null)
        && Field(f[1], t.Hour, 0, 23, null)
        && Field(f[3], t.Month, 1, 12, Months)
        && Field(f[5], t.Year, 1970, 2199, null)
        && DayOfMonth(f[2], t)
        && DayOfWeek(f[4], t);

    private static readonly string[] Months = ScheduleExpression.Months;
    private static readonly string[] Days = ScheduleExpression.Days;

    private static bool DayOfMonth(string field, DateTime t)
    {
        if (field == "?")
            return true;
        var last = DateTime.DaysInMonth(t.Year, t.Month);
        return field.Split(',').Any(item => item switch
        {
            "L" => t.Day == last,
            "LW" => t.Day == NearestWeekday(t, last),
            _ when item.EndsWith('W') => t.Day == NearestWeekday(t, Math.Min(Value(item[..^1], null), last)),
            _ => Item(item, t.Day, 1, 31, null),
        });
    }

    /// <summary>The weekday nearest to a day of the month, never crossing into another month (cron's W).</summary>
    private static int NearestWeekday(DateTime t, int day)
    {
        var last = DateTime.DaysInMonth(t.Year, t.Month);
        return new DateTime(t.Year, t.Month, day).DayOfWeek switch
        {
            System.DayOfWeek.Saturday => day == 1 ? 3 : day - 1,
            System.DayOfWeek.Sunday => day == last ? day - 2 : day + 1,
            _ => day,
        };
    }

    private static bool DayOfWeek(string field, DateTime t)
    {
        if (field == "?")
            return true;
        var day = (int)t.DayOfWeek + 1;
        return field.Split(',').Any(item =>
        {
            if (item.EndsWith('L') && item.Length > 1)
                return day == Value(item[..^1], Days) && t.Day + 7 > DateTime.DaysInMonth(t.Year, t.Month);
            var hash = item.Split('#');
            if (hash.Length == 2)
                return day == Value(hash[0], Days) && (t.Day - 1) / 7 + 1 == Value(hash[1], null);
            return Item(item, day, 1, 7, Days);
        });
    }

    private static bool Field(string field, int value, int min, int max, string[]? names) =>
        field.Split(',').Any(item => Item(item, value, min, max, names));

    private static bool Item(string item, int value, int min, int max, string[]? names)
    {
        var step = item.Split('/');
        var every = step.Length == 2 ? Value(step[1], null) : 1;
        var range = step[0].Split('-');
        var (low, high) = step[0] == "*"
            ? (min, max)
            : range.Length == 2 ? (Value(range[0], names), Value(range[1], names)) : (Value(range[0], names), step.Length == 2 ? max : Value(range[0], names));
        return value >= low && value <= high && (value - low) % every == 0;
    }

    private static int Value(string text, string[]? names)
    {
        var index = names is null ? -1 : Array.IndexOf(names, text.ToUpperInvariant());
        // Month and day names count from 1, as their numbers do (JAN = 1, SUN = 1).
        return index >= 0 ? index + 1 : int.Parse(text, CultureInfo.InvariantCulture);
    }
}
