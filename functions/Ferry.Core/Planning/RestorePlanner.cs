using Ferry.Core.Aws;
using Ferry.Core.Inventory;
using Ferry.Core.Policies;

namespace Ferry.Core.Planning;

/// <summary>Where and how to restore a restore point; null overrides keep the original's configuration.</summary>
/// <param name="TargetKmsKey">The key the restored volumes or DB are encrypted with (must be in the target region).</param>
/// <param name="ShareKey">
/// X-DEF2: a customer managed key of the restore point's account and region; a restore point on an AWS managed default key
/// is re-encrypted with it by its owner before it is shared with another account.
/// </param>
public sealed record RestoreRequest(
    string TargetAccount,
    string TargetRegion,
    string RestoreRole,
    string? TargetKmsKey,
    string? InstanceType = null,
    string? DbClass = null,
    string? NewIdentifier = null,
    string? ShareKey = null);

/// <summary>
/// Plans a restore from a snapshot or a replica (EC2-X0..X3, RDS-X0..X3, X-DEF, X-DEF2). The share step (and X-DEF2's
/// re-encrypting copy before it) runs as the role that owns the restore point; every other step as the restore role.
/// </summary>
public static class RestorePlanner
{
    public static ResourcePlan Plan(RestorePointFacts point, RestoreRequest request, PlanContext? context = null)
    {
        var type = point.Instance is not null ? ResourceType.Ec2 : ResourceType.Rds;
        var crossAccount = request.TargetAccount != point.AccountId;
        var crossRegion = request.TargetRegion != point.Region;
        var items = point.Snapshots
            .Select(s => new ItemPlan(s.ItemId, s.Encrypted, s.Encrypted ? s.Key?.KeyArn : null, ItemAction.Proceed,
                request.TargetKmsKey ?? (crossAccount || crossRegion ? null : s.Key?.KeyArn), "Restore", s.DeviceName))
            .ToList();
        var shell = new ResourcePlan(point.SourceResourceId, type, point.AccountId, point.Region, request.TargetAccount, request.TargetRegion,
            Verdict.Proceed, "Restoring", [], items, [], []);

        var problem = Problem(point, request, crossAccount, crossRegion);
        if (problem is not null)
            return shell with { Verdict = Verdict.Fail, Reason = problem, Items = [.. items.Select(i => i with { Action = ItemAction.Fail, Reason = problem })] };

        var ownerKind = point.IsReplica ? RoleKind.Target : RoleKind.Source;
        var steps = new Steps(point.OwnerRole, point.OwnerRole, request.RestoreRole);
        // The key each snapshot the restore role reads is encrypted with: X-DEF2's share-key copy's, or the snapshot's own.
        var reads = point.Snapshots.ToDictionary(s => s.ItemId, s => !s.Encrypted ? null
            : crossAccount && s.Key is { IsAwsManagedDefault: true } ? request.ShareKey : s.Key?.KeyArn);
        if (crossAccount)
        {
            var rekeyed = point.Snapshots.Where(s => s.Encrypted && s.Key is { IsAwsManagedDefault: true }).Select(s => s.ItemId).ToList();
            if (rekeyed.Count > 0)
            {
                // No need on the default key: its key policy serves every principal of its account through the service.
                steps.Add(new PlanStep(StepKind.Copy, ownerKind, point.OwnerRole, point.AccountId, point.Region, rekeyed, [new KeyNeed(request.ShareKey!, KeyUse.Encrypt)],
                    $"Copy the default-key snapshot(s) within {point.Region} in account {point.AccountId} as the owner's role, re-encrypted with share key {request.ShareKey} (AWS shares no default-key snapshot)",
                    point.Region, KmsKey: request.ShareKey));
                steps.Add(new PlanStep(StepKind.WaitForAvailable, ownerKind, point.OwnerRole, point.AccountId, point.Region, rekeyed, [], "Wait until every re-encrypted copy is completed"));
            }
            var shareKeys = reads.Values.OfType<string>().Distinct().Select(k => new KeyNeed(k, KeyUse.Share)).ToList();
            steps.Share(ownerKind, point.OwnerRole, point.AccountId, point.Region, [.. point.Snapshots.Select(s => s.ItemId)], shareKeys,
                $"Share the {(point.IsReplica ? "replica" : "snapshot")}{(rekeyed.Count > 0 ? " (and re-encrypted copies)" : "")} with account {request.TargetAccount} as its owner's role", request.TargetAccount);
        }
        if (type == ResourceType.Ec2)
            PlanEc2(point, request, steps, crossAccount, crossRegion, reads);
        else
            PlanRds(point, request, steps, crossAccount, crossRegion, reads);
        return ReplicaPlanner.Finish(shell, steps, context);
    }

