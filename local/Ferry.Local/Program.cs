using Ferry.Local.Chaos;
using Ferry.Local.Demo;
using Ferry.Local.Planning;
using Ferry.Local.Runtime;

var command = args.Length > 0 ? args[0] : "";
try
{
    return command switch
    {
        "plan" => await PlanCommand.RunAsync(args[1..], Console.Out, Console.Error),
        "demo" => await DemoCommand.RunAsync(args[1..], Console.Out),
        "chaos" => await ChaosCommand.RunAsync(args[1..], Console.Out, Console.Error),
        _ => Usage(),
    };
}
catch (StartupException e)
{
    // What did not start, in one line; a stack trace would only hide it.
    Console.Error.WriteLine($"ferry {command}: {e.Message}");
    return 1;
}

static int Usage()
{
    Console.Error.WriteLine($"usage: ferry demo [--keep] | {ChaosCommand.Usage} | {PlanCommand.Usage}");
    return PlanCommand.InvalidInput;
}
