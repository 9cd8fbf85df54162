using System.Globalization;
using System.Text.Json;
using Ferry.Core.Errors;

namespace Ferry.Core.Policies;

/// <summary>
/// Reads one JSON object field by field, recording an error with the field's path for
/// every missing, mistyped, oversized or unknown property, so one pass reports every problem.
/// </summary>
internal sealed class JsonFields
{
    /// <summary>The longest string a policy field takes unless it says otherwise.</summary>
    public const int DefaultMaxLength = 256;

    /// <summary>The longest ARN a policy field takes (IAM and KMS ARNs stay far below it).</summary>
    public const int MaxArnLength = 2048;

    private readonly JsonElement _element;
    private readonly List<PolicyError> _errors;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    private JsonFields(JsonElement element, string path, List<PolicyError> errors)
    {
        _element = element;
        Path = path;
        _errors = errors;
    }

    public string Path { get; }

    public List<PolicyError> Errors => _errors;

    /// <summary>Opens <paramref name="element"/> as an object, or records an error and returns null.</summary>
    public static JsonFields? Open(JsonElement element, string path, List<PolicyError> errors)
    {
        if (element.ValueKind == JsonValueKind.Object)
            return new JsonFields(element, path, errors);
        errors.Add(new PolicyError(path, $"must be an object, not {Describe(element)}"));
        return null;
    }

    public string PathOf(string name) => $"{Path}.{name}";

    public void Error(string name, string message) => _errors.Add(new PolicyError(PathOf(name), message));

    public int ErrorCount => _errors.Count;

    public bool IsEmptyArray(string name) =>
        _element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0;

    public bool Has(string name) => _element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public string? String(string name, bool required, int maxLength = DefaultMaxLength)
    {
        if (!Get(name, required, out var value))
            return null;
        if (value.ValueKind != JsonValueKind.String)
            return Mistyped(name, "a string", value);
        var text = Text(value, PathOf(name), _errors, maxLength);
        if (text is not null && text.Trim().Length == 0)
        {
            Error(name, "must not be empty");
            return null;
        }
        return text;
    }

    /// <summary>
    /// A string value, or null (after recording why) when it is longer than <paramref name="maxLength"/> or holds
    /// control or invisible format characters (NUL, right-to-left overrides, zero-width spaces), which would let a
    /// reviewer read something other than what runs. Lone surrogates never get here: <see cref="PolicyParser"/>
    /// refuses the document first.
    /// </summary>
    public static string? Text(JsonElement value, string path, List<PolicyError> errors, int maxLength = DefaultMaxLength)
    {
        var text = value.GetString()!;
        var problem = TextProblem(text, maxLength);
        if (problem is null)
            return text;
        errors.Add(new PolicyError(path, problem));
        return null;
    }

    private static string? TextProblem(string text, int maxLength)
    {
        if (text.Length > maxLength)
            return $"{Quote(text)} is {text.Length} characters long; at most {maxLength} are allowed";
        for (var i = 0; i < text.Length; i++)
        {
            var category = char.GetUnicodeCategory(text[i]);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format)
                return $"contains the {(category == UnicodeCategory.Control ? "control" : "invisible format")} character U+{(int)text[i]:X4} at position {i}";
        }
        return null;
    }

    /// <summary>A value as an error message quotes it: in quotes, cut to a short prefix.</summary>
    public static string Quote(string? text) => Quoted.Value(text);

    public bool? Bool(string name, bool required)
    {
        if (!Get(name, required, out var value))
            return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            return value.GetBoolean();
        Mistyped(name, "true or false", value);
        return null;
    }

    public int? Int(string name, bool required)
    {
        if (!Get(name, required, out var value))
            return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
            return number;
        Mistyped(name, "a whole number", value);
        return null;
    }

    public double? Number(string name, bool required)
    {
        if (!Get(name, required, out var value))
            return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number))
            return number;
        Mistyped(name, "a number", value);
        return null;
    }

    public JsonFields? Object(string name, bool required) =>
        Get(name, required, out var value) ? Open(value, PathOf(name), _errors) : null;

    /// <summary>
    /// The array's items with their paths; empty when absent, mistyped or longer than <paramref name="maxItems"/>
    /// (after recording why: an oversized list is refused whole, without reading its items).
    /// </summary>
    public IReadOnlyList<Entry> Array(string name, bool required, int maxItems)
    {
        if (!Get(name, required, out var value))
            return [];
        if (value.ValueKind != JsonValueKind.Array)
        {
            Mistyped(name, "an array", value);
            return [];
        }
        var count = value.GetArrayLength();
        if (count > maxItems)
        {
            Error(name, $"lists {count} items; at most {maxItems} are allowed");
            return [];
        }
        var path = PathOf(name);
        var items = new List<Entry>(count);
        var i = 0;
        foreach (var item in value.EnumerateArray())
            items.Add(new Entry(item, path, i++));
        return items;
    }

    /// <summary>An array item as a string, or null after recording why it is not one (wrong type, too long, control characters).</summary>
    public string? Item(Entry entry, string expected, int maxLength = DefaultMaxLength)
    {
        var text = entry.Item.ValueKind == JsonValueKind.String ? entry.Item.GetString()! : null;
        var problem = text is null ? $"must be {expected}, not {Describe(entry.Item)}" : TextProblem(text, maxLength);
        if (problem is null)
            return text;
        _errors.Add(new PolicyError(entry.Path, problem));
        return null;
    }

    /// <summary>An array item; its path is made only when an error names it, so a list of 100,000 ids makes no 100,000 paths.</summary>
    public readonly record struct Entry(JsonElement Item, string ArrayPath, int Index)
    {
        public string Path => $"{ArrayPath}[{Index}]";

        public void Deconstruct(out JsonElement item, out string path) => (item, path) = (Item, Path);
    }

    /// <summary>Reads a string that must be exactly one of <paramref name="allowed"/>: case counts, as everywhere in Ferry's JSON.</summary>
    public T? Enum<T>(string name, bool required, IReadOnlyDictionary<string, T> allowed)
        where T : struct
    {
        var text = String(name, required);
        if (text is null)
            return null;
        if (allowed.TryGetValue(text, out var result))
            return result;
        Error(name, $"{Quote(text)} is not one of {string.Join(", ", allowed.Keys)} (case counts)");
        return null;
    }

    /// <summary>Marks a property as known without reading it (it was already judged out of place).</summary>
    public void Accept(string name) => _known.Add(name);

    /// <summary>Records an error for each property that was never asked for.</summary>
    public void RejectUnknown()
    {
        foreach (var property in _element.EnumerateObject())
        {
            if (!_known.Contains(property.Name))
                _errors.Add(new PolicyError(PathOf(Quoted.Name(property.Name)), "unknown property"));
        }
    }

    private bool Get(string name, bool required, out JsonElement value)
    {
        _known.Add(name);
        if (_element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
            return true;
        if (required)
            Error(name, "is required");
        return false;
    }

    private string? Mistyped(string name, string expected, JsonElement value)
    {
        Error(name, $"must be {expected}, not {Describe(value)}");
        return null;
    }

    internal static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
