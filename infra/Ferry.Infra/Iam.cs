using Amazon.CDK.AWS.IAM;

namespace Ferry.Infra;

/// <summary>Allow statements, written as compactly as the policies they make.</summary>
public static class Iam
{
    public static PolicyStatement Allow(string[] actions, string[] resources, Dictionary<string, object>? conditions = null) =>
        new(new PolicyStatementProps { Actions = actions, Resources = resources, Conditions = conditions });

    /// <summary>A condition block: <c>{ operator: { key: value } }</c>.</summary>
    public static Dictionary<string, object> When(string op, string key, object value) =>
        new() { [op] = new Dictionary<string, object> { [key] = value } };
}
