namespace Ferry.Simulator.Wire;

/// <summary>An answer on the wire.</summary>
public sealed record WireReply(int Status, string ContentType, string Body, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// One AWS service as its endpoint answers: which operation a request asks for, how it runs against the world, and how
/// its protocol writes errors. The server authenticates, draws faults and logs; the service only speaks its protocol.
/// </summary>
internal interface IWireService
{
    /// <summary>The SigV4 signing name, which the credential scope carries ("ec2", "rds", "kms", "sts", "backup", "elasticfilesystem").</summary>
    string Name { get; }

    /// <summary>The operation the request asks for, or null when the service has none such.</summary>
    string? OperationOf(WireRequest request);

    /// <summary>Runs the operation under the world's lock; refusals are <see cref="AwsFault"/>s.</summary>
    WireReply Handle(Call call, string operation, WireRequest request);

    /// <summary>The error as the service's protocol writes it, with the status the service uses.</summary>
    WireReply Fault(AwsFault fault, string operation, string requestId);
}
