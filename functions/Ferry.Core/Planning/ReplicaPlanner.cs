using Ferry.Core.Aws;
using Ferry.Core.Inventory;
using Ferry.Core.Policies;

namespace Ferry.Core.Planning;

/// <summary>
/// Decides, before anything is touched, how one resource is replicated under a mapping:
/// the ordered steps, the role of each, the keys each role must reach, and the outcome.
/// Every documented failure (EC2-R1..R12, RDS-R1..R10) is caught here.
/// </summary>
public static class ReplicaPlanner
{
    public static ResourcePlan PlanEc2(Ec2InstanceFacts instance, PolicySources sources, ReplicaMapping mapping, PlanContext? context = null)
    {
        var crossAccount = mapping.TargetAccount != instance.AccountId;
        var items = instance.Volumes
            .Select(v => DecideItem(v.VolumeId, "volume", v.Encrypted, v.Key, crossAccount, mapping, aurora: false, v.DeviceName))
            .ToList();
        var shell = Shell(ResourceType.Ec2, instance.InstanceId, instance.AccountId, instance.Region, mapping, items);
        if (shell.Verdict != Verdict.Proceed)
            return shell;

        var replicated = items.Where(i => i.Action == ItemAction.Proceed).ToList();
        var all = instance.Volumes.Select(v => v.VolumeId).ToList();
        var steps = new Steps(sources.SourceRole, mapping.TargetRole);
        steps.Source(StepKind.TakeSnapshot, instance.AccountId, instance.Region, all, [],
            $"Snapshot the {all.Count} volume(s) of {instance.InstanceId} together (crash-consistent)");
        steps.Source(StepKind.WaitForAvailable, instance.AccountId, instance.Region, all, [], "Wait until every snapshot is completed");
        if (crossAccount)
        {
            AddShareCopy(steps, instance.AccountId, instance.Region, replicated, "volume snapshot(s)");
            AddShare(steps, instance.AccountId, instance.Region, mapping.TargetAccount, replicated);
        }

        // Volumes that end up encrypted the same way are copied by one step.
        foreach (var group in replicated.GroupBy(i => i.TargetKey))
        {
            var members = group.ToList();
            var keys = members.Select(ItemPlan.SharedKey).OfType<string>().Select(k => new KeyNeed(k, KeyUse.Decrypt)).Distinct().ToList();
            if (group.Key is not null)
                keys.Add(new KeyNeed(group.Key, KeyUse.Encrypt));
            steps.Target(StepKind.Copy, mapping.TargetAccount, mapping.TargetRegion, [.. members.Select(i => i.ItemId)], keys,
                CopyDescription(members.Count + " snapshot(s)", instance.Region, mapping, crossAccount, group.Key, members.Any(m => m.SourceEncrypted)),
                fromRegion: instance.Region, kmsKey: group.Key);
        }
        steps.Target(StepKind.WaitForAvailable, mapping.TargetAccount, mapping.TargetRegion, [.. replicated.Select(i => i.ItemId)], [], "Wait until every replica is completed");
        return Finish(shell, steps, context);
    }

