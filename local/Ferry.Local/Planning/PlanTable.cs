using System.Text;
using Ferry.Core.Planning;

namespace Ferry.Local.Planning;

/// <summary>Renders plans as text tables: a summary line per resource, then each resource's steps and key needs.</summary>
public static class PlanTable
{
    private const string Indent = "  ";

    /// <summary>Writes the tables to <paramref name="output"/> in large chunks: a plan of 100,000 resources is never held as one string, nor written line by line.</summary>
    public static void Write(TextWriter output, IReadOnlyList<ResourcePlan> plans)
    {
        var text = new Lines(output);
        Table(text, "", ["Resource", "From", "To", "Verdict", "Expected", "Reason"],
            plans.Select(p => new[]
            {
                p.ResourceId, $"{p.SourceAccount}/{p.SourceRegion}", $"{p.TargetAccount}/{p.TargetRegion}",
                p.Verdict.ToString(), p.ExpectedStatus.ToString(), p.Reason,
            }));
        foreach (var plan in plans)
        {
            text.Line("");
            text.Line($"{plan.ResourceId}: {plan.Verdict} -> {plan.ExpectedStatus}");
            if (plan.Items.Count > 0)
            {
                Table(text, Indent, ["Item", "Encrypted", "Source key", "Action", "Replica key", "Why"],
                    plan.Items.Select(i => new[] { i.ItemId, i.SourceEncrypted ? "yes" : "no", i.SourceKey ?? "-", i.Action.ToString(), i.TargetKey ?? "-", i.Reason }));
            }
            if (plan.Steps.Count > 0)
            {
                Table(text, Indent, ["#", "Step", "Role", "Account/Region", "What"],
                    plan.Steps.Select((s, n) => new[] { (n + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), s.Kind.ToString(), $"{s.RoleKind} {s.Role}", $"{s.Account}/{s.Region}", s.Description }));
            }
            foreach (var need in plan.KeyRequirements)
                text.Line($"  key: {need.Role} needs {string.Join(", ", need.Permissions)} on {need.KeyArn} ({need.Use})");
            foreach (var warning in plan.Warnings)
                text.Line($"  warning: {warning}");
            foreach (var note in plan.Notes)
                text.Line($"  note: {note}");
        }
        text.Flush();
    }

    /// <summary>A table: a header, a rule, then one line per row, each cell but the last padded to its column's width.</summary>
    private static void Table(Lines text, string indent, string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = new int[header.Length];
        foreach (var row in all)
        {
            for (var c = 0; c < widths.Length; c++)
                widths[c] = Math.Max(widths[c], row[c].Length);
        }
        for (var r = 0; r < all.Count; r++)
        {
            text.Row(indent, all[r], widths, " | ");
            if (r == 0)
                text.Row(indent, [.. widths.Select(w => new string('-', w))], widths, "-+-");
        }
    }

    /// <summary>Lines gathered in a buffer that goes to the output whenever it is large.</summary>
    private sealed class Lines(TextWriter output)
    {
        private const int Chunk = 1 << 16;
        private readonly StringBuilder _text = new();

        public void Line(string line)
        {
            _text.AppendLine(line);
            FlushIfLarge();
        }

        /// <summary>One row, its trailing white space trimmed.</summary>
        public void Row(string indent, string[] cells, int[] widths, string separator)
        {
            var start = _text.Length;
            _text.Append(indent);
            for (var c = 0; c < cells.Length; c++)
            {
                if (c > 0)
                    _text.Append(separator);
                _text.Append(cells[c]);
                if (c < cells.Length - 1)
                    _text.Append(' ', widths[c] - cells[c].Length);
            }
            var end = _text.Length;
            while (end > start && char.IsWhiteSpace(_text[end - 1]))
                end--;
            _text.Length = end;
            _text.AppendLine();
            FlushIfLarge();
        }

        public void Flush()
        {
            output.Write(_text);
            _text.Clear();
        }

        private void FlushIfLarge()
        {
            if (_text.Length >= Chunk)
                Flush();
        }
    }
}
