using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ferry.Local.Runtime;

namespace Ferry.Local.Cli;

/// <summary>
/// Where a running <c>ferry up</c> answers, written to .ferry/up.json while it runs so other commands find it without flags.
/// </summary>
/// <param name="DynamoDb">dynalite's endpoint.</param>
/// <param name="StepFunctions">The local Step Functions endpoint.</param>
/// <param name="TablePrefix">The tables' prefix ("ferry": the deployed stack's names).</param>
/// <param name="Pid">The process serving them: a file left behind by a process that is gone means no stack.</param>
/// <param name="SimulatedAt">The world's clock when <paramref name="RealAt"/> was the real time: with <paramref name="Acceleration"/>, the stack's "now".</param>
public sealed record UpState(string World, string DynamoDb, string StepFunctions, string Region, string Account, string TablePrefix, int Pid,
    DateTimeOffset SimulatedAt, DateTimeOffset RealAt, double Acceleration)
{
    /// <summary>The stack's time now: sessions and restore points carry the simulated world's time, which runs faster than real time.</summary>
    public DateTimeOffset Now => SimulatedAt + (DateTimeOffset.UtcNow - RealAt) * Acceleration;

    public static string DefaultFile => Repository.PathOf(".ferry", "up.json");

    public void Write(string file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, JsonSerializer.Serialize(this, UpStateJson.Default.UpState));
    }

    /// <summary>The running stack's state, or null when none runs (no file, or its process is gone).</summary>
    public static UpState? Read(string file)
    {
        if (!File.Exists(file))
            return null;
        UpState? state;
        try
        {
            state = JsonSerializer.Deserialize(File.ReadAllText(file), UpStateJson.Default.UpState);
        }
        catch (JsonException)
        {
            return null;
        }
        return state is not null && Alive(state.Pid) ? state : null;
    }

    private static bool Alive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(UpState))]
internal sealed partial class UpStateJson : JsonSerializerContext;
