using System.Collections.Concurrent;
using Amazon.EC2;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Ferry.Aws.Backup;
using Ferry.Aws.Ec2;
using Ferry.Aws.Efs;
using Ferry.Aws.Kms;
using Ferry.Aws.Rds;
using Ferry.Aws.Runtime;
using Ferry.Core.Ports;

namespace Ferry.Aws;

/// <summary>Opens the real adapters as a role in a region; clients are reused per (service, credentials, region).</summary>
public sealed class AwsPorts(AwsOptions options) : IAwsPorts, IDisposable
{
    private readonly ConcurrentDictionary<(string Service, string AccessKeyId, string Region), IDisposable> _clients = new();

    public AwsOptions Options { get; } = options;

    public IEc2Port Ec2(RoleSession session, string region) =>
        new AwsEc2Port(Client<IAmazonEC2>("ec2", session, region,
            c => new AmazonEC2Client(c, SdkErrors.Configure(new AmazonEC2Config(), "ec2", region, Options))), region, session.AccountId);

    public IRdsPort Rds(RoleSession session, string region) =>
        new AwsRdsPort(Client("rds", session, region, c => new RdsClient(c, region, Options) { Account = session.AccountId }));

    public IKmsPort Kms(RoleSession session, string region) =>
        new AwsKmsPort(Client<IAmazonKeyManagementService>("kms", session, region,
            c => new AmazonKeyManagementServiceClient(c, SdkErrors.Configure(new AmazonKeyManagementServiceConfig(), "kms", region, Options))), region, session.RoleArn);

    public IBackupPort Backup(RoleSession session, string region) =>
        new AwsBackupPort(Client("backup", session, region, c => new BackupClient(c, region, Options) { Account = session.AccountId }), session.AccountId);

    public IEfsPort Efs(RoleSession session, string region) =>
        new AwsEfsPort(Client("elasticfilesystem", session, region, c => new EfsClient(c, region, Options) { Account = session.AccountId }));

    public static AWSCredentials ToSdk(AwsCredentials credentials) =>
        new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken);

    private T Client<T>(string service, RoleSession session, string region, Func<AWSCredentials, T> create)
        where T : IDisposable =>
        (T)_clients.GetOrAdd((service, session.Credentials.AccessKeyId, region), _ => create(ToSdk(session.Credentials)));

    public void Dispose()
    {
        foreach (var client in _clients.Values)
            client.Dispose();
        _clients.Clear();
    }
}
