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
        _assembly = Synthesize(Context(PoliciesFile), _outdir.FullName);
        Backup = TemplateOf(_assembly, FerryApp.BackupStackName);
        BackupTemplate = Template.FromString(Backup.ToJsonString());
        Member = TemplateOf(_assembly, FerryApp.MemberStackName);
        Policies = PolicyFile.Load(PoliciesFile);
    }

    /// <summary>Synthesizes both stacks into <paramref name="outdir"/>; returns the cloud assembly's directory.</summary>
    public static string Synthesize(Dictionary<string, object> context, string outdir)
    {
        var app = new App(new AppProps { Outdir = outdir, Context = context });
        FerryApp.Build(app);
        return app.Synth().Directory;
    }

    /// <summary>One synthesized stack's template.</summary>
    public static JsonObject TemplateOf(string assembly, string stackName) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(assembly, $"{stackName}.template.json")))!.AsObject();

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