    public static ResourcePlan PlanRds(RdsFacts db, PolicySources sources, ReplicaMapping mapping, PlanContext? context = null)
    {
        context ??= PlanContext.Empty;
        var crossAccount = mapping.TargetAccount != db.AccountId;
        var aurora = db.Kind == RdsKind.AuroraCluster;
        var item = DecideItem(db.Identifier, aurora ? "Aurora cluster" : "DB instance", db.Encrypted, db.Key, crossAccount, mapping, aurora, null);

        var notes = new List<string>();
        if (aurora && item.Action != ItemAction.Fail)
        {
            // RDS-R8: a cluster snapshot copied where its engine version is not offered cannot be restored there.
            switch (context.Engines?.Offers(mapping.TargetRegion, db.Engine, db.EngineVersion))
            {
                case false:
                    item = item with
                    {
                        Action = ItemAction.Fail,
                        Reason = $"Aurora engine {db.Engine} version {db.EngineVersion} is not offered in target region {mapping.TargetRegion}; a replica there could not be restored",
                    };
                    break;
                case null:
                    notes.Add($"Engine version support in {mapping.TargetRegion} was not checked (no engine catalog)");
                    break;
            }
        }
        var shell = Shell(ResourceType.Rds, db.Identifier, db.AccountId, db.Region, mapping, [item]);
        if (shell.Verdict != Verdict.Proceed)
            return shell;

        var id = db.Identifier;
        var kind = aurora ? "cluster snapshot" : "DB snapshot";
        var sourceKey = db.Encrypted ? db.Key?.KeyArn : null;
        var steps = new Steps(sources.SourceRole, mapping.TargetRole);
        steps.Source(StepKind.TakeSnapshot, db.AccountId, db.Region, [id], [], $"Take a manual {kind} of {id}");
        steps.Source(StepKind.WaitForAvailable, db.AccountId, db.Region, [id], [], "Wait until the snapshot is available");

        if (!crossAccount)
        {
            AddRdsCopy(steps, db.AccountId, db.Region, mapping.TargetRegion, id, sourceKey, item.TargetKey,
                CopyDescription($"the {kind}", db.Region, mapping, false, item.TargetKey, db.Encrypted));
        }
        else
        {
            AddShareCopy(steps, db.AccountId, db.Region, [item], kind);
            AddShare(steps, db.AccountId, db.Region, mapping.TargetAccount, [item]);
            sourceKey = ItemPlan.SharedKey(item);
            if (mapping.TargetRegion == db.Region)
            {
                AddRdsCopy(steps, mapping.TargetAccount, db.Region, db.Region, id, sourceKey, item.TargetKey,
                    CopyDescription($"the shared {kind}", db.Region, mapping, true, item.TargetKey, db.Encrypted));
            }
            else
            {
                // RDS-R2: a shared snapshot is first copied into the target account in its own
                // region (keeping the source key), then that copy goes to the target region.
                AddRdsCopy(steps, mapping.TargetAccount, db.Region, db.Region, id, sourceKey, sourceKey,
                    $"Copy the shared {kind} into account {mapping.TargetAccount} in {db.Region}" + (sourceKey is null ? "" : " (keeping the source key)"));
                AddRdsCopy(steps, mapping.TargetAccount, db.Region, mapping.TargetRegion, id, sourceKey, item.TargetKey,
                    CopyDescription("that copy", db.Region, mapping, false, item.TargetKey, db.Encrypted));
            }
        }
        return Finish(shell with { Notes = notes }, steps, context);
    }

    /// <summary>
    /// Every role, account and region where plans under the mapping make snapshots or copies, copies first: where a
    /// failed or abandoned attempt may have left something (RDS-R2 stages copies in the target account's source region).
    /// </summary>
    public static IReadOnlyList<(string Role, string Account, string Region)> Places(ResourceType type, PolicySources sources, ReplicaMapping mapping)
    {
        var places = new List<(string Role, string Account, string Region)> { (mapping.TargetRole, mapping.TargetAccount, mapping.TargetRegion) };
        if (type == ResourceType.Rds && mapping.TargetAccount != sources.AccountId && mapping.TargetRegion != mapping.SourceRegion)
            places.Add((mapping.TargetRole, mapping.TargetAccount, mapping.SourceRegion));
        places.Add((sources.SourceRole, sources.AccountId, mapping.SourceRegion));
        return places;
    }

    /// <summary>The encryption rules shared by EBS volumes and RDS databases.</summary>
    private static ItemPlan DecideItem(string id, string noun, bool encrypted, KeyFacts? key, bool crossAccount, ReplicaMapping mapping, bool aurora, string? device)
    {
        var encryption = mapping.Encryption;
        var sourceKey = encrypted ? key?.KeyArn : null;
        // EC2-R12 / RDS-R10: AWS never shares a default-key snapshot, but shares a copy re-encrypted with a customer managed key.
        var shareKey = crossAccount && encrypted && key is { IsAwsManagedDefault: true } ? encryption.ShareKey : null;
        ItemPlan Item(ItemAction action, string? targetKey, string reason) => new(id, encrypted, sourceKey, action, targetKey, reason, device, shareKey);

        if (crossAccount && encrypted && key is { IsAwsManagedDefault: true } && shareKey is null)
        {
            return Item(ItemAction.Fail, null,
                $"{Capitalize(noun)} {id} is encrypted with the AWS managed default key {key.Display}; snapshots encrypted with a default key cannot be shared with account {mapping.TargetAccount}. "
                + $"Set encryption.shareKey of the mapping for {mapping.SourceRegion} (a customer managed key of the source account in {mapping.SourceRegion}) to re-encrypt them before sharing, or re-encrypt the source with a customer managed key");
        }
        if (shareKey is not null && (!Arn.TryParse(shareKey, out var share) || share.Account != key!.AccountId || share.Region != key.Region))
        {
            return Item(ItemAction.Fail, null,
                $"Share key {shareKey} (encryption.shareKey of the mapping for {mapping.SourceRegion}) is not a key of account {key!.AccountId} in {key.Region}, where {noun} {id}'s snapshots are re-encrypted before sharing");
        }
        if (!encryption.Enabled)
        {
            return encrypted
                ? Item(ItemAction.Fail, null, $"{Capitalize(noun)} {id} is encrypted; replicas of encrypted resources must be encrypted. Enable encryption with a target key in the mapping for {mapping.SourceRegion}")
                : Item(ItemAction.Proceed, null, "Unencrypted; replica stays unencrypted");
        }
        if (encrypted)
        {
            return encryption.KmsKey is null
                ? Item(ItemAction.Skip, null, $"{Capitalize(noun)} {id} is encrypted but the mapping for {mapping.SourceRegion} has encryption on with no target KMS key; no replica was created")
                : Item(ItemAction.Proceed, encryption.KmsKey, $"Re-encrypted with target key {encryption.KmsKey}");
        }
        if (encryption.KeyUsage == KeyUsage.EncryptedOnly)
            return Item(ItemAction.Proceed, null, "Unencrypted and key usage is EncryptedOnly; replica stays unencrypted");
        if (aurora)
        {
            return Item(ItemAction.Fail, null,
                $"Aurora cluster {id} is unencrypted; AWS cannot encrypt an unencrypted Aurora snapshot on copy, so its replicas must stay unencrypted. Set key usage to EncryptedOnly or disable encryption for {mapping.SourceRegion}");
        }
        return encryption.KmsKey is null
            ? Item(ItemAction.Skip, null, $"{Capitalize(noun)} {id} is unencrypted, key usage is AllResources, but no target KMS key is set; no replica was created")
            : Item(ItemAction.Proceed, encryption.KmsKey, $"Encrypted with target key {encryption.KmsKey}");
    }

