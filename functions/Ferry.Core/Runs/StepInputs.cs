using System.Text.RegularExpressions;
using Ferry.Core.Aws;
using Ferry.Core.Digest;
using Ferry.Core.Errors;
using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Sessions;

namespace Ferry.Core.Runs;

/// <summary>
/// Checks a step's payload before the step acts on it: every id has its format and a length limit, and the parts of a
/// payload agree with each other. A malformed or inconsistent payload is a <see cref="FerryInvalidInputException"/>
/// naming the field (its JSON path), never a guess.
/// </summary>
public static partial class StepInputs
{
    public const int MaxSessionIdLength = 128;
    public const int MaxResourceIdLength = 256;
    /// <summary>Step Functions' own limits: an error name is at most 256 characters, a cause at most 32,768.</summary>
    public const int MaxErrorLength = 256;
    public const int MaxCauseLength = 32_768;
    public const int MaxReasonLength = 32_768;
    public const int MaxItems = 128;
    public const int MaxSteps = 64;

    public const int MaxArnLength = 2048;

    /// <summary>Checks any step input type; types without rules of their own pass.</summary>
    public static void Check(object input)
    {
        switch (input)
        {
            case OpenSessionInput open:
                Check(open);
                break;
            case DiscoverInput discover:
                PolicyId(discover.PolicyId, "policyId");
                SessionId(discover.SessionId, "sessionId");
                Region(discover.Region, "region");
                break;
            case ResourceKey key:
                PolicyId(key.PolicyId, "policyId");
                SessionId(key.SessionId, "sessionId");
                Region(key.Region, "region");
                ResourceId(key.ResourceId, "resourceId");
                break;
            case Job job:
                Check(job, "");
                break;
            case OutcomeInput outcome:
                Check(outcome);
                break;
            case CloseSessionInput close:
                Check(close);
                break;
            case RetentionInput retention:
                PolicyId(retention.PolicyId, "policyId");
                ResourceId(retention.ResourceId, "resourceId");
                if (retention.SessionId is not null)
                    SessionId(retention.SessionId, "sessionId");
                if (retention.Region is not null)
                    Region(retention.Region, "region");
                break;
            case RestoreInput restore:
                Check(restore);
                break;
            case DigestInput digest:
                Check(digest);
                break;
        }
    }

    /// <summary>The most policies one digest covers: as many as a deployment's schedule input can list.</summary>
    public const int MaxDigestPolicies = 100;

    public static void Check(DigestInput input)
    {
        if (input.PolicyIds.Count > MaxDigestPolicies)
            throw Invalid("policyIds", $"{input.PolicyIds.Count} policies are more than the {MaxDigestPolicies} one digest covers");
        for (var i = 0; i < input.PolicyIds.Count; i++)
            PolicyId(input.PolicyIds[i], $"policyIds[{i}]");
    }

    public static void Check(OpenSessionInput input)
    {
        PolicyId(input.PolicyId, "policyId");
        if (input.SessionId is not null)
            SessionId(input.SessionId, "sessionId");
    }

    /// <summary>An outcome says what happened: a status, an error, or a job that ran its whole plan; never nothing (which once recorded Success).</summary>
    public static void Check(OutcomeInput input)
    {
        PolicyId(input.PolicyId, "policyId");
        SessionId(input.SessionId, "sessionId");
        ResourceId(input.ResourceId, "resourceId");
        Text(input.Reason, "reason", MaxReasonLength);
        Text(input.Error, "error", MaxErrorLength);
        Text(input.Cause, "cause", MaxCauseLength, allowLineBreaks: true);
        if (input.Status == ResourceStatus.Running)
            throw Invalid("status", "Running is not an outcome; give Success, Warning, Canceled or Failed");
        if (input.Status is not null && input.Error is not null)
            throw Invalid("status", $"is {input.Status} but error {Quote(input.Error)} says the resource failed; give one of them");
        if (input.Cause is not null && input.Error is null)
            throw Invalid("error", "is required when cause is given");
        if (input.Job is { } job)
        {
            Check(job, "job.");
            Same(job.PolicyId, input.PolicyId, "job.policyId", "policyId");
            Same(job.SessionId, input.SessionId, "job.sessionId", "sessionId");
            Same(job.ResourceId, input.ResourceId, "job.resourceId", "resourceId");
            if (input.Status is null && input.Error is null && !job.Finished)
                throw Invalid("job.cursor", $"the job is at step {job.Cursor} of {job.Steps.Count} ({job.Next}) and neither status nor error says why it stopped; only a job that ran its whole plan succeeds");
        }
        else if (input.Status is null && input.Error is null)
        {
            throw Invalid("status", "is required (or error, or the job that ran its whole plan): an outcome must say what happened");
        }
    }

