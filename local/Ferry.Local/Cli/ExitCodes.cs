using Ferry.Core.Sessions;

namespace Ferry.Local.Cli;

/// <summary>
/// The CLI's exit codes (README "Using Ferry"): 0 done (or, with --watch, the session succeeded), 1 an error (no local stack,
/// no credentials, unknown policy or restore point, AWS refused), 2 invalid usage or input; with --watch, 3 the session ended
/// Warning, 4 Failed, 5 Canceled.
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Error = 1;
    public const int Invalid = 2;
    public const int Warning = 3;
    public const int Failed = 4;
    public const int Canceled = 5;

    public static int Of(ResourceStatus status) => status switch
    {
        ResourceStatus.Success => Ok,
        ResourceStatus.Warning => Warning,
        ResourceStatus.Canceled => Canceled,
        _ => Failed,
    };
}
