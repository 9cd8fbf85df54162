using System.Net;
using Amazon.Runtime;
using Amazon.Runtime.Credentials.Internal;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using Amazon.Runtime.Internal.Transform;

namespace Ferry.Aws.Runtime;

/// <summary>A service as the wire sees it: endpoint prefix, SigV4 signing name and API version.</summary>
public sealed record AwsService(string Key, string SigningName, string Version);

/// <summary>One call: the HTTP request it makes and how its body is read.</summary>
internal sealed class WireRequest<T>(string operation, Action<DefaultRequest> build, Func<WireBody, T> parse) : AmazonWebServiceRequest
{
    public string Operation { get; } = operation;

    public Action<DefaultRequest> Build { get; } = build;

    public Func<WireBody, T> Parse { get; } = parse;
}

internal sealed class WireResponse<T> : AmazonWebServiceResponse
{
    public T? Value { get; init; }
}

/// <summary>A response body read whole, with the headers Ferry needs.</summary>
public sealed record WireBody(byte[] Bytes, HttpStatusCode Status, Func<string, string?> Header);

/// <summary>The protocol-specific reading of an error body into code, message and request id.</summary>
public delegate (string? Code, string? Message, string? RequestId) ErrorReader(WireBody body);

/// <summary>
/// Ferry's compact client on AWSSDK.Core's pipeline: the SDK signs (SigV4), retries, handles clock skew and
/// sends; Ferry supplies the marshalling (a <see cref="DefaultRequest"/>), the endpoint and the response parsing.
/// </summary>
public abstract class WireClient : AmazonServiceClient
{
    private readonly AwsService _service;
    private readonly ErrorReader _errors;
    private readonly AwsOptions _options;

    private protected WireClient(AWSCredentials credentials, AwsService service, string region, AwsOptions options, ErrorReader errors)
        : base(credentials, new WireConfig(service, region, options))
    {
        _service = service;
        _errors = errors;
        _options = options;
        Region = region;
    }

    public string Region { get; }

