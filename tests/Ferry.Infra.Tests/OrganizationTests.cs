using Amazon.CDK;
using Ferry.Core.Planning;

namespace Ferry.Infra.Tests;

/// <summary>The optional ferry:organizationId setting: functions assume and Ferry's roles trust only within that organization.</summary>
public sealed class OrganizationTests : IDisposable
{
    private const string Organization = "o-a1b2c3d4e5";

    private readonly DirectoryInfo _outdir = Directory.CreateTempSubdirectory("ferry-cdk-org-");

    [Fact]
    public void WithAnOrganizationId_EveryAssumeRole_OnlyOfRolesInThatOrganization_AndEveryFerryRole_TrustsOnlyPrincipalsOfIt()
    {
        var context = SynthFixture.Context(SynthFixture.PoliciesFile);
        context[FerrySettings.OrganizationIdKey] = Organization;

        var assembly = SynthFixture.Synthesize(context, _outdir.FullName);
        var backup = SynthFixture.TemplateOf(assembly, FerryApp.BackupStackName);
        var member = SynthFixture.TemplateOf(assembly, FerryApp.MemberStackName);

        var assuming = backup.Statements().Where(s => s.Actions.Contains("sts:AssumeRole")).ToList();
        Assert.NotEmpty(assuming);
        Assert.All(assuming, s => Assert.Equal(Organization, Templates.Render(s.Json["Condition"]!["StringEquals"]!["aws:ResourceOrgID"])));
        var roles = member.Resources("AWS::IAM::Role").ToList();
        Assert.Equal(Enum.GetValues<RoleKind>().Length, roles.Count);
        Assert.All(roles, role =>
        {
            var trust = role.Properties["AssumeRolePolicyDocument"]!["Statement"]!.AsArray().Single(s => s!["Principal"]!["AWS"] is not null)!;
            Assert.Equal(Organization, Templates.Render(trust["Condition"]!["StringEquals"]!["aws:PrincipalOrgID"]));
            Assert.Equal(SynthFixture.ExternalId, Templates.Render(trust["Condition"]!["StringEquals"]!["sts:ExternalId"]));
        });
    }

    [Theory]
    [InlineData("o-short")]
    [InlineData("O-A1B2C3D4E5")]
    [InlineData("r-a1b2c3d4e5")]
    public void AMalformedOrganizationId_FailsSynth_NamingTheSetting(string organization)
    {
        var context = SynthFixture.Context(SynthFixture.PoliciesFile);
        context[FerrySettings.OrganizationIdKey] = organization;

        var error = Assert.Throws<FerryConfigException>(() => FerryApp.Build(new App(new AppProps { Context = context })));

        Assert.Equal($"ferry:organizationId: '{organization}' is not an AWS Organizations id (o- and 10 to 32 lowercase letters or digits)", error.Message);
    }

    public void Dispose() => _outdir.Delete(recursive: true);
}
