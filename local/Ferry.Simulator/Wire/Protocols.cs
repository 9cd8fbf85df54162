using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Ferry.Simulator.Wire;

/// <summary>How AWS's protocols write answers and errors: <c>ec2</c>, <c>query</c>, <c>json</c> 1.1 and <c>rest-json</c>.</summary>
internal static class Protocols
{
    public const string XmlType = "text/xml";
    public const string Json11Type = "application/x-amz-json-1.1";
    public const string JsonType = "application/json";

    /// <summary>An ec2-protocol answer: <c>&lt;OpResponse xmlns=…&gt;&lt;requestId/&gt;members&lt;/OpResponse&gt;</c>.</summary>
    public static WireReply Ec2(string operation, string requestId, params object?[] members)
    {
        XNamespace ns = "http://ec2.amazonaws.com/doc/2016-11-15/";
        var root = new XElement(ns + $"{operation}Response", new XElement(ns + "requestId", requestId), members);
        return Xml(200, InNamespace(root, ns), requestId);
    }

    /// <summary>An ec2-protocol error: <c>&lt;Response&gt;&lt;Errors&gt;&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;…</c>.</summary>
    public static WireReply Ec2Error(int status, string code, string message, string requestId) =>
        Xml(status, new XElement("Response",
            new XElement("Errors", new XElement("Error", new XElement("Code", code), new XElement("Message", message))),
            new XElement("RequestID", requestId)), requestId);

    /// <summary>A query-protocol answer: <c>&lt;OpResponse&gt;&lt;OpResult&gt;members&lt;/OpResult&gt;&lt;ResponseMetadata&gt;…</c>.</summary>
    public static WireReply Query(string xmlns, string operation, string requestId, params object?[] members)
    {
        XNamespace ns = xmlns;
        var root = new XElement(ns + $"{operation}Response",
            new XElement(ns + $"{operation}Result", members),
            new XElement(ns + "ResponseMetadata", new XElement(ns + "RequestId", requestId)));
        return Xml(200, InNamespace(root, ns), requestId);
    }

    /// <summary>A query-protocol error: <c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Type/&gt;&lt;Code/&gt;&lt;Message/&gt;…</c>.</summary>
    public static WireReply QueryError(string xmlns, int status, string code, string message, string requestId)
    {
        XNamespace ns = xmlns;
        return Xml(status, new XElement(ns + "ErrorResponse",
            new XElement(ns + "Error", new XElement(ns + "Type", status >= 500 ? "Receiver" : "Sender"), new XElement(ns + "Code", code), new XElement(ns + "Message", message)),
            new XElement(ns + "RequestId", requestId)), requestId);
    }

    /// <summary>A json 1.1 answer (KMS, with <c>x-amz-target</c> requests).</summary>
    public static WireReply Json11(JsonNode body, string requestId) =>
        new(200, Json11Type, body.ToJsonString(), RequestIdHeader(requestId));

    /// <summary>A json 1.1 error: <c>{"__type": code, "message": …}</c>.</summary>
    public static WireReply Json11Error(int status, string code, string message, string requestId) =>
        new(status, Json11Type, new JsonObject { ["__type"] = code, ["message"] = message }.ToJsonString(), RequestIdHeader(requestId));

    /// <summary>A rest-json answer.</summary>
    public static WireReply RestJson(JsonNode body, string requestId, int status = 200) =>
        new(status, JsonType, body.ToJsonString(), RequestIdHeader(requestId));

    /// <summary>A rest-json error: the code in <c>x-amzn-ErrorType</c> and in the body, with the message.</summary>
    public static WireReply RestJsonError(int status, string code, string message, string requestId, string codeMember = "Code", string messageMember = "Message") =>
        new(status, JsonType, new JsonObject { [codeMember] = code, [messageMember] = message }.ToJsonString(),
            new Dictionary<string, string> { ["x-amzn-RequestId"] = requestId, ["x-amzn-ErrorType"] = code });

    /// <summary>An XML element with a value, or nothing when the value is null (AWS leaves unset members out).</summary>
    public static XElement? El(string name, object? value) => value switch
    {
        null => null,
        bool b => new XElement(name, b ? "true" : "false"),
        DateTimeOffset d => new XElement(name, d.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture)),
        IFormattable f => new XElement(name, f.ToString(null, System.Globalization.CultureInfo.InvariantCulture)),
        _ => new XElement(name, value),
    };

    /// <summary>An ec2-protocol list: <c>&lt;name&gt;&lt;item&gt;…&lt;/item&gt;…&lt;/name&gt;</c>.</summary>
    public static XElement Items(string name, IEnumerable<object?> items) =>
        new(name, items.Select(i => new XElement("item", i)));

    /// <summary>An ec2-protocol tag set.</summary>
    public static XElement? TagSet(IReadOnlyDictionary<string, string>? tags) =>
        tags is null || tags.Count == 0 ? null
            : Items("tagSet", tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new object[] { new XElement("key", t.Key), new XElement("value", t.Value) }));

    /// <summary>JSON options for rest-json and json 1.1 bodies, which AWS writes in the members' own case.</summary>
    public static readonly JsonSerializerOptions Members = new() { PropertyNamingPolicy = null };

    public static Dictionary<string, string> RequestIdHeader(string requestId) => new() { ["x-amzn-RequestId"] = requestId };

    private static WireReply Xml(int status, XElement root, string requestId) =>
        new(status, XmlType, new XDocument(new XDeclaration("1.0", "UTF-8", null), root).Declaration + root.ToString(SaveOptions.DisableFormatting),
            RequestIdHeader(requestId));

    /// <summary>Puts every unqualified descendant into the answer's namespace, as AWS writes it.</summary>
    private static XElement InNamespace(XElement root, XNamespace ns)
    {
        foreach (var element in root.DescendantsAndSelf().Where(e => e.Name.Namespace == XNamespace.None))
            element.Name = ns + element.Name.LocalName;
        return root;
    }
}