    private static string? Problem(RestorePointFacts point, RestoreRequest request, bool crossAccount, bool crossRegion)
    {
        if (request.TargetKmsKey is not null)
        {
            if (!Arn.TryParse(request.TargetKmsKey, out var key) || key.Service != "kms")
                return $"targetKmsKey '{request.TargetKmsKey}' is not a KMS key ARN";
            if (key.Region != request.TargetRegion)
                return $"targetKmsKey is in {key.Region} but the restore goes to {request.TargetRegion}: the key must live in the target region";
        }
        if (request.ShareKey is not null)
        {
            if (!Arn.TryParse(request.ShareKey, out var key) || key.Service != "kms" || !key.Resource.StartsWith("key/", StringComparison.Ordinal))
                return $"shareKey '{request.ShareKey}' is not a KMS key ARN (arn:aws:kms:region:account:key/id)";
            if (key.Account != point.AccountId || key.Region != point.Region)
                return $"shareKey is in account {key.Account}, {key.Region}, but the restore point is in account {point.AccountId}, {point.Region}: the share key must belong to the restore point's account and region";
        }
        var defaultKeyed = point.Snapshots.FirstOrDefault(s => s.Encrypted && s.Key is { IsAwsManagedDefault: true });
        if (crossAccount && defaultKeyed is not null && request.ShareKey is null)
        {
            return $"Snapshot {defaultKeyed.SnapshotId} is encrypted with the AWS managed default key {defaultKeyed.Key!.Display}; "
                + $"AWS does not allow sharing it with account {request.TargetAccount}, so it cannot be restored there. "
                + $"Give shareKey (a customer managed key of account {point.AccountId} in {point.Region}) to re-encrypt it before sharing";
        }
        if ((crossAccount || crossRegion) && request.TargetKmsKey is null && point.Snapshots.Any(s => s.Encrypted))
            return $"The restore point is encrypted; restoring it to another {(crossAccount ? "account" : "region")} needs a target KMS key in {request.TargetRegion}";
        return null;
    }

    private static void PlanEc2(RestorePointFacts point, RestoreRequest request, Steps steps, bool crossAccount, bool crossRegion, Dictionary<string, string?> reads)
    {
        var instance = point.Instance!;
        var volumes = point.Snapshots.Select(s => s.ItemId).ToList();
        var readKeys = reads.Values.OfType<string>().Distinct().Select(k => new KeyNeed(k, KeyUse.Decrypt)).ToList();
        // X-DEF2: the image and volumes are made from copies in the target account, never from the owner's re-encrypted
        // copy, which is deleted once they are complete (an image would hold it).
        var rekeyed = steps.All.Any(s => s.Kind == StepKind.Copy);
        if (crossRegion || rekeyed)
        {
            steps.Restore(StepKind.Copy, request.TargetAccount, request.TargetRegion, volumes, [.. readKeys, .. TargetKey(request)],
                $"Copy the {(crossAccount ? "shared " : "")}snapshot(s) {(crossRegion ? $"from {point.Region} to {request.TargetRegion}" : $"within {point.Region}")} in account {request.TargetAccount}, encrypted with {request.TargetKmsKey ?? "no key"}",
                point.Region, request.TargetKmsKey);
            steps.Restore(StepKind.WaitForAvailable, request.TargetAccount, request.TargetRegion, volumes, [], "Wait until every copy is completed");
            // The volumes are then made from copies that the target key already encrypts.
            readKeys = request.TargetKmsKey is null ? [] : [new KeyNeed(request.TargetKmsKey, KeyUse.Decrypt)];
        }
        var instanceType = request.InstanceType ?? instance.InstanceType;
        var encryptKey = request.TargetKmsKey is null ? SnapshotKeys(point, KeyUse.Encrypt) : TargetKey(request);
        steps.Restore(StepKind.CreateInstance, request.TargetAccount, request.TargetRegion, [instance.InstanceId], [],
            $"Create an instance of type {instanceType} with the original's tags in account {request.TargetAccount}, {request.TargetRegion}",
            kmsKey: request.TargetKmsKey);
        steps.Restore(StepKind.CreateVolumes, request.TargetAccount, request.TargetRegion, volumes, [.. readKeys, .. encryptKey],
            $"Create {volumes.Count} volume(s) from the {(crossRegion || rekeyed ? "copies" : crossAccount ? "shared snapshot(s)" : "snapshot(s)")}, encrypted with {request.TargetKmsKey ?? "the snapshot's key"}",
            kmsKey: request.TargetKmsKey);
        steps.Restore(StepKind.AttachVolumes, request.TargetAccount, request.TargetRegion, volumes, [],
            "Attach the volumes with the original device names");
    }

