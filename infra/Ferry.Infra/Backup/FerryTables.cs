using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.IAM;
using Constructs;
using Ferry.Aws.Dynamo;
using Ferry.Functions;
using Attribute = Amazon.CDK.AWS.DynamoDB.Attribute;

namespace Ferry.Infra.Backup;

/// <summary>Ferry's four tables, each built from its <see cref="TableSchemas"/> declaration (README "DynamoDB tables").</summary>
public sealed class FerryTables : Construct
{
    private readonly Dictionary<FerryTable, Table> _tables = [];

    public FerryTables(Construct scope, string id)
        : base(scope, id)
    {
        foreach (var schema in TableSchemas.All)
            _tables[schema.Table] = Create(schema);
    }

    public Table Policies => _tables[FerryTable.Policies];

    public Table Sessions => _tables[FerryTable.Sessions];

    public Table RestorePoints => _tables[FerryTable.RestorePoints];

    public Table CopySlots => _tables[FerryTable.CopySlots];

    /// <summary>The environment variables LambdaServices reads the table names from.</summary>
    public Dictionary<string, string> Environment() =>
        TableSchemas.All.ToDictionary(s => s.NameVariable, s => _tables[s.Table].TableName);

    /// <summary>
    /// Exactly the item operations the step declares on each table (<see cref="StepDefinition.OperationsOn"/>), with the
    /// tables' indexes; one statement per set of operations. Tables are created by CloudFormation, not by the functions.
    /// </summary>
    public IEnumerable<PolicyStatement> Access(StepDefinition step) =>
        step.Tables
            .GroupBy(t => string.Join(",", step.OperationsOn(t)), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Iam.Allow([.. step.OperationsOn(g.First()).Select(op => $"dynamodb:{op}")], Arns(g)));

    private string[] Arns(IEnumerable<FerryTable> tables) =>
        [.. tables.Select(t => _tables[t]).SelectMany(t => new[] { t.TableArn, $"{t.TableArn}/index/*" })];

    private Table Create(TableSchema schema)
    {
        var table = new Table(this, schema.Table.ToString(), new TableProps
        {
            TableName = DynamoTables.Default.NameOf(schema.Table),
            PartitionKey = Key(schema.PartitionKey),
            SortKey = schema.SortKey is null ? null : Key(schema.SortKey),
            BillingMode = BillingMode.PAY_PER_REQUEST,
            PointInTimeRecovery = true,
            Encryption = TableEncryption.AWS_MANAGED,
        });
        foreach (var index in schema.Indexes)
        {
            table.AddGlobalSecondaryIndex(new GlobalSecondaryIndexProps
            {
                IndexName = index.Name,
                PartitionKey = Key(index.PartitionKey),
                SortKey = Key(index.SortKey),
                ProjectionType = index.Projection switch
                {
                    IndexProjection.All => ProjectionType.ALL,
                    IndexProjection.Include => ProjectionType.INCLUDE,
                    _ => ProjectionType.KEYS_ONLY,
                },
                NonKeyAttributes = index.Included is null ? null : [.. index.Included],
            });
        }
        return table;
    }

    private static Attribute Key(string name) => new() { Name = name, Type = AttributeType.STRING };
}
