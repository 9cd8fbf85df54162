using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.Events.Targets;
using Amazon.CDK.AWS.StepFunctions;
using Constructs;
using Ferry.Core.Digest;
using Ferry.Core.Runs;

namespace Ferry.Infra.Backup;

/// <summary>
/// The daily digest's own schedule: an EventBridge rule (UTC, <c>ferry:digestSchedule</c>) starting the digest state
/// machine with the deployed policies' ids, so the Digest step reads them by key and never scans the policies table.
/// </summary>
public sealed class DigestSchedule : Construct
{
    public const string RuleName = "ferry-daily-digest";

    public DigestSchedule(Construct scope, string id, string expression, IReadOnlyList<DeployedPolicy> policies, IStateMachine digest)
        : base(scope, id)
    {
        var input = new DigestInput([.. policies.Select(p => p.Policy.Id)]);
        try
        {
            // At most 100 ids of 64 characters: within EventBridge's 8,192-character target input.
            StepInputs.Check(input);
        }
        catch (Core.Errors.FerryInvalidInputException e)
        {
            throw new FerryConfigException($"{FerrySettings.PoliciesFileKey}: the daily digest's {e.Message}");
        }
        var target = new Dictionary<string, object> { ["policyIds"] = input.PolicyIds.ToArray() };
        Rule = new Rule(this, "Rule", new RuleProps
        {
            RuleName = RuleName,
            Description = "Ferry's daily digest: each policy's runs, missed schedules and resources past their RPO",
            Schedule = Schedule.Expression(expression),
            // The target's own role may start this machine only.
            Targets = [new SfnStateMachine(digest, new SfnStateMachineProps { Input = RuleTargetInput.FromObject(target) })],
        });
    }

    public Rule Rule { get; }
}
