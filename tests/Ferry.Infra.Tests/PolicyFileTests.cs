using Ferry.Infra;

namespace Ferry.Infra.Tests;

/// <summary>The policies file is checked by Ferry's own parser: hostile documents stop synth with the field's path, never a crash.</summary>
public sealed class PolicyFileTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"ferry-policies-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_file);

    [Theory]
    [InlineData("lone surrogate", "\"prod-ec2-dr\"", "\"prod\\uD800\"", "$.id: is not valid UTF-16 text")]
    [InlineData("duplicate key", "\"id\": \"prod-ec2-dr\",", "\"id\": \"prod-ec2-dr\", \"id\": \"other\",", "$.id: is given more than once")]
    [InlineData("NUL in id", "\"prod-ec2-dr\"", "\"prod\\u0000\"", "$.id: contains the control character U+0000")]
    [InlineData("type in lower case", "\"EC2\"", "\"ec2\"", "$.type: 'ec2' is not one of EC2, RDS, EFS")]
    public void HostilePolicy_FailsNamingTheField(string name, string oldText, string newText, string expected)
    {
        var policies = File.ReadAllText(SynthFixture.PoliciesFile);
        Assert.Contains(oldText, policies, StringComparison.Ordinal);
        File.WriteAllText(_file, policies.Replace(oldText, newText, StringComparison.Ordinal));

        var error = Assert.Throws<FerryConfigException>(() => PolicyFile.Load(_file));

        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{name}: {error.Message}");
    }

    [Fact]
    public void PolicyWithA10MegabyteName_FailsWithAShortMessage()
    {
        var policies = File.ReadAllText(SynthFixture.PoliciesFile);
        File.WriteAllText(_file, policies.Replace("\"id\": \"prod-ec2-dr\",", $"\"id\": \"prod-ec2-dr\", \"name\": \"{new string('n', 10_000_000)}\",", StringComparison.Ordinal));

        var error = Assert.Throws<FerryConfigException>(() => PolicyFile.Load(_file));

        Assert.Contains("$.name: ", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 1000, $"{error.Message.Length} characters");
    }

    [Fact]
    public void DeeplyNestedFile_FailsAsInvalidJson()
    {
        File.WriteAllText(_file, new string('[', 10_000) + new string(']', 10_000));

        var error = Assert.Throws<FerryConfigException>(() => PolicyFile.Load(_file));

        Assert.Contains("is not valid JSON", error.Message, StringComparison.Ordinal);
    }
}
