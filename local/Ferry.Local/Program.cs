using System.CommandLine;
using Ferry.Local.Chaos;
using Ferry.Local.Cli;
using Ferry.Local.Demo;
using Ferry.Local.Planning;
using Ferry.Local.Runtime;

var io = CliIo.Terminal();
var root = new RootCommand("Ferry: replicate and restore AWS snapshots across regions and accounts; run it locally or operate the deployed stack.");
new FerryCli(io).AddTo(root);
root.Subcommands.Add(PassThrough("demo", "Every bundled policy and several restores through the real state machines, on this machine ([--keep])",
    rest => DemoCommand.RunAsync(rest, Console.Out)));
root.Subcommands.Add(PassThrough("chaos", $"A generated world under faults: {ChaosCommand.Usage}", rest => ChaosCommand.RunAsync(rest, Console.Out, Console.Error)));
root.Subcommands.Add(PassThrough("plan", $"The pre-flight dry run: {PlanCommand.Usage}", rest => PlanCommand.RunAsync(rest, Console.Out, Console.Error)));
return await FerryCli.InvokeAsync(root, args, io);

// demo, chaos and plan keep their own argument lists: the words after the command are theirs.
static Command PassThrough(string name, string description, Func<IReadOnlyList<string>, Task<int>> run)
{
    var rest = new Argument<string[]>("ARGS") { Arity = ArgumentArity.ZeroOrMore };
    var command = new Command(name, description) { rest };
    command.TreatUnmatchedTokensAsErrors = false;
    command.SetAction(async parse =>
    {
        try
        {
            return await run([.. parse.GetValue(rest) ?? [], .. parse.UnmatchedTokens]);
        }
        catch (StartupException e)
        {
            // What did not start, in one line; a stack trace would only hide it.
            Console.Error.WriteLine($"ferry {name}: {e.Message}");
            return 1;
        }
    });
    return command;
}
