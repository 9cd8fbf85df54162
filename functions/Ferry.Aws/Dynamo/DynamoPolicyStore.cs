using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Ferry.Aws.Runtime;
using Ferry.Core.Policies;
using Ferry.Core.Ports;

namespace Ferry.Aws.Dynamo;

/// <summary>Policies as their JSON documents, keyed by id, validated again whenever loaded.</summary>
public sealed class DynamoPolicyStore(IAmazonDynamoDB dynamo, DynamoTables tables, IClock? clock = null) : IPolicyStore
{
    private readonly IClock _clock = clock ?? SystemClock.Instance;

    public async Task<Policy> PutAsync(string policyJson, CancellationToken cancellationToken = default)
    {
        var policy = PolicyParser.Parse(policyJson);
        await SdkErrors.Call($"dynamodb:PutItem policy {policy.Id}", () => dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = tables.Policies,
            Item = new()
            {
                ["policyId"] = new AttributeValue(policy.Id),
                ["document"] = new AttributeValue(policyJson),
                ["updatedAt"] = new AttributeValue(_clock.UtcNow.ToString("O")),
            },
        }, cancellationToken)).ConfigureAwait(false);
        return policy;
    }

    public async Task<Policy?> GetAsync(string policyId, CancellationToken cancellationToken = default)
    {
        var response = await SdkErrors.Call($"dynamodb:GetItem policy {policyId}", () => dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = tables.Policies,
            Key = new() { ["policyId"] = new AttributeValue(policyId) },
            ConsistentRead = true,
        }, cancellationToken)).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? PolicyParser.ParseStored(policyId, item["document"].S) : null;
    }

    /// <summary>Every stored policy with when it was last put, by id; the table holds one small item per policy, so one scan.</summary>
    public async Task<IReadOnlyList<StoredPolicy>> ListAsync(CancellationToken cancellationToken = default)
    {
        var policies = new List<StoredPolicy>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await SdkErrors.Call("dynamodb:Scan policies", () => dynamo.ScanAsync(new ScanRequest
            {
                TableName = tables.Policies,
                ExclusiveStartKey = start,
                ConsistentRead = true,
            }, cancellationToken)).ConfigureAwait(false);
            policies.AddRange(page.Items.Select(item => new StoredPolicy(
                PolicyParser.ParseStored(item["policyId"].S, item["document"].S),
                item.TryGetValue("updatedAt", out var at) ? DateTimeOffset.Parse(at.S, System.Globalization.CultureInfo.InvariantCulture) : null)));
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
        return [.. policies.OrderBy(p => p.Policy.Id, StringComparer.Ordinal)];
    }

    /// <summary>Deletes the policy; false when there was none (its sessions and restore points stay).</summary>
    public async Task<bool> DeleteAsync(string policyId, CancellationToken cancellationToken = default)
    {
        var response = await SdkErrors.Call($"dynamodb:DeleteItem policy {policyId}", () => dynamo.DeleteItemAsync(new DeleteItemRequest
        {
            TableName = tables.Policies,
            Key = new() { ["policyId"] = new AttributeValue(policyId) },
            ReturnValues = ReturnValue.ALL_OLD,
        }, cancellationToken)).ConfigureAwait(false);
        return response.Attributes is { Count: > 0 };
    }
}

/// <summary>A stored policy and when it was last put.</summary>
public sealed record StoredPolicy(Policy Policy, DateTimeOffset? UpdatedAt);
