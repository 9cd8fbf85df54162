using System.Diagnostics;
using Ferry.Core.Ports;

namespace Ferry.Simulator;

/// <summary>A clock that moves only when a test advances it.</summary>
public sealed class ManualClock(DateTimeOffset start) : IClock
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = start;

    public DateTimeOffset UtcNow
    {
        get
        {
            lock (_gate)
                return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        lock (_gate)
            _now += by;
    }
}

/// <summary>A clock on which simulated time runs <paramref name="factor"/> times faster than real time, so hour-long copies finish in seconds.</summary>
public sealed class AcceleratedClock(DateTimeOffset start, double factor) : IClock
{
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();

    public double Factor { get; } = factor > 0 ? factor : throw new ArgumentOutOfRangeException(nameof(factor));

    public DateTimeOffset UtcNow => start + _elapsed.Elapsed * Factor;

    /// <summary>The real time that passes while <paramref name="simulated"/> passes on this clock.</summary>
    public TimeSpan RealTimeFor(TimeSpan simulated) => simulated / Factor;
}
