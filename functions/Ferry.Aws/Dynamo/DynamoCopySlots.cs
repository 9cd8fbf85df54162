using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Ferry.Aws.Runtime;
using Ferry.Core.Ports;

namespace Ferry.Aws.Dynamo;

/// <summary>
/// Copy slots in DynamoDB: a quota of N is N fixed items (slot "00".."N-1") per scope, each taken, given a copy and
/// freed with conditional writes, so no more holders than items can exist; no transactions are needed. An item
/// keeps <c>holder</c>, <c>copyId</c> (once the copy started) and <c>leaseUntil</c> while taken.
/// </summary>
public sealed class DynamoCopySlots(IAmazonDynamoDB dynamo, string table, IClock clock) : ICopySlots
{
    // Attribute names go through placeholders: several (scope among them) are DynamoDB reserved words.
    private static readonly Dictionary<string, string> Names = new() { ["#holder"] = "holder", ["#lease"] = "leaseUntil", ["#copy"] = "copyId" };

    public async Task<IReadOnlyList<CopySlot>> ReadAsync(CopySlotKey key, CancellationToken cancellationToken = default)
    {
        var items = await DynamoItems.QueryAllAsync(dynamo, new QueryRequest
        {
            TableName = table,
            KeyConditionExpression = "#scope = :scope",
            ExpressionAttributeNames = new() { ["#scope"] = "scope" },
            ExpressionAttributeValues = new() { [":scope"] = DynamoItems.S(key.ToString()) },
            ConsistentRead = true,
        }, cancellationToken);
        return [.. items.Select(i => new CopySlot(i.Str("slot")!, i.Str("holder"), i.Str("copyId"), i.Str("leaseUntil") is { } lease ? DynamoItems.ParseTime(lease) : null))];
    }

    public Task<bool> TryClaimAsync(CopySlotKey key, string slot, string holder, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
        UpdateAsync(key, slot, "SET #holder = :holder, #lease = :until REMOVE #copy", "attribute_not_exists(#holder) OR #lease <= :now",
            new() { [":holder"] = DynamoItems.S(holder), [":until"] = DynamoItems.S(DynamoItems.Time(leaseUntil)), [":now"] = DynamoItems.S(DynamoItems.Time(clock.UtcNow)) },
            cancellationToken);

    public Task<bool> RecordCopyAsync(CopySlotKey key, string slot, string holder, string copyId, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
        UpdateAsync(key, slot, "SET #copy = :copy, #lease = :until", "#holder = :holder",
            new() { [":holder"] = DynamoItems.S(holder), [":copy"] = DynamoItems.S(copyId), [":until"] = DynamoItems.S(DynamoItems.Time(leaseUntil)) },
            cancellationToken);

    public Task<bool> FreeAsync(CopySlotKey key, CopySlot seen, CancellationToken cancellationToken = default)
    {
        var values = new Dictionary<string, AttributeValue>();
        var holder = seen.Holder is null ? "attribute_not_exists(#holder)" : "#holder = :holder";
        if (seen.Holder is not null)
            values[":holder"] = DynamoItems.S(seen.Holder);
        var copy = seen.CopyId is null ? "attribute_not_exists(#copy)" : "#copy = :copy";
        if (seen.CopyId is not null)
            values[":copy"] = DynamoItems.S(seen.CopyId);
        return UpdateAsync(key, seen.Slot, "REMOVE #holder, #lease, #copy", $"{holder} AND {copy}", values, cancellationToken);
    }

    private Task<bool> UpdateAsync(CopySlotKey key, string slot, string update, string condition, Dictionary<string, AttributeValue> values, CancellationToken cancellationToken) =>
        DynamoItems.ConditionalAsync($"dynamodb:UpdateItem {table}", () => dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = Key(key, slot),
            UpdateExpression = update,
            ConditionExpression = condition,
            ExpressionAttributeNames = Names.Where(n => update.Contains(n.Key, StringComparison.Ordinal) || condition.Contains(n.Key, StringComparison.Ordinal))
                .ToDictionary(n => n.Key, n => n.Value),
            ExpressionAttributeValues = values.Count > 0 ? values : null,
        }, cancellationToken));

    private static Dictionary<string, AttributeValue> Key(CopySlotKey key, string slot) => new()
    {
        ["scope"] = DynamoItems.S(key.ToString()),
        ["slot"] = DynamoItems.S(slot),
    };
}
