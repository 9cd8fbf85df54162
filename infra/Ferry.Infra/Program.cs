namespace Ferry.Infra;

internal static class Program
{
    private static void Main() => new Amazon.CDK.App().Synth();
}
