using Ferry.Core.Aws;
using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Ports;
using Ferry.Core.Runs;

namespace Ferry.Local.Planning;

/// <summary>
/// A simulated world as a plan's inventory: what the policy's roles see through Ferry's ports (instances, databases,
/// their keys, the engine versions the target regions offer, which of those keys each role may use, file systems with
/// their recovery points, target vaults and opt-in), so <c>ferry plan</c> plans a world as a run in it would.
/// </summary>
public static class WorldInventory
{
    private static readonly HashSet<string> GoneStates = ["terminated", "shutting-down", "deleting", "deleted"];
    private static readonly IReadOnlyList<string> AllKeyPermissions = [.. Enum.GetValues<KeyUse>().SelectMany(KeyPermissions.For).Distinct()];

    public static async Task<Inventory> LoadAsync(IAwsPorts aws, ICredentialsPort credentials, Policy policy, CancellationToken cancellationToken = default)
    {
        var world = new Reader(aws, credentials, cancellationToken);
        return policy.Type == ResourceType.Efs ? await world.FileSystemsAsync(policy) : await world.ResourcesAsync(policy);
    }

    private sealed class Reader(IAwsPorts aws, ICredentialsPort credentials, CancellationToken cancellationToken)
    {
        private readonly Dictionary<string, RoleSession> _sessions = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Region, string Key), KeyFacts> _keys = [];

        public async Task<Inventory> ResourcesAsync(Policy policy)
        {
            var sourceRole = policy.Sources.SourceRole;
            var account = policy.Sources.AccountId;
            var instances = new List<Ec2InstanceFacts>();
            var databases = new List<RdsFacts>();
            var offers = new List<(string Region, string Engine, string Version)>();
            var lookedUp = new List<(string Region, string Engine)>();
            foreach (var region in policy.Sources.Regions)
            {
                var session = await AsAsync(sourceRole);
                if (policy.Type == ResourceType.Ec2)
                {
                    foreach (var i in await aws.Ec2(session, region).DescribeInstancesAsync(new InstanceQuery(), cancellationToken))
                    {
                        if (GoneStates.Contains(i.State))
                            continue;
                        var volumes = new List<VolumeFacts>();
                        foreach (var v in i.Volumes)
                            volumes.Add(new VolumeFacts(v.VolumeId, v.DeviceName ?? "", v.SizeGiB, v.Encrypted, v.Encrypted ? await KeyAsync(session, region, v.KmsKeyId) : null, v.VolumeType));
                        instances.Add(new Ec2InstanceFacts(i.InstanceId, account, region, i.InstanceType, i.Tags, volumes, i.AvailabilityZone, i.RootDeviceName));
                    }
                    continue;
                }
                foreach (var db in await aws.Rds(session, region).DescribeDatabasesAsync(null, null, cancellationToken))
                {
                    var key = db.Encrypted ? await KeyAsync(session, region, db.KmsKeyId) : null;
                    databases.Add(new RdsFacts(db.Identifier, db.Kind, account, region, db.Engine, db.EngineVersion, db.Encrypted, key, db.Tags, db.DbClass));
                    if (db.Kind == RdsKind.AuroraCluster && policy.MappingFor(region) is { } mapping && !lookedUp.Contains((mapping.TargetRegion, db.Engine)))
                    {
                        var target = aws.Rds(await AsAsync(mapping.TargetRole), mapping.TargetRegion);
                        offers.AddRange((await target.DescribeEngineVersionsAsync(db.Engine, cancellationToken)).Select(v => (mapping.TargetRegion, db.Engine, v)));
                        lookedUp.Add((mapping.TargetRegion, db.Engine));
                    }
                }
            }
            var mappings = policy.Sources.Regions.Select(policy.MappingFor).OfType<ReplicaMapping>().ToList();
            var roles = new[] { sourceRole }.Concat(mappings.Select(m => m.TargetRole)).Distinct();
            var keys = _keys.Values.Select(k => k.KeyArn).Concat(mappings.Select(m => m.Encryption.KmsKey).OfType<string>()).Distinct().ToList();
            var grants = new List<KeyGrant>();
            foreach (var role in roles)
            {
                foreach (var key in keys)
                    grants.Add(await GrantAsync(role, key));
            }
            return new Inventory(instances, databases, new PlanContext(new KeyAccess(grants), new EngineCatalog(offers, lookedUp)));
        }

        public async Task<Inventory> FileSystemsAsync(Policy policy)
        {
            var accounts = policy.Sources.Mode == SourceMode.Organization ? policy.Sources.Accounts : [policy.Sources.AccountId];
            var fileSystems = new List<EfsFacts>();
            foreach (var region in policy.Sources.Regions)
            {
                var mapping = policy.CopyMappingFor(region);
                if (mapping is null)
                    continue;
                foreach (var account in accounts)
                {
                    var session = await AsAsync(BackupCopyPlanner.RoleFor(policy.Sources, account));
                    var backup = aws.Backup(session, region);
                    var vaults = await aws.Backup(session, mapping.TargetRegion).ListVaultsAsync(cancellationToken);
                    var optIn = await backup.GetResourceTypeOptInAsync(cancellationToken);
                    foreach (var fs in await aws.Efs(session, region).DescribeFileSystemsAsync(null, cancellationToken))
                    {
                        if (GoneStates.Contains(fs.LifeCycleState) || !policy.Sources.Resources.Matches(fs.FileSystemId, fs.Tags))
                            continue;
                        fileSystems.Add(new EfsFacts(fs.FileSystemId, account, region, vaults, await backup.ListRecoveryPointsByResourceAsync(fs.Arn, cancellationToken),
                            optIn.TryGetValue(BackupCopyPlanner.EfsResourceType, out var on) ? on : null));
                    }
                }
            }
            return new Inventory([], [], PlanContext.Empty, fileSystems);
        }

        private async Task<RoleSession> AsAsync(string role) =>
            _sessions.TryGetValue(role, out var session) ? session : _sessions[role] = await credentials.AssumeAsync(role, cancellationToken);

        private async Task<KeyFacts?> KeyAsync(RoleSession session, string region, string? keyId)
        {
            if (keyId is null)
                return null;
            if (!_keys.TryGetValue((region, keyId), out var facts))
                _keys[(region, keyId)] = facts = await aws.Kms(session, region).DescribeKeyAsync(keyId, cancellationToken);
            return facts;
        }

        /// <summary>What KMS, in the key's region, says the role may do with the key; nothing when it may not even see it.</summary>
        private async Task<KeyGrant> GrantAsync(string role, string key)
        {
            var region = Arn.TryParse(key, out var arn) ? arn.Region : "";
            try
            {
                var check = await aws.Kms(await AsAsync(role), region).CheckAccessAsync(key, AllKeyPermissions, cancellationToken);
                return new KeyGrant(role, key, [.. AllKeyPermissions.Except(check.Missing)]);
            }
            catch (FerryException)
            {
                return new KeyGrant(role, key, []);
            }
        }
    }
}
