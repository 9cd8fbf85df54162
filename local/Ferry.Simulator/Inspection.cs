using System.Collections.Concurrent;
using Ferry.Core.Inventory;
using Ferry.Simulator.World;

namespace Ferry.Simulator;

/// <summary>A snapshot or copy as the world holds it now.</summary>
/// <param name="Service">ebs, rds or aurora.</param>
/// <param name="Origin">The volume (EBS) or DB identifier (RDS) it was taken from, also for copies.</param>
/// <param name="State">As a describe call would say: pending/completed/error (EBS), creating/available/failed (RDS).</param>
public sealed record SnapshotFacts(string Service, string Id, string Account, string Region, string Origin, IReadOnlyDictionary<string, string> Tags, string State);

/// <summary>A snapshot, copy or copy job that the faults made end in error, with the parameters of the call that started it.</summary>
public sealed record InjectedError(string Service, string Operation, string Account, string Region, IReadOnlyCollection<string> ParameterValues);

/// <summary>What reports and tests read of the world without an API call (so nothing is logged, throttled or faulted).</summary>
public sealed partial class SimulatedAws
{
    private readonly ConcurrentQueue<InjectedError> _injectedErrors = new();

    /// <summary>Every snapshot, copy or copy job that was made to end in error, even if it was deleted since.</summary>
    public IReadOnlyCollection<InjectedError> InjectedErrors => _injectedErrors;

    /// <summary>Every EBS, RDS and Aurora snapshot (source snapshots and copies) the world holds now.</summary>
    public IReadOnlyList<SnapshotFacts> Snapshots()
    {
        lock (_gate)
        {
            var now = Clock.UtcNow;
            return
            [
                .. EbsSnapshots.Values.Select(s => new SnapshotFacts("ebs", s.Id, s.Account, s.Region, s.VolumeId, new Dictionary<string, string>(s.Tags), s.State(now))),
                .. RdsSnapshots.Values.Select(s => new SnapshotFacts(s.Kind == RdsKind.AuroraCluster ? "aurora" : "rds", s.Identifier, s.Account, s.Region,
                    s.SourceIdentifier, new Dictionary<string, string>(s.Tags), s.Status(now))),
            ];
        }
    }

    /// <summary>The tags of every AWS Backup recovery point the world holds now, by ARN.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> RecoveryPointTags()
    {
        lock (_gate)
            return RecoveryPoints.Values.ToDictionary(p => p.Arn, p => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(p.Tags), StringComparer.Ordinal);
    }

    private Progress Noted(Call call, string operation, Progress progress)
    {
        if (progress.Fails)
            _injectedErrors.Enqueue(new InjectedError(call.Service, operation, call.Account, call.Region, call.ParameterValues));
        return progress;
    }
}
