using System.Diagnostics;
using Amazon.CDK;
using Amazon.JSII.Runtime.Deputy;

namespace Ferry.Infra.Backup;

/// <summary>
/// Builds the functions' package on this machine (no Docker): a ReadyToRun, framework-dependent
/// linux-x64 publish for the managed dotnet10 runtime, written straight into the asset folder.
/// </summary>
internal sealed class DotnetPublish(string project) : DeputyBase, ILocalBundling
{
    public bool TryBundle(string outputDir, IBundlingOptions options)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                "publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "false",
                "-p:PublishReadyToRun=true", "-o", outputDir, "-nologo", "-v", "quiet",
            },
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start dotnet");
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet publish {project} failed with exit code {process.ExitCode}");
        return true;
    }
}