    private static void PlanRds(RestorePointFacts point, RestoreRequest request, Steps steps, bool crossAccount, bool crossRegion, Dictionary<string, string?> reads)
    {
        var db = point.Database!;
        var snapshot = point.Snapshots.Single();
        var aurora = db.Kind == RdsKind.AuroraCluster;
        var sourceKey = reads[snapshot.ItemId];
        var targetKey = request.TargetKmsKey;
        // AWS cannot encrypt an unencrypted Aurora snapshot by copying it; the cluster restore encrypts instead.
        var copyKey = aurora && !snapshot.Encrypted ? null : targetKey;
        var id = db.Identifier;

        var current = sourceKey;
        void Copy(string fromRegion, string toRegion, string? key, string description)
        {
            var keys = new List<KeyNeed>();
            if (current is not null)
                keys.Add(new KeyNeed(current, KeyUse.Decrypt));
            if (key is not null)
                keys.Add(new KeyNeed(key, KeyUse.Encrypt));
            steps.Restore(StepKind.Copy, request.TargetAccount, toRegion, [id], keys, description, fromRegion, key);
            steps.Restore(StepKind.WaitForAvailable, request.TargetAccount, toRegion, [id], [], "Wait until the copy is available");
            current = key;
        }

        if (crossAccount && crossRegion)
        {
            Copy(point.Region, point.Region, sourceKey, $"Copy the shared snapshot into account {request.TargetAccount} in {point.Region}" + (sourceKey is null ? "" : " (keeping the source key)"));
            Copy(point.Region, request.TargetRegion, copyKey, $"Copy that copy to {request.TargetRegion}, {Encryption(copyKey)}");
        }
        else if (crossAccount || crossRegion)
        {
            Copy(point.Region, request.TargetRegion, copyKey,
                $"Copy the {(crossAccount ? "shared " : "")}snapshot {(crossRegion ? $"to {request.TargetRegion}" : $"into account {request.TargetAccount}")}, {Encryption(copyKey)}");
        }
        else if (!aurora && targetKey is not null && targetKey != sourceKey)
        {
            // A DB instance restore keeps its snapshot's key, so a new key means a re-encrypting copy first.
            Copy(point.Region, point.Region, targetKey, $"Copy the snapshot in {point.Region}, {Encryption(targetKey)}, because a DB instance restore keeps its snapshot's key");
        }

        var restoreKey = aurora ? targetKey ?? current : current;
        var restoreKeys = new List<KeyNeed>();
        if (current is not null)
            restoreKeys.Add(new KeyNeed(current, KeyUse.Decrypt));
        if (restoreKey is not null)
            restoreKeys.Add(new KeyNeed(restoreKey, KeyUse.Encrypt));
        var name = request.NewIdentifier ?? id;
        var shape = aurora ? "Aurora cluster" : $"DB instance of class {request.DbClass ?? db.DbClass ?? "(original)"}";
        steps.Restore(StepKind.RestoreDatabase, request.TargetAccount, request.TargetRegion, [id], restoreKeys.Distinct().ToList(),
            $"Restore {shape} {name} ({db.Engine} {db.EngineVersion}) with the original's tags, {Encryption(restoreKey)}", kmsKey: restoreKey);
    }

    private static List<KeyNeed> SnapshotKeys(RestorePointFacts point, KeyUse use) =>
        point.Snapshots.Where(s => s.Encrypted && s.Key is not null).Select(s => new KeyNeed(s.Key!.KeyArn, use)).Distinct().ToList();

    private static List<KeyNeed> TargetKey(RestoreRequest request) =>
        request.TargetKmsKey is null ? [] : [new KeyNeed(request.TargetKmsKey, KeyUse.Encrypt)];

    private static string Encryption(string? key) => key is null ? "unencrypted" : $"encrypted with {key}";
}
