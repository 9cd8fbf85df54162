using CdkAws = Amazon.CDK.Aws;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using AssetOptions = Amazon.CDK.AWS.S3.Assets.AssetOptions;
using Constructs;
using Ferry.Core.Planning;
using Ferry.Core.Settings;
using Ferry.Functions;
using Function = Amazon.CDK.AWS.Lambda.Function;
using static Ferry.Infra.Iam;

namespace Ferry.Infra.Backup;

/// <summary>
/// One Lambda function per step of <see cref="StepCatalog"/>, all from one package, each with its own role allowing
/// what the catalog declares of its step: sts:AssumeRole on the Ferry roles it assumes, the item operations it
/// declares on each table it touches, and its own log group.
/// </summary>
public sealed class StepLambdas : Construct
{
    /// <summary>CDK 2.160 has no constant for the managed .NET 10 runtime.</summary>
    public static readonly Runtime Dotnet10 = new("dotnet10", RuntimeFamily.DOTNET_CORE);

    private readonly Dictionary<string, Function> _functions = new(StringComparer.Ordinal);

    /// <param name="timeouts">Each step's Lambda timeout (shorter than every state's TimeoutSeconds that calls it).</param>
    public StepLambdas(Construct scope, string id, FerrySettings settings, FerryTables tables, IReadOnlyDictionary<string, Duration> timeouts)
        : base(scope, id)
    {
        var code = Package(settings);
        var environment = new Dictionary<string, string>(tables.Environment()) { [FerryVariables.ExternalId] = settings.ExternalId };
        if (settings.CopyQuotas.Length > 0)
            environment[FerryVariables.CopyQuotas] = settings.CopyQuotas;
        foreach (var step in StepCatalog.All)
        {
            var role = new Role(this, $"{step.Name}Role", new RoleProps
            {
                RoleName = step.FunctionName,
                AssumedBy = new ServicePrincipal("lambda.amazonaws.com"),
                Description = $"Ferry {step.Name} step: assumes only {Describe(step.Assumes)}",
            });
            if (step.Assumes.Count > 0)
            {
                // Ferry's roles exist in every source and target account, under the same names; with an organization, only in its accounts.
                role.AddToPolicy(Allow(["sts:AssumeRole"],
                    [.. step.Assumes.Select(kind => $"arn:{CdkAws.PARTITION}:iam::*:role/{settings.RoleNames.Of(kind)}")],
                    settings.OrganizationId is { } organization ? When("StringEquals", "aws:ResourceOrgID", organization) : null));
            }
            foreach (var statement in tables.Access(step))
                role.AddToPolicy(statement);
            var logs = new LogGroup(this, $"{step.Name}Logs", new LogGroupProps
            {
                LogGroupName = $"/aws/lambda/{step.FunctionName}",
                Retention = RetentionDays.THREE_MONTHS,
            });
            logs.GrantWrite(role);
            _functions[step.Name] = new Function(this, step.Name, new FunctionProps
            {
                FunctionName = step.FunctionName,
                Description = $"Ferry step {step.Name}",
                Runtime = Dotnet10,
                Architecture = Architecture.X86_64,
                Handler = step.Handler,
                Code = code,
                Role = role,
                MemorySize = 512,
                Timeout = timeouts.TryGetValue(step.Name, out var timeout) ? timeout : Duration.Minutes(1),
                Environment = environment,
                LogGroup = logs,
            });
        }
    }

    public IReadOnlyDictionary<string, Function> ByStep => _functions;

    /// <summary>The ReadyToRun publish of Ferry.Functions, shared by every function (one asset, built once).</summary>
    private static AssetCode Package(FerrySettings settings) => Code.FromAsset(settings.FunctionsDirectory, new AssetOptions
    {
        Exclude = ["**/bin", "**/obj"],
        Bundling = new BundlingOptions
        {
            // Never pulled: local bundling always succeeds or fails the synth.
            Image = DockerImage.FromRegistry("mcr.microsoft.com/dotnet/sdk:10.0"),
            Local = new DotnetPublish(Path.Combine(settings.FunctionsDirectory, "Ferry.Functions", "Ferry.Functions.csproj")),
            OutputType = BundlingOutput.NOT_ARCHIVED,
        },
    });

    private static string Describe(IReadOnlyList<RoleKind> kinds) =>
        kinds.Count == 0 ? "no role" : string.Join(", ", kinds.Select(k => $"the {k.ToString().ToLowerInvariant()} role"));
}
