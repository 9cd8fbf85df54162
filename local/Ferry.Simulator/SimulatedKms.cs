using Ferry.Core.Inventory;
using Ferry.Core.Ports;

namespace Ferry.Simulator;

/// <summary>KMS as one role sees it in one region. The simulator knows every grant, so access checks are complete.</summary>
internal sealed class SimulatedKms(SimulatedAws world, RoleSession session, string region) : IKmsPort
{
    public Task<KeyFacts> DescribeKeyAsync(string keyIdOrAlias, CancellationToken cancellationToken = default) =>
        world.CallAsync(session, "kms", region, "DescribeKey", [("KeyId", keyIdOrAlias)], call =>
        {
            var key = RegionalKey(call, keyIdOrAlias);
            if (world.MissingPermissions(call.Role, key, ["kms:DescribeKey"]).Count > 0)
            {
                throw call.Denied("AccessDeniedException",
                    $"User: {call.Role.Arn} is not authorized to perform: kms:DescribeKey on resource: {key.Arn} because no resource-based policy allows the kms:DescribeKey action");
            }
            return key.Facts;
        }, cancellationToken);

    public Task<KeyAccessCheck> CheckAccessAsync(string keyArn, IReadOnlyList<string> permissions, CancellationToken cancellationToken = default) =>
        world.CallAsync(session, "kms", region, "CheckAccess", [("KeyId", keyArn), ("Permissions", string.Join(",", permissions))], call =>
            new KeyAccessCheck(world.MissingPermissions(call.Role, RegionalKey(call, keyArn), permissions), Complete: true), cancellationToken);

    /// <summary>KMS is regional: a key of another region does not exist at this endpoint.</summary>
    private World.SimKey RegionalKey(Call call, string keyIdOrAlias) =>
        world.FindKey(keyIdOrAlias, call.Account, region) is { } key && key.Region == region
            ? key
            : throw call.NotFound("NotFoundException", $"Key '{keyIdOrAlias}' does not exist in {region}");
}
