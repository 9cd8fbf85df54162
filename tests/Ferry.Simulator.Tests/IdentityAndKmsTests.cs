using Ferry.Core.Errors;
using Ferry.Core.Ports;
using static Ferry.Simulator.Tests.Sim;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Simulator.Tests;

public sealed class IdentityAndKmsTests
{
    [Fact]
    public async Task AssumeRole_WithWorldsExternalId_ReturnsSessionInRolesAccount()
    {
        var sim = new Sim();

        var session = await sim.Credentials.AssumeAsync(Target);

        Assert.Equal((Target, TargetAccount), (session.RoleArn, session.AccountId));
    }

    [Fact]
    public async Task AssumeRole_Again_ReusesSessionUntilShortlyBeforeExpiry()
    {
        var sim = new Sim();

        var first = await sim.Credentials.AssumeAsync(Source);
        sim.Clock.Advance(TimeSpan.FromMinutes(50));
        var reused = await sim.Credentials.AssumeAsync(Source);
        sim.Clock.Advance(TimeSpan.FromMinutes(6));
        var renewed = await sim.Credentials.AssumeAsync(Source);

        Assert.Same(first, reused);
        Assert.NotEqual(first.Credentials.AccessKeyId, renewed.Credentials.AccessKeyId);
        Assert.Equal(2, sim.Aws.CallLog.Count("sts", "AssumeRole", CallLog.Ok));
    }

    [Fact]
    public async Task AssumeRole_WrongExternalIdOrUntrustedPrincipal_FailsWithAccessDenied()
    {
        var sim = new Sim();

        await Fails<FerryAccessDeniedException>("AccessDenied", () => sim.Local.CredentialsOf(sim.Aws.Spec.Ferry.Principal, "guess").AssumeAsync(Target));
        await Fails<FerryAccessDeniedException>("AccessDenied", () => sim.Local.CredentialsOf("arn:aws:iam::999999999999:role/Intruder", sim.Aws.Spec.Ferry.ExternalId).AssumeAsync(Target));
        await Fails<FerryAccessDeniedException>("AccessDenied", () => sim.Credentials.AssumeAsync("arn:aws:iam::222222222222:role/NoSuchRole"));
    }

    [Fact]
    public async Task Call_WithSessionNotIssuedByTheWorld_FailsWithEachServicesUnknownKeyCode()
    {
        var sim = new Sim();
        var forged = new RoleSession(Source, SourceAccount, new AwsCredentials("AKIAFORGED", "x", "y", DateTimeOffset.MaxValue));

        await Fails<FerryAccessDeniedException>("UnrecognizedClientException", () => sim.Ports.Kms(forged, West).DescribeKeyAsync("alias/aws/ebs"));
        await Fails<FerryAccessDeniedException>("UnrecognizedClientException", () => sim.Ports.Backup(forged, West).ListVaultsAsync());
        await Fails<FerryAccessDeniedException>("AuthFailure", () => sim.Ports.Ec2(forged, West).DescribeInstancesAsync(new InstanceQuery()));
    }

    [Fact]
    public async Task DescribeKey_ResolvesAliasesAndDefaultKeys()
    {
        var sim = new Sim();
        var kms = await sim.Kms(Source);

        var app = await kms.DescribeKeyAsync("alias/app-data");
        var ebs = await kms.DescribeKeyAsync("alias/aws/ebs");

        Assert.Equal((AppKey, false), (app.KeyArn, app.IsAwsManagedDefault));
        Assert.Equal((SimulatedAws.DefaultKeyArn(SourceAccount, West, "ebs"), true, "alias/aws/ebs"), (ebs.KeyArn, ebs.IsAwsManagedDefault, ebs.Alias));
    }

    [Fact]
    public async Task DescribeKey_OtherAccountsDefaultKey_FailsWithAccessDeniedException()
    {
        var sim = new Sim();
        var kms = await sim.Kms(Target);

        await Fails<FerryAccessDeniedException>("AccessDeniedException", () => kms.DescribeKeyAsync(SimulatedAws.DefaultKeyArn(SourceAccount, West, "ebs")));
        Assert.Equal(AppKey, (await kms.DescribeKeyAsync(AppKey)).KeyArn);
    }

    [Fact]
    public async Task DescribeKey_KeyOfAnotherRegion_FailsWithNotFoundException()
    {
        var sim = new Sim();
        var kms = await sim.Kms(Source, Central);

        await Fails<FerryNotFoundException>("NotFoundException", () => kms.DescribeKeyAsync(AppKey));
    }

    [Fact]
    public async Task CheckAccess_ListsMissingPermissions_WildcardsGrantMatchingActions()
    {
        var sim = new Sim();
        var kms = await sim.Kms(Target);
        string[] encrypt = ["kms:DescribeKey", "kms:CreateGrant", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptTo"];

        var onApp = await kms.CheckAccessAsync(AppKey, [.. encrypt, "kms:Encrypt"]);
        var onRestricted = await kms.CheckAccessAsync(RestrictedKey, encrypt);

        Assert.Equal(["kms:Encrypt"], onApp.Missing);
        Assert.True(onApp.Complete);
        Assert.Equal(encrypt, onRestricted.Missing);
    }

    [Fact]
    public async Task CheckAccess_AsksKmsByDryRun_GrantForTheRole_PermissionNoDryRunTellsLeavesItIncomplete()
    {
        var sim = new Sim();
        var kms = await sim.Kms(Target);

        var check = await kms.CheckAccessAsync(AppKey, ["kms:CreateGrant", "kms:ReEncryptTo", "kms:Sign"]);

        Assert.Empty(check.Missing);
        Assert.False(check.Complete);
        var grant = Assert.Single(sim.Aws.CallLog.Records, c => c.Operation == "CreateGrant");
        Assert.Equal(("DryRunOperationException", Target, AppKey, "true"), (grant.Result, grant.Parameter("GranteePrincipal"), grant.Parameter("KeyId"), grant.Parameter("DryRun")));
        var reEncrypt = Assert.Single(sim.Aws.CallLog.Records, c => c.Operation == "ReEncrypt");
        Assert.Equal((AppKey, AppKey), (reEncrypt.Parameter("SourceKeyId"), reEncrypt.Parameter("DestinationKeyId")));
    }

    [Fact]
    public async Task CheckAccess_KeyOfAnotherRegion_FailsWithNotFoundException()
    {
        var sim = new Sim();
        var kms = await sim.Kms(Source, Central);

        await Fails<FerryNotFoundException>("NotFoundException", () => kms.CheckAccessAsync(AppKey, ["kms:Decrypt"]));
    }
}
