namespace Ferry.Core.Errors;

/// <summary>How error messages quote an offending value: cut to a short prefix, so a 10 MB value never makes a 10 MB message.</summary>
public static class Quoted
{
    public const int Prefix = 64;

    public static string Value(string? text) => text is null ? "null"
        : text.Length <= Prefix ? $"'{text}'"
        : $"'{text[..Prefix]}…' ({text.Length} characters)";

    /// <summary>A name (a property or field name) as a path shows it: cut to the prefix, unquoted.</summary>
    public static string Name(string name) => name.Length <= Prefix ? name : $"{name[..Prefix]}…";
}
