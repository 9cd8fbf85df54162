using Ferry.Aws;
using Ferry.Aws.Dynamo;
using Ferry.Aws.Runtime;
using Ferry.Aws.Sts;
using Ferry.Core.Ports;
using Ferry.Core.Runs;
using Ferry.Core.Settings;

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
        var tables = DynamoTables.FromEnvironment();
        var clock = SystemClock.Instance;
        return new FerryServices(
            new StsCredentialsPort(options, clock: clock),
            new AwsPorts(options),
            new DynamoPolicyStore(dynamo, tables, clock),
            new DynamoSessionStore(dynamo, tables),
            new DynamoRestorePointStore(dynamo, tables),
            new DynamoCopySlots(dynamo, tables.CopySlots, clock),
            clock,
            WaitSettings.Default)
        {
            CopyQuotas = CopyQuotas.Parse(Environment.GetEnvironmentVariable(FerryVariables.CopyQuotas)),
            Metrics = new EmfMetrics(StepLog.StandardOutput, clock),
        };
    }
}
