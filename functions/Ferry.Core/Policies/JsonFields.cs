using System.Text.Json;

namespace Ferry.Core.Policies;

/// <summary>
/// Reads one JSON object field by field, recording an error with the field's path for
/// every missing, mistyped or unknown property, so one pass reports every problem.
/// </summary>
internal sealed class JsonFields
{
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

    public string? String(string name, bool required)
    {
        if (!Get(name, required, out var value))
            return null;
        if (value.ValueKind != JsonValueKind.String)
            return Mistyped(name, "a string", value);
        var text = value.GetString()!;
        if (text.Trim().Length == 0)
        {
            Error(name, "must not be empty");
            return null;
        }
        return text;
    }

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

    public JsonFields? Object(string name, bool required) =>
        Get(name, required, out var value) ? Open(value, PathOf(name), _errors) : null;

    /// <summary>The array's items with their paths; empty when absent or mistyped (after recording why).</summary>
    public IReadOnlyList<(JsonElement Item, string Path)> Array(string name, bool required)
    {
        if (!Get(name, required, out var value))
            return [];
        if (value.ValueKind != JsonValueKind.Array)
        {
            Mistyped(name, "an array", value);
            return [];
        }
        return value.EnumerateArray().Select((item, i) => (item, $"{PathOf(name)}[{i}]")).ToList();
    }

    /// <summary>Reads a string that must be one of <paramref name="allowed"/> (compared without case).</summary>
    public T? Enum<T>(string name, bool required, IReadOnlyDictionary<string, T> allowed)
        where T : struct
    {
        var text = String(name, required);
        if (text is null)
            return null;
        foreach (var (word, result) in allowed)
        {
            if (string.Equals(word, text, StringComparison.OrdinalIgnoreCase))
                return result;
        }
        Error(name, $"'{text}' is not one of {string.Join(", ", allowed.Keys)}");
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
                _errors.Add(new PolicyError(PathOf(property.Name), "unknown property"));
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
