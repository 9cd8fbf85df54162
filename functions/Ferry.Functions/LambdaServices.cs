using Ferry.Aws;
using Ferry.Aws.Dynamo;
using Ferry.Aws.Runtime;
using Ferry.Aws.Sts;
using Ferry.Core.Ports;
using Ferry.Core.Runs;

namespace Ferry.Functions;

/// <summary>
/// The composition root in Lambda: the real adapters, configured from the function's environment
/// (table names, ExternalId, optional endpoints, copy quotas). Built once per execution environment.
/// </summary>
public static class LambdaServices
{
    private static readonly Lazy<FerryServices> Services = new(Create);

    public static FerryServices Instance => Services.Value;

    public static FerryServices Create()
    {
        var options = AwsOptions.FromEnvironment();
        var region = Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1";
        var dynamo = DynamoTables.Client(options, region);
        var tables = new DynamoTables(
            Setting("FERRY_POLICIES_TABLE", "ferry-policies"),
            Setting("FERRY_SESSIONS_TABLE", "ferry-sessions"),
            Setting("FERRY_RESTORE_POINTS_TABLE", "ferry-restore-points"));
        var clock = SystemClock.Instance;
        return new FerryServices(
            new StsCredentialsPort(options, clock: clock),
            new AwsPorts(options),
            new DynamoPolicyStore(dynamo, tables, clock),
            new DynamoSessionStore(dynamo, tables),
            new DynamoRestorePointStore(dynamo, tables),
            new DynamoCopySlots(dynamo, Setting("FERRY_COPY_SLOTS_TABLE", DynamoCopySlots.DefaultTable), clock),
            clock,
            WaitSettings.Default)
        {
            CopyQuotas = CopyQuotas.Parse(Environment.GetEnvironmentVariable(CopyQuotas.Variable)),
        };
    }

    private static string Setting(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;
}