    public static void Check(CloseSessionInput input)
    {
        SessionId(input.SessionId, "sessionId");
        if (input.PolicyId is not null)
            PolicyId(input.PolicyId, "policyId");
        Text(input.Error, "error", MaxErrorLength);
        Text(input.Cause, "cause", MaxCauseLength, allowLineBreaks: true);
        if (input.Cause is not null && input.Error is null)
            throw Invalid("error", "is required when cause is given");
    }

    /// <summary>The request's own fields; whether they fit the restore point is checked once the point is read.</summary>
    public static void Check(RestoreInput input)
    {
        Text(input.RestorePointId, "restorePointId", MaxResourceIdLength, required: true);
        if (!AwsIds.IsAccountId(input.TargetAccount))
            throw Invalid("targetAccount", $"{Quote(input.TargetAccount)} is not a 12-digit AWS account id");
        Region(input.TargetRegion, "targetRegion");
        if (input.RestoreRole is not { Length: <= MaxArnLength } || !Arn.TryParse(input.RestoreRole, out var role)
            || AwsIds.RoleNameOf(role) is not { } roleName || !AwsIds.IsRoleName(roleName) || !AwsIds.IsAccountId(role.Account))
            throw Invalid("restoreRole", $"{Quote(input.RestoreRole)} is not an IAM role ARN (arn:aws:iam::123456789012:role/name)");
        if (role.Account != input.TargetAccount)
            throw Invalid("restoreRole", $"the role is in account {role.Account}, but the restore goes to {input.TargetAccount}; use a role of the target account");
        if (AwsRegions.PartitionOf(input.TargetRegion) != role.Partition)
            throw Invalid("restoreRole", $"the role is in partition {Quote(role.Partition)}, but {input.TargetRegion} is in {AwsRegions.PartitionOf(input.TargetRegion)}");
        if (input.TargetKmsKey is not null)
        {
            if (input.TargetKmsKey.Length > MaxArnLength || !Arn.TryParse(input.TargetKmsKey, out var key) || key.Service != "kms"
                || !AwsIds.IsAccountId(key.Account) || !KmsResourcePattern().IsMatch(key.Resource))
                throw Invalid("targetKmsKey", $"{Quote(input.TargetKmsKey)} is not a KMS key ARN (arn:aws:kms:region:account:key/id or :alias/name)");
            if (key.Partition != role.Partition)
                throw Invalid("targetKmsKey", $"the key is in partition {Quote(key.Partition)}, but the restore role is in {role.Partition}");
        }
        if (input.ShareKey is not null)
        {
            // An alias names a key in whichever account asks; the share key is named by id, like the policy's.
            if (input.ShareKey.Length > MaxArnLength || !Arn.TryParse(input.ShareKey, out var key) || key.Service != "kms"
                || !AwsIds.IsAccountId(key.Account) || !key.Resource.StartsWith("key/", StringComparison.Ordinal) || !KmsResourcePattern().IsMatch(key.Resource))
                throw Invalid("shareKey", $"{Quote(input.ShareKey)} is not a KMS key ARN (arn:aws:kms:region:account:key/id)");
            if (key.Partition != role.Partition)
                throw Invalid("shareKey", $"the key is in partition {Quote(key.Partition)}, but the restore role is in {role.Partition}");
        }
        RestoreOverrides(input.InstanceType, input.DbClass, input.NewIdentifier, "");
        if (input.SessionId is not null)
            SessionId(input.SessionId, "sessionId");
    }

    /// <summary>A restore request's overrides fit the restore point's type: instanceType is for EC2, dbClass and newIdentifier for RDS.</summary>
    public static void CheckFits(RestoreInput input, ResourceType type, string restorePointId)
    {
        if (type is not (ResourceType.Ec2 or ResourceType.Rds))
            throw Invalid("restorePointId", $"restore point {Quote(restorePointId)} is a {type} restore point; the restore flow restores EC2 and RDS restore points");
        FitsType(type, input.InstanceType, input.DbClass, input.NewIdentifier, "", $"restore point {Quote(restorePointId)}");
    }

