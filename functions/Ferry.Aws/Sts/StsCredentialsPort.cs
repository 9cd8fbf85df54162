using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Ferry.Aws.Runtime;
using Ferry.Core.Aws;
using Ferry.Core.Errors;
using Ferry.Core.Ports;

namespace Ferry.Aws.Sts;

/// <summary>Assumes roles with STS AssumeRole and the deployment's ExternalId; a session is reused until shortly before it expires.</summary>
public sealed class StsCredentialsPort : ICredentialsPort, IDisposable
{
    /// <summary>A step must never start with credentials that can expire under it.</summary>
    public static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(5);

    private readonly IAmazonSecurityTokenService _sts;
    private readonly AwsOptions _options;
    private readonly IClock _clock;
    private readonly ConcurrentDictionary<string, RoleSession> _sessions = new(StringComparer.Ordinal);

    /// <param name="callerCredentials">The Lambda's own credentials; null uses the SDK's default chain.</param>
    public StsCredentialsPort(AwsOptions options, AWSCredentials? callerCredentials = null, IClock? clock = null)
    {
        _options = options;
        _clock = clock ?? SystemClock.Instance;
        var config = SdkErrors.Configure(new AmazonSecurityTokenServiceConfig(), "sts", options.StsRegion, options);
        _sts = callerCredentials is null ? new AmazonSecurityTokenServiceClient(config) : new AmazonSecurityTokenServiceClient(callerCredentials, config);
    }

    public async Task<RoleSession> AssumeAsync(string roleArn, CancellationToken cancellationToken = default)
    {
        if (_sessions.TryGetValue(roleArn, out var cached) && cached.Credentials.Expiration - RefreshBefore > _clock.UtcNow)
            return cached;
        if (!Arn.TryParse(roleArn, out var arn))
            throw new FerryInvalidInputException($"'{roleArn}' is not a role ARN.");
        var response = await SdkErrors.Call($"sts:AssumeRole {roleArn}", () => _sts.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = roleArn,
            RoleSessionName = "ferry",
            ExternalId = _options.ExternalId,
            DurationSeconds = 3600,
        }, cancellationToken)).ConfigureAwait(false);
        var c = response.Credentials;
        var session = new RoleSession(roleArn, arn.Account, new AwsCredentials(
            c.AccessKeyId, c.SecretAccessKey, c.SessionToken, new DateTimeOffset(DateTime.SpecifyKind(c.Expiration ?? DateTime.UtcNow, DateTimeKind.Utc))));
        _sessions[roleArn] = session;
        return session;
    }

    public void Dispose() => _sts.Dispose();
}
