using System.Xml.Linq;
using Ferry.Core.Policies;

namespace Ferry.Core.Tests;

public class ArchitectureTests
{
    [Fact]
    public void FerryCore_ReferencesNoAwsAssembly()
    {
        var references = typeof(Policy).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "");

        Assert.DoesNotContain(references, name => name.StartsWith("AWSSDK", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Amazon", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void FerryCoreProject_HasNoPackageOrProjectReferences()
    {
        var project = XDocument.Load(Path.Combine(RepositoryRoot(), "functions", "Ferry.Core", "Ferry.Core.csproj"));

        Assert.DoesNotContain(project.Descendants(), e => e.Name.LocalName is "PackageReference" or "ProjectReference");
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Serverless.sln")))
            folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("Serverless.sln not found above " + AppContext.BaseDirectory);
    }
}
