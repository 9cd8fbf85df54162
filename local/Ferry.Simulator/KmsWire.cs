using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Simulator.Wire;
using Ferry.Simulator.World;
using static Ferry.Simulator.Wire.Protocols;

namespace Ferry.Simulator;

/// <summary>
/// KMS (protocol <c>json</c> 1.1, target prefix TrentService): DescribeKey, ListAliases, and the DryRun form of the
/// cryptographic operations, which answers whether the signer may use the key without using it.
/// </summary>
internal sealed class KmsWire(SimulatedAws world) : IWireService
{
    private const string Target = "TrentService.";

    private static readonly Dictionary<string, string> DryRunPermissions = new(StringComparer.Ordinal)
    {
        ["CreateGrant"] = "kms:CreateGrant",
        ["Decrypt"] = "kms:Decrypt",
        ["Encrypt"] = "kms:Encrypt",
        ["GenerateDataKeyWithoutPlaintext"] = "kms:GenerateDataKeyWithoutPlaintext",
        ["ReEncrypt"] = "kms:ReEncryptFrom",
    };

    public string Name => "kms";

    public string? OperationOf(WireRequest request) =>
        request.Headers.GetValueOrDefault("X-Amz-Target") is { } target && target.StartsWith(Target, StringComparison.Ordinal)
            && target[Target.Length..] is var operation && (operation is "DescribeKey" or "ListAliases" || DryRunPermissions.ContainsKey(operation))
            ? operation
            : null;

    public WireReply Handle(Call call, string operation, WireRequest request)
    {
        switch (operation)
        {
            case "DescribeKey":
            {
                var key = RegionalKey(call, Required(call, request, "KeyId"));
                Require(call, key, "kms:DescribeKey");
                return Json11(new JsonObject { ["KeyMetadata"] = Metadata(key) }, call.RequestId);
            }
            case "ListAliases":
            {
                var keyId = request.JsonString("KeyId");
                var key = keyId is null ? null : RegionalKey(call, keyId);
                var aliases = world.Aliases(call.Account, call.Region).Where(k => key is null || k.Arn == key.Arn)
                    .Select(k => (JsonNode)new JsonObject
                    {
                        ["AliasName"] = k.Alias,
                        ["AliasArn"] = $"arn:aws:kms:{k.Region}:{k.Account}:{k.Alias}",
                        ["TargetKeyId"] = KeyId(k),
                    });
                return Json11(new JsonObject { ["Aliases"] = new JsonArray([.. aliases]), ["Truncated"] = false }, call.RequestId);
            }
            default:
                return DryRun(call, operation, request);
        }
    }

    /// <summary>The cryptographic operations Ferry only asks about: with DryRun, DryRunOperationException means the call would succeed.</summary>
    private WireReply DryRun(Call call, string operation, WireRequest request)
    {
        var dryRun = request.Json is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("DryRun", out var flag) && flag.ValueKind == JsonValueKind.True;
        if (!dryRun)
            throw call.Invalid("ValidationException", $"This simulated KMS answers {operation} only with DryRun; Ferry never encrypts or decrypts through KMS itself");
        foreach (var member in RequiredMembers(operation))
            Required(call, request, member);
        if (operation == "CreateGrant" && !(request.Json is { } grant && grant.TryGetProperty("Operations", out var operations)
            && operations.ValueKind == JsonValueKind.Array && operations.GetArrayLength() > 0))
        {
            throw call.Invalid("ValidationException", "1 validation error detected: Value null at 'operations' failed to satisfy constraint: Member must not be null");
        }
        if (operation == "ReEncrypt")
        {
            var source = RegionalKey(call, Required(call, request, "SourceKeyId"));
            var destination = RegionalKey(call, Required(call, request, "DestinationKeyId"));
            // KMS names one missing action; the destination's comes first so a key checked as both source and destination
            // (Ferry's DryRun) is refused for kms:ReEncryptTo when the role may do neither.
            Require(call, destination, "kms:ReEncryptTo");
            Require(call, source, "kms:ReEncryptFrom");
        }
        else
        {
            Require(call, RegionalKey(call, Required(call, request, "KeyId")), DryRunPermissions[operation]);
        }
        throw new AwsFault(FaultKind.Invalid, "DryRunOperationException", "The request would have succeeded, but the DryRun option is set.", 412);
    }

    /// <summary>The members each DryRun operation needs besides the key: what the real call would use.</summary>
    private static string[] RequiredMembers(string operation) => operation switch
    {
        "CreateGrant" => ["GranteePrincipal"],
        "Decrypt" or "ReEncrypt" => ["CiphertextBlob"],
        "Encrypt" => ["Plaintext"],
        _ => [],
    };

    public WireReply Fault(AwsFault fault, string operation, string requestId) =>
        Json11Error(fault.Status ?? (fault.Kind == FaultKind.Transient ? 500 : 400), fault.Code, fault.Message, requestId);

    private void Require(Call call, SimKey key, string permission)
    {
        if (world.MissingPermissions(call.Role, key, [permission]).Count > 0)
        {
            throw call.Denied("AccessDeniedException",
                $"User: {call.Role.Arn} is not authorized to perform: {permission} on resource: {key.Arn} because no resource-based policy allows the {permission} action");
        }
    }

    private static string Required(Call call, WireRequest request, string member) =>
        request.JsonString(member) ?? throw call.Invalid("ValidationException", $"1 validation error detected: Value null at '{char.ToLowerInvariant(member[0])}{member[1..]}' failed to satisfy constraint: Member must not be null");

    /// <summary>KMS is regional: a key of another region does not exist at this endpoint.</summary>
    private SimKey RegionalKey(Call call, string keyIdOrAlias) =>
        world.FindKey(keyIdOrAlias, call.Account, call.Region) is { } key && key.Region == call.Region
            ? key
            : throw call.NotFound("NotFoundException", $"Key '{keyIdOrAlias}' does not exist");

    private static string KeyId(SimKey key) => key.Arn[(key.Arn.IndexOf(":key/", StringComparison.Ordinal) + 5)..];

    private static JsonObject Metadata(SimKey key) => new()
    {
        ["AWSAccountId"] = key.Account,
        ["KeyId"] = KeyId(key),
        ["Arn"] = key.Arn,
        ["CreationDate"] = 1_700_000_000,
        ["Enabled"] = true,
        ["Description"] = key.IsDefault ? $"Default key that protects my {key.Alias?["alias/aws/".Length..].ToUpperInvariant()} data when no other key is defined" : "",
        ["KeyUsage"] = "ENCRYPT_DECRYPT",
        ["KeyState"] = "Enabled",
        ["Origin"] = "AWS_KMS",
        ["KeyManager"] = key.IsDefault ? "AWS" : "CUSTOMER",
        ["CustomerMasterKeySpec"] = "SYMMETRIC_DEFAULT",
        ["KeySpec"] = "SYMMETRIC_DEFAULT",
        ["EncryptionAlgorithms"] = new JsonArray("SYMMETRIC_DEFAULT"),
        ["MultiRegion"] = false,
    };
}
