using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Ferry.Aws.Runtime;

namespace Ferry.Aws.Dynamo;

/// <summary>The names of Ferry's four tables (their schemas: <see cref="TableSchemas"/>).</summary>
public sealed record DynamoTables(string Policies, string Sessions, string RestorePoints, string CopySlots)
{
    public const string ByPolicyIndex = "byPolicy";
    public const string ByResourceIndex = "byResource";

    /// <summary>"ferry-policies", "ferry-sessions"…: the names the CDK stack gives the tables.</summary>
    public static DynamoTables Default { get; } = WithPrefix(TableSchemas.DefaultPrefix);

    /// <summary>Every table named prefix-suffix, so several worlds can share one DynamoDB endpoint.</summary>
    public static DynamoTables WithPrefix(string prefix) => Named(schema => schema.NameWith(prefix));

    /// <summary>The names the function's environment gives (the CDK stack sets every one), else the default names.</summary>
    public static DynamoTables FromEnvironment() => Named(schema =>
        Environment.GetEnvironmentVariable(schema.NameVariable) is { Length: > 0 } name ? name : Default.NameOf(schema.Table));

    private static DynamoTables Named(Func<TableSchema, string> name) =>
        new(name(TableSchemas.Policies), name(TableSchemas.Sessions), name(TableSchemas.RestorePoints), name(TableSchemas.CopySlots));

    public string NameOf(FerryTable table) => table switch
    {
        FerryTable.Policies => Policies,
        FerryTable.Sessions => Sessions,
        FerryTable.RestorePoints => RestorePoints,
        _ => CopySlots,
    };

    public static IAmazonDynamoDB Client(AwsOptions options, string region, AWSCredentials? credentials = null)
    {
        var config = SdkErrors.Configure(new AmazonDynamoDBConfig(), "dynamodb", region, options);
        return credentials is null ? new AmazonDynamoDBClient(config) : new AmazonDynamoDBClient(credentials, config);
    }

    /// <summary>Creates every table (on-demand) as the CDK app defines it; used by local runs and tests.</summary>
    public async Task CreateAsync(IAmazonDynamoDB dynamo, CancellationToken cancellationToken = default)
    {
        foreach (var schema in TableSchemas.All)
            await CreateTableAsync(dynamo, schema, NameOf(schema.Table), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates one table of a schema under a name, and waits until it is active; an existing table is kept.</summary>
    public static async Task CreateTableAsync(IAmazonDynamoDB dynamo, TableSchema schema, string name, CancellationToken cancellationToken = default)
    {
        try
        {
            await dynamo.CreateTableAsync(new CreateTableRequest
            {
                TableName = name,
                KeySchema = Keys(schema.PartitionKey, schema.SortKey),
                AttributeDefinitions = [.. schema.KeyAttributes.Select(a => new AttributeDefinition(a, ScalarAttributeType.S))],
                BillingMode = BillingMode.PAY_PER_REQUEST,
                GlobalSecondaryIndexes = schema.Indexes.Count == 0 ? null : [.. schema.Indexes.Select(Index)],
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (ResourceInUseException)
        {
            return;
        }
        while ((await dynamo.DescribeTableAsync(name, cancellationToken).ConfigureAwait(false)).Table.TableStatus != TableStatus.ACTIVE)
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
    }

    private static List<KeySchemaElement> Keys(string partitionKey, string? sortKey) =>
        sortKey is null ? [new(partitionKey, KeyType.HASH)] : [new(partitionKey, KeyType.HASH), new(sortKey, KeyType.RANGE)];

    private static GlobalSecondaryIndex Index(IndexSchema index) => new()
    {
        IndexName = index.Name,
        KeySchema = Keys(index.PartitionKey, index.SortKey),
        Projection = index.Projection switch
        {
            IndexProjection.All => new Projection { ProjectionType = ProjectionType.ALL },
            IndexProjection.Include => new Projection { ProjectionType = ProjectionType.INCLUDE, NonKeyAttributes = [.. index.Included ?? []] },
            _ => new Projection { ProjectionType = ProjectionType.KEYS_ONLY },
        },
    };
}
