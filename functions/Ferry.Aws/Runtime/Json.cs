using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.Aws.Runtime;

/// <summary>Reading AWS's rest-json bodies and errors.</summary>
public static class Json
{
    public static JsonNode Parse(WireBody body) => body.Bytes.Length == 0 ? new JsonObject() : JsonNode.Parse(body.Bytes) ?? new JsonObject();

    public static string? Str(this JsonNode? node, string name) => node?[name]?.GetValueKind() == JsonValueKind.String ? node[name]!.GetValue<string>() : null;

    public static string Req(this JsonNode? node, string name) =>
        node.Str(name) ?? throw new FormatException($"AWS response lacks \"{name}\".");

    public static bool Bool(this JsonNode? node, string name) => node?[name]?.GetValueKind() == JsonValueKind.True;

    /// <summary>AWS's JSON protocols write timestamps as epoch seconds (possibly fractional).</summary>
    public static DateTimeOffset? Epoch(this JsonNode? node, string name) =>
        node?[name]?.GetValueKind() == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(node[name]!.GetValue<double>() * 1000))
            : null;

    /// <summary>The error type from x-amzn-ErrorType ("Code:uri") or the body's __type ("ns#Code") / Code / ErrorCode (EFS), with message and request id.</summary>
    public static (string? Code, string? Message, string? RequestId) ReadError(WireBody body)
    {
        JsonNode? root = null;
        try
        {
            root = Parse(body);
        }
        catch (JsonException)
        {
        }
        var type = body.Header("x-amzn-ErrorType") ?? root.Str("__type") ?? root.Str("Code") ?? root.Str("code") ?? root.Str("ErrorCode");
        var code = type?.Split(':')[0].Split('#')[^1];
        var message = root.Str("message") ?? root.Str("Message");
        return (code, message, body.Header("x-amzn-RequestId"));
    }
}
