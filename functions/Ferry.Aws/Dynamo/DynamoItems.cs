using System.Text.Json;
using System.Text.Json.Serialization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Ferry.Aws.Runtime;
using Ferry.Core.Errors;

namespace Ferry.Aws.Dynamo;

/// <summary>What the three stores share: JSON documents, conditional writes and paged queries.</summary>
internal static class DynamoItems
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static AttributeValue S(string value) => new(value);

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);

    public static string? Str(this Dictionary<string, AttributeValue> item, string name) => item.TryGetValue(name, out var v) ? v.S : null;

    /// <summary>Runs a conditional write; false when its condition did not hold (the write was already made, or a later state exists).</summary>
    public static async Task<bool> ConditionalAsync(string call, Func<Task> write)
    {
        try
        {
            await SdkErrors.Call(call, async () =>
            {
                await write().ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
            return true;
        }
        catch (FerryException e) when (e.AwsErrorCode == nameof(ConditionalCheckFailedException))
        {
            return false;
        }
    }

    public static async Task<IReadOnlyList<Dictionary<string, AttributeValue>>> QueryAllAsync(IAmazonDynamoDB dynamo, QueryRequest request, CancellationToken cancellationToken)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        do
        {
            var page = await SdkErrors.Call($"dynamodb:Query {request.TableName}", () => dynamo.QueryAsync(request, cancellationToken)).ConfigureAwait(false);
            items.AddRange(page.Items ?? []);
            request.ExclusiveStartKey = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (request.ExclusiveStartKey is not null);
        return items;
    }
}
