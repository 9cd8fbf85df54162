using System.Net;
using System.Net.Sockets;

namespace Ferry.Local.Runtime;

/// <summary>Where the repository's files are, wherever the program or a test runs from.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
                    return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Serverless.sln not found above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}");
    }
}
