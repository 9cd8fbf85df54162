using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Ferry.Aws.Runtime;
using Ferry.Core.Aws;
using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Ports;

namespace Ferry.Aws.Kms;

/// <summary>Ferry's KMS port on AWSSDK.KeyManagementService: key facts from DescribeKey, the alias from ListAliases, access by DryRun.</summary>
/// <param name="roleArn">The role the port acts as: the grantee of the CreateGrant DryRun.</param>
public sealed class AwsKmsPort(IAmazonKeyManagementService kms, string region, string roleArn) : IKmsPort
{
    private static readonly string[] _defaultAliases = ["alias/aws/ebs", "alias/aws/rds"];

    /// <summary>The operations EBS and RDS ask for in the grants they create on a copy's key, so grant conditions answer as for the real use.</summary>
    private static readonly GrantOperation[] _grantOperations =
    [
        GrantOperation.Decrypt, GrantOperation.GenerateDataKeyWithoutPlaintext, GrantOperation.ReEncryptFrom, GrantOperation.ReEncryptTo,
        GrantOperation.CreateGrant, GrantOperation.DescribeKey,
    ];

    public async Task<KeyFacts> DescribeKeyAsync(string keyIdOrAlias, CancellationToken cancellationToken = default)
    {
        var metadata = (await SdkErrors.Call($"kms:DescribeKey {keyIdOrAlias} in {region}",
            () => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyIdOrAlias }, cancellationToken)).ConfigureAwait(false)).KeyMetadata;
        // Aliases belong to an account: ListAliases cannot name another account's key.
        var alias = AliasIn(keyIdOrAlias)
            ?? (metadata.AWSAccountId == AccountOf(roleArn) ? await FirstAliasAsync(metadata.KeyId, cancellationToken).ConfigureAwait(false) : null);
        var isDefault = metadata.KeyManager == KeyManagerType.AWS && alias is not null && _defaultAliases.Contains(alias);
        var keyRegion = Arn.TryParse(metadata.Arn, out var arn) ? arn.Region : region;
        return new KeyFacts(metadata.Arn, metadata.AWSAccountId, keyRegion, isDefault, alias);
    }

    /// <summary>
    /// Asks KMS as production would: DescribeKey for the key's existence in this region, then each permission with the
    /// DryRun form of the operation that needs it. DryRunOperationException means allowed and AccessDeniedException
    /// missing; any other answer (or a permission no DryRun tells) leaves it unknown and the check incomplete.
    /// </summary>
    public async Task<KeyAccessCheck> CheckAccessAsync(string keyArn, IReadOnlyList<string> permissions, CancellationToken cancellationToken = default)
    {
        var answers = new Dictionary<string, bool?>(StringComparer.Ordinal);
        try
        {
            await SdkErrors.Call($"kms:DescribeKey {keyArn} in {region}",
                () => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyArn }, cancellationToken)).ConfigureAwait(false);
            answers["kms:DescribeKey"] = true;
        }
        catch (FerryAccessDeniedException e) when (e.AwsErrorCode == "AccessDeniedException")
        {
            answers["kms:DescribeKey"] = false;
        }
        foreach (var permission in permissions.Distinct())
        {
            if (!answers.ContainsKey(permission))
                await DryRunAsync(keyArn, permission, answers, cancellationToken).ConfigureAwait(false);
        }
        return new KeyAccessCheck([.. permissions.Distinct().Where(p => answers[p] == false)], permissions.All(p => answers[p] is not null));
    }

    /// <summary>Records what the permission's DryRun call says; ReEncrypt (the key as both source and destination) answers kms:ReEncryptFrom and kms:ReEncryptTo together.</summary>
    private async Task DryRunAsync(string keyArn, string permission, Dictionary<string, bool?> answers, CancellationToken cancellationToken)
    {
        Func<Task>? call = permission switch
        {
            "kms:CreateGrant" => () => kms.CreateGrantAsync(new CreateGrantRequest
            {
                KeyId = keyArn,
                GranteePrincipal = roleArn,
                Operations = [.. _grantOperations],
                DryRun = true,
            }, cancellationToken),
            "kms:GenerateDataKeyWithoutPlaintext" => () => kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest
            {
                KeyId = keyArn,
                KeySpec = DataKeySpec.AES_256,
                DryRun = true,
            }, cancellationToken),
            "kms:Decrypt" => () => kms.DecryptAsync(new DecryptRequest { KeyId = keyArn, CiphertextBlob = DummyBlob(), DryRun = true }, cancellationToken),
            "kms:Encrypt" => () => kms.EncryptAsync(new EncryptRequest { KeyId = keyArn, Plaintext = DummyBlob(), DryRun = true }, cancellationToken),
            "kms:ReEncryptFrom" or "kms:ReEncryptTo" => () => kms.ReEncryptAsync(new ReEncryptRequest
            {
                SourceKeyId = keyArn,
                DestinationKeyId = keyArn,
                CiphertextBlob = DummyBlob(),
                DryRun = true,
            }, cancellationToken),
            _ => null,
        };
        if (call is null)
        {
            answers[permission] = null;
            return;
        }
        string[] answered = permission is "kms:ReEncryptFrom" or "kms:ReEncryptTo" ? ["kms:ReEncryptFrom", "kms:ReEncryptTo"] : [permission];
        try
        {
            await call().ConfigureAwait(false);
            // Without DryRun semantics the answer says nothing about the permission.
            Answer(answers, answered, null);
        }
        catch (DryRunOperationException)
        {
            Answer(answers, answered, true);
        }
        catch (AmazonServiceException e) when (e.ErrorCode == "AccessDeniedException")
        {
            // KMS names the one action it refused; the other of a ReEncrypt pair stays unknown.
            var named = answered.Where(p => e.Message?.Contains(p, StringComparison.Ordinal) == true).ToList();
            foreach (var p in answered)
                answers[p] = answered.Length == 1 || named.Contains(p) ? false : null;
        }
        catch (AmazonServiceException)
        {
            Answer(answers, answered, null);
        }
        catch (HttpRequestException)
        {
            Answer(answers, answered, null);
        }
    }

    private static void Answer(Dictionary<string, bool?> answers, string[] permissions, bool? allowed)
    {
        foreach (var permission in permissions)
            answers[permission] = allowed;
    }

    /// <summary>A DryRun never reads its data; KMS only requires the member to be present.</summary>
    private static MemoryStream DummyBlob() => new([0]);

    private async Task<string?> FirstAliasAsync(string keyId, CancellationToken cancellationToken)
    {
        var response = await SdkErrors.Call($"kms:ListAliases {keyId} in {region}",
            () => kms.ListAliasesAsync(new ListAliasesRequest { KeyId = keyId }, cancellationToken)).ConfigureAwait(false);
        return response.Aliases?.Select(a => a.AliasName).OrderBy(a => a, StringComparer.Ordinal).FirstOrDefault();
    }

    private static string? AccountOf(string arn) => Arn.TryParse(arn, out var parsed) ? parsed.Account : null;

    private static string? AliasIn(string keyIdOrAlias)
    {
        if (keyIdOrAlias.StartsWith("alias/", StringComparison.Ordinal))
            return keyIdOrAlias;
        return Arn.TryParse(keyIdOrAlias, out var arn) && arn.Resource.StartsWith("alias/", StringComparison.Ordinal) ? arn.Resource : null;
    }
}
