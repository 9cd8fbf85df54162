using System.Globalization;
using Ferry.Bench;

// The copy scheduler's makespan benchmark (not a test): see Makespan.cs, or run with --help.
var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(BenchOptions.Usage);
    return 64;
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Makespan under a copy quota of {options.Quota}: snapshots {options.Snapshot.TotalMinutes:0} min, copies {options.Copy.TotalMinutes:0} min, acceleration {options.Acceleration:0}x"));
return await Makespan.RunAsync(options, Console.Out);
