using Ferry.Core.Aws;
using Ferry.Core.Planning;

namespace Ferry.Core.Runs;

/// <summary>Asks KMS, as each role, which of the permissions a plan's steps need it lacks.</summary>
internal sealed class KeyAccessChecker(FerryServices services)
{
    public async Task<(KeyAccess Access, List<string> Notes)> CheckAsync(ResourcePlan plan, CancellationToken cancellationToken)
    {
        var grants = new List<KeyGrant>();
        var notes = new List<string>();
        foreach (var group in plan.KeyRequirements.GroupBy(r => (r.Role, r.KeyArn)))
        {
            var permissions = group.SelectMany(r => r.Permissions).Distinct().ToList();
            var region = Arn.TryParse(group.Key.KeyArn, out var arn) && arn.Region.Length > 0 ? arn.Region : plan.SourceRegion;
            var kms = await services.KmsAsync(group.Key.Role, region, cancellationToken);
            var check = await kms.CheckAccessAsync(group.Key.KeyArn, permissions, cancellationToken);
            grants.Add(new KeyGrant(group.Key.Role, group.Key.KeyArn, [.. permissions.Except(check.Missing)]));
            if (!check.Complete && check.Missing.Count == 0)
                notes.Add($"KMS could not confirm every permission of {group.Key.Role} on {group.Key.KeyArn}; AWS will refuse a missing grant at the step that needs it");
        }
        return (new KeyAccess(grants), notes);
    }

    /// <summary>Plans, checks key access for a plan that would proceed, and plans again with what KMS said.</summary>
    public async Task<ResourcePlan> PlanCheckedAsync(Func<PlanContext, ResourcePlan> plan, PlanContext context, CancellationToken cancellationToken)
    {
        var first = plan(context);
        if (first.Verdict != Verdict.Proceed || first.KeyRequirements.Count == 0)
            return first;
        var (access, notes) = await CheckAsync(first, cancellationToken);
        var checkedPlan = plan(context with { Access = access });
        return checkedPlan with { Notes = [.. checkedPlan.Notes, .. notes] };
    }
}
