using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Web;
using Amazon.Runtime;
using Ferry.Aws.Runtime;

namespace Ferry.Aws.Tests.Wire;

/// <summary>A request as it reached the wire: method, path, query, form body (decoded), headers.</summary>
public sealed record RecordedRequest(string Method, string Path, string RawPath, IReadOnlyDictionary<string, string> Query, IReadOnlyDictionary<string, string> Form, string Body, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The SigV4 credential scope: date/region/service/aws4_request.</summary>
    public string Scope => Headers["Authorization"].Split("Credential=")[1].Split(',')[0].Split('/', 2)[1];
}

public sealed record CannedResponse(int Status, string Body, string ContentType = "text/xml", IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>An in-process HTTP server on 127.0.0.1 that records requests and answers with queued responses.</summary>
public sealed class FakeAws : IDisposable
{
    public static readonly AWSCredentials Credentials = new SessionAWSCredentials("AKIDFERRYTEST", "secret", "session-token");

    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<CannedResponse> _responses = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly Task _loop;

    public FakeAws()
    {
        Port = FreePort();
        Url = $"http://127.0.0.1:{Port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Url { get; }

    public AwsOptions Options => new(ExternalId: "ferry-external", ServiceUrls: new Dictionary<string, string>
    {
        ["ec2"] = Url, ["rds"] = Url, ["backup"] = Url, ["elasticfilesystem"] = Url, ["kms"] = Url, ["sts"] = Url, ["states"] = Url,
    }, MaxErrorRetry: 0);

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public RecordedRequest Single() => Assert.Single(_requests);

    public FakeAws Reply(string body, int status = 200, string contentType = "text/xml", IReadOnlyDictionary<string, string>? headers = null)
    {
        _responses.Enqueue(new CannedResponse(status, body, contentType, headers));
        return this;
    }

    public FakeAws ReplyJson(string body, int status = 200, IReadOnlyDictionary<string, string>? headers = null) =>
        Reply(body, status, "application/json", headers);

    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            var isForm = context.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) == true;
            var rawUrl = context.Request.RawUrl ?? "/";
            _requests.Enqueue(new RecordedRequest(
                context.Request.HttpMethod, context.Request.Url!.AbsolutePath, rawUrl.Split('?')[0],
                Decode(context.Request.Url.Query.TrimStart('?')), isForm ? Decode(body) : new Dictionary<string, string>(), body, headers));
            var response = _responses.TryDequeue(out var r) ? r : new CannedResponse(500, "no canned response");
            context.Response.StatusCode = response.Status;
            context.Response.ContentType = response.ContentType;
            foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
                context.Response.Headers[name] = value;
            var bytes = Encoding.UTF8.GetBytes(response.Body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static Dictionary<string, string> Decode(string encoded)
    {
        var values = HttpUtility.ParseQueryString(encoded);
        return values.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => values[k]!);
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}

public static class WireAssert
{
    /// <summary>Every expected form parameter is on the wire with exactly this value, and nothing else besides Action/Version.</summary>
    public static void Form(RecordedRequest r, string action, string version, params (string Name, string Value)[] expected)
    {
        Assert.Equal("POST", r.Method);
        Assert.Equal("/", r.Path);
        Assert.StartsWith("application/x-www-form-urlencoded", r.Headers["Content-Type"], StringComparison.Ordinal);
        var actual = r.Form.Where(p => p.Key is not "Action" and not "Version").OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(action, r.Form["Action"]);
        Assert.Equal(version, r.Form["Version"]);
        Assert.Equal(expected.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value}"), actual.Select(p => $"{p.Key}={p.Value}"));
    }

    public static void Signed(RecordedRequest r, string region, string service)
    {
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDFERRYTEST/", r.Headers["Authorization"], StringComparison.Ordinal);
        Assert.EndsWith($"/{region}/{service}/aws4_request", r.Scope, StringComparison.Ordinal);
        Assert.Contains("SignedHeaders=", r.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Equal("session-token", r.Headers["X-Amz-Security-Token"]);
    }
}
