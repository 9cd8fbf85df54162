using Amazon.CDK;
using Ferry.Infra.Backup;
using Ferry.Infra.Member;

namespace Ferry.Infra;

/// <summary>Ferry's two stacks: the backup account's, and the one every source and target account gets.</summary>
public sealed record FerryStacks(BackupStack Backup, MemberStack Member);

public static class FerryApp
{
    public const string BackupStackName = "FerryBackup";
    public const string MemberStackName = "FerryMember";

    /// <summary>Validates the settings and policies first (a bad policy stops synth here), then defines both stacks.</summary>
    public static FerryStacks Build(App app)
    {
        var settings = FerrySettings.FromContext(app.Node);
        var policies = PolicyFile.Load(settings.PoliciesFile);
        // Both stacks are environment-agnostic: they deploy into whichever account and region the CLI's credentials name.
        var backup = new BackupStack(app, BackupStackName, settings, policies, new StackProps
        {
            Description = "Ferry: functions, state machines, tables and schedules (backup account)",
        });
        var member = new MemberStack(app, MemberStackName, settings, policies, new StackProps
        {
            Description = "Ferry: the source, target and restore roles Ferry assumes (every source and target account)",
        });
        return new FerryStacks(backup, member);
    }
}
