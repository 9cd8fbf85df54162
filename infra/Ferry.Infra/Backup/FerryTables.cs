using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.IAM;
using Constructs;
using Ferry.Aws.Dynamo;
using Attribute = Amazon.CDK.AWS.DynamoDB.Attribute;

namespace Ferry.Infra.Backup;

/// <summary>Ferry's four tables, with exactly the keys and indexes of DynamoTables and DynamoCopySlots (README "DynamoDB tables").</summary>
public sealed class FerryTables : Construct
{
    /// <summary>Everything Ferry's stores call (Ferry.Aws.Dynamo); tables are created by CloudFormation, not by the functions.</summary>
    private static readonly string[] DataActions =
        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:Scan"];

    public FerryTables(Construct scope, string id)
        : base(scope, id)
    {
        var names = new DynamoTables();
        Policies = Create("Policies", names.Policies, Key("policyId"));
        Sessions = Create("Sessions", names.Sessions, Key("sessionId"), Key("item"));
        Sessions.AddGlobalSecondaryIndex(new GlobalSecondaryIndexProps
        {
            IndexName = DynamoTables.ByPolicyIndex,
            PartitionKey = Key("policyId"),
            SortKey = Key("startedAt"),
            ProjectionType = ProjectionType.INCLUDE,
            NonKeyAttributes = [.. DynamoTables.ByPolicyAttributes],
        });
        RestorePoints = Create("RestorePoints", names.RestorePoints, Key("restorePointId"));
        RestorePoints.AddGlobalSecondaryIndex(new GlobalSecondaryIndexProps
        {
            IndexName = DynamoTables.ByResourceIndex,
            PartitionKey = Key("policyResource"),
            SortKey = Key("createdAt"),
            ProjectionType = ProjectionType.ALL,
        });
        CopySlots = Create("CopySlots", DynamoCopySlots.DefaultTable, Key("scope"), Key("slot"));
    }

    public Table Policies { get; }

    public Table Sessions { get; }

    public Table RestorePoints { get; }

    public Table CopySlots { get; }

    /// <summary>The environment variables LambdaServices reads the table names from.</summary>
    public Dictionary<string, string> Environment() => new()
    {
        ["FERRY_POLICIES_TABLE"] = Policies.TableName,
        ["FERRY_SESSIONS_TABLE"] = Sessions.TableName,
        ["FERRY_RESTORE_POINTS_TABLE"] = RestorePoints.TableName,
        ["FERRY_COPY_SLOTS_TABLE"] = CopySlots.TableName,
    };

    /// <summary>The item reads and writes of Ferry's stores, on the tables and their indexes.</summary>
    public PolicyStatement DataAccess() => Iam.Allow(DataActions,
        [.. new[] { Policies, Sessions, RestorePoints, CopySlots }.SelectMany(t => new[] { t.TableArn, $"{t.TableArn}/index/*" })]);

    private Table Create(string id, string name, Attribute partitionKey, Attribute? sortKey = null) => new(this, id, new TableProps
    {
        TableName = name,
        PartitionKey = partitionKey,
        SortKey = sortKey,
        BillingMode = BillingMode.PAY_PER_REQUEST,
        PointInTimeRecovery = true,
        Encryption = TableEncryption.AWS_MANAGED,
    });

    private static Attribute Key(string name) => new() { Name = name, Type = AttributeType.STRING };
}
