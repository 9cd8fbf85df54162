using Ferry.Core.Inventory;

namespace Ferry.Simulator.World;

/// <summary>Work that takes simulated time: done at <see cref="End"/>, then failed or not.</summary>
internal sealed record Progress(DateTimeOffset Start, DateTimeOffset End, bool Fails)
{
    public bool Done(DateTimeOffset now) => now >= End;

    public bool Succeeded(DateTimeOffset now) => Done(now) && !Fails;

    public int Percent(DateTimeOffset now) =>
        Done(now) ? 100 : End <= Start ? 0 : (int)(100 * (now - Start).Ticks / (End - Start).Ticks);
}

internal sealed record SimRole(string Arn, string Account, IReadOnlyList<string> AssumableBy, string? ExternalId);

internal sealed record SimKey(string Arn, string Account, string Region, string? Alias, bool IsDefault)
{
    public KeyFacts Facts => new(Arn, Account, Region, IsDefault, Alias);
}

internal sealed class SimVolume
{
    public required string Id { get; init; }
    public required string Account { get; init; }
    public required string Region { get; init; }
    public required string Zone { get; init; }
    public required int SizeGiB { get; init; }
    public required string VolumeType { get; init; }
    public required bool Encrypted { get; init; }
    public required SimKey? Key { get; init; }
    public required Dictionary<string, string> Tags { get; init; }
    public required DateTimeOffset ReadyAt { get; init; }
    public string? SnapshotId { get; init; }
    public string? ClientToken { get; init; }
    public int? Iops { get; init; }
    public int? Throughput { get; init; }
    public string? AttachedTo { get; set; }
    public string? DeviceName { get; set; }

    /// <summary>Whether the volume is deleted when its instance terminates: a launch's root volume is, an attached one is not unless changed.</summary>
    public bool DeleteOnTermination { get; set; }

    public string State(DateTimeOffset now) => AttachedTo is not null ? "in-use" : now >= ReadyAt ? "available" : "creating";
}

internal sealed class SimInstance
{
    public required string Id { get; init; }
    public required string Account { get; init; }
    public required string Region { get; init; }
    public required string Zone { get; init; }
    public required string InstanceType { get; init; }
    public required string RootDeviceName { get; init; }
    public required string Architecture { get; init; }
    public required Dictionary<string, string> Tags { get; init; }
    public required List<SimVolume> Volumes { get; init; }
    public required DateTimeOffset ReadyAt { get; init; }
    public string? ImageId { get; init; }
    public string? SubnetId { get; init; }
    public IReadOnlyList<string> SecurityGroupIds { get; init; } = [];
    public string? ClientToken { get; init; }

    /// <summary>Set by stop, start and terminate; null while the instance follows its launch (pending, then running).</summary>
    public string? StateOverride { get; set; }

    public string State(DateTimeOffset now) => StateOverride ?? (now >= ReadyAt ? "running" : "pending");
}

internal sealed class SimEbsSnapshot
{
    public required string Id { get; init; }
    public required string Account { get; init; }
    public required string Region { get; init; }
    public required string VolumeId { get; init; }
    public required int SizeGiB { get; init; }
    public required bool Encrypted { get; init; }
    public required SimKey? Key { get; init; }
    public required Dictionary<string, string> Tags { get; init; }
    public required Progress Life { get; init; }
    public string Description { get; init; } = "";
    public HashSet<string> SharedWith { get; } = [];

    public string State(DateTimeOffset now) => !Life.Done(now) ? "pending" : Life.Fails ? "error" : "completed";
}

internal sealed record SimImage(string Id, string Account, string Region, string Name, string RootDeviceName, string RootSnapshotId, string Architecture, Dictionary<string, string> Tags);

internal sealed class SimDatabase
{
    public required string Identifier { get; init; }
    public required RdsKind Kind { get; init; }
    public required string Account { get; init; }
    public required string Region { get; init; }
    public required string Engine { get; init; }
    public required string EngineVersion { get; init; }
    public required bool Encrypted { get; init; }
    public required SimKey? Key { get; init; }
    public required string? DbClass { get; init; }
    public required int StorageGiB { get; init; }
    public required Dictionary<string, string> Tags { get; init; }
    public required DateTimeOffset ReadyAt { get; init; }
    public string? SubnetGroup { get; init; }

    /// <summary>For a DB instance that is a member of an Aurora cluster, the cluster.</summary>
    public string? ClusterIdentifier { get; init; }

    public string Arn => $"arn:aws:rds:{Region}:{Account}:{(Kind == RdsKind.AuroraCluster ? "cluster" : "db")}:{Identifier}";

    public string Status(DateTimeOffset now) => now >= ReadyAt ? "available" : "creating";
}

internal sealed class SimRdsSnapshot
{
    public required string Identifier { get; init; }
    public required RdsKind Kind { get; init; }
    public required string Account { get; init; }
    public required string Region { get; init; }
    public required string SourceIdentifier { get; init; }
    public required bool Encrypted { get; init; }
    public required SimKey? Key { get; init; }
    public required string Engine { get; init; }
    public required string EngineVersion { get; init; }
    public required string? DbClass { get; init; }
    public required int StorageGiB { get; init; }
    public required Dictionary<string, string> Tags { get; init; }
    public required Progress Life { get; init; }
    public HashSet<string> SharedWith { get; } = [];

    public string Arn => $"arn:aws:rds:{Region}:{Account}:{(Kind == RdsKind.AuroraCluster ? "cluster-snapshot" : "snapshot")}:{Identifier}";

    public string Status(DateTimeOffset now) => !Life.Done(now) ? "creating" : Life.Fails ? "failed" : "available";
}

internal sealed record SimVault(string Name, string Account, string Region, Dictionary<string, string> Tags, bool Locked, bool LogicallyAirGapped)
{
    public string Arn => $"arn:aws:backup:{Region}:{Account}:backup-vault:{Name}";
}

internal sealed record SimRecoveryPoint(string Arn, string ResourceArn, string Account, string Region, string VaultName, Progress Life)
{
    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    public string Status(DateTimeOffset now) => !Life.Done(now) ? "CREATING" : Life.Fails ? "EXPIRED" : "COMPLETED";
}

internal sealed record SimCopyJob(string Id, string Account, string Region, string SourceRecoveryPointArn, SimVault Destination, string DestinationRecoveryPointArn, Progress Life)
{
    public string State(DateTimeOffset now) => !Life.Done(now) ? "RUNNING" : Life.Fails ? "FAILED" : "COMPLETED";
}

/// <summary>A copy holding one slot of its destination's concurrent-copy quota until <see cref="End"/>.</summary>
internal sealed class ActiveCopy(CopyService service, string account, string region, string id, DateTimeOffset end)
{
    public CopyService Service { get; } = service;
    public string Account { get; } = account;
    public string Region { get; } = region;
    public string Id { get; } = id;
    public DateTimeOffset End { get; set; } = end;
}

/// <summary>Credentials the world issued: to a principal (long-term, no token) or by AssumeRole (temporary, with a session token).</summary>
internal sealed record Identity(string Arn, string Secret, string? Token, DateTimeOffset Expiration);
