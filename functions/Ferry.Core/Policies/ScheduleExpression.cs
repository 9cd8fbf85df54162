using System.Globalization;
using System.Text.RegularExpressions;

namespace Ferry.Core.Policies;

/// <summary>Checks EventBridge Scheduler expressions: <c>rate(value unit)</c> and six-field <c>cron(...)</c>.</summary>
public static partial class ScheduleExpression
{
    internal static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    internal static readonly string[] Days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    /// <summary>Null when valid, otherwise the reason.</summary>
    public static string? Check(string expression)
    {
        var rate = RatePattern().Match(expression);
        if (rate.Success)
            return CheckRate(rate.Groups[1].Value, rate.Groups[2].Value);
        var cron = CronPattern().Match(expression);
        if (cron.Success)
            return CheckCron(cron.Groups[1].Value);
        return $"'{expression}' is neither cron(minutes hours day-of-month month day-of-week year) nor rate(value unit)";
    }

    /// <summary>Null when <paramref name="name"/> is a time zone this machine knows, otherwise the reason.</summary>
    public static string? CheckTimeZone(string name) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(name, out _) ? null : $"'{name}' is not a known time zone (use an IANA name such as Europe/Berlin)";

    private static string? CheckRate(string valueText, string unit)
    {
        if (!int.TryParse(valueText, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
            return $"rate value '{valueText}' must be a whole number of at least 1";
        var singular = unit.TrimEnd('s');
        if (singular is not ("minute" or "hour" or "day"))
            return $"rate unit '{unit}' must be minute(s), hour(s) or day(s)";
        if (value == 1 && unit != singular)
            return $"rate(1 {unit}) must use the singular unit '{singular}'";
        if (value > 1 && unit == singular)
            return $"rate({value} {unit}) must use the plural unit '{singular}s'";
        return null;
    }

    private static string? CheckCron(string body)
    {
        var fields = body.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 6)
            return $"cron needs 6 fields (minutes hours day-of-month month day-of-week year), found {fields.Length}";
        var (dayOfMonth, dayOfWeek) = (fields[2], fields[4]);
        if ((dayOfMonth == "?") == (dayOfWeek == "?"))
            return "cron needs '?' in exactly one of day-of-month and day-of-week";
        return CheckField("minutes", fields[0], 0, 59, null, FieldExtras.None)
            ?? CheckField("hours", fields[1], 0, 23, null, FieldExtras.None)
            ?? CheckField("day-of-month", dayOfMonth, 1, 31, null, FieldExtras.Question | FieldExtras.DayOfMonth)
            ?? CheckField("month", fields[3], 1, 12, Months, FieldExtras.None)
            ?? CheckField("day-of-week", dayOfWeek, 1, 7, Days, FieldExtras.Question | FieldExtras.DayOfWeek)
            ?? CheckField("year", fields[5], 1970, 2199, null, FieldExtras.None);
    }

    [Flags]
    private enum FieldExtras
    {
        None = 0,
        Question = 1,
        DayOfMonth = 2,
        DayOfWeek = 4,
    }

    private static string? CheckField(string field, string text, int min, int max, string[]? names, FieldExtras extras)
    {
        if (text == "?" && extras.HasFlag(FieldExtras.Question))
            return null;
        foreach (var item in text.Split(','))
        {
            if (!ItemIsValid(item, min, max, names, extras))
                return $"cron {field} field '{text}' is not valid (allowed values {min}-{max}{(names is null ? "" : " or " + names[0] + "-" + names[^1])})";
        }
        return null;
    }

    private static bool ItemIsValid(string item, int min, int max, string[]? names, FieldExtras extras)
    {
        if (item == "*")
            return true;
        if (extras.HasFlag(FieldExtras.DayOfMonth) && (item is "L" or "LW" || (item.EndsWith('W') && IsValue(item[..^1], min, max, null))))
            return true;
        if (extras.HasFlag(FieldExtras.DayOfWeek))
        {
            if (item.EndsWith('L') && IsValue(item[..^1], min, max, names))
                return true;
            var hash = item.Split('#');
            if (hash.Length == 2)
                return IsValue(hash[0], min, max, names) && IsValue(hash[1], 1, 5, null);
        }
        var step = item.Split('/');
        if (step.Length > 2)
            return false;
        if (step.Length == 2 && !IsValue(step[1], 1, max, null))
            return false;
        if (step[0] == "*")
            return step.Length == 2;
        var range = step[0].Split('-');
        return range.Length switch
        {
            1 => IsValue(range[0], min, max, names),
            2 => IsValue(range[0], min, max, names) && IsValue(range[1], min, max, names),
            _ => false,
        };
    }

    private static bool IsValue(string text, int min, int max, string[]? names)
    {
        if (names is not null && Array.IndexOf(names, text.ToUpperInvariant()) >= 0)
            return true;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max;
    }

    [GeneratedRegex(@"^rate\(\s*([^\s)]+)\s+([a-z]+)\s*\)$")]
    internal static partial Regex RatePattern();

    [GeneratedRegex(@"^cron\((.*)\)$")]
    internal static partial Regex CronPattern();
}