    /// <summary>The account whose role the client acts as, when known: errors about AWS limits name it.</summary>
    public string? Account { get; init; }

    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        pipeline.RemoveHandler<EndpointResolver>();
        pipeline.AddHandlerAfter<Marshaller>(new BaseEndpointResolver());
        pipeline.AddHandlerAfter<Marshaller>(new SigV4AuthHandler());
    }

    private protected async Task<T> SendAsync<T>(WireRequest<T> request, CancellationToken cancellationToken)
    {
        var options = new InvokeOptions
        {
            RequestMarshaller = new WireMarshaller<T>(_service),
            ResponseUnmarshaller = new WireUnmarshaller<T>(request.Parse, _errors),
        };
        try
        {
            var response = await InvokeAsync<WireResponse<T>>(request, options, cancellationToken).ConfigureAwait(false);
            return response.Value!;
        }
        catch (AmazonServiceException e)
        {
            throw AwsErrors.Map(e, $"{_service.Key}:{request.Operation} in {Region}", request.Operation, Account, Region);
        }
        catch (HttpRequestException e)
        {
            throw AwsErrors.Network(e, $"{_service.Key}:{request.Operation} in {Region}");
        }
    }

    /// <summary>
    /// A pre-signed URL for <paramref name="action"/> at <paramref name="sourceRegion"/>'s endpoint (EC2 CopySnapshot, RDS copies
    /// of encrypted snapshots): a GET whose query carries the parameters and a SigV4 signature scoped to the source region.
    /// </summary>
    private protected string Presign(string action, string sourceRegion, IReadOnlyDictionary<string, string?> parameters)
    {
        var credentials = ExplicitAWSCredentials.GetCredentials();
        using var request = new DefaultRequest(new WireRequest<string>(action, _ => { }, _ => ""), _service.Key)
        {
            Endpoint = new Uri(_options.EndpointFor(_service.Key, sourceRegion)),
        };
        QueryParams.Start(request, action, _service.Version);
        request.HttpMethod = "GET";
        request.UseQueryString = true;
        foreach (var (name, value) in parameters)
        {
            if (value is not null)
                request.Parameters[name] = value;
        }
        request.Parameters["X-Amz-Expires"] = "3600";
        if (credentials.UseToken)
            request.Parameters["X-Amz-Security-Token"] = credentials.Token;
        var signing = AWS4PreSignedUrlSigner.SignRequest(request, Config, null, credentials.AccessKey, credentials.SecretKey, _service.SigningName, sourceRegion);
        return ComposeUrl(request).AbsoluteUri + "&" + signing.ForQueryParameters;
    }

    private sealed class WireConfig : ClientConfig
    {
        private readonly AwsService _service;

        public WireConfig(AwsService service, string region, AwsOptions options)
            : base(new DefaultConfigurationProvider([new DefaultConfiguration { Name = DefaultConfigurationMode.Standard, RetryMode = RequestRetryMode.Standard }]))
        {
            _service = service;
            ServiceURL = options.EndpointFor(service.Key, region);
            // A custom endpoint carries no region, so the signature's scope is set explicitly.
            AuthenticationRegion = region;
            AuthenticationServiceName = service.SigningName;
            MaxErrorRetry = options.MaxErrorRetry;
            EndpointProvider = new ConfiguredEndpoint(ServiceURL);
        }

        public override string RegionEndpointServiceName => _service.Key;

        public override string ServiceVersion => _service.Version;

        public override string UserAgent => "ferry";

        public override Endpoint DetermineServiceOperationEndpoint(ServiceOperationEndpointParameters parameters) => new(ServiceURL);
    }

    /// <summary>Every call goes to the configured endpoint (the region's public one, or the override).</summary>
    private sealed class ConfiguredEndpoint(string url) : IEndpointProvider
    {
        public Endpoint ResolveEndpoint(EndpointParameters parameters) => new(url);
    }

    private sealed class SigV4AuthHandler : BaseAuthResolverHandler
    {
        protected override List<IAuthSchemeOption> ResolveAuthOptions(IExecutionContext executionContext) => AuthSchemeOption.DEFAULT_SIGV4;
    }

    private sealed class WireMarshaller<T>(AwsService service) : IMarshaller<IRequest, AmazonWebServiceRequest>
    {
        public IRequest Marshall(AmazonWebServiceRequest input)
        {
            var wire = (WireRequest<T>)input;
            var request = new DefaultRequest(input, service.Key);
            wire.Build(request);
            return request;
        }
    }

    private sealed class WireUnmarshaller<T>(Func<WireBody, T> parse, ErrorReader errors) : ResponseUnmarshaller
    {
        public override AmazonWebServiceResponse Unmarshall(UnmarshallerContext input) =>
            new WireResponse<T> { Value = parse(((BufferedContext)input).Body) };

        public override AmazonServiceException UnmarshallException(UnmarshallerContext input, Exception innerException, HttpStatusCode statusCode)
        {
            var body = ((BufferedContext)input).Body with { Status = statusCode };
            var (code, message, requestId) = errors(body);
            var type = (int)statusCode >= 500 ? ErrorType.Receiver : ErrorType.Sender;
            return new AmazonServiceException(message ?? code ?? statusCode.ToString(), innerException, type, code, requestId, statusCode);
        }

        protected override UnmarshallerContext ConstructUnmarshallerContext(Stream responseStream, bool maintainResponseBody, IWebResponseData response, bool isException) =>
            new BufferedContext(responseStream, response, isException, null);

        protected override UnmarshallerContext ConstructUnmarshallerContext(Stream responseStream, bool maintainResponseBody, IWebResponseData response, bool isException, IRequestContext requestContext) =>
            new BufferedContext(responseStream, response, isException, requestContext);
    }

    /// <summary>Reads the body whole so parsers get bytes (XML via System.Xml.Linq, JSON via System.Text.Json).</summary>
    private sealed class BufferedContext : XmlUnmarshallerContext
    {
        public BufferedContext(Stream stream, IWebResponseData response, bool isException, IRequestContext? requestContext)
            : this(ReadAll(stream), response, isException, requestContext)
        {
        }

        private BufferedContext(byte[] bytes, IWebResponseData response, bool isException, IRequestContext? requestContext)
            : base(new MemoryStream(bytes), false, response, isException, requestContext)
        {
            Body = new WireBody(bytes, response.StatusCode, name => response.IsHeaderPresent(name) ? response.GetHeaderValue(name) : null);
        }

        public WireBody Body { get; }

        private static byte[] ReadAll(Stream stream)
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }
    }
}
