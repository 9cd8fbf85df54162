using Spectre.Console;

namespace Ferry.Local.Cli;

/// <summary>Where a command writes: tables and live progress through Spectre.Console, JSON and errors as plain text.</summary>
/// <param name="StateFile">Where <c>ferry up</c> writes its endpoints and other commands read them.</param>
public sealed record CliIo(TextWriter Out, TextWriter Error, IAnsiConsole Console, string StateFile)
{
    /// <summary>Rows are never wrapped when the output is a pipe or a file (Spectre assumes 80 columns there).</summary>
    private const int UnwrappedWidth = 400;

    /// <summary>The process's terminal (colours and live progress when it is one).</summary>
    public static CliIo Terminal()
    {
        var console = AnsiConsole.Console;
        if (System.Console.IsOutputRedirected)
            console.Profile.Width = UnwrappedWidth;
        return new(System.Console.Out, System.Console.Error, console, UpState.DefaultFile);
    }

    /// <summary>Plain text into writers (tests, pipes): no colours, no live redrawing.</summary>
    public static CliIo Captured(TextWriter output, TextWriter error, string stateFile)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = UnwrappedWidth;
        return new(output, error, console, stateFile);
    }
}
