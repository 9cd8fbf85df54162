using System.Text.Json;
using Ferry.Core.Policies;

namespace Ferry.Infra;

/// <summary>A policy to deploy: validated by Ferry's own parser, with the document exactly as written.</summary>
public sealed record DeployedPolicy(Policy Policy, string Document);

/// <summary>Reads the policies file (one policy document, or an array of them) and validates every policy as Ferry does at run time.</summary>
public static class PolicyFile
{
    public static IReadOnlyList<DeployedPolicy> Load(string path)
    {
        if (!File.Exists(path))
            throw new FerryConfigException($"{FerrySettings.PoliciesFileKey}: {path} does not exist");
        var text = File.ReadAllText(path);
        List<string> documents;
        bool isArray;
        try
        {
            using var json = JsonDocument.Parse(text);
            isArray = json.RootElement.ValueKind == JsonValueKind.Array;
            documents = isArray ? [.. json.RootElement.EnumerateArray().Select(e => e.GetRawText())] : [text];
        }
        catch (JsonException e)
        {
            throw new FerryConfigException($"{path}: is not valid JSON: {e.Message}");
        }

        var policies = new List<DeployedPolicy>();
        for (var i = 0; i < documents.Count; i++)
        {
            var where = isArray ? $"{path} [{i}]" : path;
            try
            {
                policies.Add(new DeployedPolicy(PolicyParser.Parse(documents[i]), documents[i]));
            }
            catch (PolicyValidationException e)
            {
                // Ferry's own message, listing every invalid field by JSON path.
                throw new FerryConfigException($"{where}: {e.Message}");
            }
        }
        var twice = policies.GroupBy(p => p.Policy.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
            throw new FerryConfigException($"{path}: policy id '{twice.Key}' is used by more than one policy");
        return policies;
    }
}