    private static void Check(Job job, string at)
    {
        PolicyId(job.PolicyId, at + "policyId");
        SessionId(job.SessionId, at + "sessionId");
        ResourceId(job.ResourceId, at + "resourceId");
        var expected = job.Type switch
        {
            ResourceType.Ec2 => [SnapshotKind.Ebs],
            ResourceType.Rds => [SnapshotKind.RdsDb, SnapshotKind.AuroraCluster],
            _ => new[] { SnapshotKind.RecoveryPoint },
        };
        if (!expected.Contains(job.Snapshots))
            throw Invalid(at + "snapshots", $"a {job.Type} job's snapshots are {string.Join(" or ", expected)}, not {job.Snapshots}");
        if (job.Steps.Count > MaxSteps)
            throw Invalid(at + "steps", $"lists {job.Steps.Count} steps; at most {MaxSteps} are allowed");
        if (job.Cursor < 0 || job.Cursor > job.Steps.Count)
            throw Invalid(at + "cursor", $"{job.Cursor} is outside the plan's {job.Steps.Count} steps");
        if (job.Items.Count > MaxItems)
            throw Invalid(at + "items", $"lists {job.Items.Count} items; at most {MaxItems} are allowed");
        AccountId(job.Origin.Account, at + "origin.account");
        Region(job.Origin.Region, at + "origin.region");

        var items = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < job.Items.Count; i++)
        {
            ResourceId(job.Items[i].ItemId, $"{at}items[{i}].itemId");
            if (!items.Add(job.Items[i].ItemId))
                throw Invalid($"{at}items[{i}].itemId", $"item {job.Items[i].ItemId} is listed twice");
        }
        for (var i = 0; i < job.Steps.Count; i++)
            Check(job.Steps[i], job, items, $"{at}steps[{i}]");