    private static ResourcePlan Shell(ResourceType type, string id, string account, string region, ReplicaMapping mapping, IReadOnlyList<ItemPlan> items)
    {
        var failures = items.Where(i => i.Action == ItemAction.Fail).Select(i => i.Reason).ToList();
        var skips = items.Where(i => i.Action == ItemAction.Skip).Select(i => i.Reason).ToList();
        var (verdict, reason) = failures.Count > 0 ? (Verdict.Fail, string.Join("; ", failures))
            : items.All(i => i.Action == ItemAction.Skip) ? (Verdict.Skip, string.Join("; ", skips))
            : (Verdict.Proceed, skips.Count > 0 ? $"Replicating {items.Count(i => i.Action == ItemAction.Proceed)} of {items.Count}" : "Replicating");
        return new ResourcePlan(id, type, account, region, mapping.TargetAccount, mapping.TargetRegion, verdict, reason, [], items, [],
            verdict == Verdict.Proceed ? skips : []);
    }

    private static void AddShare(Steps steps, string account, string region, string targetAccount, IReadOnlyList<ItemPlan> items)
    {
        var keys = items.Select(ItemPlan.SharedKey).OfType<string>().Select(k => new KeyNeed(k, KeyUse.Share)).Distinct().ToList();

        steps.Source(StepKind.Share, account, region, [.. items.Select(i => i.ItemId)], keys,
            $"Share the snapshot(s) with account {targetAccount}", shareWith: targetAccount);
    }

    /// <summary>
    /// Re-encrypts the items on a default key with their share key, in the snapshot's own account and region as the source
    /// role, so the copy can be shared; the copy counts against that region's copy quota and is deleted once the target's
    /// copy of it is complete (it is a staging copy).
    /// </summary>
    private static void AddShareCopy(Steps steps, string account, string region, IReadOnlyList<ItemPlan> items, string what)
    {
        foreach (var group in items.Where(i => i.ShareKey is not null).GroupBy(i => i.ShareKey!))
        {
            var members = group.ToList();
            // No need on the default key: its key policy serves every principal of the account through the service
            // (kms:ViaService), which a KMS DryRun outside the service cannot show, and no other account ever reads it.
            steps.Source(StepKind.Copy, account, region, [.. members.Select(i => i.ItemId)], [new KeyNeed(group.Key, KeyUse.Encrypt)],
                $"Copy the {members.Count} default-key {what} within {region} in account {account}, re-encrypted with share key {group.Key} (AWS shares no default-key snapshot)",
                fromRegion: region, kmsKey: group.Key);
            steps.Source(StepKind.WaitForAvailable, account, region, [.. members.Select(i => i.ItemId)], [], "Wait until every re-encrypted copy is completed");
        }
    }

    private static void AddRdsCopy(Steps steps, string account, string fromRegion, string toRegion, string id, string? sourceKey, string? targetKey, string description)
    {
        var keys = new List<KeyNeed>();
        if (sourceKey is not null)
            keys.Add(new KeyNeed(sourceKey, KeyUse.Decrypt));
        if (targetKey is not null)
            keys.Add(new KeyNeed(targetKey, KeyUse.Encrypt));
        steps.Target(StepKind.Copy, account, toRegion, [id], keys, description, fromRegion, targetKey);
        steps.Target(StepKind.WaitForAvailable, account, toRegion, [id], [], "Wait until the copy is available");
    }

