using Ferry.Core.Policies;

namespace Ferry.Core.Tests.Policies;

/// <summary>Each invalid policy of <see cref="PolicyCorpus"/> is refused, naming exactly the broken field and why.</summary>
public class InvalidPolicyCorpusTests
{
    /// <summary>However long the offending value, a message quotes only a short prefix of it.</summary>
    private const int LongestMessage = 400;

    public static TheoryData<string> CaseNames() => [.. PolicyCorpus.All.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void InvalidPolicy_IsRejectedNamingTheField(string name)
    {
        var @case = PolicyCorpus.Find(name);

        var (policy, errors) = PolicyParser.TryParse(@case.Document());

        Assert.Null(policy);
        if (@case.Only)
            Assert.Single(errors);
        Assert.Contains(errors, e => e.Path == @case.Path && e.Message.Contains(@case.Reason, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.True(e.Message.Length + e.Path.Length <= LongestMessage, $"{e.Path}: {e.Message.Length} characters"));
    }

    [Fact]
    public void Corpus_HasAtLeastOneHundredCases() => Assert.True(PolicyCorpus.All.Count() >= 100, $"{PolicyCorpus.All.Count()} cases");

    [Fact]
    public void Corpus_NamesEachCaseOnce() => Assert.Equal(PolicyCorpus.All.Count(), PolicyCorpus.All.Select(c => c.Name).Distinct().Count());
}
