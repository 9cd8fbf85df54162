using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Ferry.Aws.Dynamo;
using Ferry.Aws.Runtime;
using Ferry.Aws.StepFunctions;
using Ferry.Core.Aws;
using Ferry.Core.Ports;

namespace Ferry.Local.Cli;

/// <summary>Which stack a command talks to: the local one <c>ferry up</c> runs (by default), or the deployed FerryBackup stack.</summary>
/// <param name="StateFile">Where <c>ferry up</c> writes its endpoints.</param>
public sealed record TargetOptions(bool Aws, string? Profile, string? Region, string StateFile);

/// <summary>
/// A stack through Ferry's ports: its tables through the DynamoDB stores, its state machines through the Step Functions
/// client. Local and AWS differ only in endpoints and credentials; table and machine names come from
/// <see cref="DynamoTables.Default"/> and <c>Flows.MachineName</c>, which the CDK stack uses too.
/// </summary>
public sealed class FerryTarget : IDisposable
{
    private readonly IAmazonDynamoDB _dynamo;
    private readonly StepFunctionsClient _states;
    private readonly Func<DateTimeOffset> _now;

    private FerryTarget(IAmazonDynamoDB dynamo, DynamoTables tables, StepFunctionsClient states, string partition, string account, string description, Func<DateTimeOffset> now)
    {
        _now = now;
        _dynamo = dynamo;
        _states = states;
        Policies = new DynamoPolicyStore(dynamo, tables);
        Sessions = new DynamoSessionStore(dynamo, tables);
        RestorePoints = new DynamoRestorePointStore(dynamo, tables);
        Executions = new AwsExecutionsPort(states, partition, account);
        Description = description;
    }

    public DynamoPolicyStore Policies { get; }

    public DynamoSessionStore Sessions { get; }

    public DynamoRestorePointStore RestorePoints { get; }

    public IExecutionsPort Executions { get; }

    /// <summary>The stack's time: the real time on AWS, the simulated world's locally (what sessions' times are on).</summary>
    public DateTimeOffset Now => _now();

    /// <summary>"local stack (world …)" or "FerryBackup in account …, region …".</summary>
    public string Description { get; }

    public static async Task<FerryTarget> ConnectAsync(TargetOptions options, CancellationToken cancellationToken)
    {
        if (!options.Aws)
        {
            var state = UpState.Read(options.StateFile)
                ?? throw new CliException("no local stack is running: start one with `ferry up`, or pass --aws");
            var local = new AwsOptions(ServiceUrls: new Dictionary<string, string> { ["dynamodb"] = state.DynamoDb, ["states"] = state.StepFunctions }, MaxErrorRetry: 2);
            var keys = new BasicAWSCredentials("local", "local");
            return new FerryTarget(DynamoTables.Client(local, state.Region, keys), DynamoTables.WithPrefix(state.TablePrefix),
                new StepFunctionsClient(keys, state.Region, local), AwsRegions.PartitionOf(state.Region) ?? "aws", state.Account,
                $"local stack ({state.World})", () => state.Now);
        }

        var credentials = Credentials(options.Profile);
        var region = options.Region ?? ProfileRegion(options.Profile) ?? FallbackRegionFactory.GetRegionEndpoint()?.SystemName
            ?? throw new CliException("no AWS region: pass --region or set AWS_REGION (or a region in your profile)");
        var partition = AwsRegions.PartitionOf(region) ?? throw new CliException($"--region: unknown AWS region \"{region}\"", ExitCodes.Invalid);
        var account = await AccountAsync(credentials, region, cancellationToken);
        var aws = AwsOptions.FromEnvironment();
        return new FerryTarget(DynamoTables.Client(aws, region, credentials), DynamoTables.Default, new StepFunctionsClient(credentials, region, aws), partition, account,
            $"FerryBackup in account {account}, region {region}", () => DateTimeOffset.UtcNow);
    }

    private static AWSCredentials Credentials(string? profile)
    {
        if (profile is not null)
        {
            return new CredentialProfileStoreChain().TryGetAWSCredentials(profile, out var named)
                ? named
                : throw new CliException($"no AWS credentials: there is no profile \"{profile}\" in ~/.aws/config or ~/.aws/credentials");
        }
        try
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials();
        }
        catch (AmazonClientException)
        {
            throw new CliException("no AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, run `aws sso login`, or pass --profile");
        }
    }

    private static string? ProfileRegion(string? profile) =>
        profile is not null && new CredentialProfileStoreChain().TryGetProfile(profile, out var named) ? named.Region?.SystemName : null;

    /// <summary>The credentials' account (the deployed stack's, whose state machine ARNs it names); also proves the credentials work.</summary>
    private static async Task<string> AccountAsync(AWSCredentials credentials, string region, CancellationToken cancellationToken)
    {
        using var sts = new AmazonSecurityTokenServiceClient(credentials, RegionEndpoint.GetBySystemName(region));
        try
        {
            return (await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken)).Account;
        }
        catch (AmazonServiceException e)
        {
            throw new CliException($"no usable AWS credentials: sts:GetCallerIdentity refused them ({e.ErrorCode}: {e.Message}); refresh them or pass --profile");
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException)
        {
            throw new CliException($"AWS is not reachable from here (sts:GetCallerIdentity in {region}: {e.Message})");
        }
    }

    public void Dispose()
    {
        _dynamo.Dispose();
        _states.Dispose();
    }
}
