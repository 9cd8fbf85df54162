using System.Text.Json.Nodes;
using Ferry.Simulator.Wire;
using static Ferry.Simulator.Wire.Protocols;

namespace Ferry.Simulator;

/// <summary>Amazon EFS (protocol <c>rest-json</c>, version 2015-02-01): DescribeFileSystems, with tags, as one role sees its region.</summary>
internal sealed class EfsWire(SimulatedAws world) : IWireService
{
    public string Name => "elasticfilesystem";

    public string? OperationOf(WireRequest request) =>
        request.Method == "GET" && request.Path.TrimEnd('/') == "/2015-02-01/file-systems" ? "DescribeFileSystems" : null;

    public WireReply Handle(Call call, string operation, WireRequest request)
    {
        var fileSystemId = request.Param("FileSystemId");
        var systems = world.Spec.FileSystems
            .Where(fs => fs.Account == call.Account && fs.Region == call.Region && (fileSystemId is null || fs.FileSystemId == fileSystemId))
            .OrderBy(fs => fs.FileSystemId, StringComparer.Ordinal)
            .Select(fs => (JsonNode)new JsonObject
            {
                ["OwnerId"] = fs.Account,
                ["CreationToken"] = fs.FileSystemId,
                ["FileSystemId"] = fs.FileSystemId,
                ["FileSystemArn"] = SimulatedAws.FileSystemArn(fs.Account, fs.Region, fs.FileSystemId),
                ["CreationTime"] = world.Spec.Start.AddDays(-30).ToUnixTimeSeconds(),
                ["LifeCycleState"] = "available",
                ["NumberOfMountTargets"] = 0,
                ["SizeInBytes"] = new JsonObject { ["Value"] = 0 },
                ["PerformanceMode"] = "generalPurpose",
                ["Encrypted"] = true,
                ["ThroughputMode"] = "bursting",
                ["Tags"] = new JsonArray([.. (fs.Tags ?? new Dictionary<string, string>()).OrderBy(t => t.Key, StringComparer.Ordinal)
                    .Select(t => (JsonNode)new JsonObject { ["Key"] = t.Key, ["Value"] = t.Value })]),
            })
            .ToList();
        if (fileSystemId is not null && systems.Count == 0)
            throw call.NotFound("FileSystemNotFound", $"File system '{fileSystemId}' does not exist.");
        return RestJson(new JsonObject { ["FileSystems"] = new JsonArray([.. systems]) }, call.RequestId);
    }

    public WireReply Fault(AwsFault fault, string operation, string requestId) =>
        RestJsonError(fault.Status ?? fault.Kind switch
        {
            FaultKind.NotFound => 404,
            FaultKind.Denied or FaultKind.Unauthenticated => 403,
            FaultKind.Throttled => 429,
            FaultKind.Transient => 500,
            _ => 400,
        }, fault.Code, fault.Message, requestId, codeMember: "ErrorCode");
}
