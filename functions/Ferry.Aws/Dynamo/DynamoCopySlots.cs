using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Ferry.Aws.Runtime;
using Ferry.Core.Ports;

namespace Ferry.Aws.Dynamo;

/// <summary>
/// Copy slots in DynamoDB: a quota of N is N fixed items (slot "00".."N-1") per scope, each claimed
/// with a conditional write that succeeds only when the slot is free or its lease has run out.
/// That needs no transactions and cannot hand out more slots than there are items.
/// </summary>
public sealed class DynamoCopySlots(IAmazonDynamoDB dynamo, string table, IClock clock) : ICopySlots
{
    public const string DefaultTable = "ferry-copy-slots";

    // Attribute names go through placeholders: several (scope among them) are DynamoDB reserved words.
    private static readonly Dictionary<string, string> Names = new() { ["#holder"] = "holder", ["#lease"] = "leaseUntil" };

    public async Task<bool> TryAcquireAsync(CopySlotKey key, string holder, int limit, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var now = clock.UtcNow;
        var until = DynamoItems.Time(now + lease);
        foreach (var slot in await HeldAsync(key, holder, cancellationToken))
        {
            if (await ClaimAsync(key, slot, holder, until, "#holder = :holder", now, cancellationToken))
                return true;
        }
        // Start where the holder's hash points, so concurrent claimants rarely race for the same item.
        var start = (int)((uint)StringComparer.Ordinal.GetHashCode(holder) % (uint)limit);
        for (var i = 0; i < limit; i++)
        {
            var slot = ((start + i) % limit).ToString("00", System.Globalization.CultureInfo.InvariantCulture);
            if (await ClaimAsync(key, slot, holder, until, "attribute_not_exists(#holder) OR #lease < :now", now, cancellationToken))
                return true;
        }
        return false;
    }

    public async Task ReleaseAsync(CopySlotKey key, string holder, CancellationToken cancellationToken = default)
    {
        foreach (var slot in await HeldAsync(key, holder, cancellationToken))
        {
            await DynamoItems.ConditionalAsync($"dynamodb:UpdateItem {table}", () => dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = table,
                Key = Key(key, slot),
                UpdateExpression = "REMOVE #holder, #lease",
                ConditionExpression = "#holder = :holder",
                ExpressionAttributeNames = Names,
                ExpressionAttributeValues = new() { [":holder"] = DynamoItems.S(holder) },
            }, cancellationToken));
        }
    }

    public async Task<int> InUseAsync(CopySlotKey key, CancellationToken cancellationToken = default)
    {
        var now = DynamoItems.Time(clock.UtcNow);
        var items = await SlotsAsync(key, cancellationToken);
        return items.Count(i => i.Str("holder") is not null && string.CompareOrdinal(i.Str("leaseUntil"), now) >= 0);
    }

    /// <summary>Creates the slots table (on-demand); used by local runs and tests, as the CDK app defines it.</summary>
    public static async Task CreateTableAsync(IAmazonDynamoDB dynamo, string table, CancellationToken cancellationToken = default)
    {
        try
        {
            await dynamo.CreateTableAsync(new CreateTableRequest
            {
                TableName = table,
                KeySchema = [new KeySchemaElement("scope", KeyType.HASH), new KeySchemaElement("slot", KeyType.RANGE)],
                AttributeDefinitions = [new AttributeDefinition("scope", ScalarAttributeType.S), new AttributeDefinition("slot", ScalarAttributeType.S)],
                BillingMode = BillingMode.PAY_PER_REQUEST,
            }, cancellationToken);
        }
        catch (ResourceInUseException)
        {
            return;
        }
        while ((await dynamo.DescribeTableAsync(table, cancellationToken)).Table.TableStatus != TableStatus.ACTIVE)
            await Task.Delay(50, cancellationToken);
    }

    private Task<bool> ClaimAsync(CopySlotKey key, string slot, string holder, string until, string condition, DateTimeOffset now, CancellationToken cancellationToken) =>
        DynamoItems.ConditionalAsync($"dynamodb:UpdateItem {table}", () => dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = Key(key, slot),
            UpdateExpression = "SET #holder = :holder, #lease = :until",
            ConditionExpression = condition,
            ExpressionAttributeNames = Names,
            ExpressionAttributeValues = condition.Contains(":now", StringComparison.Ordinal)
                ? new() { [":holder"] = DynamoItems.S(holder), [":until"] = DynamoItems.S(until), [":now"] = DynamoItems.S(DynamoItems.Time(now)) }
                : new() { [":holder"] = DynamoItems.S(holder), [":until"] = DynamoItems.S(until) },
        }, cancellationToken));

    private async Task<List<string>> HeldAsync(CopySlotKey key, string holder, CancellationToken cancellationToken) =>
        [.. (await SlotsAsync(key, cancellationToken)).Where(i => i.Str("holder") == holder).Select(i => i.Str("slot")!)];

    private Task<IReadOnlyList<Dictionary<string, AttributeValue>>> SlotsAsync(CopySlotKey key, CancellationToken cancellationToken) =>
        DynamoItems.QueryAllAsync(dynamo, new QueryRequest
        {
            TableName = table,
            KeyConditionExpression = "#scope = :scope",
            ExpressionAttributeNames = new() { ["#scope"] = "scope" },
            ExpressionAttributeValues = new() { [":scope"] = DynamoItems.S(key.ToString()) },
            ConsistentRead = true,
        }, cancellationToken);

    private static Dictionary<string, AttributeValue> Key(CopySlotKey key, string slot) => new()
    {
        ["scope"] = DynamoItems.S(key.ToString()),
        ["slot"] = DynamoItems.S(slot),
    };
}
