using System.Collections.Concurrent;
using System.Net;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Ferry.Aws.Dynamo;
using Ferry.Functions;

namespace Ferry.Local.Host;

/// <summary>
/// Refuses, as IAM does in AWS, a step's DynamoDB call that its <see cref="StepCatalog"/> entry does not declare (the
/// operation on that table, <see cref="StepDefinition.OperationsOn"/>, as the function's role allows it): the call fails with AccessDeniedException, as the function's role would make it fail once deployed,
/// and the refusal is kept in <see cref="Refused"/>. Calls made outside a step (test setup, reports) pass.
/// </summary>
public sealed class TableGrants
{
    private static readonly AsyncLocal<StepDefinition?> Running = new();

    private readonly Dictionary<string, FerryTable> _tables;
    private readonly ConcurrentQueue<string> _refused = new();

    public TableGrants(DynamoTables tables) =>
        _tables = TableSchemas.All.ToDictionary(s => tables.NameOf(s.Table), s => s.Table, StringComparer.Ordinal);

    /// <summary>Every refused call: "step write table (operation)".</summary>
    public IReadOnlyCollection<string> Refused => _refused;

    /// <summary>Marks the calls made from here on, in this asynchronous flow, as made by a step's function.</summary>
    public static void Enter(StepDefinition step) => Running.Value = step;

    public void Attach(IAmazonDynamoDB client) => ((AmazonServiceClient)client).BeforeRequestEvent += Check;

    public void Detach(IAmazonDynamoDB client) => ((AmazonServiceClient)client).BeforeRequestEvent -= Check;

    private void Check(object sender, RequestEventArgs e)
    {
        if (Running.Value is not { } step || e is not WebServiceRequestEventArgs { Request: { } request } || Access(request) is not var (name, writes, operation)
            || !_tables.TryGetValue(name, out var table))
            return;
        if (step.OperationsOn(table).Contains(operation))
            return;
        var refusal = $"{step.Name} {(writes ? "write" : "read")} {table} ({operation})";
        _refused.Enqueue(refusal);
        throw new AmazonDynamoDBException($"User: {step.FunctionName} is not authorized to perform: dynamodb:{operation} on resource: table/{name} ({refusal}: not declared in StepCatalog)")
        {
            ErrorCode = "AccessDeniedException",
            StatusCode = HttpStatusCode.BadRequest,
        };
    }

    private static (string Table, bool Writes, string Operation)? Access(AmazonWebServiceRequest request) => request switch
    {
        GetItemRequest r => (r.TableName, false, "GetItem"),
        QueryRequest r => (r.TableName, false, "Query"),
        ScanRequest r => (r.TableName, false, "Scan"),
        PutItemRequest r => (r.TableName, true, "PutItem"),
        UpdateItemRequest r => (r.TableName, true, "UpdateItem"),
        DeleteItemRequest r => (r.TableName, true, "DeleteItem"),
        _ => null,
    };
}
