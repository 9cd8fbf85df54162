using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Ferry.Aws.Runtime;
using Ferry.Core.Aws;
using Ferry.Core.Errors;
using Ferry.Core.Inventory;
using Ferry.Core.Ports;

namespace Ferry.Aws.Kms;

/// <summary>Ferry's KMS port on AWSSDK.KeyManagementService: key facts from DescribeKey, the alias from ListAliases.</summary>
public sealed class AwsKmsPort(IAmazonKeyManagementService kms, string region) : IKmsPort
{
    private static readonly string[] _defaultAliases = ["alias/aws/ebs", "alias/aws/rds"];

    public async Task<KeyFacts> DescribeKeyAsync(string keyIdOrAlias, CancellationToken cancellationToken = default)
    {
        var metadata = (await SdkErrors.Call($"kms:DescribeKey {keyIdOrAlias} in {region}",
            () => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyIdOrAlias }, cancellationToken)).ConfigureAwait(false)).KeyMetadata;
        var alias = AliasIn(keyIdOrAlias) ?? await FirstAliasAsync(metadata.KeyId, cancellationToken).ConfigureAwait(false);
        var isDefault = metadata.KeyManager == KeyManagerType.AWS && alias is not null && _defaultAliases.Contains(alias);
        var keyRegion = Arn.TryParse(metadata.Arn, out var arn) ? arn.Region : region;
        return new KeyFacts(metadata.Arn, metadata.AWSAccountId, keyRegion, isDefault, alias);
    }

    /// <summary>
    /// Real KMS hides key policies and grants from callers, so only what DescribeKey shows can be checked:
    /// a role that cannot even describe the key lacks kms:DescribeKey. The check is therefore never complete.
    /// </summary>
    public async Task<KeyAccessCheck> CheckAccessAsync(string keyArn, IReadOnlyList<string> permissions, CancellationToken cancellationToken = default)
    {
        try
        {
            await DescribeKeyAsync(keyArn, cancellationToken).ConfigureAwait(false);
            return new KeyAccessCheck([], Complete: false);
        }
        catch (FerryAccessDeniedException)
        {
            return new KeyAccessCheck([.. permissions.Where(p => p == "kms:DescribeKey").DefaultIfEmpty("kms:DescribeKey")], Complete: false);
        }
    }

    private async Task<string?> FirstAliasAsync(string keyId, CancellationToken cancellationToken)
    {
        var response = await SdkErrors.Call($"kms:ListAliases {keyId} in {region}",
            () => kms.ListAliasesAsync(new ListAliasesRequest { KeyId = keyId }, cancellationToken)).ConfigureAwait(false);
        return response.Aliases?.Select(a => a.AliasName).OrderBy(a => a, StringComparer.Ordinal).FirstOrDefault();
    }

    private static string? AliasIn(string keyIdOrAlias)
    {
        if (keyIdOrAlias.StartsWith("alias/", StringComparison.Ordinal))
            return keyIdOrAlias;
        return Arn.TryParse(keyIdOrAlias, out var arn) && arn.Resource.StartsWith("alias/", StringComparison.Ordinal) ? arn.Resource : null;
    }
}
