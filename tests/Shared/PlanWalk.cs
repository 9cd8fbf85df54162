using Ferry.Core.Planning;
using Ferry.Core.Runs;
using Ferry.Simulator;

namespace Ferry.Tests.Shared;

/// <summary>Walks a job's plan as the state machines do, invoking each plan step's Lambda step through the caller's <c>invoke</c>.</summary>
internal static class PlanWalk
{
    /// <summary>
    /// Runs the plan step at the cursor until the cursor moves on: one invocation of its Lambda step, or, for a wait or
    /// a restore, Wait → step → Choice turns with the clock advanced by each turn's wait.
    /// </summary>
    public static async Task<Job> StepAsync(Job job, Func<string, Job, Task<Job>> invoke, ManualClock clock)
    {
        var kind = job.Steps[job.Cursor].Kind;
        var step = StepRunners.For(kind);
        var cursor = job.Cursor;
        do
        {
            if (job.Wait is { Ready: false } wait && (kind == StepKind.WaitForAvailable || step == StepRunners.Restore))
                clock.Advance(TimeSpan.FromSeconds(wait.Seconds));
            job = await invoke(step, job);
        }
        while (job.Cursor == cursor);
        return job;
    }

    /// <summary>Runs the plan from its cursor to its end, or to its first step of kind <paramref name="until"/>.</summary>
    public static async Task<Job> RunAsync(Job job, Func<string, Job, Task<Job>> invoke, ManualClock clock, StepKind? until = null)
    {
        while (!job.Finished && job.Steps[job.Cursor].Kind != until)
            job = await StepAsync(job, invoke, clock);
        return job;
    }
}
