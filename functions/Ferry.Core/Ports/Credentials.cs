namespace Ferry.Core.Ports;

/// <summary>Temporary credentials of an assumed role. Never logged.</summary>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string SessionToken, DateTimeOffset Expiration)
{
    public override string ToString() => $"AwsCredentials({AccessKeyId}, expires {Expiration:O})";
}

/// <summary>A role Ferry is acting as: every service port is opened for one session and one region.</summary>
public sealed record RoleSession(string RoleArn, string AccountId, AwsCredentials Credentials);

/// <summary>Obtains a session for a role (STS AssumeRole with the deployment's ExternalId), cached until shortly before expiry.</summary>
public interface ICredentialsPort
{
    Task<RoleSession> AssumeAsync(string roleArn, CancellationToken cancellationToken = default);
}

/// <summary>Opens Ferry's service ports as a role in a region.</summary>
public interface IAwsPorts
{
    IEc2Port Ec2(RoleSession session, string region);

    IRdsPort Rds(RoleSession session, string region);

    IKmsPort Kms(RoleSession session, string region);

    IBackupPort Backup(RoleSession session, string region);

    IEfsPort Efs(RoleSession session, string region);
}

public interface IClock
{
    DateTimeOffset UtcNow { get; }
}

public sealed class SystemClock : IClock
{
    public static readonly SystemClock Instance = new();

    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;
}

/// <summary>The tags Ferry puts on everything it creates, so retries find earlier work and retention touches only Ferry's own.</summary>
public static class FerryTags
{
    /// <summary>On every snapshot and copy Ferry makes, with the value <see cref="ManagedByFerry"/>: Ferry's roles share and delete only what carries it (and a deployed policy's id).</summary>
    public const string ManagedBy = "ferry:managed-by";
    public const string ManagedByFerry = "ferry";
    public const string Policy = "ferry:policy";
    public const string Session = "ferry:session";
    public const string Source = "ferry:source";
    public const string Step = "ferry:step";
    public const string RestorePoint = "ferry:restore-point";
    public const string Item = "ferry:item";
}

/// <summary>A tag filter on a describe call: resources carrying <paramref name="Key"/> with one of <paramref name="Values"/>.</summary>
public sealed record TagQuery(string Key, IReadOnlyList<string> Values);
