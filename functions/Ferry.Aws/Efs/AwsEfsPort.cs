using Ferry.Aws.Runtime;
using Ferry.Core.Ports;

namespace Ferry.Aws.Efs;

/// <summary>Ferry's EFS port: file systems with their tags, every page.</summary>
public sealed class AwsEfsPort(EfsClient client) : IEfsPort
{
    public Task<IReadOnlyList<EfsFileSystem>> DescribeFileSystemsAsync(string? fileSystemId = null, CancellationToken cancellationToken = default) =>
        Page<EfsFileSystem>.AllAsync((marker, ct) => client.DescribeFileSystemsAsync(fileSystemId, marker, ct), cancellationToken);
}
