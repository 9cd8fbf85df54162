using Ferry.Core.Settings;

namespace Ferry.Aws.Dynamo;

/// <summary>Ferry's DynamoDB tables (README "DynamoDB tables").</summary>
public enum FerryTable
{
    Policies,
    Sessions,
    RestorePoints,
    CopySlots,
}

/// <summary>Which attributes a global secondary index copies from the table.</summary>
public enum IndexProjection
{
    KeysOnly,

    /// <summary>The keys and the attributes <see cref="IndexSchema.Included"/> names.</summary>
    Include,
    All,
}

/// <summary>A global secondary index; its keys are strings.</summary>
/// <param name="Included">With <see cref="IndexProjection.Include"/>: the non-key attributes the index copies.</param>
public sealed record IndexSchema(string Name, string PartitionKey, string SortKey, IndexProjection Projection, IReadOnlyList<string>? Included = null);

/// <summary>
/// One table as plain data: the CDK stack (FerryTables) and the local creator (<see cref="DynamoTables.CreateAsync"/>)
/// both build it from this, so deployed and local tables cannot differ. Every key is a string; billing is on demand.
/// </summary>
/// <param name="Suffix">The table's name after the deployment's prefix: "ferry-" + suffix by default.</param>
/// <param name="NameVariable">The environment variable the functions read the table's name from.</param>
public sealed record TableSchema(FerryTable Table, string Suffix, string NameVariable, string PartitionKey, string? SortKey, IReadOnlyList<IndexSchema> Indexes)
{
    public string NameWith(string prefix) => $"{prefix}-{Suffix}";

    /// <summary>Every attribute a key of the table or of an index names, each once.</summary>
    public IEnumerable<string> KeyAttributes =>
        new[] { PartitionKey, SortKey }.Concat(Indexes.SelectMany(i => new[] { i.PartitionKey, i.SortKey })).OfType<string>().Distinct(StringComparer.Ordinal);
}

/// <summary>The schema of each of Ferry's tables, declared once.</summary>
public static class TableSchemas
{
    public const string DefaultPrefix = "ferry";

    public static readonly TableSchema Policies =
        new(FerryTable.Policies, "policies", FerryVariables.PoliciesTable, "policyId", null, []);

    /// <summary>A session's header, resources and log lines share its partition; byPolicy lists a policy's sessions.</summary>
    public static readonly TableSchema Sessions =
        new(FerryTable.Sessions, "sessions", FerryVariables.SessionsTable, "sessionId", "item",
            // The rest of a session header, so listing a policy's sessions is one query.
            [new IndexSchema(DynamoTables.ByPolicyIndex, "policyId", "startedAt", IndexProjection.Include, ["kind", "status", "endedAt", "reason"])]);

    public static readonly TableSchema RestorePoints =
        new(FerryTable.RestorePoints, "restore-points", FerryVariables.RestorePointsTable, "restorePointId", null,
            [new IndexSchema(DynamoTables.ByResourceIndex, "policyResource", "createdAt", IndexProjection.All)]);

    /// <summary>A quota of N is N items (slot "00".."N-1") of one scope (DynamoCopySlots).</summary>
    public static readonly TableSchema CopySlots =
        new(FerryTable.CopySlots, "copy-slots", FerryVariables.CopySlotsTable, "scope", "slot", []);

    public static readonly IReadOnlyList<TableSchema> All = [Policies, Sessions, RestorePoints, CopySlots];

    public static TableSchema Of(FerryTable table) => All.Single(s => s.Table == table);
}
