using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Ferry.Simulator.Wire;

/// <summary>
/// One HTTP request as an AWS endpoint receives it: who signed it (the SigV4 credential scope), and its
/// parameters as the service's protocol carries them (a form body, a JSON body, a REST path and query).
/// </summary>
public sealed partial class WireRequest
{
    public required string Method { get; init; }

    /// <summary>The URL path, unescaped.</summary>
    public required string Path { get; init; }

    /// <summary>The URL query's parameters, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];

    /// <summary>The form body's parameters (query and ec2 protocols), in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Form { get; init; } = [];

    /// <summary>The JSON body (json and rest-json protocols), when there is one.</summary>
    public JsonElement? Json { get; init; }

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The access key id of the signature, null when the request is not signed.</summary>
    public string? AccessKeyId { get; init; }

    /// <summary>The service and region of the signature's credential scope.</summary>
    public string? Service { get; init; }

    public string? Region { get; init; }

    /// <summary>A form or query parameter, null when absent.</summary>
    public string? Param(string name) =>
        Form.Concat(Query).FirstOrDefault(p => p.Key == name) is { Key: not null } p ? p.Value : null;

    /// <summary>The members of a query-protocol list: <c>Name.1</c>, <c>Name.2</c>, … in order.</summary>
    public IReadOnlyList<string> List(string name) =>
        [.. Form.Concat(Query).Select(p => (p, Index(p.Key, name))).Where(x => x.Item2 is not null).OrderBy(x => x.Item2).Select(x => x.p.Value)];

    /// <summary>The indexed structures of a query-protocol list (<c>Name.N.Member…</c>), each as its members without the prefix.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Structs(string name)
    {
        var prefix = name + ".";
        return [.. Form.Concat(Query)
            .Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(p => (Member: p.Key[prefix.Length..], p.Value))
            .Select(x => (Dot: x.Member.IndexOf('.', StringComparison.Ordinal), x.Member, x.Value))
            .Where(x => x.Dot > 0 && int.TryParse(x.Member[..x.Dot], out _))
            .GroupBy(x => int.Parse(x.Member[..x.Dot], System.Globalization.CultureInfo.InvariantCulture))
            .OrderBy(g => g.Key)
            .Select(g => (IReadOnlyDictionary<string, string>)g.ToDictionary(x => x.Member[(x.Dot + 1)..], x => x.Value, StringComparer.Ordinal))];
    }

    /// <summary>A string member of the JSON body, null when absent.</summary>
    public string? JsonString(string name) =>
        Json is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>
    /// The parameters as the call log and resource-scoped faults see them: form and query parameters (without Action,
    /// Version and pre-signed URLs), the JSON body's scalar members (lists joined with commas) and the path's segments.
    /// </summary>
    public IReadOnlyList<(string Name, string? Value)> LogParameters()
    {
        var list = new List<(string, string?)>();
        foreach (var (name, value) in Form.Concat(Query))
        {
            if (name is not ("Action" or "Version") && !name.Equals("PresignedUrl", StringComparison.OrdinalIgnoreCase) && !name.StartsWith("X-Amz-", StringComparison.Ordinal))
                list.Add((name, Secret(name) ? "***" : value));
        }
        if (TagPairs() is { Length: > 0 } tags)
            list.Add(("Tags", tags));
        if (Json is { ValueKind: JsonValueKind.Object } body)
        {
            foreach (var member in body.EnumerateObject())
            {
                var value = member.Value.ValueKind switch
                {
                    JsonValueKind.String => member.Value.GetString(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => member.Value.GetRawText(),
                    JsonValueKind.Array => string.Join(",", member.Value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString())),
                    _ => null,
                };
                if (value is not null)
                    list.Add((member.Name, value));
            }
        }
        if (Form.Count == 0 && Path.Length > 1)
            list.Add(("Path", Path));
        return list;
    }

    /// <summary>
    /// The form's tags (<c>Tags.Tag.N.Key</c>, <c>TagSpecification.N.Tag.M.Key</c> with their values) as <c>key=value;</c> by key,
    /// so a fault rule can name a resource by one of its tags.
    /// </summary>
    private string TagPairs()
    {
        var form = Form.GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
        return string.Concat(form
            .Where(p => TagKey().IsMatch(p.Key))
            .Select(p => (Key: p.Value, Value: form.GetValueOrDefault(p.Key[..^"Key".Length] + "Value") ?? ""))
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => $"{t.Key}={t.Value};"));
    }

    /// <summary>Parameters the call log never shows.</summary>
    private static bool Secret(string name) => name is "ExternalId" or "SessionToken" or "SecretAccessKey";

    /// <summary>Reads an HTTP request whole, with the credential scope of its SigV4 Authorization header.</summary>
    public static async Task<WireRequest> ReadAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var bytes = buffer.ToArray();
        var contentType = request.ContentType ?? "";
        var form = contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            ? Pairs(System.Text.Encoding.UTF8.GetString(bytes))
            : [];
        JsonElement? json = null;
        if (form.Count == 0 && bytes.Length > 0 && contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            using var document = JsonDocument.Parse(bytes);
            json = document.RootElement.Clone();
        }
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var scope = headers.TryGetValue("Authorization", out var authorization) ? CredentialScope().Match(authorization) : Match.Empty;
        return new WireRequest
        {
            Method = request.Method,
            Path = Uri.UnescapeDataString(request.Path.Value ?? "/"),
            Query = Pairs(request.QueryString.Value?.TrimStart('?') ?? ""),
            Form = form,
            Json = json,
            Headers = headers,
            AccessKeyId = scope.Success ? scope.Groups["key"].Value : null,
            Region = scope.Success ? scope.Groups["region"].Value : null,
            Service = scope.Success ? scope.Groups["service"].Value : null,
        };
    }

    private static List<KeyValuePair<string, string>> Pairs(string text) =>
        [.. QueryHelpers.ParseQuery(text).SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v ?? "")))];

    private static int? Index(string key, string name) =>
        key.Length > name.Length + 1 && key.StartsWith(name, StringComparison.Ordinal) && key[name.Length] == '.'
            && int.TryParse(key.AsSpan(name.Length + 1), out var index) ? index : null;

    [GeneratedRegex(@"(^|\.)Tag\.\d+\.Key$")]
    private static partial Regex TagKey();

    [GeneratedRegex(@"Credential=(?<key>[^/,\s]+)/\d{8}/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request")]
    private static partial Regex CredentialScope();
}
