using System.Diagnostics;

namespace ImageOrleans.Benchmarks;

/// <summary>What one path of the overhead benchmark measured in one phase: latencies, failures, CPU spent while it ran alone.</summary>
public sealed class PathFigures
{
    private long _errors;
    private long _requests;
    private TimeSpan _cpu;
    private TimeSpan _wall;
    private long _allocated;

    public LatencyRecorder Latencies { get; } = new();

    public long Errors => Interlocked.Read(ref _errors);

    public void Add(TimeSpan? latency)
    {
        Interlocked.Increment(ref _requests);
        if (latency is { } value)
        {
            Latencies.Add(value);
        }
        else
        {
            Interlocked.Increment(ref _errors);
        }
    }

    /// <summary>Process CPU, wall time and managed bytes allocated in a block in which only this path was sent.</summary>
    public void AddBlock(TimeSpan cpu, TimeSpan wall, long allocated)
    {
        _cpu += cpu;
        _wall += wall;
        _allocated += allocated;
    }

    /// <summary>Process CPU (client, upstream and server alike, all in this process) per request, in microseconds.</summary>
    public double CpuMicrosPerRequest => _requests == 0 || _cpu == TimeSpan.Zero ? double.NaN : _cpu.TotalMicroseconds / _requests;

    /// <summary>
    /// Managed memory allocated per request (client, upstream and server alike), in kilobytes: unlike CPU time, it
    /// hardly moves with what else the machine runs, so it tells small cuts apart on a shared machine.
    /// </summary>
    public double AllocatedKilobytesPerRequest => _requests == 0 || _allocated == 0 ? double.NaN : _allocated / 1024.0 / _requests;

    /// <summary>Requests per second actually sent while this path ran alone.</summary>
    public double AchievedRate => _wall == TimeSpan.Zero ? double.NaN : _requests / _wall.TotalSeconds;

    public static TimeSpan ProcessCpu() => Process.GetCurrentProcess().TotalProcessorTime;
}
