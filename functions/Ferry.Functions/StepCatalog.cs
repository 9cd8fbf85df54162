using Ferry.Core.Runs;
using Ferry.Functions.Steps;

namespace Ferry.Functions;

/// <summary>A step as the local host and CDK see it: its name, its Lambda handler string, and how to make it.</summary>
public sealed record StepDefinition(string Name, Type Type, Func<FerryServices, StepLog, IStepHandler> Create)
{
    /// <summary>The managed runtime's handler string: assembly::type::method.</summary>
    public string Handler => $"Ferry.Functions::{Type.FullName}::HandleAsync";
}

/// <summary>What every step function offers its host.</summary>
public interface IStepHandler
{
    string Name { get; }

    Task<Stream> HandleAsync(Stream input);
}

/// <summary>Every step Ferry deploys, one Lambda function each.</summary>
public static class StepCatalog
{
    public static readonly IReadOnlyList<StepDefinition> All =
    [
        new("OpenSession", typeof(OpenSessionFunction), (services, log) => new OpenSessionFunction(services, log)),
        new("Discover", typeof(DiscoverFunction), (services, log) => new DiscoverFunction(services, log)),
        new("Plan", typeof(PlanFunction), (services, log) => new PlanFunction(services, log)),
        new("TakeSnapshot", typeof(TakeSnapshotFunction), (services, log) => new TakeSnapshotFunction(services, log)),
        new("Share", typeof(ShareFunction), (services, log) => new ShareFunction(services, log)),
        new("CopyToRegion", typeof(CopyToRegionFunction), (services, log) => new CopyToRegionFunction(services, log)),
        new("CheckAvailable", typeof(CheckAvailableFunction), (services, log) => new CheckAvailableFunction(services, log)),
        new("RecordOutcome", typeof(RecordOutcomeFunction), (services, log) => new RecordOutcomeFunction(services, log)),
        new("CloseSession", typeof(CloseSessionFunction), (services, log) => new CloseSessionFunction(services, log)),
        new("ApplyRetention", typeof(ApplyRetentionFunction), (services, log) => new ApplyRetentionFunction(services, log)),
        new("PlanRestore", typeof(PlanRestoreFunction), (services, log) => new PlanRestoreFunction(services, log)),
        new("Restore", typeof(RestoreFunction), (services, log) => new RestoreFunction(services, log)),
        new("EnableBackupOptIn", typeof(EnableBackupOptInFunction), (services, log) => new EnableBackupOptInFunction(services, log)),
    ];

    public static StepDefinition? Find(string name) => All.FirstOrDefault(s => s.Name == name);
}
