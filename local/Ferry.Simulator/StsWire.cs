using System.Xml.Linq;
using Ferry.Simulator.Wire;
using static Ferry.Simulator.Wire.Protocols;

namespace Ferry.Simulator;

/// <summary>STS (protocol <c>query</c>, version 2011-06-15): AssumeRole as the request's signer, the one STS call Ferry makes.</summary>
internal sealed class StsWire(SimulatedAws world) : IWireService
{
    private const string Xmlns = "https://sts.amazonaws.com/doc/2011-06-15/";

    public string Name => "sts";

    public string? OperationOf(WireRequest request) => request.Param("Action") is "AssumeRole" ? "AssumeRole" : null;

    public WireReply Handle(Call call, string operation, WireRequest request)
    {
        var roleArn = request.Param("RoleArn") ?? throw call.Invalid("MissingParameter", "The request must contain the parameter RoleArn");
        var sessionName = request.Param("RoleSessionName") ?? throw call.Invalid("MissingParameter", "The request must contain the parameter RoleSessionName");
        var (issued, accessKeyId, role) = world.Assume(call, roleArn, request.Param("ExternalId"));
        var roleName = roleArn[(roleArn.LastIndexOf('/') + 1)..];
        return Query(Xmlns, operation, call.RequestId,
            new XElement("Credentials", El("AccessKeyId", accessKeyId), El("SecretAccessKey", issued.Secret), El("SessionToken", issued.Token),
                El("Expiration", issued.Expiration)),
            new XElement("AssumedRoleUser", El("Arn", $"arn:aws:sts::{role.Account}:assumed-role/{roleName}/{sessionName}"),
                El("AssumedRoleId", $"AROASIM{role.Account}:{sessionName}")));
    }

    public WireReply Fault(AwsFault fault, string operation, string requestId) =>
        QueryError(Xmlns, fault.Status ?? fault.Kind switch
        {
            FaultKind.Denied or FaultKind.Unauthenticated => 403,
            FaultKind.Transient => 500,
            _ => 400,
        }, fault.Code, fault.Message, requestId);
}
