using Amazon.Runtime;
using Ferry.Core.Errors;

namespace Ferry.Aws.Runtime;

/// <summary>Runs a call of an official SDK client (KMS, STS, DynamoDB) and maps its AWS errors to Ferry's typed errors.</summary>
public static class SdkErrors
{
    public static Task<T> Call<T>(string call, Func<Task<T>> action) => Call(call, null, null, null, action);

    /// <param name="operation">The API operation, which tells some limits apart (see <see cref="AwsErrors.Map"/>).</param>
    /// <param name="account">The account the call acts in: limit errors name it, with the region.</param>
    public static async Task<T> Call<T>(string call, string? operation, string? account, string? region, Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (AmazonServiceException e)
        {
            throw AwsErrors.Map(e, call, operation, account, region);
        }
        catch (HttpRequestException e)
        {
            throw AwsErrors.Network(e, call);
        }
    }

    /// <summary>Points an official SDK client's config at the override endpoint (signing for the region) or the region's public one.</summary>
    public static TConfig Configure<TConfig>(TConfig config, string service, string region, AwsOptions options)
        where TConfig : ClientConfig
    {
        var url = options.ServiceUrl(service);
        if (url is null)
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }
        else
        {
            config.ServiceURL = url;
            config.AuthenticationRegion = region;
        }
        config.MaxErrorRetry = options.MaxErrorRetry;
        return config;
    }
}
