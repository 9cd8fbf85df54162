using Ferry.Core.Planning;
using Ferry.Core.Policies;

namespace Ferry.Local.Planning;

/// <summary><c>ferry plan POLICY INVENTORY</c>: a dry run that touches nothing and prints each resource's plan.</summary>
public static class PlanCommand
{
    public const int Ok = 0;
    public const int InvalidInput = 2;

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count != 2)
        {
            error.WriteLine("usage: ferry plan POLICY.json INVENTORY.json");
            return InvalidInput;
        }
        var (policyPath, inventoryPath) = (args[0], args[1]);
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
            inventory = InventoryFile.Load(File.ReadAllText(inventoryPath));
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException)
        {
            error.WriteLine($"{inventoryPath}: invalid inventory: {e.Message}");
            return InvalidInput;
        }

        var plans = PolicyPlanner.Plan(policy, inventory.Instances, inventory.Databases, inventory.Context);
        output.WriteLine($"Plan for policy {policy.Id} ({policy.Type}), {plans.Count} resource(s). Nothing was changed.");
        output.WriteLine();
        output.Write(PlanTable.Render(plans));
        return Ok;
    }
}
