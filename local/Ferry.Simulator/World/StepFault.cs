namespace Ferry.Simulator.World;

/// <summary>
/// Makes a step crash or time out after its handler ran, so its AWS calls took effect but Step Functions
/// sees the invocation fail (the local Lambda host answers as Lambda does: Runtime.ExitError, Sandbox.Timedout).
/// </summary>
/// <param name="Step">The step's name, e.g. "TakeSnapshot", or "*" for every step.</param>
/// <param name="Crash">Probability that the runtime crashes after the handler ran.</param>
/// <param name="Timeout">Probability that the function times out after the handler ran.</param>
/// <param name="Seed">Seeds the draws; a draw depends only on the seed, the step, the invocation's subject and how many times the step was invoked for it, so a run repeats whatever the concurrency.</param>
/// <param name="Resource">When set, the rule applies only to invocations whose payload names this resource.</param>
public sealed record StepFault(string Step, double Crash = 0, double Timeout = 0, int Seed = 1, string? Resource = null);
