using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Ferry.Aws.Runtime;
using Ferry.Core.Errors;
using Ferry.Core.Ports;
using Ferry.Core.Sessions;
using static Ferry.Aws.Dynamo.DynamoItems;

namespace Ferry.Aws.Dynamo;

/// <summary>
/// A session is one partition: the header item (<c>SESSION</c>), one item per resource (<c>RES#id</c>) and one per log
/// entry (<c>LOG#id#sequence</c>). Every write is conditional, so a retried step never duplicates an entry nor
/// overwrites a final outcome or a closed session.
/// </summary>
public sealed class DynamoSessionStore(IAmazonDynamoDB dynamo, DynamoTables tables) : ISessionStore
{
    private const string Header = "SESSION";
    private const string ResourcePrefix = "RES#";
    private const string LogPrefix = "LOG#";

    public async Task<Session> OpenAsync(Session session, CancellationToken cancellationToken = default)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["sessionId"] = S(session.SessionId),
            ["item"] = S(Header),
            ["kind"] = S(session.Kind.ToString()),
            ["policyId"] = S(session.PolicyId),
            ["startedAt"] = S(Time(session.StartedAt)),
            ["status"] = S(session.Status.ToString()),
        };
        if (session.EndedAt is { } ended)
            item["endedAt"] = S(Time(ended));
        await PutOnceAsync($"session {session.SessionId}", item, cancellationToken).ConfigureAwait(false);
        return await GetHeaderAsync(session.SessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new FerryTransientException($"Session {session.SessionId} was written but cannot be read back.");
    }

    public async Task<Session?> GetAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var items = await QueryAllAsync(dynamo, new QueryRequest
        {
            TableName = tables.Sessions,
            KeyConditionExpression = "sessionId = :id",
            ExpressionAttributeValues = new() { [":id"] = S(sessionId) },
            ConsistentRead = true,
        }, cancellationToken).ConfigureAwait(false);
        var logs = items.Where(i => i.Str("item")!.StartsWith(LogPrefix, StringComparison.Ordinal))
            .Select(i => (ResourceId: i.Str("resourceId")!, Entry: JsonSerializer.Deserialize<LogEntry>(i.Str("entry")!, JsonOptions)!))
            .ToLookup(l => l.ResourceId, l => l.Entry);
        return FromItems(sessionId, items, id => [.. logs[id].OrderBy(e => e.Sequence)]);
    }

    public async Task<Session?> GetHeaderAsync(string sessionId, CancellationToken cancellationToken = default) =>
        await GetItemAsync($"session {sessionId}", HeaderKey(sessionId), cancellationToken).ConfigureAwait(false) is { } header
            ? FromHeader(sessionId, header)
            : null;

    public async Task<ResourceOutcome?> GetOutcomeAsync(string sessionId, string resourceId, CancellationToken cancellationToken = default) =>
        await GetItemAsync($"outcome {sessionId}/{resourceId}", ResourceKey(sessionId, resourceId), cancellationToken).ConfigureAwait(false) is { } item
            ? FromResource(item, [])
            : null;

    /// <remarks>The byPolicy index projects the header's attributes (and only headers carry policyId), so one query answers.</remarks>
    public async Task<IReadOnlyList<Session>> ListByPolicyAsync(string policyId, CancellationToken cancellationToken = default)
    {
        var headers = await QueryAllAsync(dynamo, new QueryRequest
        {
            TableName = tables.Sessions,
            IndexName = DynamoTables.ByPolicyIndex,
            KeyConditionExpression = "policyId = :p",
            ExpressionAttributeValues = new() { [":p"] = S(policyId) },
            ScanIndexForward = false,
        }, cancellationToken).ConfigureAwait(false);
        return [.. headers.Select(h => FromHeader(h.Str("sessionId")!, h))];
    }

    public Task SetProgressAsync(string sessionId, string resourceId, string step, CancellationToken cancellationToken = default) =>
        ConditionalAsync($"dynamodb:UpdateItem progress {sessionId}/{resourceId}", () => dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = tables.Sessions,
            Key = ResourceKey(sessionId, resourceId),
            UpdateExpression = "SET step = :step, resourceId = :rid, #status = if_not_exists(#status, :running)",
            ConditionExpression = "attribute_not_exists(#final)",
            ExpressionAttributeNames = new() { ["#status"] = "status", ["#final"] = "final" },
            ExpressionAttributeValues = new() { [":step"] = S(step), [":rid"] = S(resourceId), [":running"] = S(nameof(ResourceStatus.Running)) },
        }, cancellationToken));

    public async Task AppendLogAsync(string sessionId, string resourceId, LogEntry entry, CancellationToken cancellationToken = default)
    {
        await PutOnceAsync($"log {sessionId}/{resourceId}/{entry.Sequence}", new()
        {
            ["sessionId"] = S(sessionId),
            ["item"] = S($"{LogPrefix}{resourceId}#{entry.Sequence:D9}"),
            ["resourceId"] = S(resourceId),
            ["entry"] = S(JsonSerializer.Serialize(entry, JsonOptions)),
        }, cancellationToken).ConfigureAwait(false);
        // A resource with a log shows in the session even before its first progress mark.
        await PutOnceAsync($"resource {sessionId}/{resourceId}", new()
        {
            ["sessionId"] = S(sessionId),
            ["item"] = S($"{ResourcePrefix}{resourceId}"),
            ["resourceId"] = S(resourceId),
            ["status"] = S(nameof(ResourceStatus.Running)),
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<bool> RecordOutcomeAsync(string sessionId, string resourceId, ResourceStatus status, string? reason, CancellationToken cancellationToken = default)
    {
        var values = new Dictionary<string, AttributeValue>
        {
            [":status"] = S(status.ToString()),
            [":rid"] = S(resourceId),
            [":true"] = new AttributeValue { BOOL = true },
        };
        var update = "SET #status = :status, resourceId = :rid, #final = :true";
        if (reason is not null)
        {
            values[":reason"] = S(reason);
            update += ", reason = :reason";
        }
        return ConditionalAsync($"dynamodb:UpdateItem outcome {sessionId}/{resourceId}", () => dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = tables.Sessions,
            Key = ResourceKey(sessionId, resourceId),
            UpdateExpression = update,
            ConditionExpression = "attribute_not_exists(#final)",
            ExpressionAttributeNames = new() { ["#status"] = "status", ["#final"] = "final" },
            ExpressionAttributeValues = values,
        }, cancellationToken));
    }

    public async Task<Session> CloseAsync(string sessionId, DateTimeOffset at, SessionEnd? end = null, CancellationToken cancellationToken = default)
    {
        var session = await GetStatusesAsync(sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new FerryNotFoundException($"Session {sessionId} does not exist.");
        if (session.EndedAt is not null)
            return session;
        var closed = session.Close(at, end);
        var values = new Dictionary<string, AttributeValue> { [":at"] = S(Time(at)), [":status"] = S(closed.Status.ToString()) };
        var update = "SET endedAt = :at, #status = :status";
        if (closed.Reason is not null)
        {
            values[":reason"] = S(closed.Reason);
            update += ", reason = :reason";
        }
        var written = await ConditionalAsync($"dynamodb:UpdateItem close {sessionId}", () => dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = tables.Sessions,
            Key = HeaderKey(sessionId),
            UpdateExpression = update,
            ConditionExpression = "attribute_not_exists(endedAt)",
            ExpressionAttributeNames = new() { ["#status"] = "status" },
            ExpressionAttributeValues = values,
        }, cancellationToken)).ConfigureAwait(false);
        return written ? closed : (await GetStatusesAsync(sessionId, cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<RunLock?> GetRunLockAsync(string policyId, CancellationToken cancellationToken = default) =>
        await GetItemAsync($"run lock {policyId}", LockKey(policyId), cancellationToken).ConfigureAwait(false) is { } item
            ? new RunLock(policyId, item.Str("holder")!, ParseTime(item.Str("leaseUntil")!))
            : null;

    public Task<bool> TryWriteRunLockAsync(RunLock next, string? expectedHolder, CancellationToken cancellationToken = default)
    {
        var item = LockKey(next.PolicyId);
        item["holder"] = S(next.SessionId);
        item["leaseUntil"] = S(Time(next.LeaseUntil));
        return ConditionalAsync($"dynamodb:PutItem run lock {next.PolicyId}", () => dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = tables.Sessions,
            Item = item,
            ConditionExpression = expectedHolder is null ? "attribute_not_exists(sessionId)" : "holder = :expected",
            ExpressionAttributeValues = expectedHolder is null ? null : new() { [":expected"] = S(expectedHolder) },
        }, cancellationToken));
    }

    public Task ReleaseRunLockAsync(string policyId, string sessionId, CancellationToken cancellationToken = default) =>
        ConditionalAsync($"dynamodb:DeleteItem run lock {policyId}", () => dynamo.DeleteItemAsync(new DeleteItemRequest
        {
            TableName = tables.Sessions,
            Key = LockKey(policyId),
            ConditionExpression = "holder = :me",
            ExpressionAttributeValues = new() { [":me"] = S(sessionId) },
        }, cancellationToken));

    /// <summary>
    /// The header and every resource's status, without logs: the items from <c>RES#</c> on (log items, <c>LOG#</c>, sort
    /// before them), what closing needs to take the worst status.
    /// </summary>
    private async Task<Session?> GetStatusesAsync(string sessionId, CancellationToken cancellationToken)
    {
        var items = await QueryAllAsync(dynamo, new QueryRequest
        {
            TableName = tables.Sessions,
            KeyConditionExpression = "sessionId = :id AND #item >= :resources",
            ExpressionAttributeNames = new() { ["#item"] = "item" },
            ExpressionAttributeValues = new() { [":id"] = S(sessionId), [":resources"] = S(ResourcePrefix) },
            ConsistentRead = true,
        }, cancellationToken).ConfigureAwait(false);
        return FromItems(sessionId, items, _ => []);
    }

    private async Task<Dictionary<string, AttributeValue>?> GetItemAsync(string what, Dictionary<string, AttributeValue> key, CancellationToken cancellationToken)
    {
        var response = await SdkErrors.Call($"dynamodb:GetItem {what}", () => dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = tables.Sessions,
            Key = key,
            ConsistentRead = true,
        }, cancellationToken)).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? item : null;
    }

    /// <summary>Writes an item unless one with its key exists: the first write of a session, log entry or resource wins.</summary>
    private Task<bool> PutOnceAsync(string what, Dictionary<string, AttributeValue> item, CancellationToken cancellationToken) =>
        ConditionalAsync($"dynamodb:PutItem {what}", () => dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = tables.Sessions,
            Item = item,
            ConditionExpression = "attribute_not_exists(sessionId)",
        }, cancellationToken));

    private static Dictionary<string, AttributeValue> ResourceKey(string sessionId, string resourceId) =>
        new() { ["sessionId"] = S(sessionId), ["item"] = S($"{ResourcePrefix}{resourceId}") };

    private static Dictionary<string, AttributeValue> HeaderKey(string sessionId) =>
        new() { ["sessionId"] = S(sessionId), ["item"] = S(Header) };

    /// <summary>A policy's run lock is one item of its own partition, outside every session (and outside the byPolicy index).</summary>
    private static Dictionary<string, AttributeValue> LockKey(string policyId) =>
        new() { ["sessionId"] = S($"RUN#{policyId}"), ["item"] = S("LOCK") };

    /// <summary>The session from its header and resource items, each resource with the log <paramref name="log"/> gives it; null without a header.</summary>
    private static Session? FromItems(string sessionId, IReadOnlyList<Dictionary<string, AttributeValue>> items, Func<string, IReadOnlyList<LogEntry>> log)
    {
        var header = items.FirstOrDefault(i => i.Str("item") == Header);
        if (header is null)
            return null;
        var resources = items.Where(i => i.Str("item")!.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(i => FromResource(i, log(i.Str("resourceId")!)));
        return FromHeader(sessionId, header) with { Resources = [.. resources.OrderBy(r => r.ResourceId, StringComparer.Ordinal)] };
    }

    private static ResourceOutcome FromResource(Dictionary<string, AttributeValue> item, IReadOnlyList<LogEntry> log)
    {
        var final = item.TryGetValue("final", out var f) && f.BOOL == true;
        return new ResourceOutcome(item.Str("resourceId")!, Enum.Parse<ResourceStatus>(item.Str("status")!), final ? item.Str("reason") : null,
            log, final ? null : item.Str("step"));
    }

    private static Session FromHeader(string sessionId, Dictionary<string, AttributeValue> header) =>
        new(sessionId, Enum.Parse<SessionKind>(header.Str("kind")!), header.Str("policyId")!, ParseTime(header.Str("startedAt")!),
            header.Str("endedAt") is { } ended ? ParseTime(ended) : null, Enum.Parse<ResourceStatus>(header.Str("status")!), [], header.Str("reason"));
}
