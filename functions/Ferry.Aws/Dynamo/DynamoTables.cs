using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Ferry.Aws.Runtime;

namespace Ferry.Aws.Dynamo;

/// <summary>The names of Ferry's three tables (see README "DynamoDB tables").</summary>
public sealed record DynamoTables(string Policies = "ferry-policies", string Sessions = "ferry-sessions", string RestorePoints = "ferry-restore-points")
{
    public const string ByPolicyIndex = "byPolicy";

    /// <summary>What the byPolicy index carries besides keys: the rest of a session header, so listing a policy's sessions is one query.</summary>
    public static readonly IReadOnlyList<string> ByPolicyAttributes = ["kind", "status", "endedAt", "reason"];
    public const string ByResourceIndex = "byResource";

    public static IAmazonDynamoDB Client(AwsOptions options, string region, AWSCredentials? credentials = null)
    {
        var config = SdkErrors.Configure(new AmazonDynamoDBConfig(), "dynamodb", region, options);
        return credentials is null ? new AmazonDynamoDBClient(config) : new AmazonDynamoDBClient(credentials, config);
    }

    /// <summary>Creates the tables (on-demand) as the CDK app defines them; used by local runs and tests.</summary>
    public async Task CreateAsync(IAmazonDynamoDB dynamo, CancellationToken cancellationToken = default)
    {
        await CreateAsync(dynamo, Policies, [Key("policyId", KeyType.HASH)], [Attr("policyId")], null, cancellationToken).ConfigureAwait(false);
        await CreateAsync(dynamo, Sessions, [Key("sessionId", KeyType.HASH), Key("item", KeyType.RANGE)],
            [Attr("sessionId"), Attr("item"), Attr("policyId"), Attr("startedAt")],
            Index(ByPolicyIndex, "policyId", "startedAt", ProjectionType.INCLUDE, ByPolicyAttributes), cancellationToken).ConfigureAwait(false);
        await CreateAsync(dynamo, RestorePoints, [Key("restorePointId", KeyType.HASH)],
            [Attr("restorePointId"), Attr("policyResource"), Attr("createdAt")],
            Index(ByResourceIndex, "policyResource", "createdAt", ProjectionType.ALL), cancellationToken).ConfigureAwait(false);
    }

    private static async Task CreateAsync(IAmazonDynamoDB dynamo, string table, List<KeySchemaElement> keys, List<AttributeDefinition> attributes, GlobalSecondaryIndex? index, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.CreateTableAsync(new CreateTableRequest
            {
                TableName = table,
                KeySchema = keys,
                AttributeDefinitions = attributes,
                BillingMode = BillingMode.PAY_PER_REQUEST,
                GlobalSecondaryIndexes = index is null ? null : [index],
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (ResourceInUseException)
        {
            return;
        }
        while ((await dynamo.DescribeTableAsync(table, cancellationToken).ConfigureAwait(false)).Table.TableStatus != TableStatus.ACTIVE)
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
    }

    private static KeySchemaElement Key(string name, KeyType type) => new(name, type);

    private static AttributeDefinition Attr(string name) => new(name, ScalarAttributeType.S);

    private static GlobalSecondaryIndex Index(string name, string hash, string range, ProjectionType projection, IReadOnlyList<string>? attributes = null) => new()
    {
        IndexName = name,
        KeySchema = [Key(hash, KeyType.HASH), Key(range, KeyType.RANGE)],
        Projection = new Projection { ProjectionType = projection, NonKeyAttributes = attributes is null ? null : [.. attributes] },
    };
}
