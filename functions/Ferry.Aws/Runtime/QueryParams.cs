using System.Globalization;
using Amazon.Runtime.Internal;

namespace Ferry.Aws.Runtime;

/// <summary>Builds a form-encoded EC2 / Query protocol request (POST / with Action and Version).</summary>
public sealed class QueryParams
{
    private readonly IDictionary<string, string> _parameters;

    private QueryParams(IDictionary<string, string> parameters) => _parameters = parameters;

    internal static QueryParams Start(DefaultRequest request, string action, string version)
    {
        request.HttpMethod = "POST";
        request.ResourcePath = "/";
        request.Parameters["Action"] = action;
        request.Parameters["Version"] = version;
        return new QueryParams(request.Parameters);
    }

    public QueryParams Add(string name, string? value)
    {
        if (value is not null)
            _parameters[name] = value;
        return this;
    }

    public QueryParams Add(string name, int? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));

    public QueryParams Add(string name, bool? value) => Add(name, value is null ? null : value.Value ? "true" : "false");

    /// <summary>A flat list: <c>{prefix}.1</c>, <c>{prefix}.2</c>, ... (EC2 <c>SnapshotId.1</c>, RDS <c>ValuesToAdd.AttributeValue.1</c>).</summary>
    public QueryParams List(string prefix, IEnumerable<string>? values)
    {
        var i = 0;
        foreach (var value in values ?? [])
            _parameters[$"{prefix}.{++i}"] = value;
        return this;
    }

    /// <summary>A list of structures: <paramref name="write"/> fills <c>{prefix}.{n}.</c> members.</summary>
    public QueryParams Structs<T>(string prefix, IEnumerable<T>? items, Action<QueryParams, string, T> write)
    {
        var i = 0;
        foreach (var item in items ?? [])
            write(this, $"{prefix}.{++i}", item);
        return this;
    }
}
