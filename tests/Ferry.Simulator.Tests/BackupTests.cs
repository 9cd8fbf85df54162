using System.Text.Json.Nodes;
using Ferry.Core.Errors;
using Ferry.Core.Ports;
using Ferry.Simulator.Wire;
using static Ferry.Simulator.Tests.Sim;
using static Ferry.Tests.Shared.Scenario;

namespace Ferry.Simulator.Tests;

public sealed class BackupTests
{
    private const string Member333 = "arn:aws:iam::333333333333:role/FerryMember";

    private static StartCopyJobRequest CopyTo(RecoveryPoint point, string vaultArn, string account = SourceAccount, string token = "t1") =>
        new(point.Arn, point.VaultName, vaultArn, $"arn:aws:iam::{account}:role/FerrySource", token);

    private static async Task<BackupVault> VaultAsync(IBackupPort backup, string name) => (await backup.ListVaultsAsync()).Single(v => v.Name == name);

    [Fact]
    public async Task EFS_C1_CopyJobIntoVault_RunsThenCompletesWithDestinationRecoveryPoint()
    {
        var sim = new Sim("efs.json");
        var backup = await sim.Backup(Source);
        var point = Assert.Single(await backup.ListRecoveryPointsByResourceAsync(SimulatedAws.FileSystemArn(SourceAccount, West, "fs-0a1b2c3d4e5f60001")));
        var vault = await VaultAsync(await sim.Backup(Source, Central), "dr-vault");

        var jobId = await backup.StartCopyJobAsync(CopyTo(point, vault.Arn));
        Assert.Equal(jobId, await backup.StartCopyJobAsync(CopyTo(point, vault.Arn)));
        Assert.Equal("RUNNING", (await backup.DescribeCopyJobAsync(jobId)).State);
        sim.Advance(1);

        // An hour on, the role's session has expired: the port of a renewed session asks.
        var job = await (await sim.Backup(Source)).DescribeCopyJobAsync(jobId);
        Assert.Equal("COMPLETED", job.State);
        Assert.NotNull(job.DestinationRecoveryPointArn);
        Assert.Equal(2, sim.Aws.CallLog.Count("backup", "StartCopyJob", CallLog.Ok));
    }

    [Fact]
    public async Task TagRecoveryPoint_AddsToItsTags_OnlyInItsOwnRegion()
    {
        var sim = new Sim("efs.json");
        var point = Assert.Single(await (await sim.Backup(Source)).ListRecoveryPointsByResourceAsync(SimulatedAws.FileSystemArn(SourceAccount, West, "fs-0a1b2c3d4e5f60001")));

        await (await sim.Backup(Source)).TagRecoveryPointAsync(point.Arn, new Dictionary<string, string> { ["ferry:managed-by"] = "ferry" });
        await (await sim.Backup(Source)).TagRecoveryPointAsync(point.Arn, new Dictionary<string, string> { ["ferry:policy"] = "p" });

        Assert.Equal(new Dictionary<string, string> { ["ferry:managed-by"] = "ferry", ["ferry:policy"] = "p" }, sim.Aws.RecoveryPointTags()[point.Arn]);
        await Assert.ThrowsAsync<FerryNotFoundException>(async () =>
            await (await sim.Backup(Source, Central)).TagRecoveryPointAsync(point.Arn, new Dictionary<string, string> { ["k"] = "v" }));
    }

    [Fact]
    public async Task EFS_C1_DefaultVaultExistsInEveryAccountAndRegion()
    {
        var sim = new Sim("efs.json");

        var vaults = await (await sim.Backup("arn:aws:iam::444444444444:role/FerryMember", West)).ListVaultsAsync();

        Assert.Equal(SimulatedAws.DefaultVault, Assert.Single(vaults).Name);
    }

