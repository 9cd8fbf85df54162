using Amazon.CDK;

namespace Ferry.Infra;

internal static class Program
{
    private static int Main()
    {
        var app = new App();
        try
        {
            FerryApp.Build(app);
        }
        catch (FerryConfigException e)
        {
            Console.Error.WriteLine($"Ferry: {e.Message}");
            return 1;
        }
        app.Synth();
        return 0;
    }
}
