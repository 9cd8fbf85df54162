using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Runs;
using Ferry.Core.Ports;
using Ferry.Local.Runtime;
using Ferry.Simulator;
using Ferry.Simulator.Stores;

namespace Ferry.Local.Planning;

/// <summary>
/// <c>ferry plan POLICY INVENTORY</c> or <c>ferry plan POLICY --world WORLD</c>: a dry run that touches nothing and
/// prints each resource's plan, from an inventory file or from what the policy's roles see in a simulated world.
/// </summary>
public static class PlanCommand
{
    public const int Ok = 0;
    public const int InvalidInput = 2;
    public const string Usage = "ferry plan POLICY.json INVENTORY.json | ferry plan POLICY.json --world WORLD.json";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var world = args.Count == 3 && args[1] == "--world";
        if (args.Count != 2 && !world)
        {
            error.WriteLine($"usage: {Usage}");
            return InvalidInput;
        }
        var (policyPath, inventoryPath) = (args[0], args[^1]);
        if (!File.Exists(policyPath) || !File.Exists(inventoryPath))
        {
            error.WriteLine($"not found: {(File.Exists(policyPath) ? inventoryPath : policyPath)}");
            return InvalidInput;
        }

        var (policy, errors) = PolicyParser.TryParse(File.ReadAllText(policyPath));
        if (policy is null)
        {
            error.WriteLine($"{policyPath}: invalid policy");
            foreach (var problem in errors)
                error.WriteLine($"  {problem}");
            return InvalidInput;
        }

        IReadOnlyList<ResourcePlan> plans;
        try
        {
            if (world)
            {
                using var wire = new LocalAws(SimulatedAws.Load(inventoryPath));
                plans = await WorldPlans.PlanAsync(InMemory(wire), policy);
            }
            else
            {
                plans = Plan(policy, InventoryFile.Load(File.ReadAllText(inventoryPath)));
            }
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException)
        {
            error.WriteLine($"{inventoryPath}: invalid {(world ? "world" : "inventory")}: {e.Message}");
            return InvalidInput;
        }

        output.WriteLine($"Plan for policy {policy.Id} ({policy.Type}), {plans.Count} resource(s). Nothing was changed.");
        output.WriteLine();
        PlanTable.Write(output, plans);
        return Ok;
    }

    /// <summary>Ferry's steps over a simulated world, with stores of their own: planning reads the world and writes nothing.</summary>
    private static FerryServices InMemory(LocalAws wire) =>
        new(wire.Credentials, wire.Ports, new InMemoryPolicyStore(), new InMemorySessionStore(), new InMemoryRestorePointStore(),
            new InMemoryCopySlots(wire.World.Clock), wire.World.Clock, WaitSettings.Default);

    /// <summary>The plans the command prints: each resource of the policy the inventory holds, and each resource named by id that it lacks.</summary>
    public static IReadOnlyList<ResourcePlan> Plan(Policy policy, Inventory inventory) =>
        PolicyPlanner.Plan(policy, inventory.Instances, inventory.Databases, inventory.Context);
}
