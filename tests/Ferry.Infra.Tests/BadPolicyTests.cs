using Amazon.CDK;
using Ferry.Core.Policies;

namespace Ferry.Infra.Tests;

/// <summary>A bad policies file stops synth before any stack is defined, with Ferry's own validation message.</summary>
public sealed class BadPolicyTests : IDisposable
{
    private const string Invalid = """
        {
          "id": "bad",
          "type": "EC2",
          "sources": { "sourceRole": "arn:aws:iam::111111111111:role/FerrySource", "regions": ["eu-west-1"], "resources": { "ids": ["i-0a1b2c3d4e5f60001"] } },
          "replicas": { "allRegions": { "targetRole": "arn:aws:iam::222222222222:role/FerryTarget", "targetRegion": "eu-central-1", "encryption": { "enabled": false } } },
          "retention": { "restorePoints": 7 },
          "schedule": { "expression": "cron(0 2 * * *)" }
        }
        """;

    private readonly string _file = Path.Combine(Path.GetTempPath(), $"ferry-bad-{Guid.NewGuid():N}.json");

    [Fact]
    public void ABadPolicy_FailsSynth_WithFerrysMessageAndTheFieldPath()
    {
        File.WriteAllText(_file, Invalid);

        var error = Assert.Throws<FerryConfigException>(() => Synth(_file));

        var expected = new PolicyValidationException(PolicyParser.TryParse(Invalid).Errors).Message;
        Assert.Equal($"{_file}: {expected}", error.Message);
        Assert.Contains("$.schedule.expression: cron needs 6 fields", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABadPolicyInAnArray_IsNamedByItsIndex()
    {
        File.WriteAllText(_file, $"[{File.ReadAllText(SynthFixture.PoliciesFile).Trim()[1..^1]}, {Invalid}]");

        var error = Assert.Throws<FerryConfigException>(() => Synth(_file));

        Assert.StartsWith($"{_file} [3]: Invalid policy: $.schedule.expression", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoPoliciesWithOneId_FailSynth()
    {
        var policy = File.ReadAllText(SynthFixture.PoliciesFile).Trim()[1..^1];
        File.WriteAllText(_file, $"[{policy}, {policy}]");

        var error = Assert.Throws<FerryConfigException>(() => Synth(_file));

        Assert.Contains("policy id 'prod-ec2-dr' is used by more than one policy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMalformedCopyQuotasSetting_FailsSynth_NamingTheSettingAndTheEntry()
    {
        var context = SynthFixture.Context(SynthFixture.PoliciesFile);
        context[FerrySettings.CopyQuotasKey] = "ebs=50,efs=3";

        var error = Assert.Throws<FerryConfigException>(() => FerryApp.Build(new App(new AppProps { Context = context })));

        Assert.StartsWith("ferry:copyQuotas: FERRY_COPY_QUOTAS: 'efs=3' must be service=count", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => File.Delete(_file);

    private static void Synth(string policiesFile) =>
        FerryApp.Build(new App(new AppProps { Context = SynthFixture.Context(policiesFile) }));
}