    private static string CopyDescription(string what, string fromRegion, ReplicaMapping mapping, bool shared, string? targetKey, bool sourceEncrypted)
    {
        var where = fromRegion == mapping.TargetRegion ? $"within {fromRegion}" : $"from {fromRegion} to {mapping.TargetRegion}";
        var how = targetKey is null ? "unencrypted" : sourceEncrypted ? $"re-encrypted with {targetKey}" : $"encrypted with {targetKey}";
        return $"Copy {what} {where} in account {mapping.TargetAccount}{(shared ? " (shared snapshot)" : "")}, {how}";
    }

    /// <summary>Attaches the steps, derives each role's key requirements, and fails the plan when a known grant is missing (EC2-R10).</summary>
    internal static ResourcePlan Finish(ResourcePlan shell, Steps steps, PlanContext? context)
    {
        var requirements = steps.All
            .SelectMany(s => s.Keys.Select(k => new KeyRequirement(s.Role, k.KeyArn, k.Use, KeyPermissions.For(k.Use), s.Kind)))
            .DistinctBy(r => (r.Role, r.KeyArn, r.Use))
            .ToList();
        var plan = shell with { Steps = steps.All, KeyRequirements = requirements };
        var access = context?.Access;
        if (access is null)
            return requirements.Count == 0 ? plan : plan with { Notes = [.. plan.Notes, "Key access was not checked before the run (no key grants known); AWS will refuse a missing grant at the step that needs it"] };

        var denials = requirements
            .Select(r => (Requirement: r, Missing: access.Missing(r.Role, r.KeyArn, r.Permissions)))
            .Where(x => x.Missing.Count > 0)
            .Select(x => $"Role {x.Requirement.Role} cannot use key {x.Requirement.KeyArn}: missing {string.Join(", ", x.Missing)} (needed to {Verb(x.Requirement)})")
            .ToList();
        return denials.Count == 0
            ? plan
            : plan with { Verdict = Verdict.Fail, Reason = string.Join("; ", denials), Steps = [], Warnings = [] };
    }

    private static string Verb(KeyRequirement requirement) => (requirement.Use, requirement.NeededBy) switch
    {
        (KeyUse.Share, _) => "share snapshots encrypted with it",
        (KeyUse.Decrypt, StepKind.Copy) => "copy snapshots encrypted with it",
        (KeyUse.Encrypt, StepKind.Copy) => "encrypt the copy with it",
        (KeyUse.Decrypt, _) => "read snapshots encrypted with it",
        (KeyUse.Encrypt, _) => "encrypt the restored resource with it",
        _ => "use it",
    };

    private static string Capitalize(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}

/// <summary>Collects a plan's steps, filling in role, account and region.</summary>
internal sealed class Steps(string sourceRole, string targetRole, string? restoreRole = null)
{
    private readonly List<PlanStep> _steps = [];

    public IReadOnlyList<PlanStep> All => _steps;

    public void Source(StepKind kind, string account, string region, IReadOnlyList<string> items, IReadOnlyList<KeyNeed> keys, string description,
        string? shareWith = null, string? fromRegion = null, string? kmsKey = null) =>
        _steps.Add(new PlanStep(kind, RoleKind.Source, sourceRole, account, region, items, keys, description, fromRegion, shareWith, kmsKey));

    public void Target(StepKind kind, string account, string region, IReadOnlyList<string> items, IReadOnlyList<KeyNeed> keys, string description, string? fromRegion = null, string? kmsKey = null) =>
        _steps.Add(new PlanStep(kind, RoleKind.Target, targetRole, account, region, items, keys, description, fromRegion, KmsKey: kmsKey));

    public void Restore(StepKind kind, string account, string region, IReadOnlyList<string> items, IReadOnlyList<KeyNeed> keys, string description, string? fromRegion = null, string? kmsKey = null) =>
        _steps.Add(new PlanStep(kind, RoleKind.Restore, restoreRole ?? throw new InvalidOperationException("No restore role"), account, region, items, keys, description, fromRegion, KmsKey: kmsKey));

    /// <summary>A step whose role the caller decides (a restore's steps as the restore point's owner).</summary>
    public void Add(PlanStep step) => _steps.Add(step);

    /// <summary>A share as part of a restore: run by whichever role owns the snapshot.</summary>
    public void Share(RoleKind roleKind, string role, string account, string region, IReadOnlyList<string> items, IReadOnlyList<KeyNeed> keys, string description, string shareWith) =>
        _steps.Add(new PlanStep(StepKind.Share, roleKind, role, account, region, items, keys, description, ShareWith: shareWith));
}
