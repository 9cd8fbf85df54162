namespace Ferry.Local.Runtime;

/// <summary>A part of the local stack did not start. Its message is one line saying what, shown to the user as it is.</summary>
public sealed class StartupException(string message) : Exception(message)
{
    /// <summary>"&lt;what&gt; exited before it was ready: &lt;the first line of what it wrote to stderr&gt;".</summary>
    public static StartupException Exited(string what, int exitCode, string stderr)
    {
        var line = stderr.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        return new StartupException($"{what} exited before it was ready: {line ?? $"exit code {exitCode}, no error output"}");
    }
}
