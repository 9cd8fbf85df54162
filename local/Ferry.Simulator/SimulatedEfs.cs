using Ferry.Core.Ports;

namespace Ferry.Simulator;

/// <summary>Amazon EFS as one role sees it in one region: the world's file systems, with their tags.</summary>
internal sealed class SimulatedEfs(SimulatedAws world, RoleSession session, string region) : IEfsPort
{
    public Task<IReadOnlyList<EfsFileSystem>> DescribeFileSystemsAsync(string? fileSystemId = null, CancellationToken cancellationToken = default) =>
        world.CallAsync<IReadOnlyList<EfsFileSystem>>(session, "elasticfilesystem", region, "DescribeFileSystems", [("FileSystemId", fileSystemId)], call =>
        {
            var systems = world.Spec.FileSystems
                .Where(fs => fs.Account == call.Account && fs.Region == region && (fileSystemId is null || fs.FileSystemId == fileSystemId))
                .OrderBy(fs => fs.FileSystemId, StringComparer.Ordinal)
                .Select(fs => new EfsFileSystem(fs.FileSystemId, SimulatedAws.FileSystemArn(fs.Account, fs.Region, fs.FileSystemId), fs.Account, "available",
                    new Dictionary<string, string>(fs.Tags ?? new Dictionary<string, string>()), Encrypted: true, KmsKeyId: null))
                .ToList();
            if (fileSystemId is not null && systems.Count == 0)
                throw call.NotFound("FileSystemNotFound", $"File system '{fileSystemId}' does not exist.");
            return systems;
        }, cancellationToken);
}
