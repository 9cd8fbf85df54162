using Ferry.Core.Settings;

namespace Ferry.Aws.Runtime;

/// <summary>How Ferry reaches AWS: the STS ExternalId and, per service, an optional endpoint override.</summary>
/// <param name="ServiceUrls">Endpoint per service key ("ec2", "rds", "backup", "elasticfilesystem", "kms", "sts", "dynamodb"); unset means the public AWS endpoint of the region.</param>
/// <param name="MaxErrorRetry">Retries the SDK pipeline makes on throttling and 5xx before Ferry sees the error.</param>
public sealed record AwsOptions(
    string? ExternalId = null,
    IReadOnlyDictionary<string, string>? ServiceUrls = null,
    int MaxErrorRetry = 3,
    string StsRegion = "us-east-1")
{
    /// <summary>The AWS services Ferry calls, by endpoint key (DynamoDB aside, which holds Ferry's own tables).</summary>
    public static readonly IReadOnlyList<string> AwsServices = ["ec2", "rds", "backup", "elasticfilesystem", "kms", "sts"];

    /// <summary>Reads FERRY_EXTERNAL_ID and FERRY_&lt;SERVICE&gt;_URL (or FERRY_AWS_URL for every service).</summary>
    public static AwsOptions FromEnvironment()
    {
        var urls = new Dictionary<string, string>();
        var all = Environment.GetEnvironmentVariable(FerryVariables.AwsUrl);
        foreach (var service in AwsServices.Append("dynamodb"))
        {
            var url = Environment.GetEnvironmentVariable(FerryVariables.ServiceUrl(service)) ?? all;
            if (!string.IsNullOrEmpty(url))
                urls[service] = url;
        }
        return new AwsOptions(Environment.GetEnvironmentVariable(FerryVariables.ExternalId), urls);
    }

    public string? ServiceUrl(string service) => ServiceUrls?.GetValueOrDefault(service);

    /// <summary>The endpoint a service answers on in a region: the override, or AWS's public endpoint.</summary>
    public string EndpointFor(string service, string region) =>
        ServiceUrl(service) ?? $"https://{service}.{region}.amazonaws.com";
}
