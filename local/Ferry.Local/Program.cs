using Ferry.Local.Demo;
using Ferry.Local.Planning;

var command = args.Length > 0 ? args[0] : "";
return command switch
{
    "plan" => PlanCommand.Run(args[1..], Console.Out, Console.Error),
    "demo" => await DemoCommand.RunAsync(args[1..], Console.Out),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ferry demo [--keep] | ferry plan POLICY.json INVENTORY.json");
    return PlanCommand.InvalidInput;
}
