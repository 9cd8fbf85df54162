using Ferry.Core.Metrics;
using Ferry.Core.Ports;

namespace Ferry.Core.Runs;

/// <summary>How long and how often a flow waits on AWS.</summary>
/// <param name="FirstWait">The first wait before checking a snapshot or copy.</param>
/// <param name="MaxWait">The longest single wait; intervals double up to it.</param>
/// <param name="Deadline">How long a stage may take before its resource fails.</param>
/// <param name="SlotLease">How long a copy slot holding a started copy lasts if never given back: beyond the copy's deadline.</param>
public sealed record WaitSettings(TimeSpan FirstWait, TimeSpan MaxWait, TimeSpan Deadline, TimeSpan SlotLease)
{
    public static readonly WaitSettings Default = new(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10), TimeSpan.FromHours(24), TimeSpan.FromHours(26));

    /// <summary>
    /// How long a slot claimed for a copy that has not started yet lasts: far beyond one step's run (the copy starts in the
    /// same invocation), yet short, so a step that crashed between claim and copy frees its slot soon.
    /// </summary>
    public TimeSpan ClaimLease { get; init; } = TimeSpan.FromMinutes(30);
}

/// <summary>Everything a step needs, behind Ferry's ports: real adapters in Lambda, the simulator locally.</summary>
public sealed record FerryServices(
    ICredentialsPort Credentials,
    IAwsPorts Aws,
    IPolicyStore Policies,
    ISessionStore Sessions,
    IRestorePointStore RestorePoints,
    ICopySlots Slots,
    IClock Clock,
    WaitSettings Waits)
{
    /// <summary>How many copies may run at once per (account, destination region, service).</summary>
    public CopyQuotas CopyQuotas { get; init; } = CopyQuotas.Default;

    /// <summary>Completes the task tokens of parked states (waits for snapshots, copies and copy slots).</summary>
    public ITaskTokens TaskTokens { get; init; } = NoTaskTokens.Instance;

    /// <summary>Where sessions publish their metrics (<see cref="FerryMetrics"/>).</summary>
    public IMetrics Metrics { get; init; } = NoMetrics.Instance;

    /// <summary>Records a metric of a policy's session, overall and per policy (every metric's dimension sets).</summary>
    public void Record(MetricDefinition metric, double value, string policyId, string? outcome = null)
    {
        var dimensions = new Dictionary<string, string>(StringComparer.Ordinal) { [FerryMetrics.PolicyDimension] = policyId };
        if (outcome is not null)
            dimensions[FerryMetrics.OutcomeDimension] = outcome;
        Metrics.Record(metric, value, dimensions);
    }

    public async Task<IEc2Port> Ec2Async(RoleAt at, CancellationToken cancellationToken) =>
        Aws.Ec2(await Credentials.AssumeAsync(at.Role, cancellationToken), at.Region);

    public async Task<IRdsPort> RdsAsync(RoleAt at, CancellationToken cancellationToken) =>
        Aws.Rds(await Credentials.AssumeAsync(at.Role, cancellationToken), at.Region);

    public async Task<IBackupPort> BackupAsync(RoleAt at, CancellationToken cancellationToken) =>
        Aws.Backup(await Credentials.AssumeAsync(at.Role, cancellationToken), at.Region);

    public async Task<IEfsPort> EfsAsync(RoleAt at, CancellationToken cancellationToken) =>
        Aws.Efs(await Credentials.AssumeAsync(at.Role, cancellationToken), at.Region);

    public async Task<IKmsPort> KmsAsync(string role, string region, CancellationToken cancellationToken) =>
        Aws.Kms(await Credentials.AssumeAsync(role, cancellationToken), region);
}