    [Fact]
    public async Task EFS_C2_C3_VaultsCarryTags_OneTwoOrNoMatchPerAccount()
    {
        var sim = new Sim("efs.json");
        async Task<int> Matches(string account) =>
            (await (await sim.Backup($"arn:aws:iam::{account}:role/FerryMember", Central)).ListVaultsAsync())
            .Count(v => v.Tags.GetValueOrDefault("ferry") == "dr");

        var counts = new List<int>();
        foreach (var account in new[] { "333333333333", "444444444444", "555555555555" })
            counts.Add(await Matches(account));

        Assert.Equal([1, 0, 2], counts);
    }

    [Fact]
    public async Task EFS_C4_LockedAndAirGappedVaults_AreReportedAsSuch()
    {
        var sim = new Sim("efs.json");
        var backup = await sim.Backup(Source, Central);

        var locked = await VaultAsync(backup, "locked-vault");
        var airGapped = await VaultAsync(backup, "airgapped-vault");

        Assert.Equal((true, false, false, true), (locked.Locked, locked.LogicallyAirGapped, airGapped.Locked, airGapped.LogicallyAirGapped));
    }

    [Fact]
    public async Task EFS_C5_OptInOff_CopyJobFailsWithInvalidRequest_UntilOptInEnabled()
    {
        var sim = new Sim("efs.json");
        var north = await sim.Backup(Source, "eu-north-1");
        Assert.False((await north.GetResourceTypeOptInAsync())["EFS"]);
        var point = Assert.Single(await north.ListRecoveryPointsByResourceAsync(SimulatedAws.FileSystemArn(SourceAccount, "eu-north-1", "fs-0a1b2c3d4e5f60003")));
        var vault = await VaultAsync(await sim.Backup(Source, Central), "dr-vault");

        await Fails<FerryInvalidInputException>("InvalidRequestException", () => north.StartCopyJobAsync(CopyTo(point, vault.Arn)));
        await north.SetResourceTypeOptInAsync("EFS", true);

        Assert.True((await north.GetResourceTypeOptInAsync())["EFS"]);
        await north.StartCopyJobAsync(CopyTo(point, vault.Arn));
    }

    [Fact]
    public async Task EFS_C2_MemberAccountCopy_IntoTaggedVaultOfSameAccount()
    {
        var sim = new Sim("efs.json");
        var backup = await sim.Backup(Member333);
        var point = Assert.Single(await backup.ListRecoveryPointsByResourceAsync(SimulatedAws.FileSystemArn("333333333333", West, "fs-0b1b2c3d4e5f60001")));
        var vault = (await (await sim.Backup(Member333, Central)).ListVaultsAsync()).Single(v => v.Tags.ContainsKey("ferry"));

        await Fails<FerryInvalidInputException>("InvalidParameterValueException",
            () => backup.StartCopyJobAsync(CopyTo(point, vault.Arn) with { IamRoleArn = Source }));
        var jobId = await backup.StartCopyJobAsync(CopyTo(point, vault.Arn, "333333333333"));

        Assert.Equal(vault.Arn, (await backup.DescribeCopyJobAsync(jobId)).DestinationVaultArn);
    }

    [Fact]
    public async Task Efs_DescribeFileSystems_TheCallersAccountAndRegionWithTags_UnknownIdNotFound()
    {
        var sim = new Sim("efs.json");

        var efs = await sim.Efs(Source);
        var west = await efs.DescribeFileSystemsAsync();
        var member = await (await sim.Efs(Member333)).DescribeFileSystemsAsync();
        var e = await Assert.ThrowsAsync<FerryNotFoundException>(() => efs.DescribeFileSystemsAsync("fs-0b1b2c3d4e5f60001"));

        var home = Assert.Single(west);
        Assert.Equal(("fs-0a1b2c3d4e5f60001", SimulatedAws.FileSystemArn(SourceAccount, West, "fs-0a1b2c3d4e5f60001"), "available", "shared-home"),
            (home.FileSystemId, home.Arn, home.LifeCycleState, home.Tags["Name"]));
        Assert.Equal(["fs-0b1b2c3d4e5f60001"], member.Select(f => f.FileSystemId));
        Assert.Equal("FileSystemNotFound", e.AwsErrorCode);
    }

