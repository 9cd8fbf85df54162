using System.Globalization;
using System.Xml.Linq;

namespace Ferry.Aws.Runtime;

/// <summary>Namespace-agnostic reading of AWS's XML responses (EC2 and Query protocols).</summary>
public static class Xml
{
    public static XElement Parse(WireBody body) => XDocument.Parse(System.Text.Encoding.UTF8.GetString(body.Bytes)).Root!;

    public static XElement? El(this XElement? e, string name) => e?.Elements().FirstOrDefault(c => c.Name.LocalName == name);

    public static IEnumerable<XElement> Els(this XElement? e, string name) =>
        e?.Elements().Where(c => c.Name.LocalName == name) ?? [];

    /// <summary>The children of a list wrapper: EC2 uses &lt;xSet&gt;&lt;item&gt;, the Query protocol &lt;Xs&gt;&lt;X&gt;.</summary>
    public static IEnumerable<XElement> Items(this XElement? e, string wrapper, string item = "item") => e.El(wrapper).Els(item);

    public static string? Str(this XElement? e, string name) => e.El(name)?.Value;

    public static string Req(this XElement? e, string name) =>
        e.Str(name) ?? throw new FormatException($"AWS response lacks <{name}> in <{e?.Name.LocalName}>.");

    public static int Int(this XElement? e, string name) =>
        int.TryParse(e.Str(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;

    public static int? IntOrNull(this XElement? e, string name) =>
        int.TryParse(e.Str(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    public static bool Bool(this XElement? e, string name) => string.Equals(e.Str(name), "true", StringComparison.OrdinalIgnoreCase);

    public static DateTimeOffset? Date(this XElement? e, string name) =>
        DateTimeOffset.TryParse(e.Str(name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var v) ? v : null;

    /// <summary>Tags as EC2 (&lt;tagSet&gt;&lt;item&gt;&lt;key&gt;) or the Query protocol (&lt;TagList&gt;&lt;Tag&gt;&lt;Key&gt;) writes them.</summary>
    public static IReadOnlyDictionary<string, string> Tags(this XElement? e, string wrapper, string item, string key, string value)
    {
        var tags = new Dictionary<string, string>();
        foreach (var tag in e.Items(wrapper, item))
            tags[tag.Req(key)] = tag.Str(value) ?? "";
        return tags;
    }

    /// <summary>EC2's error body: &lt;Response&gt;&lt;Errors&gt;&lt;Error&gt;&lt;Code&gt; with &lt;RequestID&gt;; the Query protocol's: &lt;ErrorResponse&gt;&lt;Error&gt;&lt;Code&gt; with &lt;RequestId&gt;.</summary>
    public static (string? Code, string? Message, string? RequestId) ReadError(WireBody body)
    {
        var requestHeader = body.Header("x-amzn-RequestId") ?? body.Header("x-amz-request-id");
        if (body.Bytes.Length == 0)
            return (null, null, requestHeader);
        try
        {
            var root = Parse(body);
            var error = root.Descendants().FirstOrDefault(d => d.Name.LocalName == "Error");
            var requestId = root.Descendants().FirstOrDefault(d => d.Name.LocalName is "RequestID" or "RequestId")?.Value;
            return (error.Str("Code"), error.Str("Message"), requestId ?? requestHeader);
        }
        catch (System.Xml.XmlException)
        {
            return (null, System.Text.Encoding.UTF8.GetString(body.Bytes), requestHeader);
        }
    }
}
