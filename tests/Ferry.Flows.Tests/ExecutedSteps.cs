using System.Text.Json.Nodes;
using Ferry.Core.Planning;
using Ferry.Core.Runs;
using Ferry.Local.Runtime;

namespace Ferry.Flows.Tests;

/// <summary>A plan step as the run identifies it: its kind and who runs it where.</summary>
public sealed record RunStep(string Kind, string RoleKind, string Role, string Account, string Region)
{
    public static RunStep Of(PlanStep step) => new(step.Kind.ToString(), step.RoleKind.ToString(), step.Role, step.Account, step.Region);

    public override string ToString() => $"{Kind} ({RoleKind} {Role} in {Account}/{Region})";
}

/// <summary>
/// Reads, from an execution's history, the plan steps its Lambda Tasks executed: each Task whose input and output
/// are jobs executed the steps between the input's cursor and the output's, in that order.
/// </summary>
public static class ExecutedSteps
{
    /// <summary>The steps executed, in order; a Task that executed a step its state may not execute fails the test.</summary>
    public static IReadOnlyList<RunStep> Of(IEnumerable<HistoryEvent> history) => [.. ByTask(history).Select(s => s.Step)];

    /// <summary>
    /// The steps an execution and every child it started (at any depth) executed, by the resource of the job that
    /// executed them (its <c>resourceId</c>), each resource's in order.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<RunStep>> ByResource(IReadOnlyList<HistoryEvent> history, IReadOnlyList<ChildExecution> children)
    {
        var all = ByTask(history).Concat(Descendants(children).SelectMany(c => ByTask(c.History)));
        return all.GroupBy(s => s.ResourceId).ToDictionary(g => g.Key, g => (IReadOnlyList<RunStep>)[.. g.Select(s => s.Step)]);
    }

    private static IEnumerable<ChildExecution> Descendants(IEnumerable<ChildExecution> children) =>
        children.SelectMany(c => Descendants(c.Children).Prepend(c));

    private static IEnumerable<(string ResourceId, RunStep Step)> ByTask(IEnumerable<HistoryEvent> history)
    {
        foreach (var exited in history.Where(e => e is { Type: "StateExited", StateType: "Task" }))
        {
            if (!TryJob(exited.Input, out _, out var from) || !TryJob(exited.Output, out var steps, out var to))
                continue;
            if (to < from || to > steps.Count)
                throw new Xunit.Sdk.XunitException($"{exited.State} moved the cursor from {from} to {to} over {steps.Count} plan step(s)");
            var allowed = StepRunners.Kinds.GetValueOrDefault(exited.State ?? "", []);
            var resource = exited.Output!["resourceId"]?.GetValue<string>() ?? "";
            foreach (var step in steps.Skip(from).Take(to - from))
            {
                var kind = Text(step, "kind");
                if (!allowed.Any(k => k.ToString() == kind))
                {
                    var may = allowed.Count == 0 ? "it executes no plan step" : $"it may execute only {string.Join(", ", allowed)}";
                    throw new Xunit.Sdk.XunitException($"{exited.State} executed a {kind} step; {may}");
                }
                yield return (resource, Step(step));
            }
        }
    }

    /// <summary>A job: a JSON object with a <c>steps</c> array and an integer <c>cursor</c>.</summary>
    public static bool TryJob(JsonNode? node, out IReadOnlyList<JsonNode> steps, out int cursor)
    {
        steps = [];
        cursor = 0;
        if (node is not JsonObject job || job["steps"] is not JsonArray array || job["cursor"] is not JsonValue value || !value.TryGetValue(out cursor))
            return false;
        steps = [.. array.Select(s => s ?? throw new Xunit.Sdk.XunitException("a job's steps hold a null"))];
        return true;
    }

    /// <summary>A plan step of a job, as JSON.</summary>
    public static RunStep Step(JsonNode step) => new(Text(step, "kind"), Text(step, "roleKind"), Text(step, "role"), Text(step, "account"), Text(step, "region"));

    private static string Text(JsonNode step, string field) =>
        step[field]?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException($"a plan step has no {field}: {step.ToJsonString()}");
}
