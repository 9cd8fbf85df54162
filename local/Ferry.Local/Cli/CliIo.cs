using Spectre.Console;

namespace Ferry.Local.Cli;

/// <summary>Where a command writes: tables and live progress through Spectre.Console, JSON and errors as plain text.</summary>
/// <param name="StateFile">Where <c>ferry up</c> writes its endpoints and other commands read them.</param>
public sealed record CliIo(TextWriter Out, TextWriter Error, IAnsiConsole Console, string StateFile)
{
    /// <summary>The process's terminal (colours and live progress when it is one).</summary>
    public static CliIo Terminal() => new(System.Console.Out, System.Console.Error, AnsiConsole.Console, UpState.DefaultFile);

    /// <summary>Plain text into writers (tests, pipes): no colours, no live redrawing.</summary>
    public static CliIo Captured(TextWriter output, TextWriter error, string stateFile) =>
        new(output, error, AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        }), stateFile);
}
