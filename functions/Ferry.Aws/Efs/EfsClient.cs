using System.Text.Json.Nodes;
using Amazon.Runtime;
using Ferry.Aws.Runtime;
using Ferry.Core.Ports;

namespace Ferry.Aws.Efs;

/// <summary>The Amazon EFS API (protocol <c>rest-json</c>) operation Ferry uses, in one region.</summary>
public sealed class EfsClient : WireClient
{
    public static readonly AwsService Service = new("elasticfilesystem", "elasticfilesystem", "2015-02-01");

    public EfsClient(AWSCredentials credentials, string region, AwsOptions options)
        : base(credentials, Service, region, options, Json.ReadError)
    {
    }

    /// <summary>One page of the region's file systems (or the one named), tags included.</summary>
    public Task<Page<EfsFileSystem>> DescribeFileSystemsAsync(string? fileSystemId, string? marker, CancellationToken ct)
    {
        var query = new Dictionary<string, string>();
        if (fileSystemId is not null)
            query["FileSystemId"] = fileSystemId;
        if (marker is not null)
            query["Marker"] = marker;
        return SendAsync(new WireRequest<Page<EfsFileSystem>>("DescribeFileSystems", request =>
        {
            request.HttpMethod = "GET";
            request.ResourcePath = "/2015-02-01/file-systems";
            foreach (var (name, value) in query)
                request.Parameters[name] = value;
            request.UseQueryString = true;
        }, body =>
        {
            var root = Json.Parse(body);
            return new Page<EfsFileSystem>([.. (root["FileSystems"]?.AsArray() ?? []).OfType<JsonNode>().Select(ReadFileSystem)], root.Str("NextMarker"));
        }), ct);
    }

    private static EfsFileSystem ReadFileSystem(JsonNode fs) => new(
        fs.Req("FileSystemId"),
        fs.Req("FileSystemArn"),
        fs.Req("OwnerId"),
        fs.Str("LifeCycleState") ?? "",
        (fs["Tags"]?.AsArray() ?? []).OfType<JsonNode>().Where(t => t.Str("Key") is not null).ToDictionary(t => t.Req("Key"), t => t.Str("Value") ?? ""),
        fs.Bool("Encrypted"),
        fs.Str("KmsKeyId"));
}