    [Fact]
    public async Task DeleteRecoveryPoint_OnlyInItsVault()
    {
        var sim = new Sim("efs.json");
        var backup = await sim.Backup(Source);
        var point = Assert.Single(await backup.ListRecoveryPointsByResourceAsync(SimulatedAws.FileSystemArn(SourceAccount, West, "fs-0a1b2c3d4e5f60001")));

        await Fails<FerryNotFoundException>("ResourceNotFoundException", () => backup.DeleteRecoveryPointAsync("dr-vault", point.Arn));
        await backup.DeleteRecoveryPointAsync(point.VaultName, point.Arn);

        Assert.Empty(await backup.ListRecoveryPointsByResourceAsync(point.ResourceArn));
    }

    [Fact]
    public async Task DeleteRecoveryPoint_InLockedVault_FailsWithInvalidRequest_AndThePointStays()
    {
        var sim = new Sim("efs.json");
        var point = Assert.Single(await (await sim.Backup(Source)).ListRecoveryPointsByResourceAsync(SimulatedAws.FileSystemArn(SourceAccount, West, "fs-0a1b2c3d4e5f60001")));
        var central = await sim.Backup(Source, Central);
        var locked = await VaultAsync(central, "locked-vault");
        var jobId = await (await sim.Backup(Source)).StartCopyJobAsync(CopyTo(point, locked.Arn));
        sim.Advance(1);
        var west = await sim.Backup(Source);
        var copy = (await west.DescribeCopyJobAsync(jobId)).DestinationRecoveryPointArn!;
        central = await sim.Backup(Source, Central);

        await Fails<FerryInvalidInputException>("InvalidRequestException", () => central.DeleteRecoveryPointAsync(locked.Name, copy));

        Assert.Contains(await central.ListRecoveryPointsByResourceAsync(point.ResourceArn), p => p.Arn == copy);
    }

    [Fact]
    public async Task StartCopyJob_PointStillCreating_FailsWithInvalidRequest_UnknownJobNotFound()
    {
        var sim = new Sim("efs.json");
        var point = Assert.Single(await (await sim.Backup(Source)).ListRecoveryPointsByResourceAsync(SimulatedAws.FileSystemArn(SourceAccount, West, "fs-0a1b2c3d4e5f60001")));
        var central = await sim.Backup(Source, Central);
        var dr = await VaultAsync(central, "dr-vault");
        await (await sim.Backup(Source)).StartCopyJobAsync(CopyTo(point, dr.Arn));
        var creating = Assert.Single(await central.ListRecoveryPointsByResourceAsync(point.ResourceArn));

        Assert.Equal("CREATING", creating.Status);
        await Fails<FerryInvalidInputException>("InvalidRequestException",
            () => central.StartCopyJobAsync(CopyTo(creating, $"arn:aws:backup:{West}:{SourceAccount}:backup-vault:Default", token: "back")));
        await Fails<FerryNotFoundException>("ResourceNotFoundException", () => central.DescribeCopyJobAsync("sim-copy-none"));
    }

    [Fact]
    public async Task Wire_UnknownCopyJob_Answers400WithErrorTypeHeaderAndJsonCode()
    {
        var sim = new Sim("efs.json");
        var (accessKeyId, _) = sim.Aws.PrincipalKeys();

        var reply = await sim.Aws.ServeAsync(new WireRequest { Method = "GET", Path = "/copy-jobs/sim-copy-none", AccessKeyId = accessKeyId, Service = "backup", Region = West });

        Assert.Equal((400, "ResourceNotFoundException"), (reply.Status, reply.Headers!["x-amzn-ErrorType"]));
        Assert.Equal("ResourceNotFoundException", JsonNode.Parse(reply.Body)!["Code"]!.GetValue<string>());
    }
}
