using Ferry.Local.Planning;

namespace Ferry.Local.Tests.Planning;

public sealed class PlanCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ferry-plan-").FullName;

    private static string Example(string name) => Path.Combine(AppContext.BaseDirectory, "examples", name);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Plan_BundledExample_PrintsOneRowPerResourceAndExitsZero()
    {
        var (code, output, error) = Run(Example("ec2-policy.json"), Example("inventory.json"));

        Assert.Equal(PlanCommand.Ok, code);
        Assert.Empty(error);
        Assert.Contains("Plan for policy prod-ec2-dr (Ec2), 2 resource(s). Nothing was changed.", output, StringComparison.Ordinal);
        Assert.Matches(@"i-0a1b2c3d4e5f60001 \| 111111111111/eu-west-1 \| 222222222222/eu-central-1 \| Proceed \| Success", output);
        Assert.Matches(@"i-0a1b2c3d4e5f60002 \| 111111111111/eu-west-1 \| 222222222222/eu-central-1 \| Fail\s+\| Failed\s+\| Volume vol-0a1b2c3d4e5f60021 is encrypted with the AWS managed default key", output);
        Assert.Matches(@"3 \| Share\s+\| Source arn:aws:iam::111111111111:role/FerrySource", output);
        Assert.Matches(@"4 \| Copy\s+\| Target arn:aws:iam::222222222222:role/FerryTarget", output);
    }

    [Fact]
    public void Plan_InvalidPolicy_ExitsTwoListingEveryFieldPath()
    {
        var policy = File.ReadAllText(Example("ec2-policy.json"))
            .Replace("\"eu-central-1\",", "\"eu-centrl-1\",", StringComparison.Ordinal)
            .Replace("\"restorePoints\": 7", "\"restorePoints\": -1", StringComparison.Ordinal);
        var path = Path.Combine(_folder, "policy.json");
        File.WriteAllText(path, policy);

        var (code, output, error) = Run(path, Example("inventory.json"));

        Assert.Equal(PlanCommand.InvalidInput, code);
        Assert.Empty(output);
        Assert.Contains("$.replicas.mappings[0].targetRegion: 'eu-centrl-1' is not a known AWS region", error, StringComparison.Ordinal);
        Assert.Contains("$.retention.restorePoints: -1 is out of range", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_InventoryWithUnknownField_ExitsTwoNamingTheFile()
    {
        var path = Path.Combine(_folder, "inventory.json");
        File.WriteAllText(path, """{ "instancez": [] }""");

        var (code, _, error) = Run(Example("ec2-policy.json"), path);

        Assert.Equal(PlanCommand.InvalidInput, code);
        Assert.Contains("inventory.json: invalid inventory", error, StringComparison.Ordinal);
        Assert.Contains("instancez", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_MissingFile_ExitsTwoNamingIt()
    {
        var (code, _, error) = Run(Path.Combine(_folder, "nope.json"), Example("inventory.json"));

        Assert.Equal(PlanCommand.InvalidInput, code);
        Assert.Contains("nope.json", error, StringComparison.Ordinal);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = PlanCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
