using System.Text.Json.Nodes;

namespace Ferry.Infra.Tests;

/// <summary>Reading synthesized CloudFormation templates.</summary>
public static class Templates
{
    public static IEnumerable<(string Id, JsonObject Properties)> Resources(this JsonObject template, string type) =>
        template["Resources"]!.AsObject()
            .Where(r => r.Value!["Type"]!.GetValue<string>() == type)
            .Select(r => (r.Key, r.Value!["Properties"]?.AsObject() ?? []));

    /// <summary>Every IAM statement of the template: managed by policies and inline in roles.</summary>
    public static IEnumerable<Statement> Statements(this JsonObject template) =>
        template.Resources("AWS::IAM::Policy").Select(p => (p.Id, Document: p.Properties["PolicyDocument"]!))
            .Concat(template.Resources("AWS::IAM::Role").SelectMany(r =>
                (r.Properties["Policies"]?.AsArray() ?? []).Select(p => (r.Id, Document: p!["PolicyDocument"]!))))
            .SelectMany(p => p.Document["Statement"]!.AsArray().Select(s => new Statement(p.Id, s!.AsObject())));

    /// <summary>The statements of the policies attached to a role.</summary>
    public static List<Statement> StatementsOfRole(this JsonObject template, string roleId) =>
        [.. template.Resources("AWS::IAM::Policy")
            .Where(p => p.Properties["Roles"]!.AsArray().Any(r => Render(r) == $"<{roleId}>"))
            .SelectMany(p => p.Properties["PolicyDocument"]!["Statement"]!.AsArray().Select(s => new Statement(p.Id, s!.AsObject())))];

    /// <summary>A string value with intrinsics shown as <c>&lt;Id&gt;</c> (Ref) and <c>&lt;Id.Attribute&gt;</c> (GetAtt).</summary>
    public static string Render(JsonNode? node) => node switch
    {
        JsonValue value => value.GetValue<string>(),
        JsonObject o when o["Fn::Join"] is JsonArray join =>
            string.Join(join[0]!.GetValue<string>(), join[1]!.AsArray().Select(Render)),
        JsonObject o when o["Ref"] is JsonNode reference => $"<{reference.GetValue<string>()}>",
        JsonObject o when o["Fn::GetAtt"] is JsonArray attribute => $"<{attribute[0]!.GetValue<string>()}.{attribute[1]!.GetValue<string>()}>",
        _ => throw new InvalidOperationException($"cannot render {node?.ToJsonString()}"),
    };

    public static IReadOnlyList<string> List(JsonNode? node) => node switch
    {
        null => [],
        JsonArray array => [.. array.Select(Render)],
        _ => [Render(node)],
    };
}

public sealed record Statement(string PolicyId, JsonObject Json)
{
    public IReadOnlyList<string> Actions => Templates.List(Json["Action"]);

    public IReadOnlyList<string> Resources => Templates.List(Json["Resource"]);
}
