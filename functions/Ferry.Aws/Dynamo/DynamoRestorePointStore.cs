using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Ferry.Aws.Runtime;
using Ferry.Core.Ports;
using static Ferry.Aws.Dynamo.DynamoItems;

namespace Ferry.Aws.Dynamo;

/// <summary>Restore points keyed by id, listed newest first per (policy, resource) through the byResource index.</summary>
public sealed class DynamoRestorePointStore(IAmazonDynamoDB dynamo, DynamoTables tables) : IRestorePointStore
{
    /// <summary>A restore point never changes once written, so a retried put writes the same item again.</summary>
    public Task PutAsync(RestorePoint point, CancellationToken cancellationToken = default) =>
        SdkErrors.Call($"dynamodb:PutItem restore point {point.RestorePointId}", () => dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = tables.RestorePoints,
            Item = new()
            {
                ["restorePointId"] = S(point.RestorePointId),
                ["policyResource"] = S(PolicyResource(point.PolicyId, point.ResourceId)),
                ["createdAt"] = S(Time(point.CreatedAt)),
                ["document"] = S(JsonSerializer.Serialize(point, JsonOptions)),
            },
        }, cancellationToken));

    public async Task<RestorePoint?> GetAsync(string restorePointId, CancellationToken cancellationToken = default)
    {
        var response = await SdkErrors.Call($"dynamodb:GetItem restore point {restorePointId}", () => dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = tables.RestorePoints,
            Key = new() { ["restorePointId"] = S(restorePointId) },
            ConsistentRead = true,
        }, cancellationToken)).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? Read(item) : null;
    }

    public async Task<IReadOnlyList<RestorePoint>> ListAsync(string policyId, string resourceId, CancellationToken cancellationToken = default) =>
        [.. (await QueryAllAsync(dynamo, new QueryRequest
        {
            TableName = tables.RestorePoints,
            IndexName = DynamoTables.ByResourceIndex,
            KeyConditionExpression = "policyResource = :pr",
            ExpressionAttributeValues = new() { [":pr"] = S(PolicyResource(policyId, resourceId)) },
            ScanIndexForward = false,
        }, cancellationToken).ConfigureAwait(false)).Select(Read)];

    public Task DeleteAsync(string restorePointId, CancellationToken cancellationToken = default) =>
        SdkErrors.Call($"dynamodb:DeleteItem restore point {restorePointId}", () => dynamo.DeleteItemAsync(new DeleteItemRequest
        {
            TableName = tables.RestorePoints,
            Key = new() { ["restorePointId"] = S(restorePointId) },
        }, cancellationToken));

    private static string PolicyResource(string policyId, string resourceId) => $"{policyId}#{resourceId}";

    private static RestorePoint Read(Dictionary<string, AttributeValue> item) =>
        JsonSerializer.Deserialize<RestorePoint>(item.Str("document")!, JsonOptions)!;
}
