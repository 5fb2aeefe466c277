using System.Globalization;

namespace ImageOrleans.Benchmarks;

/// <summary>Settings of the <c>faults</c> benchmark, read from the command line.</summary>
public sealed record FaultsBenchmarkOptions
{
    public required IReadOnlyList<int> AccountCounts { get; init; }
    public required IReadOnlyList<string> Scenarios { get; init; }
    public int Requests { get; init; }
    public double RatePerSecond { get; init; }
    public double ServerErrorRate { get; init; }
    public double HangRate { get; init; }
    public double ResetRate { get; init; }
    public double TruncatedRate { get; init; }
    public double SlowBodyRate { get; init; }
    public int UpstreamLatencyMs { get; init; }
    public int TimeoutSeconds { get; init; }
    public int DeadlineSeconds { get; init; }
    public double RetryBudget { get; init; }
    public int RetryReserve { get; init; }

    public static readonly IReadOnlyList<string> AllScenarios = ["mix", "mix-slow-body", "one-down", "all-down"];

    public static FaultsBenchmarkOptions Read(ArgReader args)
    {
        var options = new FaultsBenchmarkOptions
        {
            AccountCounts = [.. args.Text("accounts", "4,20")!.Split(',').Select(a => int.Parse(a, CultureInfo.InvariantCulture))],
            Scenarios = [.. args.Text("scenarios", string.Join(',', AllScenarios))!.Split(',')],
            Requests = args.Number("requests", 1000),
            RatePerSecond = args.Real("rate", 20),
            ServerErrorRate = args.Real("server-error", 0.10),
            HangRate = args.Real("hang", 0.03),
            ResetRate = args.Real("reset", 0.02),
            TruncatedRate = args.Real("truncated", 0.01),
            SlowBodyRate = args.Real("slow-body", 0.01),
            UpstreamLatencyMs = args.Number("upstream-latency-ms", 200),
            TimeoutSeconds = args.Number("timeout-seconds", 5),
            DeadlineSeconds = args.Number("deadline-seconds", 60),
            RetryBudget = args.Real("retry-budget", 0.2),
            RetryReserve = args.Number("retry-reserve", 50),
        };
        if (options.AccountCounts.Any(a => a is < 1 or > 100) || options.Requests < 1 || options.RatePerSecond <= 0
            || options.Scenarios.Any(s => !AllScenarios.Contains(s)))
        {
            throw new ArgumentException($"--accounts must be 1 to 100 each, --requests and --rate positive, --scenarios among {string.Join(',', AllScenarios)}.");
        }

        return options;
    }
}