        switch (job.Payload)
        {
            case RestorePayload restore:
                Text(restore.RestorePointId, at + "payload.restorePointId", MaxResourceIdLength, required: true);
                RestoreOverrides(restore.InstanceType, restore.DbClass, restore.NewIdentifier, at + "payload.");
                FitsType(job.Type, restore.InstanceType, restore.DbClass, restore.NewIdentifier, at + "payload.", $"this {job.Type} job");
                break;
            case BackupCopyPayload when job.Type != ResourceType.Efs:
                throw Invalid(at + "payload", $"a backupCopy payload is for EFS jobs, not {job.Type}");
            case ReplicaPayload when job.Type == ResourceType.Efs:
                throw Invalid(at + "payload", "an EFS job copies backups (a backupCopy payload with its vaults), not replicas");
        }
    }

    /// <summary>A step runs only what its job's type can: restoring an EC2 restore point in the RDS flow, or the reverse, is refused.</summary>
    private static void Check(PlanStep step, Job job, HashSet<string> items, string at)
    {
        var fits = step.Kind switch
        {
            StepKind.CreateInstance or StepKind.CreateVolumes or StepKind.AttachVolumes => job.Type == ResourceType.Ec2 && job.Payload is RestorePayload,
            StepKind.RestoreDatabase => job.Type == ResourceType.Rds && job.Payload is RestorePayload,
            StepKind.EnableBackupOptIn => job.Type == ResourceType.Efs,
            _ => true,
        };
        if (!fits)
            throw Invalid(at + ".kind", $"a {job.Type} {(job.Payload is RestorePayload ? "restore" : "job")} cannot run a {step.Kind} step");
        AccountId(step.Account, at + ".account");
        Region(step.Region, at + ".region");
        if (step.FromRegion is not null)
            Region(step.FromRegion, at + ".fromRegion");
        if (step.Role.Length > MaxArnLength || !Arn.TryParse(step.Role, out var role) || AwsIds.RoleNameOf(role) is null)
            throw Invalid(at + ".role", $"{Quote(step.Role)} is not an IAM role ARN");
        // A step acts on the job's items, or (creating an instance) on the resource itself.
        for (var i = 0; i < step.Items.Count; i++)
        {
            if (!items.Contains(step.Items[i]) && step.Items[i] != job.ResourceId)
                throw Invalid($"{at}.items[{i}]", $"{Quote(step.Items[i])} is neither one of the job's items nor its resource");
        }
    }

    private static void RestoreOverrides(string? instanceType, string? dbClass, string? newIdentifier, string at)
    {
        if (instanceType is not null && !InstanceTypePattern().IsMatch(instanceType))
            throw Invalid(at + "instanceType", $"{Quote(instanceType)} is not an EC2 instance type (family.size, e.g. m5.large; at most 48 characters)");
        if (dbClass is not null && !DbClassPattern().IsMatch(dbClass))
            throw Invalid(at + "dbClass", $"{Quote(dbClass)} is not an RDS DB instance class (db.family.size, e.g. db.r6g.large; at most 48 characters)");
        if (newIdentifier is not null && !AwsIds.IsDbIdentifier(newIdentifier))
            throw Invalid(at + "newIdentifier", $"{Quote(newIdentifier)} is not an RDS identifier (1-63 letters, digits or hyphens, starting with a letter)");
    }

    private static void FitsType(ResourceType type, string? instanceType, string? dbClass, string? newIdentifier, string at, string what)
    {
        if (type == ResourceType.Rds && instanceType is not null)
            throw Invalid(at + "instanceType", $"{what} is RDS; instanceType is for EC2 restores (use dbClass)");
        if (type == ResourceType.Ec2 && dbClass is not null)
            throw Invalid(at + "dbClass", $"{what} is EC2; dbClass is for RDS restores (use instanceType)");
        if (type == ResourceType.Ec2 && newIdentifier is not null)
            throw Invalid(at + "newIdentifier", $"{what} is EC2; newIdentifier is for RDS restores");
    }

    public static void PolicyId(string? value, string field)
    {
        if (value is null || !PolicyParser.IsPolicyId(value))
            throw Invalid(field, $"{Quote(value)} is not a policy id (1-64 letters, digits, '-' or '_')");
    }

    public static void SessionId(string? value, string field)
    {
        if (value is null || !SessionIdPattern().IsMatch(value))
            throw Invalid(field, $"{Quote(value)} is not a session id (1-{MaxSessionIdLength} letters, digits, '.', '_', ':' or '-')");
    }

    public static void ResourceId(string? value, string field)
    {
        if (value is null || !ResourceIdPattern().IsMatch(value))
            throw Invalid(field, $"{Quote(value)} is not a resource id (1-{MaxResourceIdLength} letters, digits, '.', '_', ':', '/' or '-')");
    }

    private static void AccountId(string? value, string field)
    {
        if (!AwsIds.IsAccountId(value))
            throw Invalid(field, $"{Quote(value)} is not a 12-digit AWS account id");
    }

    private static void Region(string? value, string field)
    {
        if (value is null || !AwsRegions.IsKnown(value))
            throw Invalid(field, $"{Quote(value)} is not a known AWS region");
    }

    /// <summary>Free text: bounded, and without control characters (line breaks only where a cause carries them).</summary>
    private static void Text(string? value, string field, int maxLength, bool allowLineBreaks = false, bool required = false)
    {
        if (value is null || value.Length == 0)
        {
            if (required)
                throw Invalid(field, "is required");
            return;
        }
        if (value.Length > maxLength)
            throw Invalid(field, $"{Quote(value)} is {value.Length} characters long; at most {maxLength} are allowed");
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                i++;
            else if (char.IsSurrogate(c) || (char.IsControl(c) && !(allowLineBreaks && c is '\n' or '\r' or '\t')))
                throw Invalid(field, $"contains the character U+{(int)c:X4} at position {i}, which is not allowed here");
        }
    }

    private static void Same(string value, string expected, string field, string other)
    {
        if (!string.Equals(value, expected, StringComparison.Ordinal))
            throw Invalid(field, $"{Quote(value)} differs from {other} {Quote(expected)}: the payload is inconsistent");
    }

    private static FerryInvalidInputException Invalid(string field, string message) => new($"{field}: {message}");

    private static string Quote(string? text) => Quoted.Value(text);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
    private static partial Regex SessionIdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,255}$")]
    private static partial Regex ResourceIdPattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,23}\.[a-z0-9][a-z0-9-]{0,23}$")]
    private static partial Regex InstanceTypePattern();

    [GeneratedRegex(@"^db\.[a-z0-9][a-z0-9-]{0,20}(\.[a-z0-9][a-z0-9-]{0,20})?$")]
    private static partial Regex DbClassPattern();

    [GeneratedRegex(@"^(key/(mrk-)?[0-9a-f-]{32,36}|alias/[A-Za-z0-9/_-]{1,250})$")]
    private static partial Regex KmsResourcePattern();
}
