using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ferry.Core.Errors;
using Ferry.Core.Runs;

namespace Ferry.Functions;

/// <summary>
/// A Lambda entry point: reads the input record from the stream, runs one Core step, writes the
/// output record. Errors leave as Ferry's typed exceptions, whose class names the state machines match.
/// </summary>
public abstract class StepFunction<TInput, TOutput>(FerryServices services, StepLog log) : IStepHandler
    where TInput : class
{
    protected FerryServices Services { get; } = services;

    /// <summary>The step's name: its Lambda function suffix and the local host's function name.</summary>
    public string Name => StepCatalog.NameOf(GetType());

    protected abstract JsonTypeInfo<TInput> InputType { get; }

    protected abstract JsonTypeInfo<TOutput> OutputType { get; }

    public async Task<Stream> HandleAsync(Stream input)
    {
        var request = Read(input);
        var context = StepContext.Of(request);
        log.Write("INFO", Name, context, "started");
        try
        {
            var result = await RunAsync(request, CancellationToken.None);
            log.Write("INFO", Name, context, "succeeded");
            var output = new MemoryStream();
            await JsonSerializer.SerializeAsync(output, result, OutputType);
            output.Position = 0;
            return output;
        }
        catch (FerryException e)
        {
            log.Write(e.Retryable ? "WARN" : "ERROR", Name, context, e.Message, e);
            throw;
        }
    }

    protected abstract Task<TOutput> RunAsync(TInput input, CancellationToken cancellationToken);

    private TInput Read(Stream input)
    {
        TInput? request;
        try
        {
            request = JsonSerializer.Deserialize(input, InputType);
        }
        catch (JsonException e)
        {
            var path = string.IsNullOrEmpty(e.Path) ? "$" : e.Path;
            throw new FerryInvalidInputException($"{Name}: input {path}: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // The reader's own words for text that is not valid UTF-16 (a lone surrogate escaped in a string).
            throw new FerryInvalidInputException($"{Name}: input: {e.Message}");
        }
        if (request is null)
            throw new FerryInvalidInputException($"{Name}: the input is empty (null)");
        // The one gate for every step input: Core's rules, checked before any step runs.
        StepInputs.Check(request);
        return request;
    }
}
