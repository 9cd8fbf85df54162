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
}
