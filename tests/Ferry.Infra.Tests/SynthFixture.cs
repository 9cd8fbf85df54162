using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Ferry.Infra;

namespace Ferry.Infra.Tests;

/// <summary>Synthesizes both stacks once for every test class of the "synth" collection; asset bundling is skipped.</summary>
public sealed class SynthFixture : IDisposable
{
    public const string BackupAccount = "123456789012";
    public const string ExternalId = "test-external-id";

    private readonly DirectoryInfo _outdir = Directory.CreateTempSubdirectory("ferry-cdk-");
    private readonly string _assembly;

    public SynthFixture()
    {
        var app = new App(new AppProps { Outdir = _outdir.FullName, Context = Context(PoliciesFile) });
        FerryApp.Build(app);
        var assembly = app.Synth();
        _assembly = assembly.Directory;
        var backup = File.ReadAllText(Path.Combine(assembly.Directory, $"{FerryApp.BackupStackName}.template.json"));
        BackupTemplate = Template.FromString(backup);
        Backup = JsonNode.Parse(backup)!.AsObject();
        Member = JsonNode.Parse(File.ReadAllText(Path.Combine(assembly.Directory, $"{FerryApp.MemberStackName}.template.json")))!.AsObject();
        Policies = PolicyFile.Load(PoliciesFile);
    }

    /// <summary>The staged copy of a file asset, by its S3 key (the asset hash and the file's extension).</summary>
    public string AssetPath(string key) => Path.Combine(_assembly, $"asset.{key}");

    public static string PoliciesFile => Path.Combine(AppContext.BaseDirectory, "policies.json");

    /// <summary>The backup stack's template for CDK's assertions.</summary>
    public Template BackupTemplate { get; }

    public JsonObject Backup { get; }

    public JsonObject Member { get; }

    public IReadOnlyList<DeployedPolicy> Policies { get; }

    /// <summary>The context of a test deployment; an empty bundling-stacks list makes CDK skip dotnet publish.</summary>
    public static Dictionary<string, object> Context(string policiesFile) => new()
    {
        ["aws:cdk:bundling-stacks"] = Array.Empty<string>(),
        [FerrySettings.PoliciesFileKey] = policiesFile,
        [FerrySettings.BackupAccountKey] = BackupAccount,
        [FerrySettings.ExternalIdKey] = ExternalId,
    };

    public void Dispose() => _outdir.Delete(recursive: true);
}

[CollectionDefinition(Name)]
public sealed class SynthCollection : ICollectionFixture<SynthFixture>
{
    public const string Name = "synth";
}
