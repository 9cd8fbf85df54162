namespace Ferry.Local.Cli;

/// <summary>What went wrong, in one line that says what to do; the CLI prints it without a stack trace and exits with the code.</summary>
public sealed class CliException(string message, int exitCode = ExitCodes.Error) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
