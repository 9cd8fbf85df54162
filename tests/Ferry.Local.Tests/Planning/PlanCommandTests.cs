using Ferry.Local.Planning;
using Ferry.Local.Runtime;

namespace Ferry.Local.Tests.Planning;

public sealed class PlanCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ferry-plan-").FullName;

    private static string Example(string name) => Path.Combine(AppContext.BaseDirectory, "examples", name);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Plan_BundledExample_PrintsOneRowPerResourceAndExitsZero()
    {
        var (code, output, error) = await RunAsync(Example("ec2-policy.json"), Example("inventory.json"));

        Assert.Equal(PlanCommand.Ok, code);
        Assert.Empty(error);
        Assert.Contains("Plan for policy prod-ec2-dr (Ec2), 2 resource(s). Nothing was changed.", output, StringComparison.Ordinal);
        Assert.Matches(@"i-0a1b2c3d4e5f60001 \| 111111111111/eu-west-1 \| 222222222222/eu-central-1 \| Proceed \| Success", output);
        Assert.Matches(@"i-0a1b2c3d4e5f60002 \| 111111111111/eu-west-1 \| 222222222222/eu-central-1 \| Fail\s+\| Failed\s+\| Volume vol-0a1b2c3d4e5f60021 is encrypted with the AWS managed default key", output);
        Assert.Matches(@"3 \| Share\s+\| Source arn:aws:iam::111111111111:role/FerrySource", output);
        Assert.Matches(@"4 \| Copy\s+\| Target arn:aws:iam::222222222222:role/FerryTarget", output);
    }

    [Fact]
    public async Task Plan_InvalidPolicy_ExitsTwoListingEveryFieldPath()
    {
        var policy = File.ReadAllText(Example("ec2-policy.json"))
            .Replace("\"eu-central-1\",", "\"eu-centrl-1\",", StringComparison.Ordinal)
            .Replace("\"restorePoints\": 7", "\"restorePoints\": -1", StringComparison.Ordinal);
        var path = Path.Combine(_folder, "policy.json");
        File.WriteAllText(path, policy);

        var (code, output, error) = await RunAsync(path, Example("inventory.json"));

        Assert.Equal(PlanCommand.InvalidInput, code);
        Assert.Empty(output);
        Assert.Contains("$.replicas.mappings[0].targetRegion: 'eu-centrl-1' is not a known AWS region", error, StringComparison.Ordinal);
        Assert.Contains("$.retention.restorePoints: -1 is out of range", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_InventoryWithUnknownField_ExitsTwoNamingTheFile()
    {
        var path = Path.Combine(_folder, "inventory.json");
        File.WriteAllText(path, """{ "instancez": [] }""");

        var (code, _, error) = await RunAsync(Example("ec2-policy.json"), path);

        Assert.Equal(PlanCommand.InvalidInput, code);
        Assert.Contains("inventory.json: invalid inventory", error, StringComparison.Ordinal);
        Assert.Contains("instancez", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_MissingFile_ExitsTwoNamingIt()
    {
        var (code, _, error) = await RunAsync(Path.Combine(_folder, "nope.json"), Example("inventory.json"));

        Assert.Equal(PlanCommand.InvalidInput, code);
        Assert.Contains("nope.json", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_OfAWorld_PlansWhatThePolicysRolesSeeThere()
    {
        var (code, output, error) = await RunAsync(Repository.PathOf("local", "demo", "policies", "ec2-dr-account.json"), "--world", Repository.PathOf("local", "worlds", "replicas.json"));

        Assert.Equal(PlanCommand.Ok, code);
        Assert.Empty(error);
        Assert.Matches(@"i-0a1b2c3d4e5f60002 \| 111111111111/eu-west-1 \| 222222222222/eu-central-1 \| Proceed \| Success", output);
        Assert.Matches(@"i-0a1b2c3d4e5f60003 \| .* \| Fail\s+\| Failed\s+\| Volume .* AWS managed default key", output);
        // EC2-R10: KMS, asked as the target role, refuses the key that volume uses.
        Assert.Matches(@"i-0a1b2c3d4e5f60005 \| .* \| Fail\s+\| Failed\s+\| .*arn:aws:iam::222222222222:role/FerryTarget", output);
    }

    [Fact]
    public async Task Plan_OfAnEfsPolicyInAWorld_PlansEachMemberAccountsFileSystem()
    {
        var (code, output, error) = await RunAsync(Repository.PathOf("local", "demo", "policies", "efs-organization.json"), "--world", Repository.PathOf("local", "worlds", "efs.json"));

        Assert.Equal(PlanCommand.Ok, code);
        Assert.Empty(error);
        Assert.Matches(@"333333333333/fs-0b1b2c3d4e5f60001 \| .* \| Proceed \| Success", output);
        Assert.Matches(@"444444444444/fs-0c1b2c3d4e5f60001 \| .* \| Fail\s+\| Failed\s+\| No backup vault .* carries the tag", output);
        Assert.Matches(@"555555555555/fs-0d1b2c3d4e5f60001 \| .* \| Fail\s+\| Failed\s+\| 2 backup vaults", output);
    }

    [Fact]
    public async Task Plan_OfAWorldWhereTheSourceRoleCannotBeAssumed_FailsThatRegionAndItsResources_AsARunRecordsThem()
    {
        var policy = Path.Combine(_folder, "other-account.json");
        File.WriteAllText(policy, File.ReadAllText(Repository.PathOf("local", "demo", "policies", "ec2-dr-account.json")).Replace("111111111111", "333333333333", StringComparison.Ordinal));

        var (code, output, error) = await RunAsync(policy, "--world", Repository.PathOf("local", "worlds", "replicas.json"));

        Assert.Equal(PlanCommand.Ok, code);
        Assert.Empty(error);
        Assert.Matches(@"region:eu-west-1\s+\| .* \| Fail\s+\| Failed\s+\| Discovery in eu-west-1 failed: sts:AssumeRole arn:aws:iam::333333333333:role/FerrySource failed", output);
        Assert.Matches(@"i-0a1b2c3d4e5f60002 \| .* \| Fail\s+\| Failed\s+\| Resource i-0a1b2c3d4e5f60002 was not found", output);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PlanCommand.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
