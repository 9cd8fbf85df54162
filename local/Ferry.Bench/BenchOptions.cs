using System.Globalization;

namespace Ferry.Bench;

/// <summary>A benchmark world: <paramref name="Instances"/> instances of <paramref name="Volumes"/> volumes each.</summary>
public sealed record BenchWorld(int Instances, int Volumes)
{
    public int Copies => Instances * Volumes;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Instances} x {Volumes}");

    public static BenchWorld? Parse(string text) =>
        text.Split('x') is [var i, var v] && int.TryParse(i, CultureInfo.InvariantCulture, out var instances) && int.TryParse(v, CultureInfo.InvariantCulture, out var volumes)
            && instances > 0 && volumes > 0
            ? new BenchWorld(instances, volumes)
            : null;
}

/// <param name="Acceleration">Simulated seconds per real second: low enough that the machine's own latency stays small in simulated time.</param>
/// <param name="Trace">Print when each snapshot and copy happened (standard error).</param>
public sealed record BenchOptions(IReadOnlyList<BenchWorld> Worlds, double Acceleration, TimeSpan Snapshot, TimeSpan Copy, int Quota, double Target, bool Trace = false)
{
    public const string Usage = """
        usage: dotnet run --project local/Ferry.Bench -c Release -- [--world NxV]... [--acceleration A] [--copy-minutes M] [--snapshot-minutes M] [--trace]
          --world NxV          N instances of V volumes (repeatable; default 45x1, 15x3, 100x2)
          --acceleration A     simulated seconds per real second (default 100)
          --copy-minutes M     how long one EBS copy takes (default 20)
          --snapshot-minutes M how long one EBS snapshot takes (default 5)
          --trace              print when each snapshot and copy happened, in simulated minutes (standard error)
        Exit code 0 when every resource succeeded within the target ratio (1.25), 2 when a ratio is over it, 1 when a resource did not succeed.
        """;

    public static readonly IReadOnlyList<BenchWorld> DefaultWorlds = [new(45, 1), new(15, 3), new(100, 2)];

    public static BenchOptions? Parse(IReadOnlyList<string> args)
    {
        var worlds = new List<BenchWorld>();
        var options = new BenchOptions(DefaultWorlds, 100, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(20), 20, 1.25);
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--trace")
            {
                options = options with { Trace = true };
                continue;
            }
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--world" when value is not null && BenchWorld.Parse(value) is { } world:
                    worlds.Add(world);
                    break;
                case "--acceleration" when Positive(value) is { } acceleration:
                    options = options with { Acceleration = acceleration };
                    break;
                case "--copy-minutes" when Positive(value) is { } minutes:
                    options = options with { Copy = TimeSpan.FromMinutes(minutes) };
                    break;
                case "--snapshot-minutes" when Positive(value) is { } minutes:
                    options = options with { Snapshot = TimeSpan.FromMinutes(minutes) };
                    break;
                default:
                    return null;
            }
            i++;
        }
        return worlds.Count > 0 ? options with { Worlds = worlds } : options;
    }

    private static double? Positive(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;
}
