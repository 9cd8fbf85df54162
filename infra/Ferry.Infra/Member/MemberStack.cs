using CdkAws = Amazon.CDK.Aws;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Constructs;
using Ferry.Core.Planning;
using Ferry.Functions;
using static Ferry.Infra.Iam;

namespace Ferry.Infra.Member;

/// <summary>
/// Ferry's source, target and restore roles, for every source and target account (the backup account too when it
/// holds protected resources). Each trusts only the backup account's function roles that assume it, with the
/// deployment's ExternalId; the outputs give the key-policy statements each customer key needs.
/// </summary>
public sealed class MemberStack : Stack
{
    private readonly Dictionary<RoleKind, Role> _roles = [];

    /// <param name="policies">The deployed policies: the roles share and delete only snapshots tagged with one of their ids.</param>
    public MemberStack(Construct scope, string id, FerrySettings settings, IReadOnlyList<DeployedPolicy> policies, IStackProps props)
        : base(scope, id, props)
    {
        var deployed = DeployedScope.Of(policies);
        foreach (var kind in Enum.GetValues<RoleKind>())
        {
            var trusted = StepCatalog.Assuming(kind)
                .Select(step => $"arn:{CdkAws.PARTITION}:iam::{settings.BackupAccount}:role/{step.FunctionName}")
                .ToArray();
            // The account as principal, narrowed to the exact function roles: the trust does not break when a function role is replaced.
            var conditions = When("StringEquals", "sts:ExternalId", settings.ExternalId);
            if (settings.OrganizationId is { } organization)
                ((Dictionary<string, object>)conditions["StringEquals"])["aws:PrincipalOrgID"] = organization;
            conditions["ArnEquals"] = new Dictionary<string, object> { ["aws:PrincipalArn"] = trusted };
            var role = new Role(this, $"{kind}Role", new RoleProps
            {
                RoleName = settings.RoleNames.Of(kind),
                Description = $"Ferry {kind.ToString().ToLowerInvariant()} role (assumed from account {settings.BackupAccount})",
                AssumedBy = new AccountPrincipal(settings.BackupAccount).WithConditions(conditions),
                MaxSessionDuration = Duration.Hours(1),
            });
            foreach (var statement in RolePermissions.For(kind, settings.RoleNames, deployed))
                role.AddToPolicy(statement);
            if (kind == RoleKind.Source)
            {
                // Only AWS Backup acting for this account (confused deputy). No aws:SourceArn: AWS Backup documents no ARN it
                // passes when it assumes a copy job's IamRoleArn, and the copy jobs do not exist before they start.
                role.AssumeRolePolicy!.AddStatements(new PolicyStatement(new PolicyStatementProps
                {
                    Principals = [new ServicePrincipal(RolePermissions.BackupService)],
                    Actions = ["sts:AssumeRole"],
                    Conditions = When("StringEquals", "aws:SourceAccount", CdkAws.ACCOUNT_ID),
                }));
            }
            _roles[kind] = role;
        }

        KeyPolicyOutput(RoleKind.Source, "Add to every customer key that encrypts a protected EBS volume or RDS database of this account.",
            [KeyStatement("FerrySourceRole", _roles[RoleKind.Source], ["kms:DescribeKey"])]);
        foreach (var kind in new[] { RoleKind.Target, RoleKind.Restore })
        {
            var name = $"Ferry{kind}Role";
            KeyPolicyOutput(kind, $"Add to every customer key the {kind.ToString().ToLowerInvariant()} role of this account copies from (source keys) or encrypts with (target keys).",
            [
                KeyStatement(name, _roles[kind], RolePermissions.KeyUseActions),
                KeyStatement(name + "Grants", _roles[kind], ["kms:CreateGrant"], When("Bool", "kms:GrantIsForAWSResource", "true")),
            ]);
        }
    }

    public IReadOnlyDictionary<RoleKind, Role> Roles => _roles;

    private void KeyPolicyOutput(RoleKind kind, string description, object[] statements) =>
        _ = new CfnOutput(this, $"{kind}RoleKeyPolicyStatements", new CfnOutputProps
        {
            Description = description,
            Value = ToJsonString(statements),
        });

    /// <summary>A key-policy statement: in a key policy, Resource "*" means the key the policy belongs to.</summary>
    private static Dictionary<string, object> KeyStatement(string sid, Role role, string[] actions, Dictionary<string, object>? condition = null)
    {
        var statement = new Dictionary<string, object>
        {
            ["Sid"] = sid,
            ["Effect"] = "Allow",
            ["Principal"] = new Dictionary<string, object> { ["AWS"] = role.RoleArn },
            ["Action"] = actions,
            ["Resource"] = "*",
        };
        if (condition is not null)
            statement["Condition"] = condition;
        return statement;
    }
}
