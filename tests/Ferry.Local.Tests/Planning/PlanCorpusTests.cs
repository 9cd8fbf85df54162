using Ferry.Core.Tests.Policies;
using Ferry.Local.Planning;

namespace Ferry.Local.Tests.Planning;

/// <summary>
/// <c>ferry plan</c> over every policy of the hostile corpus: each exits 2 naming the field, none crashes (a lone surrogate
/// once ended it with a stack trace, exit 134).
/// </summary>
public sealed class PlanCorpusTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ferry-plan-corpus-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> CaseNames() => [.. PolicyCorpus.All.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Plan_CorpusPolicy_ExitsTwoNamingTheField(string name)
    {
        var @case = PolicyCorpus.Find(name);
        var policy = Path.Combine(_folder, "policy.json");
        await File.WriteAllTextAsync(policy, @case.Document());

        var (code, output, error) = await RunAsync(policy, Example("inventory.json"));

        Assert.Equal(PlanCommand.InvalidInput, code);
        Assert.Empty(output);
        Assert.Contains($"  {@case.Path}: ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lone surrogate", """{ "instances": [{ "instanceId": "i-\uD800", "accountId": "111111111111", "region": "eu-west-1", "instanceType": "t3.micro" }] }""")]
    [InlineData("duplicate key", """{ "instances": [], "instances": [] }""")]
    [InlineData("deep nesting", "DEEP")]
    [InlineData("wrong type", """{ "instances": "all" }""")]
    [InlineData("null", "null")]
    [InlineData("unknown key ARN", """{ "instances": [{ "instanceId": "i-0a1b2c3d4e5f60001", "accountId": "111111111111", "region": "eu-west-1", "instanceType": "t3.micro", "volumes": [{ "volumeId": "vol-0a1b2c3d4e5f60011", "deviceName": "/dev/xvda", "sizeGiB": 8, "encrypted": true, "kmsKey": "alias/aws/ebs" }] }] }""")]
    public async Task Plan_HostileInventory_ExitsTwoNamingTheFile(string name, string inventory)
    {
        var path = Path.Combine(_folder, "inventory.json");
        await File.WriteAllTextAsync(path, inventory == "DEEP" ? new string('[', 5000) + new string(']', 5000) : inventory);

        var (code, _, error) = await RunAsync(Example("ec2-policy.json"), path);

        Assert.True(code == PlanCommand.InvalidInput, $"{name}: exit {code}");
        Assert.Contains("inventory.json: invalid inventory", error, StringComparison.Ordinal);
    }

    private static string Example(string name) => Path.Combine(AppContext.BaseDirectory, "examples", name);

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PlanCommand.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
