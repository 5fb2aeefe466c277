using System.Globalization;

namespace ImageOrleans.Benchmarks;

/// <summary>Settings of the <c>soak</c> benchmark, read from the command line.</summary>
public sealed record SoakBenchmarkOptions
{
    public double Minutes { get; init; }
    public double RestartEveryMinutes { get; init; }
    public int Silos { get; init; }
    public int Accounts { get; init; }
    public int ImagesPerMinute { get; init; }
    public double Load { get; init; }
    public int UpstreamLatencyMs { get; init; }
    public int TimeoutSeconds { get; init; }
    public int SampleSeconds { get; init; }
    public double ServerErrorRate { get; init; }
    public double HangRate { get; init; }
    public double ResetRate { get; init; }
    public double TruncatedRate { get; init; }

    /// <summary>Images per second the pool can serve, by its configured limits.</summary>
    public double CapacityPerSecond => Accounts * ImagesPerMinute / 60.0;

    public static SoakBenchmarkOptions Read(ArgReader args)
    {
        var options = new SoakBenchmarkOptions
        {
            Minutes = args.Real("minutes", 30),
            RestartEveryMinutes = args.Real("restart-every-minutes", 10),
            Silos = args.Number("silos", 3),
            Accounts = args.Number("accounts", 8),
            ImagesPerMinute = args.Number("images-per-min", 60),
            Load = args.Real("load", 0.8),
            UpstreamLatencyMs = args.Number("upstream-latency-ms", 1000),
            TimeoutSeconds = args.Number("timeout-seconds", 10),
            SampleSeconds = args.Number("sample-seconds", 30),
            ServerErrorRate = args.Real("server-error", 0.10),
            HangRate = args.Real("hang", 0.03),
            ResetRate = args.Real("reset", 0.02),
            TruncatedRate = args.Real("truncated", 0.01),
        };
        if (options.Minutes <= 0 || options.RestartEveryMinutes <= 0 || options.Silos < 2 || options.Accounts < 1 || options.Load <= 0 || options.SampleSeconds < 5)
        {
            throw new ArgumentException("--minutes and --restart-every-minutes must be positive, --silos at least 2, --sample-seconds at least 5.");
        }

        return options;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"soak: {Minutes} min, {Silos} silo processes on Redis and PostgreSQL, one restarted every {RestartEveryMinutes} min; {Accounts} accounts x {ImagesPerMinute} images/min at {Load:P0} of capacity ({CapacityPerSecond * Load:0.##}/s); faults per call: 5xx {ServerErrorRate:P0}, hang {HangRate:P0}, reset {ResetRate:P0}, truncated {TruncatedRate:P0}; account timeout {TimeoutSeconds} s");
}
