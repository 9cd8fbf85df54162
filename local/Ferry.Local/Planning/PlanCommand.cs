using Ferry.Core.Planning;
using Ferry.Core.Policies;
using Ferry.Core.Runs;
using Ferry.Simulator;

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

        Inventory inventory;
        try
        {
            if (world)
            {
                var aws = SimulatedAws.Load(inventoryPath);
                inventory = await WorldInventory.LoadAsync(aws, aws.Credentials(), policy);
            }
            else
            {
                inventory = InventoryFile.Load(File.ReadAllText(inventoryPath));
            }
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException)
        {
            error.WriteLine($"{inventoryPath}: invalid {(world ? "world" : "inventory")}: {e.Message}");
            return InvalidInput;
        }

        var plans = Plan(policy, inventory);
        output.WriteLine($"Plan for policy {policy.Id} ({policy.Type}), {plans.Count} resource(s). Nothing was changed.");
        output.WriteLine();
        output.Write(PlanTable.Render(plans));
        return Ok;
    }

    /// <summary>The plans the command prints: each resource of the policy the inventory holds, and each resource named by id that it lacks.</summary>
    public static IReadOnlyList<ResourcePlan> Plan(Policy policy, Inventory inventory) =>
        policy.Type == ResourceType.Efs
            ? [.. (inventory.FileSystems ?? []).Select(fs => BackupCopyPlanner.Plan(fs, policy.Sources, policy.CopyMappingFor(fs.Region)!).Plan
                with { ResourceId = BackupCopySteps.ResourceId(policy, fs.AccountId, fs.FileSystemId) })]
            : PolicyPlanner.Plan(policy, inventory.Instances, inventory.Databases, inventory.Context);
}
