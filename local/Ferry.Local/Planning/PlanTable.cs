using System.Text;
using Ferry.Core.Planning;

namespace Ferry.Local.Planning;

/// <summary>Renders plans as text tables: a summary line per resource, then each resource's steps and key needs.</summary>
public static class PlanTable
{
    public static string Render(IReadOnlyList<ResourcePlan> plans)
    {
        var text = new StringBuilder();
        text.AppendLine(Table(
            ["Resource", "From", "To", "Verdict", "Expected", "Reason"],
            plans.Select(p => new[]
            {
                p.ResourceId, $"{p.SourceAccount}/{p.SourceRegion}", $"{p.TargetAccount}/{p.TargetRegion}",
                p.Verdict.ToString(), p.ExpectedStatus.ToString(), p.Reason,
            })));
        foreach (var plan in plans)
        {
            text.AppendLine();
            text.AppendLine($"{plan.ResourceId}: {plan.Verdict} -> {plan.ExpectedStatus}");
            if (plan.Items.Count > 0)
            {
                text.AppendLine(Indent(Table(["Item", "Encrypted", "Source key", "Action", "Replica key", "Why"],
                    plan.Items.Select(i => new[] { i.ItemId, i.SourceEncrypted ? "yes" : "no", i.SourceKey ?? "-", i.Action.ToString(), i.TargetKey ?? "-", i.Reason }))));
            }
            if (plan.Steps.Count > 0)
            {
                text.AppendLine(Indent(Table(["#", "Step", "Role", "Account/Region", "What"],
                    plan.Steps.Select((s, n) => new[] { (n + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), s.Kind.ToString(), $"{s.RoleKind} {s.Role}", $"{s.Account}/{s.Region}", s.Description }))));
            }
            foreach (var need in plan.KeyRequirements)
                text.AppendLine($"  key: {need.Role} needs {string.Join(", ", need.Permissions)} on {need.KeyArn} ({need.Use})");
            foreach (var warning in plan.Warnings)
                text.AppendLine($"  warning: {warning}");
            foreach (var note in plan.Notes)
                text.AppendLine($"  note: {note}");
        }
        return text.ToString();
    }

    private static string Table(string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = header.Select((_, c) => all.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        for (var r = 0; r < all.Count; r++)
        {
            text.AppendLine(string.Join(" | ", all[r].Select((cell, c) => c == header.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
            if (r == 0)
                text.AppendLine(string.Join("-+-", widths.Select((w, c) => new string('-', c == header.Length - 1 ? Math.Max(w, header[c].Length) : w))));
        }
        return text.ToString().TrimEnd();
    }

    private static string Indent(string block) => "  " + block.Replace("\n", "\n  ", StringComparison.Ordinal);
}
