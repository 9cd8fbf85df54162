using System.Globalization;
using Ferry.Bench;

// Ferry's benchmarks (not tests): the copy scheduler's makespan (Makespan.cs, run with --help), or with "reads" the
// DynamoDB items read per recorded outcome (Reads.cs).
if (args is ["reads", .. var rest])
{
    if (Reads.Parse(rest) is not { } reads)
    {
        Console.Error.WriteLine(Reads.Usage);
        return 64;
    }
    Console.WriteLine("DynamoDB items read by Ferry's steps in a policy run of N EC2 instances");
    return await Reads.RunAsync(reads.Sizes, reads.Acceleration, Console.Out);
}
var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(BenchOptions.Usage);
    return 64;
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Makespan under a copy quota of {options.Quota}: snapshots {options.Snapshot.TotalMinutes:0} min, copies {options.Copy.TotalMinutes:0} min, acceleration {options.Acceleration:0}x"));
return await Makespan.RunAsync(options, Console.Out);
