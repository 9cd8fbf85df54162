namespace Ferry.Core.Ports;

/// <param name="LifeCycleState">creating, available, updating, deleting, deleted or error.</param>
public sealed record EfsFileSystem(
    string FileSystemId,
    string Arn,
    string OwnerId,
    string LifeCycleState,
    IReadOnlyDictionary<string, string> Tags,
    bool Encrypted,
    string? KmsKeyId);

/// <summary>The Amazon EFS operations Ferry uses, as a role in one region.</summary>
public interface IEfsPort
{
    /// <summary>The region's file systems with their tags, or the one named (FileSystemNotFound when it does not exist).</summary>
    Task<IReadOnlyList<EfsFileSystem>> DescribeFileSystemsAsync(string? fileSystemId = null, CancellationToken cancellationToken = default);
}
